"""Recommendations without storage: a product for a need, made then accepted or declined, then linked to a policy."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.product import Product
from kamcore.domain.recommendation import Recommendation
from kamcore.domain.values import RecommendationKind, RecommendationStatus
from tests.test_domain import envelope

ACCOUNT = uuid4()


def product() -> Product:
    return Product.launch(
        code="CYBER-1", name="Cyber", line_of_business="cyber", target_segments=["sme"], envelope=envelope()
    )


def made() -> Recommendation:
    return Recommendation.make(
        account_id=ACCOUNT,
        need_id="need-3",
        product=product(),
        kind="cross_sell",
        rationale="no cyber cover",
        relationship_manager_id="rm-1",
        envelope=envelope(effective=date(2026, 4, 1)),
    )


def test_make_writes_made_with_need_product_and_line() -> None:
    [event] = made().collect_events()
    assert type(event).__name__ == "Made"
    assert (event.account_id, event.need_id, event.product_code, event.line_of_business, event.kind) == (
        ACCOUNT,
        "need-3",
        "CYBER-1",
        "cyber",
        RecommendationKind.CROSS_SELL,
    )
    assert (event.relationship_manager_id, event.made_on) == ("rm-1", date(2026, 4, 1))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "bribe"}, "kind"),
        ({"need_id": ""}, "need_id"),
        ({"relationship_manager_id": "r m"}, "relationship_manager_id"),
    ],
)
def test_bad_recommendations_are_refused(overrides: dict, field: str) -> None:
    arguments = {"account_id": ACCOUNT, "need_id": "need-3", "product": product(), **overrides}
    with pytest.raises(InvalidInput) as raised:
        Recommendation.make(**arguments, envelope=envelope())
    assert raised.value.field == field


def test_a_withdrawn_product_is_not_recommended() -> None:
    withdrawn = product()
    withdrawn.withdraw(envelope=envelope())
    with pytest.raises(Conflict) as raised:
        Recommendation.make(account_id=ACCOUNT, need_id="need-3", product=withdrawn, envelope=envelope())
    assert raised.value.code == "PRODUCT_WITHDRAWN"


def test_accept_then_link_the_policy_it_became() -> None:
    recommendation = made()
    recommendation.accept(envelope=envelope(effective=date(2026, 4, 10)))
    policy_id = uuid4()
    recommendation.link_policy(
        policy_id=policy_id, policy_account_id=ACCOUNT, policy_product_code="CYBER-1", envelope=envelope()
    )
    _, accepted, linked = recommendation.collect_events()
    assert (type(accepted).__name__, accepted.accepted_on, accepted.kind) == (
        "Accepted",
        date(2026, 4, 10),
        RecommendationKind.CROSS_SELL,
    )
    assert (type(linked).__name__, linked.account_id, linked.policy_id) == ("PolicyLinked", ACCOUNT, policy_id)
    with pytest.raises(Conflict) as again:
        recommendation.link_policy(
            policy_id=uuid4(), policy_account_id=ACCOUNT, policy_product_code="CYBER-1", envelope=envelope()
        )
    assert again.value.code == "ALREADY_LINKED"


def test_decline_needs_a_reason_and_decides_once() -> None:
    with pytest.raises(InvalidInput) as raised:
        made().decline(reason=" ", envelope=envelope(effective=date(2026, 4, 2)))
    assert raised.value.field == "reason"
    recommendation = made()
    recommendation.decline(reason="budget", envelope=envelope(effective=date(2026, 4, 2)))
    declined = recommendation.collect_events()[-1]
    assert (type(declined).__name__, declined.declined_because) == ("Declined", "budget")
    assert recommendation.status is RecommendationStatus.DECLINED
    with pytest.raises(Conflict) as conflict:
        recommendation.accept(envelope=envelope())
    assert conflict.value.code == "ALREADY_DECIDED"


def test_a_decision_is_not_before_the_recommendation() -> None:
    with pytest.raises(InvalidInput) as raised:
        made().accept(envelope=envelope(effective=date(2026, 3, 31)))
    assert raised.value.field == "effective_date"


def test_only_an_accepted_recommendation_links_a_policy_of_its_account_and_product() -> None:
    with pytest.raises(Conflict) as not_accepted:
        made().link_policy(
            policy_id=uuid4(), policy_account_id=ACCOUNT, policy_product_code="CYBER-1", envelope=envelope()
        )
    assert not_accepted.value.code == "NOT_ACCEPTED"
    for account_id, code in [(uuid4(), "CYBER-1"), (ACCOUNT, "PROP-1")]:
        recommendation = made()
        recommendation.accept(envelope=envelope())
        with pytest.raises(InvalidInput) as raised:
            recommendation.link_policy(
                policy_id=uuid4(), policy_account_id=account_id, policy_product_code=code, envelope=envelope()
            )
        assert raised.value.field == "policy_id"
