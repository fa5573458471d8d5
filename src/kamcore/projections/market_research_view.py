"""Read side of market research: the four kinds of record by id and in one filtered, keyset-paged list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kamcore.projections.listing import Listing, Where
from kamcore.projections.market_research import RESEARCH_COLUMNS
from kamcore.projections.store import ReadModelStore


@dataclass(frozen=True)
class MarketResearchFilter:
    kinds: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    employee_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    dated_from: date | None = None
    dated_to: date | None = None

    def where(self) -> Where:
        return (
            Where()
            .any_of("kind", self.kinds)
            .any_of("segment", self.segments)
            .any_of("region", self.regions)
            .any_of("employee_id", self.employee_ids)
            .any_of("status", self.statuses)
            .between("dated_on", self.dated_from, self.dated_to, field="filter.datedFrom")
        )


class MarketResearchView:
    def __init__(self, store: ReadModelStore) -> None:
        self.records = Listing("market_research", RESEARCH_COLUMNS, "record_id", {"dated_on": "dated_on"}, store)
