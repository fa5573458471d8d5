"""Feedback items and market research through real HTTP on every backend: written by their mutations, listed
with filters, orders and cursors, resolved by `node`, and per account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from strawberry.relay import GlobalID

from kamcore.settings import Settings

from .conftest import grant_token
from .test_api_domain_mutations import (
    TODAY,
    identify_renewables,
    measure_penetration,
    ok,
    propose_initiative,
    publish_analysis,
)
from .test_api_end_to_end import gql, open_account
from .test_api_reads import errors_of, node_type

COMPLAINT = "query($id: ID!) { node(id: $id) { ... on Complaint { status resolvedOn resolution version } } }"


def read_after(api: httpx.Client, payload: dict[str, Any]) -> None:
    """Every later query of this client reads at least the payload's write, as a frontend's link would do."""
    api.headers["X-Min-Position"] = str(payload["position"])


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def test_a_complaint_raised_then_resolved_reads_resolved_everywhere(api: httpx.Client, settings: Settings) -> None:
    account_id = open_account(api)["account"]["id"]
    older = ok(
        api,
        "raiseComplaint",
        "feedbackId",
        accountId=account_id,
        category="claims",
        description="slow settlement",
        effectiveDate=days_ago(10),
    )["feedbackId"]
    raised = ok(
        api, "raiseComplaint", "feedbackId", accountId=account_id, category="service", description="no call back"
    )
    newer = raised["feedbackId"]
    read_after(api, raised)
    assert gql(api, COMPLAINT, id=older)["node"]["status"] == "OPEN"
    resolved = ok(api, "resolveComplaint", complaintId=older, resolution="refund", expectedVersion=1)
    read_after(api, resolved)

    listed = gql(
        api,
        """query($ids: [ID!], $at: Int) { complaints(filter: {accountId: $ids}, minPosition: $at) {
            totalCount nodes { id status category raisedOn resolvedOn resolution account { id } } } }""",
        ids=[account_id],
        at=resolved["position"],
    )["complaints"]
    assert listed["totalCount"] == 2
    assert [(c["id"], c["status"]) for c in listed["nodes"]] == [(newer, "OPEN"), (older, "RESOLVED")]
    assert listed["nodes"][1]["resolvedOn"] == TODAY.isoformat()
    assert listed["nodes"][1]["raisedOn"] == days_ago(10)
    assert listed["nodes"][1]["resolution"] == "refund"
    assert listed["nodes"][0]["account"] == {"id": account_id}
    assert gql(api, COMPLAINT, id=older)["node"] == {
        "status": "RESOLVED",
        "resolvedOn": TODAY.isoformat(),
        "resolution": "refund",
        "version": 2,
    }
    assert node_type(api, newer) == "Complaint"
    account = gql(
        api,
        """query($id: ID!) { account(id: $id) { feedback { openComplaints complaints }
            open: complaints(status: [OPEN]) { id } all: complaints { id } } }""",
        id=account_id,
    )["account"]
    assert account["feedback"] == {"openComplaints": 1, "complaints": 2}
    assert account["open"] == [{"id": newer}]
    assert account["all"] == [{"id": newer}, {"id": older}]
    done = gql(api, "{ complaints(filter: {status: [RESOLVED]}) { nodes { id } } }")["complaints"]["nodes"]
    assert done == [{"id": older}]

    query = {"query": "{ complaints { totalCount } marketResearch { totalCount } }"}
    for role, rm in (("auditor", None), ("relationship_manager", "E-9")):  # an RM on no team reads lists too
        headers = {"authorization": f"Bearer {grant_token(settings, role, rm)}"}
        body = api.post("/graphql", json=query, headers=headers).json()
        assert "errors" not in body, body
        assert body["data"]["complaints"]["totalCount"] == 2
    anonymous = api.post("/graphql", json=query, headers={"authorization": ""}).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


SURVEYS = """query($after: String, $account: ID!) {
    surveyResponses(first: 1, after: $after, filter: {accountId: [$account]}, orderBy: {field: SCORE, direction: ASC}) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { score } } } }"""


def test_survey_responses_and_referrals_filter_order_and_page(api: httpx.Client) -> None:
    account_id = open_account(api)["account"]["id"]
    other = open_account(api, name="Other")["account"]["id"]
    for scale, score, days in (("NPS", 9, 3), ("NPS", 3, 2)):
        ok(api, "recordFeedback", accountId=account_id, scale=scale, score=score, effectiveDate=days_ago(days))
    answered = ok(
        api,
        "recordFeedback",
        "feedbackId",
        accountId=account_id,
        scale="CSAT",
        score=4,
        subject="DIGITAL_SERVICE",
        respondent="Jane Roe, CFO",
        comment="fast portal",
        effectiveDate=days_ago(1),
    )
    ok(api, "recordFeedback", accountId=other, scale="NPS", score=10)
    for party, days in (("Northwind", 4), ("Contoso", 1)):
        ok(api, "recordReferral", accountId=account_id, referredParty=party, effectiveDate=days_ago(days))
    last = ok(api, "recordReferral", "feedbackId", accountId=other, referredParty="Fabrikam", note="warm lead")
    read_after(api, last)

    scores, after = [], None
    while True:
        page = gql(api, SURVEYS, after=after, account=account_id)["surveyResponses"]
        assert page["totalCount"] == 3
        scores += [e["node"]["score"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert scores == [3, 4, 9]

    detractors = gql(api, "{ surveyResponses(filter: {scale: [NPS], scoreAtMost: 6}) { nodes { score } } }")
    assert detractors["surveyResponses"]["nodes"] == [{"score": 3}]
    window = gql(
        api,
        "query($from: Date, $to: Date) { surveyResponses(filter: {respondedFrom: $from, respondedTo: $to}) "
        "{ nodes { score respondedOn } } }",
        **{"from": days_ago(2), "to": days_ago(1)},
    )["surveyResponses"]["nodes"]
    assert window == [{"score": 4, "respondedOn": days_ago(1)}, {"score": 3, "respondedOn": days_ago(2)}]
    digital = gql(
        api,
        """{ surveyResponses(filter: {subject: [DIGITAL_SERVICE]}) { nodes { id scale subject respondent comment
            account { name } } } }""",
    )["surveyResponses"]["nodes"]
    assert digital == [
        {
            "id": answered["feedbackId"],
            "scale": "CSAT",
            "subject": "DIGITAL_SERVICE",
            "respondent": "Jane Roe, CFO",
            "comment": "fast portal",
            "account": {"name": "ACME Re"},
        }
    ]
    assert node_type(api, answered["feedbackId"]) == "SurveyResponse"

    oldest_first = gql(
        api,
        """query($ids: [ID!]) { referrals(filter: {accountId: $ids}, orderBy: {direction: ASC}) {
            totalCount nodes { referredParty referredOn } } }""",
        ids=[account_id],
    )["referrals"]
    assert oldest_first["totalCount"] == 2
    assert [r["referredParty"] for r in oldest_first["nodes"]] == ["Northwind", "Contoso"]
    recent = gql(api, "query($d: Date) { referrals(filter: {referredFrom: $d}) { nodes { note } } }", d=days_ago(1))
    assert recent["referrals"]["nodes"] == [{"note": "warm lead"}, {"note": None}]
    assert node_type(api, last["feedbackId"]) == "Referral"

    account = gql(
        api,
        """query($id: ID!) { account(id: $id) { nps: surveyResponses(scale: [NPS]) { score }
            surveyResponses(first: 1) { score } referrals { referredParty } } }""",
        id=account_id,
    )["account"]
    assert account["nps"] == [{"score": 3}, {"score": 9}]
    assert account["surveyResponses"] == [{"score": 4}]
    assert account["referrals"] == [{"referredParty": "Contoso"}, {"referredParty": "Northwind"}]


def test_bad_feedback_and_research_filters_get_typed_errors(api: httpx.Client) -> None:
    account_id = open_account(api)["account"]["id"]
    reversed_dates = errors_of(
        api,
        "query($a: Date, $b: Date) { complaints(filter: {raisedFrom: $a, raisedTo: $b}) { totalCount } }",
        a=days_ago(1),
        b=days_ago(5),
    )
    assert reversed_dates[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.raisedFrom"}
    scores = errors_of(api, "{ surveyResponses(filter: {scoreAtLeast: 9, scoreAtMost: 6}) { totalCount } }")
    assert scores[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.scoreAtLeast"}
    research = errors_of(
        api,
        'query($a: Date) { marketResearch(filter: {datedFrom: $a, datedTo: "2000-01-01"}) { totalCount } }',
        a=days_ago(0),
    )
    assert research[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.datedFrom"}
    not_an_account = errors_of(
        api,
        "query($ids: [ID!]) { referrals(filter: {accountId: $ids}) { totalCount } }",
        ids=[node_id_of_kind(account_id, "Complaint")],
    )
    assert not_an_account[0]["extensions"] == {"code": "NOT_FOUND", "field": "filter.accountId"}
    read_after(api, ok(api, "recordFeedback", accountId=account_id, scale="NPS", score=7))
    cursor = gql(api, "{ surveyResponses(orderBy: {field: SCORE}) { pageInfo { endCursor } } }")
    mixed = errors_of(
        api,
        "query($c: String) { surveyResponses(after: $c) { totalCount } }",
        c=cursor["surveyResponses"]["pageInfo"]["endCursor"],
    )
    assert mixed[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


def node_id_of_kind(global_id: str, type_name: str) -> str:
    """The same UUID inside a global id of another type."""
    return str(GlobalID(type_name, GlobalID.from_id(global_id).node_id))


RESEARCH = """query($filter: MarketResearchFilterInput, $at: Int) {
    marketResearch(filter: $filter, minPosition: $at, orderBy: {direction: ASC}) { totalCount nodes {
        __typename id kind segment region datedOn
        ... on CompetitorAnalysis { title authorId competitors summary }
        ... on MarketSegment { code name identifiedBy }
        ... on MarketPenetration { clientsServed addressableClients penetration source }
        ... on ExpansionInitiative { title ownerId targetDate status closedOn abandonedBecause } } } }"""


def test_market_research_records_list_filter_and_resolve(api: httpx.Client) -> None:
    analysis = publish_analysis(api, effectiveDate=days_ago(9))
    identify_renewables(api, identifiedBy="E-200", region="North", effectiveDate=days_ago(8))
    measured = measure_penetration(api, asOf=days_ago(7))
    done = propose_initiative(api, "Push")
    ok(api, "implementExpansionInitiative", initiativeId=done["initiativeId"])
    moon = propose_initiative(api, "Moon", owner_id="E-300")
    dropped = ok(api, "abandonExpansionInitiative", initiativeId=moon["initiativeId"], reason="no demand")
    read_after(api, dropped)

    everything = gql(api, RESEARCH, at=dropped["position"], filter=None)["marketResearch"]
    assert everything["totalCount"] == 5
    kinds = [n["__typename"] for n in everything["nodes"]]
    assert kinds[:3] == ["CompetitorAnalysis", "MarketSegment", "MarketPenetration"]  # oldest first
    first, segment, penetration = everything["nodes"][:3]
    assert first["id"] == analysis["analysisId"]
    assert (first["kind"], first["segment"], first["authorId"]) == ("COMPETITOR_ANALYSIS", "SME", "E-100")
    assert first["competitors"] == ["Northwind", "Contoso"]
    assert (segment["code"], segment["segment"], segment["region"]) == ("renewables", "CORPORATE", "North")
    assert penetration["id"] == measured["measurementId"]
    assert (penetration["datedOn"], penetration["penetration"]) == (days_ago(7), "0.025000")

    abandoned = gql(api, RESEARCH, filter={"status": ["ABANDONED"]})["marketResearch"]["nodes"]
    assert [(n["title"], n["status"], n["closedOn"], n["abandonedBecause"]) for n in abandoned] == [
        ("Moon", "ABANDONED", TODAY.isoformat(), "no demand")
    ]
    initiatives = gql(api, RESEARCH, filter={"kind": ["EXPANSION_INITIATIVE"], "employeeId": ["E-100"]})
    assert [n["status"] for n in initiatives["marketResearch"]["nodes"]] == ["IMPLEMENTED"]
    sme = gql(api, RESEARCH, filter={"segment": ["SME"], "datedTo": days_ago(7)})["marketResearch"]["nodes"]
    assert [n["kind"] for n in sme] == ["COMPETITOR_ANALYSIS", "MARKET_PENETRATION"]

    assert node_type(api, done["initiativeId"]) == "ExpansionInitiative"
    assert node_type(api, segment["id"]) == "MarketSegment"
    wrong_kind = node_id_of_kind(done["initiativeId"], "CompetitorAnalysis")
    assert gql(api, "query($id: ID!) { node(id: $id) { id } }", id=wrong_kind)["node"] is None
