"""Queries over the account summary: by id, in bulk (for DataLoaders), and keyset-paged lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kamcore.projections.account_summary import COLUMNS
from kamcore.projections.listing import Listing, Page, Where
from kamcore.projections.store import ReadModelStore

SORT_COLUMNS = {"name": "name", "opened_at": "opened_at"}


@dataclass(frozen=True)
class AccountFilter:
    segments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    status: str | None = None
    lead_rm_id: str | None = None
    name_contains: str | None = None


class AccountSummaryView:
    """Read side of the account summary; never touches the event store."""

    def __init__(self, store: ReadModelStore) -> None:
        self.store = store
        self.listing = Listing("account_summary", COLUMNS, "account_id", SORT_COLUMNS, store)

    def get(self, account_id: str) -> dict[str, Any] | None:
        rows = self.get_many([account_id])
        return rows[0]

    def get_many(self, account_ids: Sequence[str]) -> list[dict[str, Any] | None]:
        """Rows in the order asked, None where unknown (the DataLoader contract)."""
        return self.listing.get_many(account_ids)

    def page(
        self,
        flt: AccountFilter,
        *,
        sort: str = "name",
        descending: bool = False,
        first: int = 20,
        after: str | None = None,
    ) -> Page:
        return self.listing.page(self.where(flt), sort=sort, descending=descending, first=first, after=after)

    @staticmethod
    def where(flt: AccountFilter) -> Where:
        return (
            Where()
            .any_of("segment", flt.segments)
            .any_of("region", flt.regions)
            .equals("status", flt.status or None)
            .equals("lead_rm_id", flt.lead_rm_id or None)
            .contains("name", flt.name_contains)
        )
