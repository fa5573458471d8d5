"""Policy: one insurance term from quote to bind, its endorsements, and how it ended or was renewed.

A term is the half-open interval [inception_date, expiry_date). A renewal is a new `Policy` whose
`renews_policy_id` names the term it continues; binding it writes `Renewed` on that term, so the
policy-level renewal rate reads both sides without joining aggregates. Every event carries
`account_id`, and the money and classification facts KPIs need at that moment.
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
from kamcore.domain.product import Product
from kamcore.domain.values import BusinessKind, Initiator, Money, PolicyStatus


class Policy(KamAggregate):
    @classmethod
    def create_id(cls, policy_number: str | None = None, **_: Any) -> UUID:
        return cls.id_for(policy_number) if policy_number else uuid4()

    @staticmethod
    def id_for(policy_number: str) -> UUID:
        """A policy number from the policy-administration system identifies one term, so imports collide."""
        return natural_id("policy", policy_number)

    @classmethod
    def issue_quote(
        cls,
        *,
        account_id: UUID,
        product: Product,
        business_kind: BusinessKind | str,
        written_premium: Money,
        commission: Money,
        sum_insured: Money,
        inception_date: date,
        expiry_date: date,
        renews: Policy | None = None,
        policy_number: str | None = None,
        retention_strategy_id: UUID | None = None,
        personalised_package: bool = False,
        envelope: AuditEnvelope,
    ) -> Policy:
        """A quote for one term; a renewal quote names the bound term it continues."""
        kind = rules.member("business_kind", BusinessKind, business_kind)
        if renews is None:
            if kind is BusinessKind.RENEWAL:
                raise InvalidInput("a renewal names the policy it renews", field="renews_policy_id")
            product.ensure_on_sale()
        else:
            if kind is not BusinessKind.RENEWAL:
                raise InvalidInput("a quote that renews a policy is renewal business", field="business_kind")
            renews.ensure_renewable_by(account_id=account_id, product_code=product.code)
            rules.not_before("inception_date", inception_date, renews.expiry_date, "the renewed term's expiry")
        premium = checks.money("written_premium", written_premium)
        rules.after("expiry_date", expiry_date, inception_date, "inception_date")
        checked_commission = checks.money("commission", commission, currency=premium.currency)
        if checked_commission.amount > premium.amount:
            raise InvalidInput("must not exceed the written premium", field="commission")
        if not isinstance(personalised_package, bool):
            raise InvalidInput("must be true or false", field="personalised_package")
        return cls(
            account_id=account_id,
            policy_number=rules.identifier("policy_number", policy_number) if policy_number else None,
            product_code=product.code,
            line_of_business=product.line_of_business,
            business_kind=kind,
            renews_policy_id=renews.id if renews is not None else None,
            written_premium=premium,
            commission=checked_commission,
            sum_insured=checks.money("sum_insured", sum_insured, currency=premium.currency),
            inception_date=inception_date,
            expiry_date=expiry_date,
            retention_strategy_id=retention_strategy_id,
            personalised_package=personalised_package,
            quoted_on=envelope.business_date,
            envelope=envelope,
        )

    @event("QuoteIssued")
    def __init__(
        self,
        account_id: UUID,
        policy_number: str | None,
        product_code: str,
        line_of_business: str,
        business_kind: BusinessKind,
        renews_policy_id: UUID | None,
        written_premium: Money,
        commission: Money,
        sum_insured: Money,
        inception_date: date,
        expiry_date: date,
        retention_strategy_id: UUID | None,
        personalised_package: bool,
        quoted_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.account_id = account_id
        self.policy_number = policy_number
        self.product_code = product_code
        self.line_of_business = line_of_business
        self.business_kind = business_kind
        self.renews_policy_id = renews_policy_id
        self.written_premium = written_premium
        self.commission = commission
        self.sum_insured = sum_insured
        self.inception_date = inception_date
        self.expiry_date = expiry_date
        self.retention_strategy_id = retention_strategy_id
        self.personalised_package = personalised_package
        self.quoted_on = quoted_on
        self.status = PolicyStatus.QUOTED
        self.bound_on: date | None = None
        self.ended_on: date | None = None
        self.renewed_by: UUID | None = None
        self.endorsements = 0

    # -- queries ----------------------------------------------------------------------------

    @property
    def currency(self) -> str:
        return self.written_premium.currency

    @property
    def was_bound(self) -> bool:
        """Bound at some point (claims may be reported after a cancellation, for losses in the term)."""
        return self.bound_on is not None

    def covers(self, day: date) -> bool:
        end = self.ended_on or self.expiry_date
        return self.was_bound and self.inception_date <= day < end

    def ensure_renewable_by(self, *, account_id: UUID, product_code: str) -> None:
        if self.account_id != account_id:
            raise InvalidInput("the renewed policy belongs to another account", field="renews_policy_id")
        if self.product_code != product_code:
            raise InvalidInput("a renewal continues the same product", field="product_code")
        if self.status is not PolicyStatus.BOUND:
            raise Conflict(
                f"only a bound policy can be renewed (this one is {self.status.value})",
                field="renews_policy_id",
                code="NOT_IN_FORCE",
            )
        if self.renewed_by is not None:
            raise Conflict("the policy is already renewed", field="renews_policy_id", code="ALREADY_RENEWED")

    # -- commands ---------------------------------------------------------------------------

    def bind(
        self, *, written_premium: Money | None = None, commission: Money | None = None, envelope: AuditEnvelope
    ) -> None:
        """Accept the quote, optionally at the final negotiated premium and commission."""
        self._ensure_status(PolicyStatus.QUOTED, "only a quote can be bound")
        premium = checks.money("written_premium", written_premium or self.written_premium, currency=self.currency)
        checked_commission = checks.money("commission", commission or self.commission, currency=self.currency)
        if checked_commission.amount > premium.amount:
            raise InvalidInput("must not exceed the written premium", field="commission")
        bound_on = envelope.business_date
        rules.not_before("effective_date", bound_on, self.quoted_on, "the quote date")
        self._bound(
            account_id=self.account_id,
            product_code=self.product_code,
            line_of_business=self.line_of_business,
            business_kind=self.business_kind,
            renews_policy_id=self.renews_policy_id,
            written_premium=premium,
            commission=checked_commission,
            sum_insured=self.sum_insured,
            inception_date=self.inception_date,
            expiry_date=self.expiry_date,
            retention_strategy_id=self.retention_strategy_id,
            personalised_package=self.personalised_package,
            bound_on=bound_on,
            envelope=envelope,
        )

    def decline_quote(self, *, declined_by: Initiator | str, envelope: AuditEnvelope) -> None:
        self._ensure_status(PolicyStatus.QUOTED, "only a quote can be declined")
        declined_on = envelope.business_date
        rules.not_before("effective_date", declined_on, self.quoted_on, "the quote date")
        self._quote_declined(
            account_id=self.account_id,
            business_kind=self.business_kind,
            declined_by=rules.member("declined_by", Initiator, declined_by),
            declined_on=declined_on,
            envelope=envelope,
        )

    def expire_quote(self, *, envelope: AuditEnvelope) -> None:
        self._ensure_status(PolicyStatus.QUOTED, "only a quote can expire")
        expired_on = envelope.business_date
        rules.not_before("effective_date", expired_on, self.quoted_on, "the quote date")
        self._quote_expired(
            account_id=self.account_id, business_kind=self.business_kind, expired_on=expired_on, envelope=envelope
        )

    def endorse(
        self,
        *,
        effective_date: date,
        premium_change: Money,
        commission_change: Money | None = None,
        sum_insured: Money | None = None,
        description: str,
        envelope: AuditEnvelope,
    ) -> str:
        """A mid-term change; premium and commission changes may be negative (a refund)."""
        self._ensure_status(PolicyStatus.BOUND, "only a bound policy can be endorsed")
        self._ensure_in_term("effective_date", effective_date)
        change = checks.money("premium_change", premium_change, non_negative=False, currency=self.currency)
        commission_delta = checks.money(
            "commission_change",
            commission_change or Money(Decimal(0), self.currency),
            non_negative=False,
            currency=self.currency,
        )
        new_premium = self.written_premium.amount + change.amount
        new_commission = self.commission.amount + commission_delta.amount
        if new_premium < 0:
            raise InvalidInput("would make the written premium negative", field="premium_change")
        if new_commission < 0 or new_commission > new_premium:
            raise InvalidInput("would put the commission outside 0..written premium", field="commission_change")
        endorsement_id = f"endorsement-{self.endorsements + 1}"
        self._endorsed(
            account_id=self.account_id,
            endorsement_id=endorsement_id,
            line_of_business=self.line_of_business,
            effective_date=effective_date,
            premium_change=change,
            commission_change=commission_delta,
            written_premium=Money(new_premium, self.currency),
            commission=Money(new_commission, self.currency),
            sum_insured=checks.money("sum_insured", sum_insured, currency=self.currency)
            if sum_insured is not None
            else self.sum_insured,
            expiry_date=self.expiry_date,
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            envelope=envelope,
        )
        return endorsement_id

    def cancel(
        self,
        *,
        initiated_by: Initiator | str,
        effective_date: date,
        return_premium: Money | None = None,
        return_commission: Money | None = None,
        envelope: AuditEnvelope,
    ) -> None:
        """End the term early; earned premium stops at `effective_date`; refunds are reversed revenue."""
        self._ensure_status(PolicyStatus.BOUND, "only a bound policy can be cancelled")
        self._ensure_in_term("effective_date", effective_date)
        if not envelope.reason:
            raise InvalidInput("cancelling a policy needs a reason", field="reason")
        refund = checks.money(
            "return_premium", return_premium or Money(Decimal(0), self.currency), currency=self.currency
        )
        if refund.amount > self.written_premium.amount:
            raise InvalidInput("must not exceed the written premium", field="return_premium")
        clawback = checks.money(
            "return_commission", return_commission or Money(Decimal(0), self.currency), currency=self.currency
        )
        if clawback.amount > self.commission.amount:
            raise InvalidInput("must not exceed the commission", field="return_commission")
        self._cancelled(
            account_id=self.account_id,
            line_of_business=self.line_of_business,
            initiated_by=rules.member("initiated_by", Initiator, initiated_by),
            effective_date=effective_date,
            return_premium=refund,
            return_commission=clawback,
            expiry_date=self.expiry_date,
            envelope=envelope,
        )

    def lapse(self, *, initiated_by: Initiator | str, effective_date: date, envelope: AuditEnvelope) -> None:
        """The term ends without renewal: not renewed at expiry, or ended for non-payment."""
        self._ensure_status(PolicyStatus.BOUND, "only a bound policy can lapse")
        if self.renewed_by is not None:
            raise Conflict("a renewed policy does not lapse", field="policy_id", code="ALREADY_RENEWED")
        rules.not_before("effective_date", effective_date, self.inception_date, "inception_date")
        if effective_date > self.expiry_date:
            raise InvalidInput(
                f"must not be after expiry_date ({self.expiry_date.isoformat()})", field="effective_date"
            )
        self._lapsed(
            account_id=self.account_id,
            line_of_business=self.line_of_business,
            initiated_by=rules.member("initiated_by", Initiator, initiated_by),
            effective_date=effective_date,
            expiry_date=self.expiry_date,
            envelope=envelope,
        )

    def mark_renewed(self, renewal: Policy, *, envelope: AuditEnvelope) -> None:
        """Record that `renewal` (being bound in the same transaction) continues this term."""
        if renewal.renews_policy_id != self.id:
            raise InvalidInput("that policy does not renew this one", field="renews_policy_id")
        self.ensure_renewable_by(account_id=renewal.account_id, product_code=renewal.product_code)
        self._renewed(
            account_id=self.account_id,
            renewal_policy_id=renewal.id,
            line_of_business=self.line_of_business,
            expiry_date=self.expiry_date,
            expiring_written_premium=self.written_premium,
            renewal_written_premium=renewal.written_premium,
            renewed_on=envelope.business_date,
            envelope=envelope,
        )

    def _ensure_status(self, status: PolicyStatus, message: str) -> None:
        if self.status is not status:
            raise Conflict(f"{message} (this one is {self.status.value})", field="policy_id", code="INVALID_STATE")

    def _ensure_in_term(self, field: str, day: date) -> None:
        if not self.inception_date <= day < self.expiry_date:
            raise InvalidInput(
                f"must fall in the term {self.inception_date.isoformat()}..{self.expiry_date.isoformat()}", field=field
            )

    # -- events -----------------------------------------------------------------------------

    @event("Bound")
    def _bound(
        self,
        account_id: UUID,
        product_code: str,
        line_of_business: str,
        business_kind: BusinessKind,
        renews_policy_id: UUID | None,
        written_premium: Money,
        commission: Money,
        sum_insured: Money,
        inception_date: date,
        expiry_date: date,
        retention_strategy_id: UUID | None,
        personalised_package: bool,
        bound_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.status = PolicyStatus.BOUND
        self.written_premium = written_premium
        self.commission = commission
        self.bound_on = bound_on

    @event("QuoteDeclined")
    def _quote_declined(
        self,
        account_id: UUID,
        business_kind: BusinessKind,
        declined_by: Initiator,
        declined_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.status = PolicyStatus.DECLINED

    @event("QuoteExpired")
    def _quote_expired(
        self, account_id: UUID, business_kind: BusinessKind, expired_on: date, envelope: AuditEnvelope
    ) -> None:
        self.status = PolicyStatus.EXPIRED

    @event("Endorsed")
    def _endorsed(
        self,
        account_id: UUID,
        endorsement_id: str,
        line_of_business: str,
        effective_date: date,
        premium_change: Money,
        commission_change: Money,
        written_premium: Money,
        commission: Money,
        sum_insured: Money,
        expiry_date: date,
        description: str,
        envelope: AuditEnvelope,
    ) -> None:
        self.written_premium = written_premium
        self.commission = commission
        self.sum_insured = sum_insured
        self.endorsements += 1

    @event("Cancelled")
    def _cancelled(
        self,
        account_id: UUID,
        line_of_business: str,
        initiated_by: Initiator,
        effective_date: date,
        return_premium: Money,
        return_commission: Money,
        expiry_date: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.status = PolicyStatus.CANCELLED
        self.ended_on = effective_date

    @event("Lapsed")
    def _lapsed(
        self,
        account_id: UUID,
        line_of_business: str,
        initiated_by: Initiator,
        effective_date: date,
        expiry_date: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.status = PolicyStatus.LAPSED
        self.ended_on = effective_date

    @event("Renewed")
    def _renewed(
        self,
        account_id: UUID,
        renewal_policy_id: UUID,
        line_of_business: str,
        expiry_date: date,
        expiring_written_premium: Money,
        renewal_written_premium: Money,
        renewed_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.renewed_by = renewal_policy_id
