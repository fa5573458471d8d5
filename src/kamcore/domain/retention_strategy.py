"""RetentionStrategy: a named retention programme with a start date, so KPIs compare before and after.

Policies sold under it (personalised packages for existing clients) name it by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from eventsourcing.domain import event

from kamcore.domain import rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.values import KeyAccountTier, Segment


class RetentionStrategy(KamAggregate):
    @classmethod
    def launch(
        cls,
        *,
        name: str,
        description: str,
        starts_on: date,
        target_segments: Iterable[Segment | str] = (),
        target_tiers: Iterable[KeyAccountTier | str] = (),
        envelope: AuditEnvelope,
    ) -> RetentionStrategy:
        """Empty target lists mean every segment / tier."""
        return cls(
            name=rules.text("name", name),
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            starts_on=starts_on,
            target_segments=tuple(dict.fromkeys(rules.member("target_segments", Segment, s) for s in target_segments)),
            target_tiers=tuple(dict.fromkeys(rules.member("target_tiers", KeyAccountTier, t) for t in target_tiers)),
            envelope=envelope,
        )

    @event("Launched")
    def __init__(
        self,
        name: str,
        description: str,
        starts_on: date,
        target_segments: tuple[Segment, ...],
        target_tiers: tuple[KeyAccountTier, ...],
        envelope: AuditEnvelope,
    ) -> None:
        self.name = name
        self.description = description
        self.starts_on = starts_on
        self.target_segments = tuple(target_segments)
        self.target_tiers = tuple(target_tiers)
        self.ends_on: date | None = None

    def ensure_running_on(self, day: date, *, field: str = "retention_strategy_id") -> None:
        """Business is sold under a strategy only while it runs: [starts_on, ends_on)."""
        if day < self.starts_on or (self.ends_on is not None and day >= self.ends_on):
            raise Conflict(f"the retention strategy does not run on {day.isoformat()}", field=field, code="NOT_RUNNING")

    def end(self, *, ends_on: date, envelope: AuditEnvelope) -> None:
        if self.ends_on is not None:
            raise Conflict("the strategy has already ended", field="strategy_id", code="INVALID_STATE")
        if not envelope.reason:
            raise InvalidInput("ending a strategy needs a reason", field="reason")
        rules.after("ends_on", ends_on, self.starts_on, "starts_on")
        self._ended(starts_on=self.starts_on, ends_on=ends_on, envelope=envelope)

    @event("Ended")
    def _ended(self, starts_on: date, ends_on: date, envelope: AuditEnvelope) -> None:
        self.ends_on = ends_on
