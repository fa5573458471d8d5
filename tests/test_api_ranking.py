"""Ranking over HTTP: the key-account list with breakdowns, one account's rank, Pareto curve, simulation."""

from __future__ import annotations

from typing import Any

import httpx
from strawberry.relay import GlobalID

from kamcore.runtime import Runtime

from .test_api_end_to_end import gql

KEY_ACCOUNTS = """query($asOf: Date, $filter: KeyAccountFilter) {
  keyAccounts(asOf: $asOf, first: 10, filter: $filter) {
    asOf criteriaVersion totalCount premiumShare
    nodes { name rank score key tier selectedBy writtenPremium breakdown { fact value points } }
  }
}"""


def caught_up(api: httpx.Client, runtime: Runtime) -> None:
    gql(api, "query($p: Int) { accounts(first: 1, minPosition: $p) { totalCount } }", p=runtime.app.head_position())


def test_key_accounts_with_breakdown_and_one_accounts_rank(api: httpx.Client, runtime: Runtime, book: dict) -> None:
    caught_up(api, runtime)
    listing = gql(api, KEY_ACCOUNTS, asOf="2026-03-31")["keyAccounts"]
    assert (listing["criteriaVersion"], listing["totalCount"], listing["premiumShare"]) == ("default-1", 1, "0.7742")
    atlas = listing["nodes"][0]
    # key by premium share. Score 41.25 = written 0.75×40 + profit 0.25×30 + loss ratio 0.25×10 + lines 0.25×5;
    # Borealis scores the same (0.25×40 + 0.75×30 + 0.75×10 + 0.25×5) and the tie goes to the lower account id
    assert (atlas["name"], atlas["rank"], atlas["score"], atlas["key"], atlas["selectedBy"]) == (
        "Atlas",
        2,
        "41.25",
        True,
        "rule",
    )
    assert atlas["writtenPremium"] == "120000.00"
    assert [f["fact"] for f in atlas["breakdown"]][:2] == ["written_premium", "profit_contribution"]
    assert sum(float(f["points"]) for f in atlas["breakdown"]) == float(atlas["score"])
    empty = gql(api, KEY_ACCOUNTS, asOf="2026-03-31", filter={"region": ["South"]})["keyAccounts"]
    assert empty["totalCount"] == 0
    cobalt = gql(
        api,
        """query($id: ID!) { accountRanking(accountId: $id, asOf: "2026-03-31") {
        eligible ineligibleReason rank key } }""",
        id=str(GlobalID("Account", book["c"])),
    )["accountRanking"]
    assert cobalt == {
        "eligible": False,
        "ineligibleReason": "written premium below 10000.00",
        "rank": None,
        "key": False,
    }


def test_pareto_curve_and_simulation(api: httpx.Client, runtime: Runtime, book: dict[str, Any]) -> None:
    from datetime import date

    from .ranking_book import on

    runtime.app.propose_criteria(
        on("2026-03-01"),
        version_id="top-2",
        name="Top two",
        effective_from=date(2026, 4, 1),
        parameters={
            "factors": [{"fact": "written_premium", "weight": "1"}],
            "selection": {"rule": "top_n", "n": 2},
            "tiers": [{"name": "strategic", "min_score": "0"}],
        },
    )
    caught_up(api, runtime)
    curve = gql(api, '{ paretoCurve(basis: WRITTEN_PREMIUM, asOf: "2026-03-31") { accounts share } }')
    assert curve["paretoCurve"] == [
        {"accounts": 1, "share": "0.7742"},
        {"accounts": 2, "share": "0.9677"},
        {"accounts": 3, "share": "1.0000"},
    ]
    simulation = gql(
        api,
        """{ criteriaSimulation(criteriaVersion: "top-2", asOf: "2026-03-31") {
        currentVersion proposedVersion entering { name } leaving { name } currentKeyAccounts proposedKeyAccounts
        proposedPremiumShare } }""",
    )["criteriaSimulation"]
    assert simulation == {
        "currentVersion": "default-1",
        "proposedVersion": "top-2",
        "entering": [{"name": "Borealis"}],
        "leaving": [],
        "currentKeyAccounts": 1,
        "proposedKeyAccounts": 2,
        "proposedPremiumShare": "0.9677",
    }
    unknown = api.post("/graphql", json={"query": '{ criteriaSimulation(criteriaVersion: "nope") { asOf } }'}).json()
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_a_simulation_lists_the_first_entering_and_leaving_accounts_and_counts_all(
    api: httpx.Client, runtime: Runtime, book: dict[str, Any]
) -> None:
    from datetime import date

    from .ranking_book import on

    runtime.app.propose_criteria(
        on("2026-03-01"),
        version_id="everyone",
        name="Every account",
        effective_from=date(2026, 4, 1),
        parameters={
            "eligibility": {"min_written_premium": "0"},
            "factors": [{"fact": "written_premium", "weight": "1"}],
            "selection": {"rule": "top_n", "n": 3},
            "tiers": [{"name": "strategic", "min_score": "0"}],
        },
    )
    caught_up(api, runtime)
    query = """query($first: Int!) { criteriaSimulation(criteriaVersion: "everyone", asOf: "2026-03-31",
        first: $first) { entering { name } enteringCount leaving { name } leavingCount } }"""
    everyone = gql(api, query, first=50)["criteriaSimulation"]
    assert everyone == {
        "entering": [{"name": "Borealis"}, {"name": "Cobalt"}],  # in proposed rank order
        "enteringCount": 2,
        "leaving": [],
        "leavingCount": 0,
    }
    first = gql(api, query, first=1)["criteriaSimulation"]
    assert first["entering"] == [{"name": "Borealis"}]
    assert first["enteringCount"] == 2
    for bad in (0, 101):
        refused = api.post("/graphql", json={"query": query, "variables": {"first": bad}}).json()
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert refused["errors"][0]["extensions"]["field"] == "first"


def test_needs_attention_over_http(api: httpx.Client, runtime: Runtime, book: dict[str, Any]) -> None:
    from .ranking_book import on

    runtime.app.set_service_standard(
        on("2026-01-01"), tier="maintenance", review_cadence_days=60, required_roles=["lead"]
    )
    caught_up(api, runtime)
    listing = gql(
        api,
        """{ keyAccountsNeedingAttention(asOf: "2026-03-31") {
        ranking { name tier } reviewCadenceDays lastReviewOn problems } }""",
    )["keyAccountsNeedingAttention"]
    assert listing == [
        {
            "ranking": {"name": "Atlas", "tier": "maintenance"},
            "reviewCadenceDays": 60,
            "lastReviewOn": None,
            "problems": ["no account review in the last 60 days", "no lead relationship manager"],
        }
    ]
