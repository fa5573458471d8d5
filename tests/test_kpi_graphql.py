"""The scorecard, leaderboard and comparison through GraphQL, with the RM-reads-own-only rule."""

from __future__ import annotations

import httpx

from kamcore.runtime import Runtime
from kamcore.settings import Settings
from tests.conftest import grant_token
from tests.test_kpi_support import Book, d, on

SCORECARD = """
query($rm: String!, $asOf: Date) {
  scorecard(relationshipManagerId: $rm, period: {kind: MONTH, year: 2024, number: 3}, asOf: $asOf, trendPeriods: 2) {
    grain subject period asOf
    kras { kra name kpis { kpiId unit direction value numerator denominator target variance percentOfTarget
      targetMet trend { period value numerator denominator } details { name value } } }
  }
}
"""


def _seed(settings: Settings, api: httpx.Client) -> None:
    rt = Runtime(settings)
    try:
        book = Book(rt)
        acme = book.account("Acme")
        for day in ("2024-02-05", "2024-03-04", "2024-03-18"):
            book.app.record_interaction(
                on(day), acme, kind="meeting", subject="review", outcome="ok", relationship_manager_ids=["rm-a"]
            )
        book.app.set_kpi_target(
            on("2024-03-01"),
            kpi_id="client_meetings_per_month",
            scope="relationship_manager",
            scope_id="rm-a",
            period_start=d("2024-03-01"),
            period_end=d("2024-03-31"),
            target_value="4",
            deadline=d("2024-03-31"),
        )
        head = rt.app.head_position()
    finally:
        rt.close()
    waited = _gql(api, "query($p: Int) { accounts(first: 1, minPosition: $p) { totalCount } }", {"p": head})
    assert "errors" not in waited, waited


def _gql(api: httpx.Client, query: str, variables: dict, headers: dict | None = None) -> dict:
    response = api.post("/graphql", json={"query": query, "variables": variables}, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def test_scorecard_groups_all_kpis_by_kra_with_parts_target_and_trend(settings: Settings, api: httpx.Client) -> None:
    _seed(settings, api)
    body = _gql(api, SCORECARD, {"rm": "rm-a", "asOf": "2024-12-31"})
    assert "errors" not in body, body
    card = body["data"]["scorecard"]
    assert (card["grain"], card["subject"], card["period"]) == ("RELATIONSHIP_MANAGER", "rm-a", "2024-03")
    assert [k["kra"] for k in card["kras"]] == list(range(1, 12))
    assert sum(len(k["kpis"]) for k in card["kras"]) == 44
    kpis = {k["kpiId"]: k for kra in card["kras"] for k in kra["kpis"]}
    meetings = kpis["client_meetings_per_month"]
    assert (meetings["value"], meetings["numerator"], meetings["denominator"]) == (2.0, 2, 1)
    assert (meetings["target"], meetings["variance"], meetings["percentOfTarget"], meetings["targetMet"]) == (
        4.0,
        -2.0,
        50.0,
        False,
    )
    assert [(t["period"], t["value"]) for t in meetings["trend"]] == [("2024-02", 1.0), ("2024-01", 0.0)]
    csat = kpis["customer_satisfaction_score"]
    assert (csat["value"], csat["numerator"], csat["denominator"]) == (None, 0, 0)
    variance = kpis["key_metric_variance"]
    assert (variance["value"], variance["numerator"], variance["denominator"]) == (0.0, 0, 1)

    company = _gql(
        api,
        '{ companyScorecard(period: {kind: QUARTER, year: 2024, number: 1}, asOf: "2024-12-31")'
        " { subject kras { kpis { kpiId value } } } }",
        {},
    )
    values = {k["kpiId"]: k["value"] for kra in company["data"]["companyScorecard"]["kras"] for k in kra["kpis"]}
    assert values["client_meetings_per_month"] == 1.0  # 3 meetings over 3 months

    board = _gql(
        api,
        '{ kpiLeaderboard(kpiId: "client_meetings_per_month", period: {kind: RANGE, from: "2024-01-01",'
        ' to: "2024-03-31"}, asOf: "2024-12-31") { rank subject kpi { value numerator } } }',
        {},
    )
    assert board["data"]["kpiLeaderboard"] == [{"rank": 1, "subject": "rm-a", "kpi": {"value": 1.0, "numerator": 3}}]

    review = _gql(
        api,
        '{ kpiComparison(kpiIds: ["client_meetings_per_month"], pivotDate: "2024-03-10",'
        ' periodKind: MONTH, periodsBefore: 2, periodsAfter: 1, asOf: "2024-12-31")'
        " { kpiId meanBefore meanAfter change before { period value } after { period value } } }",
        {},
    )
    assert review["data"]["kpiComparison"] == [
        {
            "kpiId": "client_meetings_per_month",
            "meanBefore": 0.5,
            "meanAfter": 2.0,
            "change": 1.5,
            "before": [{"period": "2024-01", "value": 0.0}, {"period": "2024-02", "value": 1.0}],
            "after": [{"period": "2024-03", "value": 2.0}],
        }
    ]


def test_relationship_managers_read_only_their_own_scorecard(settings: Settings, api: httpx.Client) -> None:
    _seed(settings, api)
    token = grant_token(settings, role="relationship_manager", relationship_manager_id="rm-a")
    headers = {"authorization": f"Bearer {token}"}
    own = _gql(api, SCORECARD, {"rm": "rm-a"}, headers)
    assert "errors" not in own
    other = _gql(api, SCORECARD, {"rm": "rm-b"}, headers)
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    company = _gql(api, "{ companyScorecard(period: {kind: YEAR, year: 2024}) { subject } }", {}, headers)
    assert company["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = api.post(
        "/graphql", json={"query": SCORECARD, "variables": {"rm": "rm-a"}}, headers={"authorization": ""}
    ).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
