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
