"""Policies and claims without storage: the events each command writes and the typed error for each bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from kamcore.domain.claim import Claim
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.policy import Policy
from kamcore.domain.product import Product
from kamcore.domain.values import BusinessKind, ClaimStatus, Initiator, Money, PolicyStatus
from tests.test_domain import envelope

ACCOUNT = uuid4()
START, END = date(2026, 1, 1), date(2027, 1, 1)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def product(code: str = "PROP-1") -> Product:
    return Product.launch(
        code=code, name="Property", line_of_business="property", target_segments=["corporate"], envelope=envelope()
    )


def quote(**overrides: Any) -> Policy:
    arguments: dict[str, Any] = {
        "account_id": ACCOUNT,
        "product": product(),
        "business_kind": "new_client",
        "written_premium": eur("1000"),
        "commission": eur("150"),
        "sum_insured": eur("2000000"),
        "inception_date": START,
        "expiry_date": END,
        "envelope": envelope(effective=date(2025, 12, 1)),
    }
    arguments.update(overrides)
    return Policy.issue_quote(**arguments)


def bound(**overrides: Any) -> Policy:
    policy = quote(**overrides)
    policy.bind(envelope=envelope(effective=date(2025, 12, 15)))
    return policy


def names(aggregate: Any) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


class TestQuote:
    def test_issue_quote_writes_quote_issued_with_the_sales_facts(self) -> None:
        policy = quote(policy_number="PAS-1")
        [issued] = policy.collect_events()
        assert type(issued).__name__ == "QuoteIssued"
        assert (issued.account_id, issued.product_code, issued.line_of_business) == (ACCOUNT, "PROP-1", "property")
        assert issued.business_kind is BusinessKind.NEW_CLIENT
        assert (issued.written_premium, issued.commission) == (eur("1000"), eur("150"))
        assert (issued.inception_date, issued.expiry_date, issued.quoted_on) == (START, END, date(2025, 12, 1))
        assert policy.id == Policy.id_for("PAS-1")
        assert policy.status is PolicyStatus.QUOTED

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"expiry_date": START}, "expiry_date"),
            ({"expiry_date": date(2025, 6, 1)}, "expiry_date"),
            ({"written_premium": Money(Decimal("-1"), "EUR")}, "written_premium"),
            ({"written_premium": Money(Decimal("1"), "euro")}, "written_premium.currency"),
            ({"written_premium": "1000"}, "written_premium"),
            ({"commission": eur("1001")}, "commission"),
            ({"commission": Money.of("10", "USD")}, "commission.currency"),
            ({"sum_insured": Money.of("10", "USD")}, "sum_insured.currency"),
            ({"business_kind": "gift"}, "business_kind"),
            ({"business_kind": "renewal"}, "renews_policy_id"),
            ({"policy_number": "no spaces allowed"}, "policy_number"),
            ({"personalised_package": "yes"}, "personalised_package"),
        ],
    )
    def test_bad_quotes_are_refused_naming_the_field(self, overrides: dict[str, Any], field: str) -> None:
        with pytest.raises(InvalidInput) as raised:
            quote(**overrides)
        assert raised.value.field == field

    def test_a_withdrawn_product_is_not_quoted_to_new_business(self) -> None:
        withdrawn = product()
        withdrawn.withdraw(envelope=envelope())
        with pytest.raises(Conflict) as raised:
            quote(product=withdrawn)
        assert (raised.value.code, raised.value.field) == ("PRODUCT_WITHDRAWN", "product_code")

    def test_bind_writes_bound_with_the_final_premium(self) -> None:
        policy = quote()
        policy.collect_events()
        policy.bind(written_premium=eur("1100"), envelope=envelope(effective=date(2025, 12, 20)))
        [event] = policy.collect_events()
        assert type(event).__name__ == "Bound"
        assert (event.account_id, event.written_premium, event.commission) == (ACCOUNT, eur("1100"), eur("150"))
        assert (event.bound_on, event.business_kind, event.renews_policy_id) == (
            date(2025, 12, 20),
            BusinessKind.NEW_CLIENT,
            None,
        )

    def test_bind_is_not_before_the_quote_and_only_once(self) -> None:
        policy = quote()
        with pytest.raises(InvalidInput) as raised:
            policy.bind(envelope=envelope(effective=date(2025, 11, 30)))
        assert raised.value.field == "effective_date"
        policy.bind(envelope=envelope(effective=date(2025, 12, 2)))
        with pytest.raises(Conflict) as conflict:
            policy.bind(envelope=envelope())
        assert (conflict.value.code, conflict.value.field) == ("INVALID_STATE", "policy_id")

    def test_decline_and_expire_end_a_quote(self) -> None:
        declined = quote()
        declined.decline_quote(declined_by="customer", envelope=envelope(effective=date(2025, 12, 5)))
        expired = quote()
        expired.expire_quote(envelope=envelope(effective=date(2026, 1, 5)))
        assert names(declined)[-1] == "QuoteDeclined"
        assert names(expired)[-1] == "QuoteExpired"
        assert (declined.status, expired.status) == (PolicyStatus.DECLINED, PolicyStatus.EXPIRED)
        with pytest.raises(InvalidInput) as raised:
            quote().decline_quote(declined_by="nobody", envelope=envelope(effective=date(2025, 12, 5)))
        assert raised.value.field == "declined_by"
        with pytest.raises(Conflict):
            declined.expire_quote(envelope=envelope())


class TestBoundPolicy:
    def test_endorse_writes_the_change_and_the_new_totals(self) -> None:
        policy = bound()
        policy.collect_events()
        endorsement = policy.endorse(
            effective_date=date(2026, 6, 1),
            premium_change=Money.of("-200", "EUR", non_negative=False),
            commission_change=Money.of("-30", "EUR", non_negative=False),
            description="fleet reduced",
            envelope=envelope(),
        )
        [event] = policy.collect_events()
        assert (type(event).__name__, endorsement) == ("Endorsed", "endorsement-1")
        assert (event.account_id, event.premium_change.amount, event.written_premium, event.commission) == (
            ACCOUNT,
            Decimal("-200"),
            eur("800"),
            eur("120"),
        )

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"effective_date": date(2027, 1, 1)}, "effective_date"),
            ({"effective_date": date(2025, 12, 31)}, "effective_date"),
            ({"premium_change": Money.of("-1001", "EUR", non_negative=False)}, "premium_change"),
            ({"premium_change": Money.of("5", "USD")}, "premium_change.currency"),
            ({"commission_change": eur("900")}, "commission_change"),
            ({"description": ""}, "description"),
        ],
    )
    def test_bad_endorsements_are_refused(self, overrides: dict[str, Any], field: str) -> None:
        arguments: dict[str, Any] = {
            "effective_date": date(2026, 6, 1),
            "premium_change": eur("10"),
            "description": "more cover",
            **overrides,
        }
        with pytest.raises(InvalidInput) as raised:
            bound().endorse(**arguments, envelope=envelope())
        assert raised.value.field == field

    def test_only_a_bound_policy_is_endorsed(self) -> None:
        with pytest.raises(Conflict) as raised:
            quote().endorse(
                effective_date=date(2026, 6, 1), premium_change=eur("1"), description="x", envelope=envelope()
            )
        assert raised.value.code == "INVALID_STATE"

    def test_cancel_records_who_initiated_it(self) -> None:
        policy = bound()
        policy.collect_events()
        policy.cancel(
            initiated_by="insurer",
            effective_date=date(2026, 7, 1),
            return_premium=eur("400"),
            return_commission=eur("60"),
            envelope=envelope(),
        )
        [event] = policy.collect_events()
        assert type(event).__name__ == "Cancelled"
        assert (event.account_id, event.initiated_by, event.effective_date) == (
            ACCOUNT,
            Initiator.INSURER,
            date(2026, 7, 1),
        )
        assert (event.return_premium, event.return_commission) == (eur("400"), eur("60"))
        assert policy.status is PolicyStatus.CANCELLED

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"initiated_by": "broker"}, "initiated_by"),
            ({"effective_date": date(2027, 2, 1)}, "effective_date"),
            ({"return_premium": eur("1000.01")}, "return_premium"),
            ({"return_premium": Money.of("1", "USD")}, "return_premium.currency"),
            ({"return_commission": eur("150.01")}, "return_commission"),
        ],
    )
    def test_bad_cancellations_are_refused(self, overrides: dict[str, Any], field: str) -> None:
        arguments: dict[str, Any] = {"initiated_by": "customer", "effective_date": date(2026, 7, 1), **overrides}
        with pytest.raises(InvalidInput) as raised:
            bound().cancel(**arguments, envelope=envelope())
        assert raised.value.field == field

    def test_cancelling_needs_a_reason(self) -> None:
        with pytest.raises(InvalidInput) as raised:
            bound().cancel(initiated_by="customer", effective_date=date(2026, 7, 1), envelope=envelope(reason=None))
        assert raised.value.field == "reason"

    def test_lapse_records_who_let_it_lapse(self) -> None:
        policy = bound()
        policy.collect_events()
        policy.lapse(initiated_by="customer", effective_date=END, envelope=envelope())
        [event] = policy.collect_events()
        assert (type(event).__name__, event.initiated_by, event.effective_date) == ("Lapsed", Initiator.CUSTOMER, END)
        with pytest.raises(InvalidInput) as raised:
            bound().lapse(initiated_by="customer", effective_date=date(2027, 1, 2), envelope=envelope())
        assert raised.value.field == "effective_date"


class TestRenewal:
    def renewal_of(self, previous: Policy, **overrides: Any) -> Policy:
        arguments: dict[str, Any] = {
            "business_kind": "renewal",
            "renews": previous,
            "written_premium": eur("1100"),
            "inception_date": END,
            "expiry_date": date(2028, 1, 1),
            **overrides,
        }
        return quote(**arguments)

    def test_a_renewal_links_both_terms(self) -> None:
        previous = bound()
        previous.collect_events()
        renewal = self.renewal_of(previous)
        renewal.bind(envelope=envelope(effective=date(2026, 12, 1)))
        previous.mark_renewed(renewal, envelope=envelope(effective=date(2026, 12, 1)))
        issued, bound_event = renewal.collect_events()
        [renewed] = previous.collect_events()
        assert (issued.business_kind, issued.renews_policy_id) == (BusinessKind.RENEWAL, previous.id)
        assert bound_event.renews_policy_id == previous.id
        assert type(renewed).__name__ == "Renewed"
        assert (renewed.account_id, renewed.renewal_policy_id, renewed.expiry_date) == (ACCOUNT, renewal.id, END)
        assert (renewed.expiring_written_premium, renewed.renewal_written_premium) == (eur("1000"), eur("1100"))

    def test_renewal_rules(self) -> None:
        previous = bound()
        with pytest.raises(InvalidInput) as raised:
            self.renewal_of(previous, business_kind="cross_sell")
        assert raised.value.field == "business_kind"
        with pytest.raises(InvalidInput) as raised:
            self.renewal_of(previous, inception_date=date(2026, 12, 31))
        assert raised.value.field == "inception_date"
        with pytest.raises(InvalidInput) as raised:
            self.renewal_of(previous, account_id=uuid4())
        assert raised.value.field == "renews_policy_id"
        with pytest.raises(InvalidInput) as raised:
            self.renewal_of(previous, product=product("OTHER"))
        assert raised.value.field == "product_code"
        with pytest.raises(Conflict) as conflict:
            self.renewal_of(quote())
        assert (conflict.value.code, conflict.value.field) == ("NOT_IN_FORCE", "renews_policy_id")

    def test_a_term_is_renewed_once(self) -> None:
        previous = bound()
        first = self.renewal_of(previous)
        second = self.renewal_of(previous)
        previous.mark_renewed(first, envelope=envelope())
        with pytest.raises(Conflict) as raised:
            previous.mark_renewed(second, envelope=envelope())
        assert raised.value.code == "ALREADY_RENEWED"
        with pytest.raises(Conflict):
            previous.lapse(initiated_by="customer", effective_date=END, envelope=envelope())

    def test_a_withdrawn_product_can_still_renew(self) -> None:
        previous = bound()
        withdrawn = product()
        withdrawn.withdraw(envelope=envelope())
        assert self.renewal_of(previous, product=withdrawn).business_kind is BusinessKind.RENEWAL


class TestClaim:
    def claim(self, reported: date = date(2026, 3, 5)) -> Claim:
        return Claim.report(
            policy=bound(), loss_date=date(2026, 3, 1), description="fire", envelope=envelope(effective=reported)
        )

    def test_report_writes_reported_with_account_and_policy(self) -> None:
        claim = self.claim()
        [event] = claim.collect_events()
        assert type(event).__name__ == "Reported"
        assert (event.account_id, event.loss_date, event.reported_on, event.currency) == (
            ACCOUNT,
            date(2026, 3, 1),
            date(2026, 3, 5),
            "EUR",
        )
        assert event.policy_id == claim.policy_id

    @pytest.mark.parametrize(
        ("loss_date", "reported_on"),
        [
            (date(2025, 12, 31), date(2026, 3, 5)),
            (date(2027, 1, 1), date(2027, 1, 5)),
            (date(2026, 3, 6), date(2026, 3, 5)),
        ],
    )
    def test_the_loss_falls_in_the_term_and_before_the_report(self, loss_date: date, reported_on: date) -> None:
        with pytest.raises(InvalidInput) as raised:
            Claim.report(policy=bound(), loss_date=loss_date, description="x", envelope=envelope(effective=reported_on))
        assert raised.value.field == "loss_date"

    def test_claims_need_a_bound_policy(self) -> None:
        with pytest.raises(Conflict) as raised:
            Claim.report(policy=quote(), loss_date=date(2026, 3, 1), description="x", envelope=envelope())
        assert (raised.value.code, raised.value.field) == ("POLICY_NOT_BOUND", "policy_id")

    def test_reserve_partial_payments_close_and_reopen(self) -> None:
        claim = self.claim()
        claim.set_reserve(reserve=eur("500"), envelope=envelope(effective=date(2026, 3, 6)))
        claim.pay(amount=eur("200"), envelope=envelope(effective=date(2026, 3, 10)))
        claim.pay(amount=eur("150"), envelope=envelope(effective=date(2026, 3, 20)))
        claim.close(envelope=envelope(effective=date(2026, 4, 1)))
        claim.reopen(envelope=envelope(effective=date(2026, 5, 1)))
        events = claim.collect_events()
        assert [type(e).__name__ for e in events] == ["Reported", "Reserved", "Paid", "Paid", "Closed", "Reopened"]
        second_payment, closed = events[3], events[4]
        assert (second_payment.paid_to_date, second_payment.outstanding_reserve) == (eur("350"), eur("150"))
        assert (closed.reported_on, closed.closed_on, closed.released_reserve) == (
            date(2026, 3, 5),
            date(2026, 4, 1),
            eur("150"),
        )
        assert all(e.account_id == ACCOUNT for e in events)
        assert claim.status is ClaimStatus.OPEN

    @pytest.mark.parametrize(
        ("action", "field"),
        [
            (lambda c: c.set_reserve(reserve=Money(Decimal("-5"), "EUR"), envelope=envelope()), "reserve"),
            (lambda c: c.set_reserve(reserve=Money.of("5", "USD"), envelope=envelope()), "reserve.currency"),
            (lambda c: c.pay(amount=eur("0"), envelope=envelope()), "amount"),
            (lambda c: c.pay(amount=Money(Decimal("-1"), "EUR"), envelope=envelope()), "amount"),
            (lambda c: c.close(envelope=envelope(effective=date(2026, 3, 4))), "effective_date"),
        ],
    )
    def test_bad_claim_money_and_dates_are_refused(self, action: Any, field: str) -> None:
        with pytest.raises(InvalidInput) as raised:
            action(self.claim())
        assert raised.value.field == field

    def test_a_closed_claim_takes_no_payment_until_reopened(self) -> None:
        claim = self.claim()
        claim.close(envelope=envelope(effective=date(2026, 3, 10)))
        with pytest.raises(Conflict) as raised:
            claim.pay(amount=eur("1"), envelope=envelope())
        assert raised.value.code == "CLAIM_CLOSED"
        with pytest.raises(InvalidInput) as reopened_early:
            claim.reopen(envelope=envelope(effective=date(2026, 3, 9)))
        assert reopened_early.value.field == "effective_date"
        with pytest.raises(Conflict) as open_claim:
            self.claim().reopen(envelope=envelope())
        assert open_claim.value.code == "INVALID_STATE"
