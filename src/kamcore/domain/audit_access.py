"""Audit access: reading history and exporting is itself recorded (who looked at what, when)."""

from __future__ import annotations

from eventsourcing.domain import event

from kamcore.domain import rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope


class AuditAccess(KamAggregate):
    """One read of audit data: what was asked (query and subject), by the actor in the envelope."""

    @classmethod
    def record(cls, *, what: str, subject: str, envelope: AuditEnvelope) -> AuditAccess:
        return cls(
            what=rules.text("what", what, max_length=100),
            subject=rules.text("subject", subject, max_length=500),
            envelope=envelope,
        )

    @event("Recorded")
    def __init__(self, what: str, subject: str, envelope: AuditEnvelope) -> None:
        self.what = what
        self.subject = subject
