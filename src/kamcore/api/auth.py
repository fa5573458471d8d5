"""Bearer-token authentication and role-based authorisation for the API."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from graphql import GraphQLError
from strawberry.permission import BasePermission

from kamcore.application import KamApplication
from kamcore.domain.access_token import AccessToken, Role
from kamcore.domain.account_team import AccountTeam

CACHE_SECONDS = 5.0  # a revocation made by another process takes effect within this time


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id is the actor recorded in every audit envelope."""

    token_id: UUID
    name: str
    role: Role
    relationship_manager_id: str | None

    @property
    def actor(self) -> str:
        return f"token:{self.token_id}"


class AuthError(GraphQLError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})


def unauthenticated(reason: str) -> AuthError:
    return AuthError(reason, "UNAUTHENTICATED")


def forbidden(reason: str) -> AuthError:
    return AuthError(reason, "FORBIDDEN")


class Authenticator:
    """Resolves `Authorization: Bearer <secret>` to a principal, caching lookups briefly per process."""

    def __init__(self, app: KamApplication) -> None:
        self.app = app
        self._cache: dict[str, tuple[float, AccessToken | None]] = {}
        self._lock = threading.Lock()

    def principal(self, authorization: str | None) -> Principal | AuthError:
        """Who sends this Authorization header; may read the token from the store (call off the event loop)."""
        secret = _bearer_secret(authorization)
        return secret if isinstance(secret, AuthError) else _principal_of(self._token(secret))

    def cached_principal(self, authorization: str | None) -> Principal | AuthError | None:
        """`principal` when it needs no read (a refused header, or a token looked up in the last seconds);
        None when only `principal` can tell. Lets a request with a known token skip a thread hop."""
        secret = _bearer_secret(authorization)
        if isinstance(secret, AuthError):
            return secret
        cached = self._fresh(secret)
        return None if cached is None else _principal_of(cached[1])

    def _fresh(self, secret: str) -> tuple[float, AccessToken | None] | None:
        """The cache entry (expiry, token or None for an unknown secret) while it is fresh."""
        with self._lock:
            cached = self._cache.get(secret)
        return cached if cached and cached[0] > time.monotonic() else None

    def _token(self, secret: str) -> AccessToken | None:
        cached = self._fresh(secret)
        if cached is not None:
            return cached[1]
        now = time.monotonic()
        token = self.app.token_for_secret(secret)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[secret] = (now + CACHE_SECONDS, token)
        return token


def _bearer_secret(authorization: str | None) -> str | AuthError:
    """The secret of a `Bearer <secret>` header, or why the header is refused."""
    if not authorization:
        return unauthenticated("send Authorization: Bearer <token>")
    scheme, _, secret = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return unauthenticated("the Authorization header must be 'Bearer <token>'")
    return secret.strip()


def _principal_of(token: AccessToken | None) -> Principal | AuthError:
    """The principal of a stored token, checked for revocation and expiry now."""
    if token is None:
        return unauthenticated("unknown token")
    if not token.is_valid_at(datetime.now(UTC)):
        return unauthenticated("the token is revoked or expired")
    return Principal(token.id, token.name, token.role, token.relationship_manager_id)


