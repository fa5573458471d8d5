"""Product suggestions: the pure matching and scoring rules, then the read models and the API on every backend."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import pytest
from strawberry import relay

from kamcore.application import CommandContext
from kamcore.application.suggestions import (
    AccountNeed,
    AccountProfile,
    CatalogueProduct,
    Holding,
    PastRecommendation,
    SegmentRule,
    match,
    normalise,
    open_needs,
    suggest,
    suggestion_for,
)
from kamcore.domain.errors import Conflict, InvalidInput, KamError, NotFound
from kamcore.domain.recommendation import Recommendation
from kamcore.domain.values import Money, NeedPriority, RecommendationKind, RecommendationStatus, today
from kamcore.projections.suggestions_view import SuggestionsView
from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .conftest import grant_token

ON = date(2026, 6, 1)
HIGH, MEDIUM, LOW = NeedPriority.HIGH, NeedPriority.MEDIUM, NeedPriority.LOW
MADE, ACCEPTED, DECLINED = RecommendationStatus.MADE, RecommendationStatus.ACCEPTED, RecommendationStatus.DECLINED


def product(code: str, line: str, segments: tuple[str, ...], needs: tuple[str, ...], on_sale: bool = True) -> Any:
    return CatalogueProduct(code, f"{code} name", line, segments, needs, on_sale)


CATALOGUE = [
    product("CYB-1", "cyber", ("corporate",), ("cyber",)),
    product("CYB-2", "cyber", ("sme",), ("cyber",)),
    product("CYB-OLD", "cyber", ("corporate",), ("cyber",), on_sale=False),
    product("DNO-1", "liability", ("corporate",), ("directors liability",)),
    product("MAR-1", "marine", ("corporate",), ("cargo",)),
    product("MOT-1", "motor", ("corporate",), ("fleet",)),
    product("PKG-1", "package", ("sme",), ("cyber", "fleet")),
    product("PROP-1", "property", ("corporate",), ("fire", "business interruption")),
    product("PROP-2", "property", ("corporate", "sme"), ("flood",)),
]
NEEDS = (
    AccountNeed("need-2", "Fire and business interruption cover for the plant", "property", HIGH),
    AccountNeed("need-3", "Cyber cover for OT systems", "cyber", MEDIUM),
    AccountNeed("need-4", "Directors liability", None, LOW),
    AccountNeed("need-5", "Fleet motor cover", "motor", MEDIUM),
    AccountNeed("need-6", "Marine cargo cover", "marine", MEDIUM),
    AccountNeed("need-7", "Flood cover for the warehouse", None, LOW),
)
ACCOUNT = AccountProfile("acc-1", "corporate", NEEDS)
HOLDINGS = [Holding("PROP-1", "property", expiry_date=date(2027, 1, 1))]
RECOMMENDATIONS = [PastRecommendation("need-6", "MAR-1", ACCEPTED)]


def ranked(
    account: AccountProfile = ACCOUNT,
    holdings: list[Holding] = HOLDINGS,
    recommendations: list[PastRecommendation] = RECOMMENDATIONS,
) -> list[tuple[str, float, tuple[str, ...], SegmentRule, RecommendationKind]]:
    return [
        (s.product.code, s.display_score, s.covered_need_ids, s.segment_rule, s.kind)
        for s in suggest(account, CATALOGUE, holdings, recommendations, ON)
    ]


# -- the matching rule ------------------------------------------------------------------------------


def test_a_keyword_matches_whole_words_of_the_description_or_the_need_line() -> None:
    fire = product("F", "property", ("corporate",), ("Fire", "business-interruption"))
    assert normalise(" Business-Interruption!! ") == "business interruption"
    assert normalise("Responsabilité_civile") == "responsabilité civile"
    found = match(AccountNeed("n", "fire and Business Interruption cover"), fire)
    assert found is not None
    assert (found.keywords, found.line) == (("Fire", "business-interruption"), False)
    assert match(AccountNeed("n", "a firewall upgrade"), fire) is None
    by_need_line = match(AccountNeed("n", "something", line_of_business="FIRE"), fire)
    assert by_need_line is not None
    assert (by_need_line.keywords, by_need_line.line) == (("Fire",), False)


def test_the_line_of_business_alone_matches() -> None:
    found = match(AccountNeed("n", "cover the warehouses", line_of_business="Property"), CATALOGUE[7])
    assert found is not None
    assert (found.keywords, found.line) == ((), True)
    assert match(AccountNeed("n", "cover the warehouses"), CATALOGUE[7]) is None


def test_a_need_is_covered_by_an_accepted_recommendation_or_a_matching_product_held() -> None:
    assert [n.need_id for n in open_needs(ACCOUNT, CATALOGUE, HOLDINGS, RECOMMENDATIONS, ON)] == [
        "need-3",  # need-2 is covered by PROP-1 (held), need-6 by the accepted MAR-1 recommendation
        "need-4",
        "need-5",
        "need-7",  # PROP-1 is held but covers neither flood nor, without a line on the need, its line
    ]


# -- ranking ----------------------------------------------------------------------------------------


def test_suggestions_are_ranked_with_their_reasons() -> None:
    """Open needs: need-3 (2 points), need-4 (1), need-5 (2), need-7 (1) = 6 points.

    score = 0.7 x covered points / 6 + 0.3 if the product targets `corporate`.
    """
    cross, up = RecommendationKind.CROSS_SELL, RecommendationKind.UP_SELL
    targeted, not_targeted = SegmentRule.TARGETED, SegmentRule.NOT_TARGETED
    assert ranked() == [
        ("CYB-1", 0.5333, ("need-3",), targeted, cross),  # 0.7 x 2/6 + 0.3; ties MOT-1, first by code
        ("MOT-1", 0.5333, ("need-5",), targeted, cross),
        ("PKG-1", 0.4667, ("need-3", "need-5"), not_targeted, cross),  # 0.7 x 4/6: best cover, wrong segment
        ("DNO-1", 0.4167, ("need-4",), targeted, cross),  # 0.7 x 1/6 + 0.3; ties PROP-2, first by code
        ("PROP-2", 0.4167, ("need-7",), targeted, up),  # the account holds the property line: up-sell
        ("CYB-2", 0.2333, ("need-3",), not_targeted, cross),  # as CYB-1 but for SME: segment lowers the rank
    ]
    # Not suggested: PROP-1 (held), CYB-OLD (withdrawn), MAR-1 (its only need has an accepted recommendation).


def test_the_reasons_read_as_one_sentence() -> None:
    best, *_ = suggest(ACCOUNT, CATALOGUE, HOLDINGS, RECOMMENDATIONS, ON)
    assert best.covered[0].keywords == ("cyber",)
    assert best.covered[0].line is True
    assert best.explanation == (
        "CYB-1 covers 1 open need(s) worth 2 of 6 priority points: need-3 'Cyber cover for OT systems' "
        "(medium, by keyword 'cyber' and its line); it targets the corporate segment."
    )
    last = suggest(ACCOUNT, CATALOGUE, HOLDINGS, RECOMMENDATIONS, ON)[-1]
    assert last.explanation.endswith("it does not target the corporate segment (targets sme).")


def test_ties_are_broken_the_same_way_whatever_the_catalogue_order() -> None:
    forwards = suggest(ACCOUNT, CATALOGUE, HOLDINGS, RECOMMENDATIONS, ON)
    backwards = suggest(ACCOUNT, list(reversed(CATALOGUE)), HOLDINGS, RECOMMENDATIONS, ON)
    assert [s.product.code for s in backwards] == [s.product.code for s in forwards]


def test_a_recommended_or_declined_pair_is_not_suggested_again() -> None:
    recommendations = [*RECOMMENDATIONS, PastRecommendation("need-3", "CYB-1", MADE)]
    recommendations.append(PastRecommendation("need-5", "PKG-1", DECLINED))
    assert [(code, needs) for code, _, needs, _, _ in ranked(recommendations=recommendations)] == [
        ("MOT-1", ("need-5",)),
        ("DNO-1", ("need-4",)),
        ("PROP-2", ("need-7",)),
        ("CYB-2", ("need-3",)),  # 0.2333, as PKG-1 now: tie broken by code
        ("PKG-1", ("need-3",)),  # still for need-3; for need-5 it was declined
    ]


def test_an_accepted_recommendation_covers_the_need_for_every_product() -> None:
    recommendations = [*RECOMMENDATIONS, PastRecommendation("need-3", "CYB-1", ACCEPTED)]
    assert [(code, score, needs) for code, score, needs, _, _ in ranked(recommendations=recommendations)] == [
        ("MOT-1", 0.65, ("need-5",)),  # open points are now 4: 0.7 x 2/4 + 0.3
        ("DNO-1", 0.475, ("need-4",)),
        ("PROP-2", 0.475, ("need-7",)),
        ("PKG-1", 0.35, ("need-5",)),
    ]


def test_a_term_that_ended_or_expired_is_not_held() -> None:
    holdings = [
        Holding("PROP-1", "property", ended=True, expiry_date=date(2027, 1, 1)),
        Holding("CYB-1", "cyber", expiry_date=ON),  # expiry is exclusive: not in force on ON
    ]
    # need-2 (HIGH) is open again: 9 open points. Nothing is in force, but the account held policies:
    # a cross-sell (win-back), not a new client.
    assert [(code, score, needs, kind.value) for code, score, needs, _, kind in ranked(holdings=holdings)] == [
        ("PROP-2", 0.6111, ("need-2", "need-7"), "cross_sell"),  # 0.7 x 4/9 + 0.3
        ("PROP-1", 0.5333, ("need-2",), "cross_sell"),  # suggested again
        ("CYB-1", 0.4556, ("need-3",), "cross_sell"),  # suggested again
        ("MOT-1", 0.4556, ("need-5",), "cross_sell"),
        ("DNO-1", 0.3778, ("need-4",), "cross_sell"),
        ("PKG-1", 0.3111, ("need-3", "need-5"), "cross_sell"),
        ("CYB-2", 0.1556, ("need-3",), "cross_sell"),
    ]


def test_an_account_that_never_held_a_policy_is_a_new_client() -> None:
    kinds = {kind for *_, kind in ranked(holdings=[])}
    assert kinds == {RecommendationKind.NEW_CLIENT}


def test_a_closed_account_or_one_without_open_needs_gets_no_suggestions() -> None:
    assert ranked(account=AccountProfile("acc-1", "corporate", NEEDS, is_open=False)) == []
    assert ranked(account=AccountProfile("acc-1", "corporate", ())) == []


@pytest.mark.parametrize(
    ("product_code", "need_id", "recommendations", "error", "code"),
    [
        ("CYB-1", "need-9", RECOMMENDATIONS, NotFound, "NOT_FOUND"),
        ("NOPE", "need-3", RECOMMENDATIONS, NotFound, "NOT_FOUND"),
        ("CYB-OLD", "need-3", RECOMMENDATIONS, Conflict, "PRODUCT_WITHDRAWN"),
        ("PROP-1", "need-2", RECOMMENDATIONS, Conflict, "ALREADY_HELD"),
        ("PROP-2", "need-2", RECOMMENDATIONS, Conflict, "NEED_COVERED"),
        ("MAR-1", "need-6", RECOMMENDATIONS, Conflict, "NEED_COVERED"),
        ("CYB-1", "need-3", [PastRecommendation("need-3", "CYB-1", MADE)], Conflict, "ALREADY_RECOMMENDED"),
        ("CYB-1", "need-5", RECOMMENDATIONS, InvalidInput, "INVALID_INPUT"),
    ],
)
def test_a_pair_that_is_not_a_suggestion_says_why(
    product_code: str, need_id: str, recommendations: list[PastRecommendation], error: type[KamError], code: str
) -> None:
    with pytest.raises(error) as raised:
        suggestion_for(ACCOUNT, CATALOGUE, HOLDINGS, recommendations, ON, product_code=product_code, need_id=need_id)
    assert raised.value.code == code


def test_a_pair_that_is_a_suggestion_comes_back_with_its_kind() -> None:
    found = suggestion_for(ACCOUNT, CATALOGUE, HOLDINGS, RECOMMENDATIONS, ON, product_code="PKG-1", need_id="need-5")
    assert (found.product.code, found.covered_need_ids, found.kind) == (
        "PKG-1",
        ("need-3", "need-5"),
        RecommendationKind.CROSS_SELL,
    )


# -- the read models, on every backend ----------------------------------------------------------------


def seed(app: Any, ctx: CommandContext) -> tuple[UUID, dict[str, str]]:
    """Products, an account with four needs, a bound PROP-1 and a withdrawn CYB-OLD."""
    for code, line, segments, needs in [
        ("CYB-1", "cyber", ["corporate"], ["cyber"]),
        ("CYB-2", "cyber", ["sme"], ["cyber"]),
        ("CYB-OLD", "cyber", ["corporate"], ["cyber"]),
        ("MOT-1", "motor", ["corporate"], ["fleet"]),
        ("PROP-1", "property", ["corporate"], ["fire"]),
        ("PROP-2", "property", ["corporate"], ["flood"]),
    ]:
        app.launch_product(
            ctx, code=code, name=f"{code} name", line_of_business=line, target_segments=segments, needs_covered=needs
        )
    app.withdraw_product(ctx, "CYB-OLD")
    account = app.open_account(ctx, name="Atlas", segment="corporate", region="North").aggregate_id
    needs = {
        key: app.identify_need(ctx, account, description=text, line_of_business=line, priority=priority).detail[
            "need_id"
        ]
        for key, text, line, priority in [
            ("fire", "Fire cover for the plant", "property", "high"),
            ("cyber", "Cyber cover for OT systems", "cyber", "medium"),
            ("fleet", "Fleet cover", "motor", "medium"),
            ("flood", "Flood cover", None, "low"),
        ]
    }
    eur = Money(Decimal("1000"), "EUR")
    quote = app.issue_quote(
        ctx,
        account,
        product_code="PROP-1",
        business_kind="new_client",
        written_premium=eur,
        commission=Money(Decimal("100"), "EUR"),
        sum_insured=Money(Decimal("1000000"), "EUR"),
        inception_date=today(),
        expiry_date=today() + timedelta(days=365),
    )
    app.bind_policy(ctx, quote.aggregate_id)
    return account, needs


def listed(runtime: Runtime, account: UUID) -> list[tuple[str, float, tuple[str, ...], str]]:
    assert runtime.wait_for(runtime.app.head_position())
    found = SuggestionsView(runtime.stores).suggest(str(account), first=10)
    assert found is not None
    return [(s.product.code, s.display_score, s.covered_need_ids, s.kind.value) for s in found]


def test_suggestions_from_the_read_models(runtime: Runtime, ctx: CommandContext) -> None:
    account, needs = seed(runtime.app, ctx)
    cyber, fleet, flood = needs["cyber"], needs["fleet"], needs["flood"]
    # Open: cyber (2), fleet (2), flood (1) = 5 points; fire is covered by the bound PROP-1.
    assert listed(runtime, account) == [
        ("CYB-1", 0.58, (cyber,), "cross_sell"),  # 0.7 x 2/5 + 0.3
        ("MOT-1", 0.58, (fleet,), "cross_sell"),
        ("PROP-2", 0.44, (flood,), "up_sell"),  # 0.7 x 1/5 + 0.3, on the property line held
        ("CYB-2", 0.28, (cyber,), "cross_sell"),  # not for corporate
    ]
    made = runtime.app.make_recommendation(ctx, account, need_id=cyber, product_code="CYB-1")
    assert [code for code, *_ in listed(runtime, account)] == ["MOT-1", "PROP-2", "CYB-2"]
    runtime.app.accept_recommendation(ctx, made.aggregate_id)
    assert listed(runtime, account) == [  # cyber is covered now: 3 open points
        ("MOT-1", 0.7667, (fleet,), "cross_sell"),
        ("PROP-2", 0.5333, (flood,), "up_sell"),
    ]
    assert SuggestionsView(runtime.stores).suggest(str(UUID(int=7))) is None


SUGGESTIONS = """query S($id: ID!, $first: Int, $at: Int) {
  productSuggestions(accountId: $id, first: $first, minPosition: $at) {
    rank productCode name lineOfBusiness score kind explanation
    reasons { coverage openNeedPoints segmentRule accountSegment targetSegments
              coveredNeeds { needId priority weight matchedKeywords matchedLine } }
  }
}"""

RECOMMEND = """mutation R($input: RecommendSuggestedProductInput!) {
  recommendSuggestedProduct(input: $input) {
    userErrors { field message code }
    position replayed recommendationId kind
    account { name }
  }
}"""


def gql(client: httpx.Client, query: str, headers: dict[str, str] | None = None, **variables: Any) -> Any:
    response = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_recommend_a_suggestion_through_the_api(api: httpx.Client, settings: Settings, ctx: CommandContext) -> None:
    setup = Runtime(settings)
    try:
        account, needs = seed(setup.app, ctx)
        head = setup.app.head_position()
    finally:
        setup.close()
    account_id = str(relay.GlobalID("Account", str(account)))

    body = gql(api, SUGGESTIONS, id=account_id, first=2, at=head)
    assert "errors" not in body, body
    first, second = body["data"]["productSuggestions"]
    assert first == {
        "rank": 1,
        "productCode": "CYB-1",
        "name": "CYB-1 name",
        "lineOfBusiness": "cyber",
        "score": 0.58,
        "kind": "CROSS_SELL",
        "explanation": first["explanation"],
        "reasons": {
            "coverage": 0.4,
            "openNeedPoints": 5,
            "segmentRule": "TARGETED",
            "accountSegment": "CORPORATE",
            "targetSegments": ["CORPORATE"],
            "coveredNeeds": [
                {
                    "needId": needs["cyber"],
                    "priority": "MEDIUM",
                    "weight": 2,
                    "matchedKeywords": ["cyber"],
                    "matchedLine": True,
                }
            ],
        },
    }
    assert second["productCode"] == "MOT-1"

    recommend = {"accountId": account_id, "productCode": "CYB-1", "needId": needs["cyber"], "idempotencyKey": "k-1"}
    done = gql(api, RECOMMEND, input=recommend)["data"]["recommendSuggestedProduct"]
    assert (done["userErrors"], done["replayed"], done["kind"], done["account"]) == (
        [],
        False,
        "CROSS_SELL",
        {"name": "Atlas"},
    )
    again = gql(api, RECOMMEND, input=recommend)["data"]["recommendSuggestedProduct"]
    assert (again["replayed"], again["recommendationId"]) == (True, done["recommendationId"])
    refused = gql(api, RECOMMEND, input={**recommend, "idempotencyKey": None})["data"]["recommendSuggestedProduct"]
    assert refused["userErrors"] == [
        {
            "field": ["input", "productCode"],
            "message": f"CYB-1 was already recommended for {needs['cyber']} (made)",
            "code": "ALREADY_RECOMMENDED",
        }
    ]
    auditor = {"authorization": f"Bearer {grant_token(settings, 'auditor')}"}
    forbidden = gql(api, RECOMMEND, headers=auditor, input={**recommend, "idempotencyKey": "k-2"})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # Recorded as a Recommendation.Made with the suggestion's kind and explanation ...
    check = Runtime(settings)
    try:
        events = [
            check.app.mapper.to_domain_event(n)
            for n in check.app.recorder.select_notifications(start=head, limit=100, inclusive_of_start=False)
        ]
        made = [e for e in events if isinstance(e, Recommendation.Made)]
        assert len(made) == 1
        assert (made[0].account_id, made[0].need_id, made[0].product_code, made[0].kind) == (
            account,
            needs["cyber"],
            "CYB-1",
            RecommendationKind.CROSS_SELL,
        )
        assert made[0].rationale == first["explanation"]
        assert str(made[0].originator_id) == relay.GlobalID.from_id(done["recommendationId"]).node_id
    finally:
        check.close()

    # ... and the list no longer offers CYB-1 for that need (CYB-1 covered nothing else, so it is gone).
    after = gql(api, SUGGESTIONS, id=account_id, first=5, at=done["position"])["data"]["productSuggestions"]
    assert [s["productCode"] for s in after] == ["MOT-1", "PROP-2", "CYB-2"]
    assert gql(api, SUGGESTIONS, id=account_id, first=0)["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_who_may_recommend_a_suggestion(api: httpx.Client, settings: Settings, ctx: CommandContext) -> None:
    """As makeRecommendation: admin, manager and RMs on the account's team; not service, auditors or other RMs."""
    setup = Runtime(settings)
    try:
        account, needs = seed(setup.app, ctx)
        setup.app.assign_relationship_manager(ctx, account, relationship_manager_id="rm-1", role="lead")
        head = setup.app.head_position()
    finally:
        setup.close()
    account_id = str(relay.GlobalID("Account", str(account)))
    gql(api, SUGGESTIONS, id=account_id, at=head)  # read models are there
    recommend = {"accountId": account_id, "productCode": "MOT-1", "needId": needs["fleet"]}
    for role, rm in [("service", None), ("auditor", None), ("relationship_manager", "rm-9")]:
        headers = {"authorization": f"Bearer {grant_token(settings, role, rm)}"}
        refused = gql(api, RECOMMEND, headers=headers, input=recommend)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
    on_team = {"authorization": f"Bearer {grant_token(settings, 'relationship_manager', 'rm-1')}"}
    done = gql(api, RECOMMEND, headers=on_team, input=recommend)["data"]["recommendSuggestedProduct"]
    assert done["userErrors"] == []
    check = Runtime(settings)
    try:
        made = check.app.repository.get(UUID(relay.GlobalID.from_id(done["recommendationId"]).node_id))
        assert isinstance(made, Recommendation)
        assert (made.relationship_manager_id, made.product_code, made.need_id) == ("rm-1", "MOT-1", needs["fleet"])
    finally:
        check.close()
