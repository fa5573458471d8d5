"""KpiTarget: a SMART target for one KPI, scope (RM, team or company) and period, with a deadline.

Identified by (kpi, scope, scope id, period), so the same target cannot be set twice; a change
mid-period is a revision, kept in history so variance can be read against the target then in force.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import checks, rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.ids import natural_id
from kamcore.domain.values import TargetScope


class KpiTarget(KamAggregate):
    @classmethod
    def create_id(
        cls, kpi_id: str, scope: TargetScope, scope_id: str | None, period_start: date, period_end: date, **_: Any
    ) -> UUID:
        return cls.id_for(kpi_id, scope, scope_id, period_start, period_end)

    @staticmethod
    def id_for(kpi_id: str, scope: TargetScope, scope_id: str | None, period_start: date, period_end: date) -> UUID:
        key = f"{kpi_id}|{scope.value}|{scope_id or ''}|{period_start.isoformat()}|{period_end.isoformat()}"
        return natural_id("kpi-target", key)

    @classmethod
    def set_target(
        cls,
        *,
        kpi_id: str,
        scope: TargetScope | str,
        scope_id: str | None,
        period_start: date,
        period_end: date,
        target_value: object,
        deadline: date,
        envelope: AuditEnvelope,
    ) -> KpiTarget:
        checked_scope = rules.member("scope", TargetScope, scope)
        if checked_scope is TargetScope.COMPANY:
            if scope_id is not None:
                raise InvalidInput("a company-wide target names no scope id", field="scope_id")
            checked_scope_id = None
        else:
            checked_scope_id = rules.identifier("scope_id", scope_id)
        rules.after("period_end", period_end, period_start, "period_start")
        rules.not_before("deadline", deadline, period_start, "period_start")
        return cls(
            kpi_id=rules.identifier("kpi_id", kpi_id),
            scope=checked_scope,
            scope_id=checked_scope_id,
            period_start=period_start,
            period_end=period_end,
            target_value=checks.decimal("target_value", target_value),
            deadline=deadline,
            envelope=envelope,
        )

    @event("Set")
    def __init__(
        self,
        kpi_id: str,
        scope: TargetScope,
        scope_id: str | None,
        period_start: date,
        period_end: date,
        target_value: Decimal,
        deadline: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.kpi_id = kpi_id
        self.scope = scope
        self.scope_id = scope_id
        self.period_start = period_start
        self.period_end = period_end
        self.target_value = target_value
        self.deadline = deadline
        self.withdrawn = False

    def revise(self, *, target_value: object, deadline: date | None = None, envelope: AuditEnvelope) -> None:
        self._ensure_active()
        if not envelope.reason:
            raise InvalidInput("revising a target needs a reason", field="reason")
        new_deadline = deadline or self.deadline
        rules.not_before("deadline", new_deadline, self.period_start, "period_start")
        self._revised(
            **self._identity(),
            previous_value=self.target_value,
            target_value=checks.decimal("target_value", target_value),
            deadline=new_deadline,
            envelope=envelope,
        )

    def withdraw(self, *, envelope: AuditEnvelope) -> None:
        self._ensure_active()
        if not envelope.reason:
            raise InvalidInput("withdrawing a target needs a reason", field="reason")
        self._withdrawn(**self._identity(), envelope=envelope)

    def _identity(self) -> dict[str, Any]:
        return {
            "kpi_id": self.kpi_id,
            "scope": self.scope,
            "scope_id": self.scope_id,
            "period_start": self.period_start,
            "period_end": self.period_end,
        }

    def _ensure_active(self) -> None:
        if self.withdrawn:
            raise Conflict("the target is withdrawn", field="target_id", code="WITHDRAWN")

    @event("Revised")
    def _revised(
        self,
        kpi_id: str,
        scope: TargetScope,
        scope_id: str | None,
        period_start: date,
        period_end: date,
        previous_value: Decimal,
        target_value: Decimal,
        deadline: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.target_value = target_value
        self.deadline = deadline

    @event("Withdrawn")
    def _withdrawn(
        self,
        kpi_id: str,
        scope: TargetScope,
        scope_id: str | None,
        period_start: date,
        period_end: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.withdrawn = True
