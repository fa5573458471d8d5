"""Who may do what: every role against every mutation, through real HTTP, plus bad and revoked tokens."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from strawberry.relay import GlobalID

from kamcore.application import CommandContext
from kamcore.domain.values import Money
from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .conftest import grant_token
from .test_api_end_to_end import OPEN

OK, FORBIDDEN, UNAUTH = "ok", "FORBIDDEN", "UNAUTHENTICATED"
PRINCIPALS = ["admin", "manager", "service", "auditor", "rm_on_team", "rm_elsewhere", "anonymous"]

# The policy, written out: relationship managers write only to accounts on their team; team changes and
# closing are for admins and managers; auditors never write; opening accounts is not an RM's job.
EXPECTED = {
    "openAccount": [OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "updateAccountProfile": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "recordBusinessContext": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "identifyNeed": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "addStakeholder": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "removeStakeholder": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "assignRelationshipManager": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "releaseRelationshipManager": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "handOverLead": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordFeedback": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "raiseComplaint": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "resolveComplaint": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "recordReferral": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    # policies: sales work (RMs on the team) and imports (service)
    "issueQuote": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "bindPolicy": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "renewPolicy": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "declineQuote": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "expireQuote": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "endorsePolicy": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "cancelPolicy": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "lapsePolicy": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    # claims: RMs on the team report losses; reserves, payments, closing and reopening are claims handling
    "reportClaim": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "reserveClaim": [OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "payClaim": [OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "closeClaim": [OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "reopenClaim": [OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    # interactions and recommendations: the account team; service imports past interactions only
    "scheduleInteraction": [OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "holdInteraction": [OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "recordInteraction": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "cancelInteraction": [OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "addActionItem": [OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "completeActionItem": [OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "makeRecommendation": [OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "recommendSuggestedProduct": [OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "acceptRecommendation": [OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "declineRecommendation": [OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "linkRecommendationPolicy": [OK, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    # personnel: admins and managers (RMs do not file their own records)
    "registerRelationshipManager": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "changeRelationshipManagerTeam": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "setRelationshipManagerCapacity": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordRelationshipManagerDeparture": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordCertification": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordWorkshopAttendance": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "assignTraining": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "completeTraining": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordKnowledgeSharing": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordComplianceAudit": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordComplianceTraining": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "reportRegulatoryViolation": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordDocumentationCheck": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "setTeamGoal": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "achieveTeamGoal": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordEmployeeSatisfaction": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordToolAdoption": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "startInnovationProject": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "concludeInnovationProject": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordProcessTimeSaved": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "submitPerformanceReport": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "correctPerformanceReport": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    # products, the KAM programme, KPI targets and key-account overrides: admins and managers
    "launchProduct": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "reviseProduct": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "withdrawProduct": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "proposeCriteria": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "adoptCriteria": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "rejectCriteria": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "setServiceStandard": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "introduceTool": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "setKpiTarget": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "reviseKpiTarget": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "withdrawKpiTarget": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "overrideKeyAccount": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "revokeKeyAccountOverride": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    # process reviews, retention strategies, management decisions, market research: admins and managers
    "openProcessReview": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordReviewFinding": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "decideReviewAdjustment": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "implementReviewAdjustment": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "concludeProcessReview": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "launchRetentionStrategy": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "endRetentionStrategy": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordManagementDecision": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordDecisionOutcome": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "publishCompetitorAnalysis": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "identifyMarketSegment": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordMarketPenetration": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "proposeExpansionInitiative": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "implementExpansionInitiative": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "abandonExpansionInitiative": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    # erasing personal data (a contact, a feedback item) cannot be undone: admins only
    "eraseDataSubject": [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "eraseFeedbackPersonalData": [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    # last: closing the account
    "closeAccount": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
}


def inputs(world: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """A valid-looking input per mutation (the outcome may still be a userError; only access is tested).

    Ids of things that belong to an account (policy, claim, interaction, recommendation) are real, so the
    relationship-manager team check has an account to check against.
    """
    account, complaint = world["account"], world["complaint"]
    a = {"accountId": account}
    policy, claim = {"policyId": world["policy"]}, {"claimId": world["claim"]}
    interaction, recommendation = {"interactionId": world["interaction"]}, {"recommendationId": world["recommendation"]}
    rm = {"relationshipManagerId": "rm-1"}
    eur = {"amount": "100", "currency": "EUR"}
    unknown = str(GlobalID("Unknown", str(uuid4())))
    return {
        "openAccount": ("OpenAccountInput", {"name": "New", "segment": "SME", "region": "West"}),
        "updateAccountProfile": ("UpdateAccountProfileInput", {**a, "region": "East"}),
        "recordBusinessContext": ("RecordBusinessContextInput", {**a, "strategy": "grow"}),
        "identifyNeed": ("IdentifyNeedInput", {**a, "description": "cyber cover"}),
        "addStakeholder": ("AddStakeholderInput", {**a, "name": "Jo", "role": "USER"}),
        "removeStakeholder": ("RemoveStakeholderInput", {**a, "stakeholderId": "stakeholder-x"}),
        "assignRelationshipManager": (
            "AssignRelationshipManagerInput",
            {**a, "relationshipManagerId": "rm-7", "role": "SPECIALIST"},
        ),
        "releaseRelationshipManager": (
            "ReleaseRelationshipManagerInput",
            {**a, "assignmentId": "assignment-x", "reason": "moved"},
        ),
        "handOverLead": ("HandOverLeadInput", {**a, "relationshipManagerId": "rm-2", "reason": "rotation"}),
        "recordFeedback": ("RecordFeedbackInput", {**a, "scale": "NPS", "score": 8}),
        "raiseComplaint": ("RaiseComplaintInput", {**a, "category": "service", "description": "late"}),
        "resolveComplaint": ("ResolveComplaintInput", {"complaintId": complaint, "resolution": "fixed"}),
        "recordReferral": ("RecordReferralInput", {**a, "referredParty": "Friend Ltd"}),
        "issueQuote": (
            "IssueQuoteInput",
            {
                **a,
                "productCode": "PROP-1",
                "businessKind": "CROSS_SELL",
                "writtenPremium": eur,
                "commission": eur,
                "sumInsured": eur,
                "inceptionDate": "2026-01-01",
                "expiryDate": "2027-01-01",
            },
        ),
        "bindPolicy": ("BindPolicyInput", policy),
        "renewPolicy": (
            "RenewPolicyInput",
            {**policy, "writtenPremium": eur, "commission": eur, "expiryDate": "2028-01-01"},
        ),
        "declineQuote": ("DeclineQuoteInput", {**policy, "declinedBy": "CUSTOMER"}),
        "expireQuote": ("ExpireQuoteInput", policy),
        "endorsePolicy": ("EndorsePolicyInput", {**policy, "premiumChange": eur, "description": "new site"}),
        "cancelPolicy": ("CancelPolicyInput", {**policy, "initiatedBy": "CUSTOMER", "reason": "moved"}),
        "lapsePolicy": ("LapsePolicyInput", {**policy, "initiatedBy": "CUSTOMER"}),
        "reportClaim": ("ReportClaimInput", {**policy, "lossDate": "2026-01-02", "description": "fire"}),
        "reserveClaim": ("ReserveClaimInput", {**claim, "reserve": eur}),
        "payClaim": ("PayClaimInput", {**claim, "amount": eur}),
        "closeClaim": ("CloseClaimInput", claim),
        "reopenClaim": ("ReopenClaimInput", {**claim, "reason": "new evidence"}),
        "scheduleInteraction": (
            "ScheduleInteractionInput",
            {
                **a,
                "kind": "MEETING",
                "subject": "QBR",
                "scheduledFor": "2026-06-01",
                "relationshipManagerIds": ["rm-1"],
            },
        ),
        "holdInteraction": ("HoldInteractionInput", {**interaction, "outcome": "agreed"}),
        "recordInteraction": (
            "RecordInteractionInput",
            {**a, "kind": "MEETING", "subject": "lunch", "outcome": "ok", "relationshipManagerIds": ["rm-1"]},
        ),
        "cancelInteraction": ("CancelInteractionInput", {**interaction, "reason": "ill"}),
        "addActionItem": (
            "AddActionItemInput",
            {**interaction, "description": "send deck", "ownerId": "rm-1", "dueDate": "2026-07-01"},
        ),
        "completeActionItem": ("CompleteActionItemInput", {**interaction, "actionItemId": "action-x"}),
        "makeRecommendation": ("MakeRecommendationInput", {**a, "needId": world["need"], "productCode": "PROP-1"}),
        "recommendSuggestedProduct": (
            "RecommendSuggestedProductInput",
            {**a, "needId": world["need"], "productCode": "PROP-1"},
        ),
        "acceptRecommendation": ("AcceptRecommendationInput", recommendation),
        "declineRecommendation": ("DeclineRecommendationInput", {**recommendation, "reason": "no budget"}),
        "linkRecommendationPolicy": ("LinkRecommendationPolicyInput", {**recommendation, **policy}),
        "registerRelationshipManager": (
            "RegisterRelationshipManagerInput",
            {"employeeId": "rm-5", "name": "Eve", "team": "north", "capacity": 5},
        ),
        "changeRelationshipManagerTeam": ("ChangeRelationshipManagerTeamInput", {**rm, "team": "south"}),
        "setRelationshipManagerCapacity": ("SetRelationshipManagerCapacityInput", {**rm, "capacity": 7}),
        "recordRelationshipManagerDeparture": ("RecordRelationshipManagerDepartureInput", {**rm, "reason": "left"}),
        "recordCertification": ("RecordCertificationInput", {**rm, "certification": "ACII", "issuer": "CII"}),
        "recordWorkshopAttendance": (
            "RecordWorkshopAttendanceInput",
            {**rm, "title": "Cyber", "learningFormat": "WORKSHOP", "hours": "2"},
        ),
        "assignTraining": ("AssignTrainingInput", {**rm, "title": "Negotiation", "dueDate": "2030-01-01"}),
        "completeTraining": ("CompleteTrainingInput", {**rm, "trainingId": "training-x"}),
        "recordKnowledgeSharing": ("RecordKnowledgeSharingInput", {**rm, "title": "Playbook", "audienceSize": 9}),
        "recordComplianceAudit": (
            "RecordComplianceAuditInput",
            {**rm, "auditor": "IA", "rating": "A", "itemsApplicable": 10, "itemsPassed": 10},
        ),
        "recordComplianceTraining": ("RecordComplianceTrainingInput", {**rm, "title": "AML", "hours": "1"}),
        "reportRegulatoryViolation": (
            "ReportRegulatoryViolationInput",
            {**rm, "regulation": "IDD", "severity": "LOW", "occurredOn": "2026-01-01", "description": "late"},
        ),
        "recordDocumentationCheck": (
            "RecordDocumentationCheckInput",
            {**rm, "policiesChecked": 10, "policiesAccurate": 9},
        ),
        "setTeamGoal": ("SetTeamGoalInput", {**rm, "description": "grow", "dueDate": "2030-01-01"}),
        "achieveTeamGoal": ("AchieveTeamGoalInput", {**rm, "goalId": "goal-x"}),
        "recordEmployeeSatisfaction": ("RecordEmployeeSatisfactionInput", {**rm, "scale": "CSAT", "score": 4}),
        "recordToolAdoption": ("RecordToolAdoptionInput", {**rm, "toolId": "crm"}),
        "startInnovationProject": ("StartInnovationProjectInput", {**rm, "title": "bot"}),
        "concludeInnovationProject": (
            "ConcludeInnovationProjectInput",
            {**rm, "projectId": "project-x", "outcome": "SUCCEEDED"},
        ),
        "recordProcessTimeSaved": (
            "RecordProcessTimeSavedInput",
            {**rm, "process": "renewals", "hoursSaved": "3", "periodStart": "2026-01-01", "periodEnd": "2026-01-31"},
        ),
        "submitPerformanceReport": ("SubmitPerformanceReportInput", {**rm, "month": "2026-01-01"}),
        "correctPerformanceReport": (
            "CorrectPerformanceReportInput",
            {**rm, "month": "2026-01-01", "errorsFound": 1, "description": "typo"},
        ),
        "launchProduct": (
            "LaunchProductInput",
            {"code": "MAR-1", "name": "Marine", "lineOfBusiness": "marine", "targetSegments": ["SME"]},
        ),
        "reviseProduct": ("ReviseProductInput", {"code": "MAR-1", "name": "Marine cargo"}),
        "withdrawProduct": ("WithdrawProductInput", {"code": "MAR-1", "reason": "unprofitable"}),
        "proposeCriteria": (
            "ProposeCriteriaInput",
            {"versionId": "v9", "name": "Premium", "parameters": {"top_n": 30}, "effectiveFrom": "2026-01-01"},
        ),
        "adoptCriteria": ("AdoptCriteriaInput", {"versionId": "v9"}),
        "rejectCriteria": ("RejectCriteriaInput", {"versionId": "v9", "reason": "too broad"}),
        "setServiceStandard": (
            "SetServiceStandardInput",
            {"tier": "STRATEGIC", "reviewCadenceDays": 90, "requiredRoles": ["LEAD"]},
        ),
        "introduceTool": ("IntroduceToolInput", {"toolId": "crm", "name": "CRM"}),
        "setKpiTarget": (
            "SetKpiTargetInput",
            {
                "kpiId": "nps",
                "scope": "COMPANY",
                "periodStart": "2026-01-01",
                "periodEnd": "2026-12-31",
                "targetValue": "40",
                "deadline": "2026-12-31",
            },
        ),
        "reviseKpiTarget": ("ReviseKpiTargetInput", {"targetId": unknown, "targetValue": "45", "reason": "up"}),
        "withdrawKpiTarget": ("WithdrawKpiTargetInput", {"targetId": unknown, "reason": "dropped"}),
        "overrideKeyAccount": (
            "OverrideKeyAccountInput",
            {**a, "decision": "FORCE_OUT", "expiresOn": "2030-01-01", "reason": "board"},
        ),
        "revokeKeyAccountOverride": ("RevokeKeyAccountOverrideInput", {**a, "reason": "over"}),
        "openProcessReview": (
            "OpenProcessReviewInput",
            {"title": "H1", "periodStart": "2026-01-01", "periodEnd": "2026-06-30"},
        ),
        "recordReviewFinding": (
            "RecordReviewFindingInput",
            {"reviewId": unknown, "area": "OTHER", "description": "slow"},
        ),
        "decideReviewAdjustment": (
            "DecideReviewAdjustmentInput",
            {"reviewId": unknown, "kind": "PROCESS", "description": "faster", "dueDate": "2030-01-01"},
        ),
        "implementReviewAdjustment": (
            "ImplementReviewAdjustmentInput",
            {"reviewId": unknown, "adjustmentId": "adjustment-x"},
        ),
        "concludeProcessReview": ("ConcludeProcessReviewInput", {"reviewId": unknown, "summary": "done"}),
        "launchRetentionStrategy": (
            "LaunchRetentionStrategyInput",
            {"name": "Loyalty", "description": "packages", "startsOn": "2026-01-01"},
        ),
        "endRetentionStrategy": (
            "EndRetentionStrategyInput",
            {"strategyId": unknown, "endsOn": "2026-12-31", "reason": "over"},
        ),
        "recordManagementDecision": (
            "RecordManagementDecisionInput",
            {"title": "Hire", "description": "two RMs", "kpiId": "nps", "baselineValue": "31", "decidedBy": "ceo"},
        ),
        "recordDecisionOutcome": (
            "RecordDecisionOutcomeInput",
            {"decisionId": unknown, "observedValue": "35", "impact": "POSITIVE"},
        ),
        "publishCompetitorAnalysis": (
            "PublishCompetitorAnalysisInput",
            {"authorId": "rm-1", "title": "Rivals", "competitors": ["Northwind"], "summary": "cheaper"},
        ),
        "identifyMarketSegment": (
            "IdentifyMarketSegmentInput",
            {"code": "renewables", "name": "Renewables", "description": "wind", "identifiedBy": "rm-1"},
        ),
        "recordMarketPenetration": (
            "RecordMarketPenetrationInput",
            {
                "segment": "SME",
                "region": "North",
                "asOf": "2026-01-01",
                "clientsServed": 10,
                "addressableClients": 400,
                "source": "census",
            },
        ),
        "proposeExpansionInitiative": (
            "ProposeExpansionInitiativeInput",
            {"title": "Renewables push", "ownerId": "rm-1", "targetDate": "2030-01-01"},
        ),
        "implementExpansionInitiative": ("ImplementExpansionInitiativeInput", {"initiativeId": unknown}),
        "abandonExpansionInitiative": (
            "AbandonExpansionInitiativeInput",
            {"initiativeId": unknown, "reason": "no demand"},
        ),
        "eraseDataSubject": (
            "EraseDataSubjectInput",
            {**a, "stakeholderId": "stakeholder-x", "reason": "data-protection request"},
        ),
        "eraseFeedbackPersonalData": (
            "EraseFeedbackPersonalDataInput",
            {"feedbackId": str(GlobalID("Referral", str(uuid4()))), "reason": "data-protection request"},
        ),
        "closeAccount": ("CloseAccountInput", {**a, "reason": "lost"}),
    }


def outcome(client: httpx.Client, headers: dict[str, str], mutation: str, input_type: str, data: dict) -> str:
    query = f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ userErrors {{ code }} }} }}"
    body = client.post("/graphql", json={"query": query, "variables": {"input": data}}, headers=headers).json()
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    assert body["data"][mutation] is not None
    return OK


@pytest.fixture
def world(settings: Settings) -> dict[str, Any]:
    """An account led by rm-0 with rm-1 on its team, a complaint, a bound policy with a claim, an interaction,
    a recommendation, and a token per principal."""
    runtime = Runtime(settings)
    ctx = CommandContext(actor="test:setup", reason="setup", effective_date=datetime.now(UTC).date() - timedelta(9))
    try:
        account = runtime.app.open_account(ctx, name="Guarded", segment="corporate", region="North").aggregate_id
        runtime.app.assign_relationship_manager(ctx, account, relationship_manager_id="rm-0", role="lead")
        runtime.app.assign_relationship_manager(ctx, account, relationship_manager_id="rm-1", role="underwriter")
        complaint = runtime.app.raise_complaint(ctx, account, category="claims", description="slow").aggregate_id
        app = runtime.app
        app.launch_product(
            ctx, code="PROP-1", name="Property", line_of_business="property", target_segments=["corporate"]
        )
        need = app.identify_need(ctx, account, description="property cover").detail["need_id"]
        eur = Money.of("1000", "EUR")
        day = ctx.effective_date
        assert day is not None
        policy = app.issue_quote(
            ctx,
            account,
            product_code="PROP-1",
            business_kind="new_client",
            written_premium=eur,
            commission=Money.of("100", "EUR"),
            sum_insured=eur,
            inception_date=day,
            expiry_date=day + timedelta(days=365),
        ).aggregate_id
        app.bind_policy(ctx, policy)
        claim = app.report_claim(ctx, policy, loss_date=day, description="flood").aggregate_id
        interaction = app.schedule_interaction(
            ctx, account, kind="meeting", subject="QBR", scheduled_for=day, relationship_manager_ids=["rm-1"]
        ).aggregate_id
        recommendation = app.make_recommendation(ctx, account, need_id=need, product_code="PROP-1").aggregate_id
    finally:
        runtime.close()
    secrets = {
        "admin": grant_token(settings, "admin"),
        "manager": grant_token(settings, "manager"),
        "service": grant_token(settings, "service"),
        "auditor": grant_token(settings, "auditor"),
        "rm_on_team": grant_token(settings, "relationship_manager", "rm-1"),
        "rm_elsewhere": grant_token(settings, "relationship_manager", "rm-9"),
    }
    headers = {p: {"authorization": f"Bearer {s}"} for p, s in secrets.items()} | {"anonymous": {}}
    return {
        "account": str(GlobalID("Account", str(account))),
        "complaint": str(GlobalID("Complaint", str(complaint))),
        "policy": str(GlobalID("Policy", str(policy))),
        "claim": str(GlobalID("Claim", str(claim))),
        "interaction": str(GlobalID("Interaction", str(interaction))),
        "recommendation": str(GlobalID("Recommendation", str(recommendation))),
        "need": need,
        "headers": headers,
    }


def test_every_role_against_every_mutation(api: httpx.Client, world: dict[str, Any]) -> None:
    cases = inputs(world)
    assert set(cases) == set(EXPECTED)
    with httpx.Client(base_url=api.base_url, timeout=15) as bare:  # no default credentials
        actual = {
            mutation: [outcome(bare, world["headers"][p], mutation, *cases[mutation]) for p in PRINCIPALS]
            for mutation in EXPECTED
        }
    assert actual == EXPECTED


def test_queries_need_a_valid_token(api: httpx.Client, world: dict[str, Any]) -> None:
    query = {"query": "{ accounts(first: 5) { totalCount } }"}
    assert api.post("/graphql", json=query, headers=world["headers"]["auditor"]).json()["data"]["accounts"]
    for headers in (
        {"authorization": ""},
        {"authorization": "Basic abc"},
        {"authorization": "Bearer kam_nope"},
        {"authorization": "Bearer " + "x" * 5000},
    ):
        body = api.post("/graphql", json=query, headers=headers).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == UNAUTH


def test_revoked_and_expired_tokens_are_refused(api: httpx.Client, settings: Settings) -> None:
    runtime = Runtime(settings)
    try:
        ctx = CommandContext(actor="test", reason="leaver")
        revoked, revoked_secret = runtime.app.grant_token(ctx, name="leaver", role="manager")
        runtime.app.revoke_token(ctx, revoked.aggregate_id)
        _, short_secret = runtime.app.grant_token(
            ctx, name="short", role="manager", expires_at=datetime.now(UTC) + timedelta(seconds=1)
        )
    finally:
        runtime.close()
    time.sleep(1.2)
    for secret in (revoked_secret, short_secret):
        body = api.post(
            "/graphql",
            json={"query": OPEN, "variables": {"input": {"name": "X", "segment": "SME", "region": "W"}}},
            headers={"authorization": f"Bearer {secret}"},
        )
        assert body.json()["errors"][0]["extensions"]["code"] == UNAUTH
