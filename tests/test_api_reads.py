"""Reads of everything the business records, through real HTTP on every backend: written by the mutations,
read back with minPosition, resolved by `node`, listed with filters, orders and cursors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from kamcore.audit.replay import replay_check
from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .conftest import grant_token
from .test_api_domain_mutations import EXPIRY, INCEPTION, TODAY, criteria, eur, launch_property, ok, quote
from .test_api_end_to_end import gql, open_account

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"


def node_type(client: httpx.Client, global_id: str) -> str:
    found = gql(client, NODE, id=global_id)["node"]
    assert found["id"] == global_id
    return found["__typename"]


def errors_of(client: httpx.Client, query: str, **variables: Any) -> list[dict[str, Any]]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    return body.get("errors") or []


def sold_policy_with_a_claim(api: httpx.Client) -> dict[str, Any]:
    launch_property(api)
    account_id = open_account(api)["account"]["id"]
    policy_id = quote(api, account_id, policyNumber="P-1")["policyId"]
    ok(api, "bindPolicy", policyId=policy_id, writtenPremium=eur("1200.00"))
    ok(api, "endorsePolicy", policyId=policy_id, premiumChange=eur("-50.00"), description="one site sold")
    claim_id = ok(
        api,
        "reportClaim",
        "claimId",
        policyId=policy_id,
        lossDate=(TODAY - timedelta(days=2)).isoformat(),
        description="pipe",
    )["claimId"]
    ok(api, "reserveClaim", claimId=claim_id, reserve=eur("5000"))
    ok(api, "payClaim", claimId=claim_id, amount=eur("2000.50"))
    closed = ok(api, "closeClaim", claimId=claim_id)
    return {"account": account_id, "policy": policy_id, "claim": claim_id, "position": closed["position"]}


def test_policies_and_claims_read_back_after_their_mutations(api: httpx.Client) -> None:
    sold = sold_policy_with_a_claim(api)
    policy = gql(
        api,
        """query($id: ID!, $at: Int) { policy(id: $id, minPosition: $at) {
            id status policyNumber productCode lineOfBusiness businessKind endorsements boundOn
            writtenPremium { amount currency } commission { amount currency } sumInsured { amount }
            inceptionDate expiryDate closedOn initiatedBy account { id name } product { code onSale } } }""",
        id=sold["policy"],
        at=sold["position"],
    )["policy"]
    assert policy["status"] == "BOUND"
    assert policy["writtenPremium"] == {"amount": "1150.00", "currency": "EUR"}  # bound at 1200, endorsed -50
    assert policy["commission"] == {"amount": "100", "currency": "EUR"}
    assert policy["endorsements"] == 1
    assert policy["boundOn"] == TODAY.isoformat()
    assert (policy["inceptionDate"], policy["expiryDate"]) == (INCEPTION.isoformat(), EXPIRY.isoformat())
    assert policy["account"] == {"id": sold["account"], "name": "ACME Re"}
    assert policy["product"] == {"code": "PROP-1", "onSale": True}

    claim = gql(
        api,
        """query($id: ID!) { claim(id: $id) { status open reserve { amount } paid { amount currency }
            incurred { amount } settlementDays reportedOn closedOn policy { id } account { id } } }""",
        id=sold["claim"],
    )["claim"]
    assert claim["status"] == "CLOSED"
    assert claim["open"] is False
    assert claim["paid"] == {"amount": "2000.50", "currency": "EUR"}
    assert claim["reserve"]["amount"] == "0"
    assert claim["incurred"]["amount"] == "2000.50"
    assert claim["settlementDays"] == 0
    assert claim["policy"]["id"] == sold["policy"]

    assert node_type(api, sold["policy"]) == "Policy"
    assert node_type(api, sold["claim"]) == "Claim"
    reopened = ok(api, "reopenClaim", claimId=sold["claim"], reason="new invoice")
    again = gql(
        api,
        "query($id: ID!, $at: Int) { claim(id: $id, minPosition: $at) { status open settlementDays reopenCount } }",
        id=sold["claim"],
        at=reopened["position"],
    )["claim"]
    assert again == {"status": "REOPENED", "open": True, "settlementDays": None, "reopenCount": 1}


def test_lifecycle_ends_are_read_with_who_initiated_them(api: httpx.Client) -> None:
    launch_property(api)
    account_id = open_account(api)["account"]["id"]
    declined = quote(api, account_id)["policyId"]
    ok(api, "declineQuote", policyId=declined, declinedBy="CUSTOMER")
    bound = quote(api, account_id, businessKind="CROSS_SELL")["policyId"]
    ok(api, "bindPolicy", policyId=bound)
    renewal = ok(
        api,
        "renewPolicy",
        "policyId",
        policyId=bound,
        writtenPremium=eur("1100"),
        commission=eur("110"),
        expiryDate=(EXPIRY + timedelta(days=365)).isoformat(),
    )["policyId"]
    cancelled = ok(
        api,
        "cancelPolicy",
        policyId=renewal,
        initiatedBy="INSURER",
        cancellationDate=EXPIRY.isoformat(),
        returnPremium=eur("500"),
        reason="fraud",
    )
    terms = gql(
        api,
        """query($ids: [ID!], $at: Int) { policies(filter: {accountId: $ids}, minPosition: $at,
            orderBy: {field: QUOTED_ON, direction: ASC}) { totalCount nodes { id status initiatedBy closedOn
            renewsPolicyId renewedByPolicyId returnPremium { amount } } } }""",
        ids=[account_id],
        at=cancelled["position"],
    )["policies"]
    assert terms["totalCount"] == 3
    by_id = {p["id"]: p for p in terms["nodes"]}
    assert by_id[declined]["status"] == "DECLINED"
    assert by_id[declined]["initiatedBy"] == "CUSTOMER"
    assert by_id[bound]["status"] == "BOUND"
    assert by_id[bound]["renewedByPolicyId"] == renewal
    assert by_id[renewal]["renewsPolicyId"] == bound
    assert by_id[renewal]["status"] == "CANCELLED"
    assert by_id[renewal]["initiatedBy"] == "INSURER"
    assert by_id[renewal]["closedOn"] == EXPIRY.isoformat()
    assert by_id[renewal]["returnPremium"] == {"amount": "500"}


def test_interactions_and_recommendations_read_back(api: httpx.Client) -> None:
    launch_property(api)
    account_id = open_account(api)["account"]["id"]
    interaction_id = ok(
        api,
        "scheduleInteraction",
        "interactionId",
        accountId=account_id,
        kind="COVERAGE_ASSESSMENT",
        subject="cover check",
        scheduledFor=TODAY.isoformat(),
        relationshipManagerIds=["rm-7", "rm-8"],
    )["interactionId"]
    ok(api, "holdInteraction", interactionId=interaction_id, outcome="gaps found", coverageResult="INADEQUATE")
    item = ok(
        api,
        "addActionItem",
        "actionItemId",
        interactionId=interaction_id,
        description="quote flood cover",
        ownerId="rm-7",
        dueDate=(TODAY + timedelta(days=7)).isoformat(),
    )
    needs = gql(
        api,
        "mutation($input: IdentifyNeedInput!) { identifyNeed(input: $input) { account { needs { needId } } } }",
        input={"accountId": account_id, "description": "flood cover"},
    )["identifyNeed"]["account"]["needs"]
    made = ok(
        api,
        "makeRecommendation",
        "recommendationId",
        accountId=account_id,
        needId=needs[0]["needId"],
        productCode="PROP-1",
        rationale="no flood cover",
        relationshipManagerId="rm-7",
    )
    declined = ok(api, "declineRecommendation", recommendationId=made["recommendationId"], reason="no budget")

    account = gql(
        api,
        """query($id: ID!, $at: Int) { account(id: $id, minPosition: $at) {
            interactions { id kind status heldOn outcome coverageResult relationshipManagerIds openActionItems
                actionItems { itemId description ownerId dueDate completedOn } }
            recommendations { id status rationale declinedBecause decidedOn relationshipManagerId product { code } }
            policies { id } claims { id } } }""",
        id=account_id,
        at=declined["position"],
    )["account"]
    [interaction] = account["interactions"]
    assert interaction["status"] == "HELD"
    assert interaction["coverageResult"] == "INADEQUATE"
    assert interaction["relationshipManagerIds"] == ["rm-7", "rm-8"]
    assert interaction["openActionItems"] == 1
    assert interaction["actionItems"][0]["itemId"] == item["actionItemId"]
    assert interaction["actionItems"][0]["completedOn"] is None
    [recommendation] = account["recommendations"]
    assert recommendation["status"] == "DECLINED"
    assert recommendation["declinedBecause"] == "no budget"
    assert recommendation["product"] == {"code": "PROP-1"}
    assert (account["policies"], account["claims"]) == ([], [])
    assert node_type(api, interaction_id) == "Interaction"
    assert node_type(api, made["recommendationId"]) == "Recommendation"

    done = ok(api, "completeActionItem", interactionId=interaction_id, actionItemId=item["actionItemId"])
    mine = gql(
        api,
        """query($at: Int) { interactions(filter: {relationshipManagerId: ["rm-8"], hasOpenActionItems: false},
            minPosition: $at) { totalCount nodes { id openActionItems } } }""",
        at=done["position"],
    )["interactions"]
    assert mine == {"totalCount": 1, "nodes": [{"id": interaction_id, "openActionItems": 0}]}
    nobody = gql(api, '{ interactions(filter: {relationshipManagerId: ["rm-9"]}) { totalCount } }')
    assert nobody["interactions"]["totalCount"] == 0


def test_people_teams_and_records_read_back(api: httpx.Client, settings: Settings) -> None:
    for employee, name, team in (("E-1", "Ada", "north"), ("E-2", "Bo", "north"), ("E-3", "Cy", "south")):
        ok(api, "registerRelationshipManager", employeeId=employee, name=name, team=team, capacity=10)
    ok(api, "recordCertification", relationshipManagerId="E-1", certification="ACII", issuer="CII")
    ok(
        api,
        "recordComplianceAudit",
        relationshipManagerId="E-1",
        auditor="QA",
        rating="B",
        itemsApplicable=8,
        itemsPassed=6,
    )
    training = ok(
        api,
        "assignTraining",
        "trainingId",
        relationshipManagerId="E-1",
        title="IDD refresher",
        dueDate=(TODAY + timedelta(days=30)).isoformat(),
    )
    done = ok(api, "completeTraining", relationshipManagerId="E-1", trainingId=training["trainingId"])

    rm = gql(
        api,
        """query($at: Int) { relationshipManager(employeeId: "E-1", minPosition: $at) { id employeeId name team
            capacity status development { certifications latestCertification trainingsAssigned trainingsCompleted }
            compliance { audits latestAuditRating latestAuditScore }
            records { kind title dueDate completedOn rating score issuer } } }""",
        at=done["position"],
    )["relationshipManager"]
    assert (rm["employeeId"], rm["team"], rm["status"]) == ("E-1", "north", "ACTIVE")
    assert rm["development"] == {
        "certifications": 1,
        "latestCertification": "ACII",
        "trainingsAssigned": 1,
        "trainingsCompleted": 1,
    }
    assert rm["compliance"] == {"audits": 1, "latestAuditRating": "B", "latestAuditScore": "75.00"}
    kinds = {r["kind"]: r for r in rm["records"]}
    assert kinds["TRAINING"]["completedOn"] == TODAY.isoformat()
    assert kinds["COMPLIANCE_AUDIT"]["score"] == "75.00"
    assert kinds["CERTIFICATION"]["issuer"] == "CII"
    assert node_type(api, rm["id"]) == "RelationshipManager"

    teams = gql(
        api,
        """{ relationshipManagerTeams { totalCount nodes { id name members capacity
            relationshipManagers { employeeId } } } }""",
    )["relationshipManagerTeams"]
    assert teams["totalCount"] == 2
    north = teams["nodes"][0]
    assert (north["name"], north["members"], north["capacity"]) == ("north", 2, 20)
    assert [m["employeeId"] for m in north["relationshipManagers"]] == ["E-1", "E-2"]
    assert node_type(api, north["id"]) == "Team"
    south = gql(api, '{ relationshipManagers(filter: {team: ["south"]}) { nodes { name } } }')
    assert south["relationshipManagers"]["nodes"] == [{"name": "Cy"}]

    as_other_rm = {"authorization": f"Bearer {grant_token(settings, 'relationship_manager', 'E-2')}"}
    query = '{ relationshipManager(employeeId: "E-1") { name compliance { audits } } }'
    refused = api.post("/graphql", json={"query": query}, headers=as_other_rm).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["data"]["relationshipManager"] is None or refused["data"]["relationshipManager"]["name"] == "Ada"
    own = api.post(
        "/graphql",
        json={"query": '{ relationshipManager(employeeId: "E-2") { compliance { audits } } }'},
        headers=as_other_rm,
    ).json()
    assert own["data"]["relationshipManager"]["compliance"]["audits"] == 0


def test_programme_reads(api: httpx.Client) -> None:
    ok(
        api,
        "proposeCriteria",
        versionId="v2",
        name="Profit first",
        parameters=criteria("0.6"),
        effectiveFrom=TODAY.isoformat(),
    )
    ok(api, "adoptCriteria", versionId="v2")
    ok(
        api,
        "proposeCriteria",
        versionId="v3",
        name="Later",
        parameters=criteria("0.5"),
        effectiveFrom=TODAY.isoformat(),
    )
    ok(api, "setServiceStandard", tier="STRATEGIC", reviewCadenceDays=90, requiredRoles=["LEAD", "UNDERWRITER"])
    target = ok(
        api,
        "setKpiTarget",
        "targetId",
        kpiId="client_meetings_per_month",
        scope="COMPANY",
        periodStart=TODAY.replace(day=1).isoformat(),
        periodEnd=(TODAY.replace(day=1) + timedelta(days=40)).replace(day=1).isoformat(),
        targetValue="8",
        deadline=(TODAY + timedelta(days=60)).isoformat(),
    )
    ok(api, "reviseKpiTarget", targetId=target["targetId"], targetValue="10", reason="stretch")
    review = ok(
        api,
        "openProcessReview",
        "reviewId",
        title="H1 review",
        periodStart=(TODAY - timedelta(days=180)).isoformat(),
        periodEnd=TODAY.isoformat(),
    )
    ok(api, "recordReviewFinding", reviewId=review["reviewId"], area="SALES_VOLUME", description="flat premium")
    adjusted = ok(
        api,
        "decideReviewAdjustment",
        reviewId=review["reviewId"],
        kind="CRITERIA_VERSION",
        description="weigh profit",
        dueDate=(TODAY + timedelta(days=30)).isoformat(),
        reference="v3",
    )
    read = gql(
        api,
        """query($at: Int) {
          criteriaVersions(minPosition: $at, orderBy: {field: PROPOSED_AT, direction: ASC}) {
            nodes { id versionId status effectiveFrom proposedOn decidedOn parameters } }
          serviceStandards(filter: {tier: [STRATEGIC]}, minPosition: $at) {
            nodes { id tier reviewCadenceDays requiredRoles } }
          kpiTargets(minPosition: $at) {
            totalCount nodes { id kpiId scope targetValue withdrawn deadline history { value } } }
          processReviews(filter: {status: OPEN}, minPosition: $at) {
            nodes { id title status findings { area description } adjustments { kind reference implementedOn } } } }""",
        at=adjusted["position"],
    )
    versions = read["criteriaVersions"]["nodes"]
    assert [(v["versionId"], v["status"], v["decidedOn"]) for v in versions] == [
        ("v2", "ADOPTED", TODAY.isoformat()),
        ("v3", "PROPOSED", None),
    ]
    assert versions[1]["effectiveFrom"] == TODAY.isoformat()
    assert versions[0]["parameters"]["selection"]["n"] == 30
    [standard] = read["serviceStandards"]["nodes"]
    assert (standard["reviewCadenceDays"], standard["requiredRoles"]) == (90, ["LEAD", "UNDERWRITER"])
    [kpi_target] = read["kpiTargets"]["nodes"]
    assert kpi_target["id"] == target["targetId"]
    assert (kpi_target["targetValue"], kpi_target["withdrawn"]) == ("10", False)
    assert [h["value"] for h in kpi_target["history"]] == ["8", "10"]
    assert kpi_target["deadline"] == (TODAY + timedelta(days=60)).isoformat()
    [process_review] = read["processReviews"]["nodes"]
    assert process_review["findings"] == [{"area": "SALES_VOLUME", "description": "flat premium"}]
    assert process_review["adjustments"] == [{"kind": "CRITERIA_VERSION", "reference": "v3", "implementedOn": None}]
    for node in (versions[0], standard, kpi_target, process_review):
        assert node_type(api, node["id"]) in {"CriteriaVersion", "ServiceStandard", "KpiTarget", "ProcessReview"}
    products = gql(api, "{ products(filter: {onSale: true}) { totalCount } }")
    assert products["products"]["totalCount"] == 0


def test_lists_page_with_cursors_filter_and_order(api: httpx.Client, settings: Settings) -> None:
    launch_property(api)
    account_id = open_account(api)["account"]["id"]
    other_account = open_account(api, name="Other")["account"]["id"]
    premiums = ["300", "100", "500", "200", "400"]
    for n, premium in enumerate(premiums):
        inception = (INCEPTION + timedelta(days=n)).isoformat()
        quote(api, account_id, inceptionDate=inception, writtenPremium=eur(premium), commission=eur("1"))
    last = quote(api, other_account)
    query = """query($after: String, $at: Int) { policies(first: 2, after: $after, minPosition: $at,
        filter: {accountId: [$account]}, orderBy: {field: WRITTEN_PREMIUM, direction: ASC}) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { writtenPremium { amount } } } } }"""
    query = query.replace("$at: Int)", "$at: Int, $account: ID!)")
    seen, after = [], None
    while True:
        page = gql(api, query, after=after, at=last["position"], account=account_id)["policies"]
        assert page["totalCount"] == 5
        seen += [e["node"]["writtenPremium"]["amount"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["100", "200", "300", "400", "500"]

    newest = gql(api, "{ policies(first: 1) { totalCount nodes { inceptionDate } } }")["policies"]
    assert newest["totalCount"] == 6
    assert newest["nodes"][0]["inceptionDate"] == (INCEPTION + timedelta(days=4)).isoformat()
    window = gql(
        api,
        "query($from: Date, $to: Date) { policies(filter: {inceptionFrom: $from, inceptionTo: $to}) { totalCount } }",
        **{"from": (INCEPTION + timedelta(days=1)).isoformat(), "to": (INCEPTION + timedelta(days=2)).isoformat()},
    )
    assert window["policies"]["totalCount"] == 2
    hostile = gql(api, """{ policies(filter: {lineOfBusiness: ["property' OR '1'='1"]}) { totalCount } }""")
    assert hostile["policies"]["totalCount"] == 0

    too_many = errors_of(api, "{ claims(first: 101) { totalCount } }")
    assert too_many[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    bad_cursor = errors_of(api, '{ interactions(after: "bm90IGEgY3Vyc29y") { totalCount } }')
    assert bad_cursor[0]["extensions"]["code"] == "BAD_USER_INPUT"
    other_order = gql(api, "{ policies(first: 1) { pageInfo { endCursor } } }")["policies"]["pageInfo"]["endCursor"]
    mixed = errors_of(api, f'{{ policies(after: "{other_order}", orderBy: {{field: QUOTED_ON}}) {{ totalCount }} }}')
    assert mixed[0]["extensions"]["field"] == "after"
    foreign = errors_of(
        api, "query($ids: [ID!]) { claims(filter: {accountId: $ids}) { totalCount } }", ids=[last["policyId"]]
    )
    assert foreign[0]["extensions"]["code"] == "NOT_FOUND"
    anonymous = api.post(
        "/graphql", json={"query": "{ policies { totalCount } }"}, headers={"authorization": ""}
    ).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    runtime = Runtime(settings)  # the replay check compares every read model with a scratch rebuild
    try:
        results = replay_check(runtime)
        assert all(r.ok for r in results), [r.differences for r in results if not r.ok]
        assert next(r for r in results if r.name == "sales_records").rows == 6
    finally:
        runtime.close()


REVERSED_RANGES = {
    "filter.scheduledFrom": "interactions(filter: {scheduledFrom: $late, scheduledTo: $early}) { totalCount }",
    "filter.inceptionFrom": "policies(filter: {inceptionFrom: $late, inceptionTo: $early}) { totalCount }",
    "filter.reportedFrom": "claims(filter: {reportedFrom: $late, reportedTo: $early}) { totalCount }",
    "filter.madeFrom": "recommendations(filter: {madeFrom: $late, madeTo: $early}) { totalCount }",
    "filter.openedFrom": "processReviews(filter: {openedFrom: $late, openedTo: $early}) { totalCount }",
    "filter.periodFrom": "kpiTargets(filter: {periodFrom: $late, periodTo: $early}) { totalCount }",
}


def test_every_list_refuses_a_date_range_whose_start_lies_after_its_end(api: httpx.Client) -> None:
    """An empty page would read as "nothing happened"; the user mixed up the two ends and is told so."""
    for field, selection in REVERSED_RANGES.items():
        errors = errors_of(
            api, f"query($late: Date, $early: Date) {{ {selection} }}", late="2026-03-01", early="2026-01-01"
        )
        assert [e["extensions"] for e in errors] == [{"code": "BAD_USER_INPUT", "field": field}], selection
        same_day = errors_of(
            api, f"query($late: Date, $early: Date) {{ {selection} }}", late="2026-01-01", early="2026-01-01"
        )
        assert same_day == [], selection
    account_id = open_account(api)["account"]["id"]
    history = errors_of(
        api,
        "query($id: ID!, $late: DateTime, $early: DateTime) "
        "{ accountHistory(accountId: $id, filter: {recordedFrom: $late, recordedTo: $early}) "
        "{ nodes { position } } }",
        id=account_id,
        late="2026-03-01T00:00:00Z",
        early="2026-01-01T00:00:00Z",
    )
    assert [e["extensions"] for e in history] == [{"code": "BAD_USER_INPUT", "field": "filter.recordedFrom"}]
