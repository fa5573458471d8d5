"""The domain's closed sets, exposed as GraphQL enums (member names are the GraphQL values).

The domain enums stay free of GraphQL: each value's description is attached here, to the enum
definition strawberry builds (its `EnumValue.description`, what `strawberry.enum_value` would set).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from kamcore.domain import values
from kamcore.projections import feedback_records, market_research

E = TypeVar("E", bound=Enum)


def described(cls: type[E], description: str, docs: Mapping[E, str]) -> type[E]:
    """`strawberry.enum(cls)` with a description on every value; every member must be described."""
    if set(docs) != set(cls):
        missing = sorted(m.name for m in set(cls) - set(docs))
        raise ValueError(f"{cls.__name__}: describe every member (missing: {missing})")
    wrapped = strawberry.enum(cls, description=description)
    definition: Any = wrapped.__strawberry_definition__  # type: ignore[attr-defined]
    assert isinstance(definition, StrawberryEnumDefinition)
    definition.values = [dataclasses.replace(v, description=docs[cls(v.value)]) for v in definition.values]
    return wrapped


Segment = described(
    values.Segment,
    "Customer segment an account is served in.",
    {
        values.Segment.CORPORATE: "Large corporate customers.",
        values.Segment.MID_MARKET: "Mid-sized companies.",
        values.Segment.SME: "Small and medium-sized enterprises.",
        values.Segment.PUBLIC_SECTOR: "Public bodies and government organisations.",
        values.Segment.AFFINITY: "Affinity groups (associations, member organisations) insured as a group.",
        values.Segment.HIGH_NET_WORTH: "High-net-worth private clients.",
        values.Segment.RETAIL: "Retail (private) customers.",
    },
)
AccountSize = described(
    values.AccountSize,
    "Size band of the customer organisation.",
    {
        values.AccountSize.MICRO: "Micro organisation (smallest band).",
        values.AccountSize.SMALL: "Small organisation.",
        values.AccountSize.MEDIUM: "Medium-sized organisation.",
        values.AccountSize.LARGE: "Large organisation.",
        values.AccountSize.ENTERPRISE: "Enterprise (largest band).",
    },
)
AccountStatus = described(
    values.AccountStatus,
    "A closed account accepts no new business.",
    {
        values.AccountStatus.ACTIVE: "Open: the account accepts changes and new business.",
        values.AccountStatus.CLOSED: "Closed (see Account.closedOn): no new business; closing cannot be undone.",
    },
)
StakeholderRole = described(
    values.StakeholderRole,
    "Role of a contact in buying decisions.",
    {
        values.StakeholderRole.DECISION_MAKER: "Makes the buying decision.",
        values.StakeholderRole.INFLUENCER: "Influences the decision without making it.",
        values.StakeholderRole.USER: "Uses the cover or service day to day.",
        values.StakeholderRole.GATEKEEPER: "Controls access to the decision makers and information.",
        values.StakeholderRole.CHAMPION: "Advocates for us inside the customer organisation.",
        values.StakeholderRole.FINANCE: "Approves budgets and payments.",
    },
)
NeedPriority = described(
    values.NeedPriority,
    "How pressing an identified need is.",
    {
        values.NeedPriority.LOW: "Can wait.",
        values.NeedPriority.MEDIUM: "Normal priority (the default).",
        values.NeedPriority.HIGH: "Pressing; address first.",
    },
)
TeamRole = described(
    values.TeamRole,
    "Role on an account team; exactly one LEAD at a time.",
    {
        values.TeamRole.LEAD: "Lead relationship manager; exactly one at a time, changed by handOverLead.",
        values.TeamRole.RELATIONSHIP_MANAGER: "Relationship manager serving the account alongside the lead.",
        values.TeamRole.UNDERWRITER: "Underwriter assessing and pricing the account's risks.",
        values.TeamRole.CLAIMS_MANAGER: "Claims manager handling the account's claims.",
        values.TeamRole.SERVICE_MANAGER: "Service manager for day-to-day servicing.",
        values.TeamRole.RISK_ENGINEER: "Risk engineer assessing and advising on the customer's risks.",
        values.TeamRole.SPECIALIST: "Other specialist on the team.",
    },
)
SurveyScale = described(
    values.SurveyScale,
    "CSAT 1-5, NPS 0-10, or a 1-5 rating.",
    {
        values.SurveyScale.CSAT: "Customer satisfaction, scored 1-5.",
        values.SurveyScale.NPS: "Net Promoter Score question (likelihood to recommend), scored 0-10.",
        values.SurveyScale.RATING_5: "A 1-5 rating, e.g. of a digital service or education material.",
    },
)
SurveySubject = described(
    values.SurveySubject,
    "What a survey response rates.",
    {
        values.SurveySubject.OVERALL_SERVICE: "The service overall (the default).",
        values.SurveySubject.BENEFITS_UNDERSTANDING: "How well the customer understands their benefits and cover.",
        values.SurveySubject.EDUCATION_MATERIAL: "Education material provided to the customer.",
        values.SurveySubject.DIGITAL_SERVICE: "Digital (online) service.",
        values.SurveySubject.CLAIMS_EXPERIENCE: "The experience of making a claim.",
    },
)

# -- sales records ------------------------------------------------------------------------------

BusinessKind = described(
    values.BusinessKind,
    "Why a policy was written; KPIs split new clients from existing clients and renewals.",
    {
        values.BusinessKind.NEW_CLIENT: "The first business with a client (new business acquisition).",
        values.BusinessKind.CROSS_SELL: "An existing client buys another policy.",
        values.BusinessKind.RENEWAL: "The next term of a bound policy (name it in renewsPolicyId).",
    },
)
Initiator = described(
    values.Initiator,
    "Who ended or refused the business; retention KPIs treat the two differently.",
    {
        values.Initiator.CUSTOMER: "The customer ended or refused it.",
        values.Initiator.INSURER: "We (the insurer) ended or refused it.",
    },
)

# -- relationship activity ----------------------------------------------------------------------

InteractionKind = described(
    values.InteractionKind,
    "Kind of contact with the customer.",
    {
        values.InteractionKind.MEETING: "A meeting with the customer.",
        values.InteractionKind.ACCOUNT_REVIEW: "A periodic review of the account with the customer.",
        values.InteractionKind.EDUCATION_SESSION: "A session educating the customer on cover and benefits.",
        values.InteractionKind.RISK_ASSESSMENT: "An assessment of the customer's risks.",
        values.InteractionKind.COVERAGE_ASSESSMENT: "A check of the customer's cover against our standard.",
    },
)
CoverageResult = described(
    values.CoverageResult,
    "Result of a coverage assessment against the insurer's standard.",
    {
        values.CoverageResult.ADEQUATE: "The cover meets the standard.",
        values.CoverageResult.INADEQUATE: "The cover falls short of the standard.",
    },
)
RecommendationKind = described(
    values.RecommendationKind,
    "What kind of sale a recommendation aims at.",
    {
        values.RecommendationKind.CROSS_SELL: "Another line for an existing client (the default).",
        values.RecommendationKind.UP_SELL: "More cover on a line the client already holds.",
        values.RecommendationKind.NEW_CLIENT: "The first product for a prospect.",
    },
)

# -- personnel ----------------------------------------------------------------------------------

LearningFormat = described(
    values.LearningFormat,
    "Format of a learning event a relationship manager attended.",
    {
        values.LearningFormat.WORKSHOP: "A hands-on workshop.",
        values.LearningFormat.SEMINAR: "A seminar.",
        values.LearningFormat.CONFERENCE: "A conference.",
        values.LearningFormat.WEBINAR: "An online webinar.",
    },
)
AuditRating = described(
    values.AuditRating,
    "Banded compliance-audit rating, A best.",
    {
        values.AuditRating.A: "Best band: fully compliant.",
        values.AuditRating.B: "Minor findings.",
        values.AuditRating.C: "Significant findings.",
        values.AuditRating.D: "Worst band: serious findings.",
    },
)
ViolationSeverity = described(
    values.ViolationSeverity,
    "How serious a regulatory violation is.",
    {
        values.ViolationSeverity.LOW: "Low severity.",
        values.ViolationSeverity.MEDIUM: "Medium severity.",
        values.ViolationSeverity.HIGH: "High severity.",
        values.ViolationSeverity.CRITICAL: "Critical: escalate at once.",
    },
)
InnovationOutcome = described(
    values.InnovationOutcome,
    "How an innovation project ended.",
    {
        values.InnovationOutcome.SUCCEEDED: "The project met its aim.",
        values.InnovationOutcome.FAILED: "The project did not meet its aim.",
    },
)

# -- programme ----------------------------------------------------------------------------------

KeyAccountTier = described(
    values.KeyAccountTier,
    "Tier of a key account in the KAM method (attractiveness x relative strength).",
    {
        values.KeyAccountTier.STRATEGIC: "Attractive account where we are strong: invest most.",
        values.KeyAccountTier.DEVELOPMENT: "Attractive account where we are weaker: develop the position.",
        values.KeyAccountTier.MAINTENANCE: "Less attractive account where we are strong: maintain.",
        values.KeyAccountTier.STREAMLINE: "Less attractive account where we are weaker: serve efficiently.",
    },
)
OverrideDecision = described(
    values.OverrideDecision,
    "A manual decision on key-account membership.",
    {
        values.OverrideDecision.FORCE_IN: "Treat the account as key (in the given tier) whatever the ranking says.",
        values.OverrideDecision.FORCE_OUT: "Keep the account out of the key set whatever the ranking says.",
    },
)
TargetScope = described(
    values.TargetScope,
    "Who a KPI target is set for.",
    {
        values.TargetScope.RELATIONSHIP_MANAGER: "One relationship manager (scopeId: the employee id).",
        values.TargetScope.TEAM: "One team of relationship managers (scopeId: the team name).",
        values.TargetScope.COMPANY: "The whole company (no scopeId).",
    },
)
FindingArea = described(
    values.FindingArea,
    "What a process-review finding is measured against.",
    {
        values.FindingArea.SALES_VOLUME: "Sales volumes.",
        values.FindingArea.CUSTOMER_FEEDBACK: "Customer feedback (CSAT, NPS, complaints).",
        values.FindingArea.MARKET_CHANGE: "Changes in the market.",
        values.FindingArea.SERVICE_STANDARD: "Adherence to the service standards.",
        values.FindingArea.OTHER: "Anything else.",
    },
)
AdjustmentKind = described(
    values.AdjustmentKind,
    "What a process review decided to change.",
    {
        values.AdjustmentKind.CRITERIA_VERSION: "The key-account criteria (a new criteria version).",
        values.AdjustmentKind.SERVICE_STANDARD: "A service standard.",
        values.AdjustmentKind.KPI_TARGET: "A KPI target.",
        values.AdjustmentKind.TEAM: "Team structure or staffing.",
        values.AdjustmentKind.PROCESS: "A working process.",
        values.AdjustmentKind.OTHER: "Anything else.",
    },
)
DecisionImpact = described(
    values.DecisionImpact,
    "Observed impact of a management decision on its KPI.",
    {
        values.DecisionImpact.POSITIVE: "The KPI moved the intended way.",
        values.DecisionImpact.NEUTRAL: "No material change.",
        values.DecisionImpact.NEGATIVE: "The KPI moved the wrong way.",
    },
)

# -- read models --------------------------------------------------------------------------------

PolicyStatus = described(
    values.PolicyStatus,
    "Where a policy term is in its lifecycle: quote, then bound (possibly renewed or endorsed), or ended.",
    {
        values.PolicyStatus.QUOTED: "A quote, not yet answered.",
        values.PolicyStatus.BOUND: "In force (or run to expiry); renewedBy names the next term once renewed.",
        values.PolicyStatus.DECLINED: "The quote was declined (initiatedBy says by whom).",
        values.PolicyStatus.EXPIRED: "The quote expired unanswered.",
        values.PolicyStatus.CANCELLED: "Ended early by a cancellation (initiatedBy says by whom).",
        values.PolicyStatus.LAPSED: "Ended without renewal, or for non-payment (initiatedBy says by whom).",
    },
)
InteractionStatus = described(
    values.InteractionStatus,
    "Whether an interaction is planned, took place or was called off.",
    {
        values.InteractionStatus.SCHEDULED: "Planned for scheduledFor.",
        values.InteractionStatus.HELD: "Took place on heldOn.",
        values.InteractionStatus.CANCELLED: "Called off on cancelledOn.",
    },
)
RecommendationStatus = described(
    values.RecommendationStatus,
    "Whether the customer has answered a recommendation.",
    {
        values.RecommendationStatus.MADE: "Made, not yet answered.",
        values.RecommendationStatus.ACCEPTED: "Accepted (policyId names the policy it became, once linked).",
        values.RecommendationStatus.DECLINED: "Declined (declinedBecause says why).",
    },
)
CriteriaStatus = described(
    values.CriteriaStatus,
    "Where a key-account criteria version stands.",
    {
        values.CriteriaStatus.PROPOSED: "Proposed; can be simulated, adopted or rejected.",
        values.CriteriaStatus.ADOPTED: "In force from effectiveFrom.",
        values.CriteriaStatus.REJECTED: "Rejected; never applied.",
        values.CriteriaStatus.SUPERSEDED: "Was in force; a later adopted version replaced it from its effectiveFrom.",
    },
)


@strawberry.enum(description="The latest step of a claim.")
class ClaimStatus(Enum):
    REPORTED = strawberry.enum_value("reported", description="Reported; no reserve or payment yet.")
    RESERVED = strawberry.enum_value("reserved", description="A case reserve was set (the latest step).")
    PAID = strawberry.enum_value("paid", description="A payment was made (the latest step).")
    CLOSED = strawberry.enum_value("closed", description="Closed; any reserve released.")
    REOPENED = strawberry.enum_value("reopened", description="Reopened after it was closed (the latest step).")


@strawberry.enum(description="Whether a relationship manager still works in the KAM organisation.")
class RelationshipManagerStatus(Enum):
    ACTIVE = strawberry.enum_value("active", description="Registered and has not left.")
    LEFT = strawberry.enum_value("left", description="Left on leftOn.")


@strawberry.enum(description="Whether a process review is still taking findings and adjustments.")
class ProcessReviewStatus(Enum):
    OPEN = strawberry.enum_value("open", description="Open: findings and adjustments can be added.")
    CONCLUDED = strawberry.enum_value("concluded", description="Concluded on concludedOn, with a summary.")


@strawberry.enum(description="Kind of a relationship manager's development or compliance record.")
class PersonnelRecordKind(Enum):
    CERTIFICATION = strawberry.enum_value("certification", description="A certification obtained (development).")
    WORKSHOP = strawberry.enum_value("workshop", description="A workshop, seminar, conference or webinar attended.")
    TRAINING = strawberry.enum_value("training", description="Training assigned (completedOn once completed).")
    KNOWLEDGE_SHARING = strawberry.enum_value("knowledge_sharing", description="Knowledge shared with colleagues.")
    COMPLIANCE_AUDIT = strawberry.enum_value("compliance_audit", description="A compliance audit (compliance).")
    COMPLIANCE_TRAINING = strawberry.enum_value("compliance_training", description="Compliance training attended.")
    REGULATORY_VIOLATION = strawberry.enum_value("regulatory_violation", description="A regulatory violation.")
    DOCUMENTATION_CHECK = strawberry.enum_value(
        "documentation_check", description="A check of the accuracy of the RM's policy documentation."
    )


@strawberry.enum(description="Where a complaint is in its lifecycle: raised, then resolved at most once.")
class ComplaintStatus(Enum):
    OPEN = strawberry.enum_value(feedback_records.OPEN, description="Raised and not yet resolved.")
    RESOLVED = strawberry.enum_value(feedback_records.RESOLVED, description="Resolved on resolvedOn (see resolution).")


@strawberry.enum(description="Kind of a market-research record.")
class MarketResearchKind(Enum):
    COMPETITOR_ANALYSIS = strawberry.enum_value(
        market_research.COMPETITOR_ANALYSIS, description="A competitor analysis report (CompetitorAnalysis)."
    )
    MARKET_SEGMENT = strawberry.enum_value(
        market_research.MARKET_SEGMENT, description="A new market segment identified (MarketSegment)."
    )
    MARKET_PENETRATION = strawberry.enum_value(
        market_research.MARKET_PENETRATION,
        description="Market-penetration figures for a segment and region (MarketPenetration).",
    )
    EXPANSION_INITIATIVE = strawberry.enum_value(
        market_research.EXPANSION_INITIATIVE, description="A market-share expansion initiative (ExpansionInitiative)."
    )


@strawberry.enum(description="Where an expansion initiative stands: proposed, then implemented or abandoned.")
class ExpansionInitiativeStatus(Enum):
    PROPOSED = strawberry.enum_value(market_research.PROPOSED, description="Proposed; not yet closed.")
    IMPLEMENTED = strawberry.enum_value(market_research.IMPLEMENTED, description="Implemented on closedOn.")
    ABANDONED = strawberry.enum_value(
        market_research.ABANDONED, description="Abandoned on closedOn (abandonedBecause says why)."
    )