# Who may run each mutation. RELATIONSHIP_MANAGER in a set means: only on accounts whose team they are on.
ACCOUNT_WRITERS = frozenset({Role.ADMIN, Role.MANAGER, Role.SERVICE, Role.RELATIONSHIP_MANAGER})
TEAM_MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})
SALES_WRITERS = frozenset({Role.ADMIN, Role.MANAGER, Role.RELATIONSHIP_MANAGER})
POLICY_WRITERS = SALES_WRITERS | {Role.SERVICE}
CLAIM_HANDLERS = frozenset({Role.ADMIN, Role.MANAGER, Role.SERVICE})
MUTATION_ROLES: dict[str, frozenset[Role]] = {
    "openAccount": frozenset({Role.ADMIN, Role.MANAGER, Role.SERVICE}),
    "updateAccountProfile": ACCOUNT_WRITERS,
    "recordBusinessContext": ACCOUNT_WRITERS,
    "identifyNeed": ACCOUNT_WRITERS,
    "addStakeholder": ACCOUNT_WRITERS,
    "removeStakeholder": ACCOUNT_WRITERS,
    "closeAccount": TEAM_MANAGERS,
    "assignRelationshipManager": TEAM_MANAGERS,
    "releaseRelationshipManager": TEAM_MANAGERS,
    "handOverLead": TEAM_MANAGERS,
    "recordFeedback": ACCOUNT_WRITERS,
    "raiseComplaint": ACCOUNT_WRITERS,
    "resolveComplaint": ACCOUNT_WRITERS,
    "recordReferral": ACCOUNT_WRITERS,
    # policies: sales work, and imports from the policy-administration system
    "issueQuote": POLICY_WRITERS,
    "bindPolicy": POLICY_WRITERS,
    "renewPolicy": POLICY_WRITERS,
    "declineQuote": POLICY_WRITERS,
    "expireQuote": POLICY_WRITERS,
    "endorsePolicy": POLICY_WRITERS,
    "cancelPolicy": POLICY_WRITERS,
    "lapsePolicy": POLICY_WRITERS,
    # claims: the RM reports the loss; reserves, payments and closing are claims handling
    "reportClaim": POLICY_WRITERS,
    "reserveClaim": CLAIM_HANDLERS,
    "payClaim": CLAIM_HANDLERS,
    "closeClaim": CLAIM_HANDLERS,
    "reopenClaim": CLAIM_HANDLERS,
    # relationship activity
    "scheduleInteraction": SALES_WRITERS,
    "holdInteraction": SALES_WRITERS,
    "recordInteraction": POLICY_WRITERS,
    "cancelInteraction": SALES_WRITERS,
    "addActionItem": SALES_WRITERS,
    "completeActionItem": SALES_WRITERS,
    "makeRecommendation": SALES_WRITERS,
    "acceptRecommendation": SALES_WRITERS,
    "declineRecommendation": SALES_WRITERS,
    "linkRecommendationPolicy": SALES_WRITERS,
    "recommendSuggestedProduct": SALES_WRITERS,
    # personnel
    "registerRelationshipManager": TEAM_MANAGERS,
    "changeRelationshipManagerTeam": TEAM_MANAGERS,
    "setRelationshipManagerCapacity": TEAM_MANAGERS,
    "recordRelationshipManagerDeparture": TEAM_MANAGERS,
    "recordCertification": TEAM_MANAGERS,
    "recordWorkshopAttendance": TEAM_MANAGERS,
    "assignTraining": TEAM_MANAGERS,
    "completeTraining": TEAM_MANAGERS,
    "recordKnowledgeSharing": TEAM_MANAGERS,
    "recordComplianceAudit": TEAM_MANAGERS,
    "recordComplianceTraining": TEAM_MANAGERS,
    "reportRegulatoryViolation": TEAM_MANAGERS,
    "recordDocumentationCheck": TEAM_MANAGERS,
    "setTeamGoal": TEAM_MANAGERS,
    "achieveTeamGoal": TEAM_MANAGERS,
    "recordEmployeeSatisfaction": TEAM_MANAGERS,
    "recordToolAdoption": TEAM_MANAGERS,
    "startInnovationProject": TEAM_MANAGERS,
    "concludeInnovationProject": TEAM_MANAGERS,
    "recordProcessTimeSaved": TEAM_MANAGERS,
    "submitPerformanceReport": TEAM_MANAGERS,
    "correctPerformanceReport": TEAM_MANAGERS,
    # products and the KAM programme
    "launchProduct": TEAM_MANAGERS,
    "reviseProduct": TEAM_MANAGERS,
    "withdrawProduct": TEAM_MANAGERS,
    "proposeCriteria": TEAM_MANAGERS,
    "adoptCriteria": TEAM_MANAGERS,
    "rejectCriteria": TEAM_MANAGERS,
    "setServiceStandard": TEAM_MANAGERS,
    "introduceTool": TEAM_MANAGERS,
    "setKpiTarget": TEAM_MANAGERS,
    "reviseKpiTarget": TEAM_MANAGERS,
    "withdrawKpiTarget": TEAM_MANAGERS,
    "overrideKeyAccount": TEAM_MANAGERS,
    "revokeKeyAccountOverride": TEAM_MANAGERS,
    # continuous improvement and market research
    "openProcessReview": TEAM_MANAGERS,
    "recordReviewFinding": TEAM_MANAGERS,
    "decideReviewAdjustment": TEAM_MANAGERS,
    "implementReviewAdjustment": TEAM_MANAGERS,
    "concludeProcessReview": TEAM_MANAGERS,
    "launchRetentionStrategy": TEAM_MANAGERS,
    "endRetentionStrategy": TEAM_MANAGERS,
    "recordManagementDecision": TEAM_MANAGERS,
    "recordDecisionOutcome": TEAM_MANAGERS,
    "publishCompetitorAnalysis": TEAM_MANAGERS,
    "identifyMarketSegment": TEAM_MANAGERS,
    "recordMarketPenetration": TEAM_MANAGERS,
    "proposeExpansionInitiative": TEAM_MANAGERS,
    "implementExpansionInitiative": TEAM_MANAGERS,
    "abandonExpansionInitiative": TEAM_MANAGERS,
    # personal data: erasure cannot be undone
    "eraseDataSubject": frozenset({Role.ADMIN}),
    "eraseFeedbackPersonalData": frozenset({Role.ADMIN}),
}
"""The role policy, per mutation (the literal matrix is `tests/test_api_security.py`).

- Auditors never write.
- Accounts, feedback: admin, manager, service (imports) and RMs on the account's team; opening is not an
  RM's job; closing and restaffing are for admins and managers.
- Sales work on an account (quotes, binding, renewals, endorsements, cancellations, lapses, reporting a
  claim, interactions, recommendations): admin, manager and RMs on the account's team today. The service
  role also writes policies, claims and past interactions (`recordInteraction`): it imports them from the
  policy-administration and claims systems.
- Claim handling (reserve, pay, close, reopen): admin, manager and service only, not RMs, so that whoever
  sells the business does not also set reserves and pay out on it (segregation of duties).
- Personnel records, products, the KAM programme (criteria, service standards, tools), KPI targets,
  key-account overrides, process reviews, retention strategies, management decisions and market research:
  admin and manager only. RMs do not record their own development or compliance records either: these
  records feed KPIs and compliance reporting, so a manager attests them. (Letting RMs file their own
  would need an "own record" check beside `authorize_mutation`, which only knows account teams.)
- Erasing a data subject's personal data (`eraseDataSubject`, `eraseFeedbackPersonalData`): admin only.
  It cannot be undone, and it answers a data-protection request rather than being account work.
"""


