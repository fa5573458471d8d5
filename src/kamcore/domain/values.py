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
        if type(amount) is Decimal:
            value = amount  # what Decimal(str(amount)) gives, without the round trip (money is re-checked often)
        else:
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


# -- sales records ------------------------------------------------------------------------------


class BusinessKind(Enum):
    """Why a policy was written: KPIs split new clients from existing clients and renewals."""

    NEW_CLIENT = "new_client"  # the first business with a client: new business acquisition
    CROSS_SELL = "cross_sell"  # an existing client buys another policy
    RENEWAL = "renewal"  # the next term of a policy this one renews


class PolicyStatus(Enum):
    QUOTED = "quoted"
    BOUND = "bound"
    DECLINED = "declined"  # the quote was declined
    EXPIRED = "expired"  # the quote expired unanswered
    CANCELLED = "cancelled"
    LAPSED = "lapsed"


class Initiator(Enum):
    """Who ended or refused the business; retention KPIs treat the two differently."""

    CUSTOMER = "customer"
    INSURER = "insurer"


class ClaimStatus(Enum):
    OPEN = "open"
    CLOSED = "closed"


# -- relationship activity ----------------------------------------------------------------------


class InteractionKind(Enum):
    MEETING = "meeting"
    ACCOUNT_REVIEW = "account_review"
    EDUCATION_SESSION = "education_session"
    RISK_ASSESSMENT = "risk_assessment"
    COVERAGE_ASSESSMENT = "coverage_assessment"


class InteractionStatus(Enum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class CoverageResult(Enum):
    """The result of a coverage assessment against the insurer's standard."""

    ADEQUATE = "adequate"
    INADEQUATE = "inadequate"


class RecommendationKind(Enum):
    CROSS_SELL = "cross_sell"  # another line for an existing client
    UP_SELL = "up_sell"  # more cover on a line the client holds
    NEW_CLIENT = "new_client"  # first product for a prospect


class RecommendationStatus(Enum):
    MADE = "made"
    ACCEPTED = "accepted"
    DECLINED = "declined"


# -- personnel ----------------------------------------------------------------------------------


class LearningFormat(Enum):
    WORKSHOP = "workshop"
    SEMINAR = "seminar"
    CONFERENCE = "conference"
    WEBINAR = "webinar"


class AuditRating(Enum):
    """Banded compliance-audit rating, A best."""

    A = "a"
    B = "b"
    C = "c"
    D = "d"


class ViolationSeverity(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class InnovationOutcome(Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# -- programme ----------------------------------------------------------------------------------


class KeyAccountTier(Enum):
    """Tiers of the KAM method (attractiveness x relative strength)."""

    STRATEGIC = "strategic"
    DEVELOPMENT = "development"
    MAINTENANCE = "maintenance"
    STREAMLINE = "streamline"


class CriteriaStatus(Enum):
    PROPOSED = "proposed"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class OverrideDecision(Enum):
    FORCE_IN = "force_in"
    FORCE_OUT = "force_out"


class TargetScope(Enum):
    """Who a KPI target is set for."""

    RELATIONSHIP_MANAGER = "relationship_manager"
    TEAM = "team"
    COMPANY = "company"


class FindingArea(Enum):
    """What a process-review finding is measured against."""

    SALES_VOLUME = "sales_volume"
    CUSTOMER_FEEDBACK = "customer_feedback"
    MARKET_CHANGE = "market_change"
    SERVICE_STANDARD = "service_standard"
    OTHER = "other"


class AdjustmentKind(Enum):
    """What a process review decided to change."""

    CRITERIA_VERSION = "criteria_version"
    SERVICE_STANDARD = "service_standard"
    KPI_TARGET = "kpi_target"
    TEAM = "team"
    PROCESS = "process"
    OTHER = "other"


class DecisionImpact(Enum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"
