"""ManagementDecision: a decision taken on the KAM numbers, its baseline and its later measured impact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from eventsourcing.domain import event

from kamcore.domain import checks, rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.values import DecisionImpact


class ManagementDecision(KamAggregate):
    @classmethod
    def record(
        cls,
        *,
        title: str,
        description: str,
        kpi_id: str,
        baseline_value: object,
        decided_by: str,
        envelope: AuditEnvelope,
    ) -> ManagementDecision:
        """`kpi_id` and `baseline_value` are the number the decision means to move, as it stood when decided."""
        return cls(
            title=rules.text("title", title),
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            kpi_id=rules.identifier("kpi_id", kpi_id),
            baseline_value=checks.decimal("baseline_value", baseline_value),
            decided_by=rules.identifier("decided_by", decided_by),
            decided_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Recorded")
    def __init__(
        self,
        title: str,
        description: str,
        kpi_id: str,
        baseline_value: Decimal,
        decided_by: str,
        decided_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.title = title
        self.description = description
        self.kpi_id = kpi_id
        self.baseline_value = baseline_value
        self.decided_by = decided_by
        self.decided_on = decided_on
        self.outcomes = 0

    def record_outcome(
        self, *, observed_value: object, impact: DecisionImpact | str, note: str | None = None, envelope: AuditEnvelope
    ) -> None:
        """An assessment after the fact; several over time are fine (3 and 6 months on)."""
        assessed_on = envelope.business_date
        rules.not_before("effective_date", assessed_on, self.decided_on, "the decision date")
        observed = checks.decimal("observed_value", observed_value)
        self._outcome_recorded(
            kpi_id=self.kpi_id,
            decided_by=self.decided_by,
            baseline_value=self.baseline_value,
            observed_value=observed,
            change=observed - self.baseline_value,
            impact=rules.member("impact", DecisionImpact, impact),
            note=rules.optional_text("note", note),
            assessed_on=assessed_on,
            envelope=envelope,
        )

    @event("OutcomeRecorded")
    def _outcome_recorded(
        self,
        kpi_id: str,
        decided_by: str,
        baseline_value: Decimal,
        observed_value: Decimal,
        change: Decimal,
        impact: DecisionImpact,
        note: str | None,
        assessed_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.outcomes += 1
