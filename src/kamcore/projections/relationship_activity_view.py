"""Read side of relationship activity: interactions by id, in pages, and per account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kamcore.projections.listing import Listing, Where
from kamcore.projections.relationship_activity import INTERACTION_COLUMNS
from kamcore.projections.store import ReadModelStore


@dataclass(frozen=True)
class InteractionFilter:
    account_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    relationship_manager_ids: tuple[str, ...] = ()
    scheduled_from: date | None = None
    scheduled_to: date | None = None
    open_action_items: bool | None = None

    def where(self) -> Where:
        where = (
            Where()
            .any_of("account_id", self.account_ids)
            .any_of("kind", self.kinds)
            .any_of("status", self.statuses)
            .between("scheduled_for", self.scheduled_from, self.scheduled_to, field="filter.scheduledFrom")
        )
        if self.relationship_manager_ids:
            rms = list(dict.fromkeys(self.relationship_manager_ids))
            marks = ", ".join("?" for _ in rms)
            where.sql(
                f"interaction_id IN (SELECT interaction_id FROM {{t}}activity_attendee WHERE rm_id IN ({marks}))",  # noqa: S608
                *rms,
            )
        if self.open_action_items is not None:
            where.sql("open_action_items > 0" if self.open_action_items else "open_action_items = 0")
        return where


class RelationshipActivityView:
    def __init__(self, store: ReadModelStore) -> None:
        self.interactions = Listing(
            "activity_interaction", INTERACTION_COLUMNS, "interaction_id", {"scheduled_for": "scheduled_for"}, store
        )
