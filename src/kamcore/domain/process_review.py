"""ProcessReview: reviewing the KAM process itself — findings against results, and the adjustments decided.

Findings are measured against sales volume, customer feedback or market changes; adjustments
(a new criteria version, service standard, targets, …) have a due date and are implemented later,
which feeds the action-plan implementation KPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from eventsourcing.domain import event

from kamcore.domain import checks, rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.values import AdjustmentKind, FindingArea

MAX_ITEMS = 200


@dataclass(frozen=True)
class Finding:
    finding_id: str
    area: FindingArea
    description: str
    kpi_id: str | None = None
    observed_value: Decimal | None = None
    target_value: Decimal | None = None


@dataclass(frozen=True)
class Adjustment:
    adjustment_id: str
    kind: AdjustmentKind
    description: str
    due_date: date
    reference: str | None = None  # e.g. the criteria version id or KPI target it introduces


class ProcessReview(KamAggregate):
    @classmethod
    def open(
        cls, *, title: str, period_start: date, period_end: date, programme: str = "kam", envelope: AuditEnvelope
    ) -> ProcessReview:
        rules.after("period_end", period_end, period_start, "period_start")
        return cls(
            programme=rules.identifier("programme", programme),
            title=rules.text("title", title),
            period_start=period_start,
            period_end=period_end,
            opened_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Opened")
    def __init__(
        self,
        programme: str,
        title: str,
        period_start: date,
        period_end: date,
        opened_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.programme = programme
        self.title = title
        self.period_start = period_start
        self.period_end = period_end
        self.opened_on = opened_on
        self.findings: dict[str, Finding] = {}
        self.adjustments: dict[str, Adjustment] = {}
        self.implemented: dict[str, date] = {}
        self.concluded_on: date | None = None

    def record_finding(
        self,
        *,
        area: FindingArea | str,
        description: str,
        kpi_id: str | None = None,
        observed_value: object = None,
        target_value: object = None,
        envelope: AuditEnvelope,
    ) -> Finding:
        self._ensure_open()
        if len(self.findings) >= MAX_ITEMS:
            raise InvalidInput(f"a review holds at most {MAX_ITEMS} findings", field="description")
        finding = Finding(
            finding_id=f"finding-{self.version + 1}",
            area=rules.member("area", FindingArea, area),
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            kpi_id=rules.identifier("kpi_id", kpi_id) if kpi_id else None,
            observed_value=checks.decimal("observed_value", observed_value) if observed_value is not None else None,
            target_value=checks.decimal("target_value", target_value) if target_value is not None else None,
        )
        self._finding_recorded(programme=self.programme, finding=finding, envelope=envelope)
        return finding

    def decide_adjustment(
        self,
        *,
        kind: AdjustmentKind | str,
        description: str,
        due_date: date,
        reference: str | None = None,
        envelope: AuditEnvelope,
    ) -> Adjustment:
        self._ensure_open()
        if len(self.adjustments) >= MAX_ITEMS:
            raise InvalidInput(f"a review holds at most {MAX_ITEMS} adjustments", field="description")
        rules.not_before("due_date", due_date, envelope.business_date, "the decision date")
        adjustment = Adjustment(
            adjustment_id=f"adjustment-{self.version + 1}",
            kind=rules.member("kind", AdjustmentKind, kind),
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            due_date=due_date,
            reference=rules.identifier("reference", reference) if reference else None,
        )
        self._adjustment_decided(
            programme=self.programme, adjustment=adjustment, decided_on=envelope.business_date, envelope=envelope
        )
        return adjustment

    def implement_adjustment(self, adjustment_id: str, *, envelope: AuditEnvelope) -> None:
        """Implementation usually follows the review, so it is accepted after the review concluded."""
        adjustment = self.adjustments.get(adjustment_id)
        if adjustment is None:
            raise InvalidInput(f"no adjustment {adjustment_id!r} in this review", field="adjustment_id")
        if adjustment_id in self.implemented:
            raise Conflict("the adjustment is already implemented", field="adjustment_id", code="ALREADY_COMPLETED")
        self._adjustment_implemented(
            programme=self.programme,
            adjustment_id=adjustment_id,
            kind=adjustment.kind,
            due_date=adjustment.due_date,
            implemented_on=envelope.business_date,
            envelope=envelope,
        )

    def conclude(self, *, summary: str, envelope: AuditEnvelope) -> None:
        self._ensure_open()
        rules.not_before("effective_date", envelope.business_date, self.opened_on, "the date it was opened")
        self._concluded(
            programme=self.programme,
            summary=rules.text("summary", summary, max_length=rules.MAX_TEXT),
            findings=len(self.findings),
            adjustments=len(self.adjustments),
            concluded_on=envelope.business_date,
            envelope=envelope,
        )

    def _ensure_open(self) -> None:
        if self.concluded_on is not None:
            raise Conflict("the review is concluded", field="review_id", code="REVIEW_CONCLUDED")

    @event("FindingRecorded")
    def _finding_recorded(self, programme: str, finding: Finding, envelope: AuditEnvelope) -> None:
        self.findings[finding.finding_id] = finding

    @event("AdjustmentDecided")
    def _adjustment_decided(
        self, programme: str, adjustment: Adjustment, decided_on: date, envelope: AuditEnvelope
    ) -> None:
        self.adjustments[adjustment.adjustment_id] = adjustment

    @event("AdjustmentImplemented")
    def _adjustment_implemented(
        self,
        programme: str,
        adjustment_id: str,
        kind: AdjustmentKind,
        due_date: date,
        implemented_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.implemented[adjustment_id] = implemented_on

    @event("Concluded")
    def _concluded(
        self,
        programme: str,
        summary: str,
        findings: int,
        adjustments: int,
        concluded_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.concluded_on = concluded_on
