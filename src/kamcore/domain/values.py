"""Value objects and closed sets shared by the aggregates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum

from kamcore.domain.errors import InvalidInput

ISO_CURRENCY = re.compile(r"^[A-Z]{3}$")
EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$")


def utcnow() -> datetime:
    """The one clock of the domain: timezone-aware UTC."""
    return datetime.now(UTC)


def today() -> date:
    return utcnow().date()


class Segment(Enum):
    """Customer segment an account is served in."""

    CORPORATE = "corporate"
    MID_MARKET = "mid_market"
    SME = "sme"
    PUBLIC_SECTOR = "public_sector"
    AFFINITY = "affinity"
    HIGH_NET_WORTH = "high_net_worth"
    RETAIL = "retail"


class AccountSize(Enum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    ENTERPRISE = "enterprise"


class AccountStatus(Enum):
    ACTIVE = "active"
    CLOSED = "closed"


class StakeholderRole(Enum):
    """Buying-centre roles of the KAM method."""

    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    USER = "user"
    GATEKEEPER = "gatekeeper"
    CHAMPION = "champion"
    FINANCE = "finance"


class NeedPriority(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class TeamRole(Enum):
    """Roles on an account team; exactly one LEAD at a time."""

    LEAD = "lead"
    RELATIONSHIP_MANAGER = "relationship_manager"
    UNDERWRITER = "underwriter"
    CLAIMS_MANAGER = "claims_manager"
    SERVICE_MANAGER = "service_manager"
    RISK_ENGINEER = "risk_engineer"
    SPECIALIST = "specialist"


class SurveyScale(Enum):
    """A survey instrument and its closed score range."""

    CSAT = "csat"  # 1..5
    NPS = "nps"  # 0..10
    RATING_5 = "rating_5"  # 1..5, e.g. digital-service or education-material rating

    @property
    def bounds(self) -> tuple[int, int]:
        return {SurveyScale.CSAT: (1, 5), SurveyScale.NPS: (0, 10), SurveyScale.RATING_5: (1, 5)}[self]


class SurveySubject(Enum):
    """What a survey response rates; KPIs select responses by subject."""

    OVERALL_SERVICE = "overall_service"
    BENEFITS_UNDERSTANDING = "benefits_understanding"
    EDUCATION_MATERIAL = "education_material"
    DIGITAL_SERVICE = "digital_service"
    CLAIMS_EXPERIENCE = "claims_experience"


class Source(Enum):
    """Where a command came from (part of the audit envelope)."""

    API = "api"
    IMPORT = "import"
    CLI = "cli"
    SYSTEM = "system"


@dataclass(frozen=True)
class Money:
    """An amount in an ISO 4217 currency; Decimal only, never float."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: object, currency: str, *, field: str = "amount", non_negative: bool = True) -> Money:
        if isinstance(amount, float | bool):
            raise InvalidInput("money must be a decimal string or Decimal, not a float", field=field)
        try:
            value = Decimal(str(amount))
        except (InvalidOperation, ValueError):
            raise InvalidInput(f"{amount!r} is not a decimal amount", field=field) from None
        if not value.is_finite():
            raise InvalidInput("amount must be finite", field=field)
        if non_negative and value < 0:
            raise InvalidInput("amount must not be negative", field=field)
        if value.as_tuple().exponent < -4:  # type: ignore[operator]
            raise InvalidInput("amount has more than 4 decimal places", field=field)
        if not ISO_CURRENCY.match(currency or ""):
            raise InvalidInput(f"{currency!r} is not an ISO 4217 currency code", field="currency")
        return cls(value, currency)


@dataclass(frozen=True)
class Stakeholder:
    """A contact at the account and their role in buying decisions."""

    stakeholder_id: str
    name: str
    role: StakeholderRole
    title: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Need:
    """A customer need identified by the account team (later matched with products)."""

    need_id: str
    description: str
    line_of_business: str | None
    priority: NeedPriority
    identified_on: date


@dataclass(frozen=True)
class BusinessContext:
    """What the KAM method asks the team to know about the customer's business."""

    strategy: str | None = None
    operating_dynamics: str | None = None
    challenges: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()
    buying_process: str | None = None
    buying_behaviour: str | None = None
