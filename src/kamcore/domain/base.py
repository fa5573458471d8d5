"""The base aggregate: every event of every kamcore aggregate carries an audit envelope."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from kamcore.domain.envelope import AuditEnvelope


class KamAggregate(Aggregate):
    """An `eventsourcing` aggregate whose events all carry `envelope`.

    Guards live in plain command methods; the `@event` methods only apply state, so that
    replaying history never re-runs validation that may have changed since.
    """

    class Event(Aggregate.Event):
        envelope: AuditEnvelope

    class Created(Event, Aggregate.Created):
        pass
