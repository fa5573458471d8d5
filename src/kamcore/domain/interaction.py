"""Interaction: a meeting, account review, education session or assessment with a customer.

Scheduled, then held (the business date is when it was held) or cancelled. A held interaction
records its attendees, outcome and action items; a coverage assessment also records whether cover
was adequate. The scheduled date doubles as the due date of assessments (completion-rate KPIs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import checks, rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.values import CoverageResult, InteractionKind, InteractionStatus

MAX_ACTION_ITEMS = 100


@dataclass(frozen=True)
class ActionItem:
    """A follow-up agreed at an interaction, owned by an RM and due by a date."""

    item_id: str
    description: str
    owner_id: str
    due_date: date
    completed_on: date | None = None


class Interaction(KamAggregate):
    @classmethod
    def schedule(
        cls,
        *,
        account_id: UUID,
        kind: InteractionKind | str,
        subject: str,
        scheduled_for: date,
        relationship_manager_ids: Iterable[str],
        stakeholder_ids: Iterable[str] = (),
        envelope: AuditEnvelope,
    ) -> Interaction:
        rm_ids = checks.identifiers("relationship_manager_ids", relationship_manager_ids)
        if not rm_ids:
            raise InvalidInput("at least one relationship manager takes part", field="relationship_manager_ids")
        return cls(
            account_id=account_id,
            kind=rules.member("kind", InteractionKind, kind),
            subject=rules.text("subject", subject),
            scheduled_for=scheduled_for,
            relationship_manager_ids=rm_ids,
            stakeholder_ids=checks.identifiers("stakeholder_ids", stakeholder_ids),
            envelope=envelope,
        )

    @event("Scheduled")
    def __init__(
        self,
        account_id: UUID,
        kind: InteractionKind,
        subject: str,
        scheduled_for: date,
        relationship_manager_ids: tuple[str, ...],
        stakeholder_ids: tuple[str, ...],
        envelope: AuditEnvelope,
    ) -> None:
        self.account_id = account_id
        self.kind = kind
        self.subject = subject
        self.scheduled_for = scheduled_for
        self.relationship_manager_ids = tuple(relationship_manager_ids)
        self.stakeholder_ids = tuple(stakeholder_ids)
        self.status = InteractionStatus.SCHEDULED
        self.held_on: date | None = None
        self.outcome: str | None = None
        self.coverage_result: CoverageResult | None = None
        self.policy_ids: tuple[UUID, ...] = ()
        self.action_items: dict[str, ActionItem] = {}

    # -- commands ---------------------------------------------------------------------------

    def hold(
        self,
        *,
        outcome: str,
        relationship_manager_ids: Iterable[str] | None = None,
        stakeholder_ids: Iterable[str] | None = None,
        coverage_result: CoverageResult | str | None = None,
        policy_ids: Iterable[UUID] = (),
        envelope: AuditEnvelope,
    ) -> None:
        """Record that it took place, with who actually attended (defaults: those invited)."""
        self._ensure_scheduled()
        rm_ids = (
            checks.identifiers("relationship_manager_ids", relationship_manager_ids)
            if relationship_manager_ids is not None
            else self.relationship_manager_ids
        )
        if not rm_ids:
            raise InvalidInput("at least one relationship manager took part", field="relationship_manager_ids")
        result = self._coverage_result(coverage_result)
        assessed = checks.uuids("policy_ids", policy_ids)
        if assessed and self.kind not in (InteractionKind.COVERAGE_ASSESSMENT, InteractionKind.RISK_ASSESSMENT):
            raise InvalidInput("only assessments name the policies they assessed", field="policy_ids")
        self._held(
            account_id=self.account_id,
            kind=self.kind,
            scheduled_for=self.scheduled_for,
            held_on=envelope.business_date,
            outcome=rules.text("outcome", outcome, max_length=rules.MAX_TEXT),
            relationship_manager_ids=rm_ids,
            stakeholder_ids=checks.identifiers("stakeholder_ids", stakeholder_ids)
            if stakeholder_ids is not None
            else self.stakeholder_ids,
            coverage_result=result,
            policy_ids=assessed,
            envelope=envelope,
        )

    def cancel(self, *, envelope: AuditEnvelope) -> None:
        self._ensure_scheduled()
        if not envelope.reason:
            raise InvalidInput("cancelling an interaction needs a reason", field="reason")
        self._cancelled(
            account_id=self.account_id,
            kind=self.kind,
            scheduled_for=self.scheduled_for,
            cancelled_on=envelope.business_date,
            relationship_manager_ids=self.relationship_manager_ids,
            envelope=envelope,
        )

    def add_action_item(
        self, *, description: str, owner_id: str, due_date: date, envelope: AuditEnvelope
    ) -> ActionItem:
        """Follow-ups come out of a held interaction and are due on or after it."""
        if self.status is not InteractionStatus.HELD or self.held_on is None:
            raise Conflict("action items follow a held interaction", field="interaction_id", code="NOT_HELD")
        if len(self.action_items) >= MAX_ACTION_ITEMS:
            raise InvalidInput(f"an interaction holds at most {MAX_ACTION_ITEMS} action items", field="description")
        rules.not_before("due_date", due_date, self.held_on, "the date it was held")
        item = ActionItem(
            item_id=f"action-{self.version + 1}",
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            owner_id=rules.identifier("owner_id", owner_id),
            due_date=due_date,
        )
        self._action_item_added(account_id=self.account_id, kind=self.kind, action_item=item, envelope=envelope)
        return item

    def complete_action_item(self, item_id: str, *, envelope: AuditEnvelope) -> ActionItem:
        item = self.action_items.get(item_id)
        if item is None:
            raise InvalidInput(f"no action item {item_id!r} on this interaction", field="item_id")
        if item.completed_on is not None:
            raise Conflict("the action item is already completed", field="item_id", code="ALREADY_COMPLETED")
        completed_on = envelope.business_date
        if self.held_on is not None:
            rules.not_before("effective_date", completed_on, self.held_on, "the date it was held")
        self._action_item_completed(
            account_id=self.account_id,
            item_id=item_id,
            owner_id=item.owner_id,
            due_date=item.due_date,
            completed_on=completed_on,
            envelope=envelope,
        )
        return self.action_items[item_id]

    def _ensure_scheduled(self) -> None:
        if self.status is not InteractionStatus.SCHEDULED:
            raise Conflict(
                f"the interaction is already {self.status.value}", field="interaction_id", code="INVALID_STATE"
            )

    def _coverage_result(self, value: CoverageResult | str | None) -> CoverageResult | None:
        if self.kind is InteractionKind.COVERAGE_ASSESSMENT:
            if value is None:
                raise InvalidInput("a coverage assessment states adequate or inadequate", field="coverage_result")
            return rules.member("coverage_result", CoverageResult, value)
        if value is not None:
            raise InvalidInput("only a coverage assessment has a coverage result", field="coverage_result")
        return None

    # -- events -----------------------------------------------------------------------------

    @event("Held")
    def _held(
        self,
        account_id: UUID,
        kind: InteractionKind,
        scheduled_for: date,
        held_on: date,
        outcome: str,
        relationship_manager_ids: tuple[str, ...],
        stakeholder_ids: tuple[str, ...],
        coverage_result: CoverageResult | None,
        policy_ids: tuple[UUID, ...],
        envelope: AuditEnvelope,
    ) -> None:
        self.status = InteractionStatus.HELD
        self.held_on = held_on
        self.outcome = outcome
        self.relationship_manager_ids = tuple(relationship_manager_ids)
        self.stakeholder_ids = tuple(stakeholder_ids)
        self.coverage_result = coverage_result
        self.policy_ids = tuple(policy_ids)

    @event("Cancelled")
    def _cancelled(
        self,
        account_id: UUID,
        kind: InteractionKind,
        scheduled_for: date,
        cancelled_on: date,
        relationship_manager_ids: tuple[str, ...],
        envelope: AuditEnvelope,
    ) -> None:
        self.status = InteractionStatus.CANCELLED

    @event("ActionItemAdded")
    def _action_item_added(
        self, account_id: UUID, kind: InteractionKind, action_item: ActionItem, envelope: AuditEnvelope
    ) -> None:
        self.action_items[action_item.item_id] = action_item

    @event("ActionItemCompleted")
    def _action_item_completed(
        self,
        account_id: UUID,
        item_id: str,
        owner_id: str,
        due_date: date,
        completed_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.action_items[item_id] = replace(self.action_items[item_id], completed_on=completed_on)