def check_role(principal: Principal | AuthError, mutation: str) -> Principal:
    """Raise UNAUTHENTICATED / FORBIDDEN unless the caller's role may run `mutation` at all."""
    if isinstance(principal, AuthError):
        raise principal
    if principal.role not in MUTATION_ROLES[mutation]:
        raise forbidden(f"the {principal.role.value} role may not {mutation}")
    return principal


def authorize_mutation(app: KamApplication, principal: Principal, account_id: UUID | None) -> None:
    """Relationship managers write only to accounts whose team they are on today (FORBIDDEN otherwise)."""
    if principal.role is Role.RELATIONSHIP_MANAGER:
        team = app.find(AccountTeam, AccountTeam.id_for(account_id)) if account_id else None
        today = datetime.now(UTC).date()
        on_team = team is not None and any(
            a.relationship_manager_id == principal.relationship_manager_id for a in team.members_on(today)
        )
        if not on_team:
            raise forbidden("relationship managers may only change accounts on their own team")


class IsAuthenticated(BasePermission):
    """Every query needs a valid token; the role is checked where data is written or exported."""

    message = "a valid token is required: send Authorization: Bearer <token>"
    error_extensions: ClassVar[dict[str, Any]] = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return isinstance(info.context.principal, Principal)


AUDIT_READERS = frozenset({Role.ADMIN, Role.AUDITOR})


def require_role(principal: Principal | AuthError, allowed: frozenset[Role], what: str) -> Principal:
    """UNAUTHENTICATED without a valid token, FORBIDDEN for a role outside `allowed`."""
    if isinstance(principal, AuthError):
        raise principal
    if principal.role not in allowed:
        raise forbidden(f"the {principal.role.value} role may not read {what}")
    return principal
