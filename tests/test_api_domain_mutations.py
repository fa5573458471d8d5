"""The domain mutations through real HTTP (uvicorn on a free port), on every backend.

One realistic flow per area, asserting the payloads, and at least one typed `userErrors` case per area.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from kamcore.domain.values import today

from .test_api_end_to_end import gql, open_account

TODAY = today()
INCEPTION = TODAY - timedelta(days=30)
EXPIRY = INCEPTION + timedelta(days=365)
MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # the first day of last month
COMMON = "userErrors { field message code } position replayed version"


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


def mutate(client: httpx.Client, name: str, fields: str = "", /, **data: Any) -> dict[str, Any]:
    """Run mutation `name` with input `data` (input type `<Name>Input`); return its payload."""
    input_type = name[0].upper() + name[1:] + "Input"
    query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {COMMON} {fields} }} }}"
    return gql(client, query, input=data)[name]


def ok(client: httpx.Client, name: str, fields: str = "", /, **data: Any) -> dict[str, Any]:
    """`mutate`, asserting it was accepted and wrote something."""
    payload = mutate(client, name, fields, **data)
    assert payload["userErrors"] == [], payload["userErrors"]
    assert payload["position"] > 0
    assert payload["replayed"] is False
    return payload


def refused(client: httpx.Client, name: str, /, **data: Any) -> dict[str, Any]:
    """`mutate`, asserting it was refused with one user error and wrote nothing; return that error."""
    payload = mutate(client, name, **data)
    assert payload["position"] is None
    assert payload["version"] is None
    [error] = payload["userErrors"]
    return error


def criteria(weight: Any) -> dict[str, Any]:
    """Ranking parameters in the shape of projections/key_accounts.toml."""
    return {
        "factors": [
            {"fact": "written_premium", "weight": weight, "scaling": "percentile", "direction": "higher"},
            {"fact": "loss_ratio", "weight": "0.4", "scaling": "percentile", "direction": "lower"},
        ],
        "selection": {"rule": "top_n", "n": 30},
        "tiers": [{"name": "strategic", "min_score": "60"}, {"name": "streamline", "min_score": "0"}],
    }


def launch_property(client: httpx.Client, code: str = "PROP-1") -> None:
    ok(
        client,
        "launchProduct",
        code=code,
        name="Property",
        lineOfBusiness="property",
        targetSegments=["CORPORATE", "MID_MARKET"],
        needsCovered=["property cover"],
    )


def quote(client: httpx.Client, account_id: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "accountId": account_id,
        "productCode": "PROP-1",
        "businessKind": "NEW_CLIENT",
        "writtenPremium": eur("1000.00"),
        "commission": eur("100"),
        "sumInsured": eur("1000000"),
        "inceptionDate": INCEPTION.isoformat(),
        "expiryDate": EXPIRY.isoformat(),
        **overrides,
    }
    return mutate(client, "issueQuote", "policyId account { id name }", **data)


def test_sales_flow_from_product_to_a_closed_claim(api: httpx.Client) -> None:
    launch_property(api)
    product = ok(api, "reviseProduct", "code", code="PROP-1", needsCovered=["property cover", "fire"])
    assert product["code"] == "PROP-1"
    assert product["version"] == 2
    account_id = open_account(api)["account"]["id"]

    quoted = quote(api, account_id, policyNumber="P-100")
    assert quoted["userErrors"] == []
    assert quoted["account"] == {"id": account_id, "name": "ACME Re"}
    assert quoted["version"] == 1
    policy_id = quoted["policyId"]
    bound = ok(api, "bindPolicy", "policyId renewedPolicyId", policyId=policy_id, writtenPremium=eur("1200"))
    assert bound["policyId"] == policy_id
    assert bound["renewedPolicyId"] is None
    assert bound["version"] == 2
    endorsed = ok(
        api,
        "endorsePolicy",
        "endorsementId policyId",
        policyId=policy_id,
        premiumChange=eur("-50"),  # a refund: endorsements may lower the premium
        description="one site sold",
        expectedVersion=2,
    )
    assert endorsed["endorsementId"] == "endorsement-1"

    claim = ok(
        api,
        "reportClaim",
        "claimId policyId account { id }",
        policyId=policy_id,
        lossDate=(TODAY - timedelta(days=1)).isoformat(),
        description="burst pipe",
    )
    assert claim["policyId"] == policy_id
    assert claim["account"]["id"] == account_id
    claim_id = claim["claimId"]
    ok(api, "reserveClaim", claimId=claim_id, reserve=eur("5000"))
    paid = ok(api, "payClaim", "claimId", claimId=claim_id, amount=eur("2000.50"))
    assert paid["claimId"] == claim_id
    assert paid["version"] == 3
    ok(api, "closeClaim", claimId=claim_id)

    assert refused(api, "payClaim", claimId=claim_id, amount=eur("10")) == {
        "field": ["input", "claimId"],
        "message": "the claim is closed; reopen it first",
        "code": "CLAIM_CLOSED",
    }
    assert refused(api, "reopenClaim", claimId=claim_id)["field"] == ["input", "reason"]
    ok(api, "reopenClaim", claimId=claim_id, reason="new invoice")


def test_policy_money_and_dates_are_checked(api: httpx.Client) -> None:
    launch_property(api)
    account_id = open_account(api)["account"]["id"]
    negative = quote(api, account_id, writtenPremium=eur("-1"))
    assert negative["userErrors"] == [
        {"field": ["input", "writtenPremium"], "message": "amount must not be negative", "code": "INVALID_INPUT"}
    ]
    assert negative["policyId"] is None
    assert negative["account"] is None
    currency = quote(api, account_id, commission={"amount": "1", "currency": "euro"})
    assert currency["userErrors"][0]["field"] == ["input", "commission.currency"]
    unknown = quote(api, account_id, productCode="NOPE")
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND"

    policy_id = quote(api, account_id)["policyId"]
    ok(api, "bindPolicy", policyId=policy_id)
    late = refused(
        api,
        "cancelPolicy",
        policyId=policy_id,
        initiatedBy="CUSTOMER",
        cancellationDate=(EXPIRY + timedelta(days=1)).isoformat(),
        reason="moved",
    )
    assert late["field"] == ["input", "cancellationDate"]
    assert late["code"] == "INVALID_INPUT"
    stale = refused(
        api, "endorsePolicy", policyId=policy_id, premiumChange=eur("1"), description="x", expectedVersion=1
    )
    assert stale["code"] == "VERSION_CONFLICT"

    renewal = ok(
        api,
        "renewPolicy",
        "policyId renewedPolicyId",
        policyId=policy_id,
        writtenPremium=eur("1100"),
        commission=eur("110"),
        expiryDate=(EXPIRY + timedelta(days=365)).isoformat(),
    )
    assert renewal["renewedPolicyId"] == policy_id
    assert renewal["policyId"] != policy_id
    declined = quote(api, account_id, businessKind="CROSS_SELL")["policyId"]
    ok(api, "declineQuote", policyId=declined, declinedBy="CUSTOMER")
    ok(
        api,
        "cancelPolicy",
        policyId=renewal["policyId"],
        initiatedBy="INSURER",
        cancellationDate=EXPIRY.isoformat(),  # the renewed term starts then
        returnPremium=eur("0"),
        reason="fraud",
    )


def test_interaction_with_an_action_item(api: httpx.Client) -> None:
    account_id = open_account(api)["account"]["id"]
    stakeholders = gql(
        api,
        """mutation($input: AddStakeholderInput!) { addStakeholder(input: $input) {
        account { stakeholders { stakeholderId } } } }""",
        input={"accountId": account_id, "name": "Jo", "role": "DECISION_MAKER"},
    )["addStakeholder"]["account"]["stakeholders"]
    scheduled = ok(
        api,
        "scheduleInteraction",
        "interactionId account { id }",
        accountId=account_id,
        kind="ACCOUNT_REVIEW",
        subject="QBR",
        scheduledFor=(TODAY + timedelta(days=7)).isoformat(),
        relationshipManagerIds=["rm-7"],
        stakeholderIds=[stakeholders[0]["stakeholderId"]],
    )
    interaction_id = scheduled["interactionId"]
    assert scheduled["account"]["id"] == account_id
    assert refused(api, "holdInteraction", interactionId=interaction_id, outcome="x", expectedVersion=7)["code"] == (
        "VERSION_CONFLICT"
    )
    held = ok(api, "holdInteraction", "interactionId", interactionId=interaction_id, outcome="plan agreed")
    assert held["version"] == 2
    item = ok(
        api,
        "addActionItem",
        "actionItemId interactionId",
        interactionId=interaction_id,
        description="send the renewal survey",
        ownerId="rm-7",
        dueDate=(TODAY + timedelta(days=14)).isoformat(),
    )
    assert item["actionItemId"]
    done = ok(
        api, "completeActionItem", "actionItemId", interactionId=interaction_id, actionItemId=item["actionItemId"]
    )
    assert done["actionItemId"] == item["actionItemId"]
    unknown = refused(api, "completeActionItem", interactionId=interaction_id, actionItemId="action-99")
    assert unknown["field"] == ["input", "actionItemId"]

    recorded = ok(
        api,
        "recordInteraction",
        "interactionId",
        accountId=account_id,
        kind="MEETING",
        subject="lunch",
        outcome="renewal likely",
        relationshipManagerIds=["rm-7"],
        effectiveDate=(TODAY - timedelta(days=2)).isoformat(),
    )
    assert recorded["version"] == 2  # scheduled and held in one write
    other = ok(
        api,
        "scheduleInteraction",
        "interactionId",
        accountId=account_id,
        kind="MEETING",
        subject="visit",
        scheduledFor=TODAY.isoformat(),
        relationshipManagerIds=["rm-7"],
    )
    ok(api, "cancelInteraction", interactionId=other["interactionId"], reason="customer ill")


def test_recommendation_accepted_and_linked_to_its_policy(api: httpx.Client) -> None:
    launch_property(api)
    account_id = open_account(api)["account"]["id"]
    needs = gql(
        api,
        """mutation($input: IdentifyNeedInput!) { identifyNeed(input: $input) { account { needs { needId } } } }""",
        input={"accountId": account_id, "description": "property cover"},
    )["identifyNeed"]["account"]["needs"]
    made = ok(
        api,
        "makeRecommendation",
        "recommendationId policyId",
        accountId=account_id,
        needId=needs[0]["needId"],
        productCode="PROP-1",
        kind="NEW_CLIENT",
        rationale="no property cover today",
    )
    recommendation_id = made["recommendationId"]
    assert made["policyId"] is None
    ok(api, "acceptRecommendation", recommendationId=recommendation_id)
    assert refused(api, "acceptRecommendation", recommendationId=recommendation_id)["field"] == [
        "input",
        "recommendationId",
    ]
    policy_id = quote(api, account_id)["policyId"]
    linked = ok(
        api,
        "linkRecommendationPolicy",
        "recommendationId policyId account { id }",
        recommendationId=recommendation_id,
        policyId=policy_id,
    )
    assert linked["policyId"] == policy_id
    assert linked["account"]["id"] == account_id
    other = ok(
        api,
        "makeRecommendation",
        "recommendationId",
        accountId=account_id,
        needId=needs[0]["needId"],
        productCode="PROP-1",
    )
    assert refused(api, "declineRecommendation", recommendationId=other["recommendationId"])["field"] == [
        "input",
        "reason",
    ]
    ok(api, "declineRecommendation", recommendationId=other["recommendationId"], reason="no budget")


def test_relationship_manager_development_and_compliance_records(api: httpx.Client) -> None:
    registered = ok(
        api,
        "registerRelationshipManager",
        "relationshipManagerId",
        employeeId="E-100",
        name="Ada",
        team="north",
        capacity=12,
    )
    assert registered["relationshipManagerId"] == "E-100"
    assert registered["version"] == 1
    duplicate = refused(api, "registerRelationshipManager", employeeId="E-100", name="Ada", team="north", capacity=12)
    assert duplicate["code"] == "DUPLICATE"
    rm = {"relationshipManagerId": "E-100"}
    ok(api, "recordCertification", **rm, certification="ACII", issuer="CII")
    ok(api, "recordWorkshopAttendance", **rm, title="Cyber risk", learningFormat="WORKSHOP", hours="2.5")
    training = ok(api, "assignTraining", "trainingId", **rm, title="Negotiation", dueDate=TODAY.isoformat())
    assert training["trainingId"]
    ok(api, "completeTraining", **rm, trainingId=training["trainingId"])
    ok(api, "recordComplianceAudit", **rm, auditor="Internal audit", rating="A", itemsApplicable=10, itemsPassed=10)
    ok(api, "recordComplianceTraining", **rm, title="AML", hours="1")
    ok(
        api,
        "reportRegulatoryViolation",
        **rm,
        regulation="IDD",
        severity="LOW",
        occurredOn=TODAY.isoformat(),
        description="late disclosure",
    )
    ok(api, "recordDocumentationCheck", **rm, policiesChecked=10, policiesAccurate=9)
    ok(api, "recordKnowledgeSharing", **rm, title="Renewal playbook", audienceSize=12)
    goal = ok(api, "setTeamGoal", "goalId", **rm, description="grow cross-sell", dueDate=TODAY.isoformat())
    ok(api, "achieveTeamGoal", **rm, goalId=goal["goalId"])
    ok(api, "recordEmployeeSatisfaction", **rm, scale="CSAT", score=4)
    ok(api, "introduceTool", "toolId", toolId="crm-mobile", name="CRM mobile")
    ok(api, "recordToolAdoption", **rm, toolId="crm-mobile")
    project = ok(api, "startInnovationProject", "projectId", **rm, title="Quote bot")
    ok(api, "concludeInnovationProject", **rm, projectId=project["projectId"], outcome="SUCCEEDED")
    ok(
        api,
        "recordProcessTimeSaved",
        **rm,
        process="renewals",
        hoursSaved="3",
        periodStart=MONTH.isoformat(),
        periodEnd=TODAY.isoformat(),
        toolId="crm-mobile",
    )
    report = ok(api, "submitPerformanceReport", "reportId", **rm, month=MONTH.isoformat())
    assert report["reportId"]
    ok(api, "correctPerformanceReport", **rm, month=MONTH.isoformat(), errorsFound=1, description="typo")
    ok(api, "changeRelationshipManagerTeam", **rm, team="south")
    capacity = ok(api, "setRelationshipManagerCapacity", **rm, capacity=8)
    stale = refused(api, "recordRelationshipManagerDeparture", **rm, reason="retired", expectedVersion=1)
    assert stale["code"] == "VERSION_CONFLICT"
    ok(api, "recordRelationshipManagerDeparture", **rm, reason="retired", expectedVersion=capacity["version"])
    assert (
        refused(
            api,
            "recordWorkshopAttendance",
            relationshipManagerId="E-404",
            title="x",
            learningFormat="WEBINAR",
            hours="1",
        )["code"]
        == "NOT_FOUND"
    )


def test_programme_criteria_standards_targets_and_overrides(api: httpx.Client) -> None:
    proposed = ok(
        api,
        "proposeCriteria",
        "programme criteriaVersionId",
        versionId="v1",
        name="Premium and potential",
        parameters=criteria("0.6"),
        effectiveFrom=TODAY.isoformat(),
    )
    assert proposed["programme"] == "kam"
    assert proposed["criteriaVersionId"] == "v1"
    assert proposed["version"] == 2  # started and proposed in one write
    floats = refused(
        api, "proposeCriteria", versionId="v2", name="x", parameters=criteria(0.5), effectiveFrom="2026-01-01"
    )
    assert floats["code"] == "INVALID_INPUT"
    unknown_fact = criteria("1") | {"factors": [{"fact": "shoe_size", "weight": "1"}]}
    bad = refused(api, "proposeCriteria", versionId="v2", name="x", parameters=unknown_fact, effectiveFrom="2026-01-01")
    assert bad["field"] == ["input", "parameters.factors[0].fact"]
    adopted = ok(api, "adoptCriteria", "criteriaVersionId", versionId="v1", expectedVersion=2)
    assert adopted["criteriaVersionId"] == "v1"
    assert refused(api, "adoptCriteria", versionId="v1")["field"] == ["input", "versionId"]
    ok(api, "proposeCriteria", versionId="v2", name="Profit", parameters=criteria("1"), effectiveFrom=TODAY.isoformat())
    ok(api, "rejectCriteria", versionId="v2", reason="too narrow")
    standard = ok(
        api, "setServiceStandard", "tier", tier="STRATEGIC", reviewCadenceDays=90, requiredRoles=["LEAD", "UNDERWRITER"]
    )
    assert standard["tier"] == "STRATEGIC"

    target = ok(
        api,
        "setKpiTarget",
        "targetId kpiId",
        kpiId="client_meetings_per_month",
        scope="RELATIONSHIP_MANAGER",
        scopeId="E-100",
        periodStart=MONTH.isoformat(),
        periodEnd=TODAY.isoformat(),
        targetValue="8",
        deadline=TODAY.isoformat(),
    )
    assert target["kpiId"] == "client_meetings_per_month"
    assert refused(api, "reviseKpiTarget", targetId=target["targetId"], targetValue="10")["field"] == [
        "input",
        "reason",
    ]
    revised = ok(api, "reviseKpiTarget", "targetId", targetId=target["targetId"], targetValue="10", reason="stretch")
    assert revised["targetId"] == target["targetId"]
    assert revised["version"] == 2
    ok(api, "withdrawKpiTarget", targetId=target["targetId"], reason="reorganised")

    account_id = open_account(api)["account"]["id"]
    expires = (TODAY + timedelta(days=90)).isoformat()
    no_tier = refused(
        api, "overrideKeyAccount", accountId=account_id, decision="FORCE_IN", expiresOn=expires, reason="board"
    )
    assert no_tier == {
        "field": ["input", "tier"],
        "message": "forcing an account in names its tier",
        "code": "INVALID_INPUT",
    }
    forced = ok(
        api,
        "overrideKeyAccount",
        "overrideId account { id }",
        accountId=account_id,
        decision="FORCE_IN",
        tier="STRATEGIC",
        expiresOn=expires,
        reason="board decision",
    )
    assert forced["overrideId"]
    assert forced["account"]["id"] == account_id
    ok(api, "revokeKeyAccountOverride", accountId=account_id, reason="ranking caught up")


def test_process_review_strategy_and_decision(api: httpx.Client) -> None:
    review = ok(
        api,
        "openProcessReview",
        "reviewId",
        title="H1 review",
        periodStart=MONTH.isoformat(),
        periodEnd=TODAY.isoformat(),
    )
    review_id = review["reviewId"]
    finding = ok(
        api,
        "recordReviewFinding",
        "findingId reviewId",
        reviewId=review_id,
        area="CUSTOMER_FEEDBACK",
        description="NPS fell",
        kpiId="nps",
        observedValue="12",
        targetValue="30",
    )
    assert finding["findingId"]
    assert finding["reviewId"] == review_id
    adjustment = ok(
        api,
        "decideReviewAdjustment",
        "adjustmentId",
        reviewId=review_id,
        kind="SERVICE_STANDARD",
        description="monthly reviews for strategic accounts",
        dueDate=TODAY.isoformat(),
    )
    ok(api, "implementReviewAdjustment", reviewId=review_id, adjustmentId=adjustment["adjustmentId"])
    ok(api, "concludeProcessReview", reviewId=review_id, summary="two changes made")
    late = refused(api, "recordReviewFinding", reviewId=review_id, area="OTHER", description="one more")
    assert late == {"field": ["input", "reviewId"], "message": "the review is concluded", "code": "REVIEW_CONCLUDED"}

    strategy = ok(
        api,
        "launchRetentionStrategy",
        "strategyId",
        name="Loyalty",
        description="packages",
        startsOn=MONTH.isoformat(),
        targetTiers=["STRATEGIC"],
    )
    launch_property(api)
    account_id = open_account(api)["account"]["id"]
    won = quote(api, account_id, retentionStrategyId=strategy["strategyId"], personalisedPackage=True)
    assert won["userErrors"] == []
    ok(api, "endRetentionStrategy", strategyId=strategy["strategyId"], endsOn=TODAY.isoformat(), reason="budget")

    decision = ok(
        api,
        "recordManagementDecision",
        "decisionId",
        title="Hire two RMs",
        description="for the north",
        kpiId="loss_ratio",
        baselineValue="0.71",
        decidedBy="E-1",
    )
    outcome = ok(
        api,
        "recordDecisionOutcome",
        "decisionId",
        decisionId=decision["decisionId"],
        observedValue="0.65",
        impact="POSITIVE",
    )
    assert outcome["decisionId"] == decision["decisionId"]
    wrong_kind = refused(api, "recordDecisionOutcome", decisionId=review_id, observedValue="1", impact="NEUTRAL")
    assert wrong_kind["code"] == "NOT_FOUND"
    assert wrong_kind["field"] == ["input", "decisionId"]


def publish_analysis(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    data = {
        "authorId": "E-100",
        "title": "Rivals 2026",
        "competitors": ["Northwind", "Contoso"],
        "summary": "cheaper on SME property",
        "segment": "SME",
        **overrides,
    }
    return ok(client, "publishCompetitorAnalysis", "analysisId", **data)


def identify_renewables(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    data = {
        "code": "renewables",
        "name": "Renewable energy",
        "description": "wind and solar operators",
        "identifiedBy": "E-100",
        "closestSegment": "CORPORATE",
        **overrides,
    }
    return ok(client, "identifyMarketSegment", "code", **data)


def measure_penetration(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    data = {
        "segment": "SME",
        "region": "North",
        "asOf": TODAY.isoformat(),
        "clientsServed": 10,
        "addressableClients": 400,
        "source": "census",
        **overrides,
    }
    return ok(client, "recordMarketPenetration", "measurementId", **data)


def propose_initiative(client: httpx.Client, title: str, owner_id: str = "E-100") -> dict[str, Any]:
    return ok(
        client,
        "proposeExpansionInitiative",
        "initiativeId",
        title=title,
        ownerId=owner_id,
        targetDate=TODAY.isoformat(),
    )


def test_market_research_records(api: httpx.Client) -> None:
    assert publish_analysis(api)["analysisId"]
    assert identify_renewables(api)["code"] == "renewables"
    duplicate = refused(api, "identifyMarketSegment", code="renewables", name="x", description="y", identifiedBy="E-1")
    assert duplicate["code"] == "DUPLICATE"
    assert measure_penetration(api)["measurementId"]
    initiative = propose_initiative(api, "Renewables push")
    ok(api, "implementExpansionInitiative", initiativeId=initiative["initiativeId"])
    moon = propose_initiative(api, "Moon base")
    assert refused(api, "abandonExpansionInitiative", initiativeId=moon["initiativeId"])["field"] == ["input", "reason"]
    ok(api, "abandonExpansionInitiative", initiativeId=moon["initiativeId"], reason="no demand")


def test_a_domain_mutation_retried_with_its_key_is_replayed(api: httpx.Client) -> None:
    data = {
        "code": "CYBER-1",
        "name": "Cyber",
        "lineOfBusiness": "cyber",
        "targetSegments": ["SME"],
        "idempotencyKey": "k1",
    }
    first = ok(api, "launchProduct", "code", **data)
    again = mutate(api, "launchProduct", "code", **data)
    assert again["replayed"] is True
    assert again["code"] == "CYBER-1"
    assert again["version"] == first["version"]
