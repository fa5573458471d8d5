"""Claim: a loss reported under a bound policy, reserved, paid (in parts), closed and possibly reopened.

Events carry the running totals (paid to date, outstanding reserve) so loss-ratio and settlement
projections never recompute a claim's history; incurred = paid to date + outstanding reserve.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from kamcore.domain import checks, rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.ids import natural_id
from kamcore.domain.policy import Policy
from kamcore.domain.values import ClaimStatus, Money


class Claim(KamAggregate):
    @classmethod
    def create_id(cls, claim_number: str | None = None, **_: Any) -> UUID:
        """A claim number from the claims system identifies the claim, so an import and the API agree."""
        return cls.id_for(claim_number) if claim_number else uuid4()

    @staticmethod
    def id_for(claim_number: str) -> UUID:
        return natural_id("claim", claim_number)

    @classmethod
    def report(
        cls,
        *,
        policy: Policy,
        loss_date: date,
        description: str,
        claim_number: str | None = None,
        envelope: AuditEnvelope,
    ) -> Claim:
        """A claim needs a policy that was bound and a loss inside its term, not after the report."""
        if not policy.was_bound:
            raise Conflict("claims are reported under a bound policy", field="policy_id", code="POLICY_NOT_BOUND")
        reported_on = envelope.business_date
        if not policy.covers(loss_date):
            raise InvalidInput("the loss date is outside the policy's term", field="loss_date")
        if loss_date > reported_on:
            raise InvalidInput("a loss cannot be reported before it happened", field="loss_date")
        return cls(
            account_id=policy.account_id,
            policy_id=policy.id,
            line_of_business=policy.line_of_business,
            claim_number=rules.identifier("claim_number", claim_number) if claim_number else None,
            loss_date=loss_date,
            reported_on=reported_on,
            currency=policy.currency,
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            envelope=envelope,
        )

    @event("Reported")
    def __init__(
        self,
        account_id: UUID,
        policy_id: UUID,
        line_of_business: str,
        claim_number: str | None,
        loss_date: date,
        reported_on: date,
        currency: str,
        description: str,
        envelope: AuditEnvelope,
    ) -> None:
        self.account_id = account_id
        self.policy_id = policy_id
        self.line_of_business = line_of_business
        self.claim_number = claim_number
        self.loss_date = loss_date
        self.reported_on = reported_on
        self.currency = currency
        self.status = ClaimStatus.OPEN
        self.paid = Money(Decimal(0), currency)
        self.reserve = Money(Decimal(0), currency)
        self.closed_on: date | None = None
        self.last_activity_on = reported_on

    # -- commands ---------------------------------------------------------------------------

    def set_reserve(self, *, reserve: Money, envelope: AuditEnvelope) -> None:
        """Set the outstanding case reserve (an absolute amount, not a change)."""
        on = self._open_activity_date(envelope)
        amount = checks.money("reserve", reserve, currency=self.currency)
        self._reserved(
            account_id=self.account_id,
            policy_id=self.policy_id,
            reserve=amount,
            previous_reserve=self.reserve,
            paid_to_date=self.paid,
            reserved_on=on,
            envelope=envelope,
        )

    def pay(self, *, amount: Money, envelope: AuditEnvelope) -> None:
        """A (partial) payment; it draws the outstanding reserve down, never below zero."""
        on = self._open_activity_date(envelope)
        payment = checks.money("amount", amount, currency=self.currency)
        if payment.amount == 0:
            raise InvalidInput("a payment must be more than zero", field="amount")
        outstanding = max(self.reserve.amount - payment.amount, Decimal(0))
        self._paid(
            account_id=self.account_id,
            policy_id=self.policy_id,
            amount=payment,
            paid_to_date=Money(self.paid.amount + payment.amount, self.currency),
            outstanding_reserve=Money(outstanding, self.currency),
            paid_on=on,
            envelope=envelope,
        )

    def close(self, *, envelope: AuditEnvelope) -> None:
        """Close the claim; any outstanding reserve is released (incurred becomes paid to date)."""
        closed_on = self._open_activity_date(envelope)
        self._closed(
            account_id=self.account_id,
            policy_id=self.policy_id,
            reported_on=self.reported_on,
            closed_on=closed_on,
            paid_to_date=self.paid,
            released_reserve=self.reserve,
            envelope=envelope,
        )

    def reopen(self, *, envelope: AuditEnvelope) -> None:
        if self.status is not ClaimStatus.CLOSED or self.closed_on is None:
            raise Conflict("only a closed claim can be reopened", field="claim_id", code="INVALID_STATE")
        if not envelope.reason:
            raise InvalidInput("reopening a claim needs a reason", field="reason")
        reopened_on = envelope.business_date
        rules.not_before("effective_date", reopened_on, self.closed_on, "the date it was closed")
        self._reopened(
            account_id=self.account_id,
            policy_id=self.policy_id,
            reported_on=self.reported_on,
            previously_closed_on=self.closed_on,
            reopened_on=reopened_on,
            envelope=envelope,
        )

    def _open_activity_date(self, envelope: AuditEnvelope) -> date:
        if self.status is not ClaimStatus.OPEN:
            raise Conflict("the claim is closed; reopen it first", field="claim_id", code="CLAIM_CLOSED")
        on = envelope.business_date
        rules.not_before("effective_date", on, self.last_activity_on, "the claim's last activity")
        return on

    # -- events -----------------------------------------------------------------------------

    @event("Reserved")
    def _reserved(
        self,
        account_id: UUID,
        policy_id: UUID,
        reserve: Money,
        previous_reserve: Money,
        paid_to_date: Money,
        reserved_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.reserve = reserve
        self.last_activity_on = reserved_on

    @event("Paid")
    def _paid(
        self,
        account_id: UUID,
        policy_id: UUID,
        amount: Money,
        paid_to_date: Money,
        outstanding_reserve: Money,
        paid_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.paid = paid_to_date
        self.reserve = outstanding_reserve
        self.last_activity_on = paid_on

    @event("Closed")
    def _closed(
        self,
        account_id: UUID,
        policy_id: UUID,
        reported_on: date,
        closed_on: date,
        paid_to_date: Money,
        released_reserve: Money,
        envelope: AuditEnvelope,
    ) -> None:
        self.status = ClaimStatus.CLOSED
        self.reserve = Money(Decimal(0), self.currency)
        self.closed_on = closed_on
        self.last_activity_on = closed_on

    @event("Reopened")
    def _reopened(
        self,
        account_id: UUID,
        policy_id: UUID,
        reported_on: date,
        previously_closed_on: date,
        reopened_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.status = ClaimStatus.OPEN
        self.closed_on = None
        self.last_activity_on = reopened_on
