"""Sales records: every policy term from quote to its end, every claim, every recommendation, as frontends list them.

One read model for the three because they are written together (a policy's claims, the recommendation
that became a policy) and read per account. It also answers the suggestion rules: which terms an
account was bound on and which needs were already answered. Amounts are exact decimal strings with
their currency; `premium_minor` (cents) only orders and filters by premium.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kamcore.domain.claim import Claim
from kamcore.domain.policy import Policy
from kamcore.domain.recommendation import Recommendation
from kamcore.domain.values import Money, PolicyStatus, RecommendationStatus
from kamcore.projections.insurance_math import minor
from kamcore.projections.projection import Projection, SqlCursor, change_row, handles
from kamcore.projections.rows import Table

POLICY_COLUMNS = (
    "policy_id",
    "account_id",
    "policy_number",
    "product_code",
    "line_of_business",
    "business_kind",
    "status",
    "currency",
    "written_premium",
    "premium_minor",
    "commission",
    "sum_insured",
    "inception_date",
    "expiry_date",
    "quoted_on",
    "bound_on",
    "closed_on",
    "initiated_by",
    "return_premium",
    "renews_policy_id",
    "renewed_by",
    "renewed_on",
    "endorsements",
    "last_endorsed_on",
    "personalised_package",
    "version",
    "updated_at",
)
CLAIM_COLUMNS = (
    "claim_id",
    "account_id",
    "policy_id",
    "claim_number",
    "line_of_business",
    "status",
    "currency",
    "reserve",
    "paid",
    "paid_minor",
    "loss_date",
    "reported_on",
    "last_activity_on",
    "closed_on",
    "reopened_on",
    "reopen_count",
    "settlement_days",
    "description",
    "version",
    "updated_at",
)
RECOMMENDATION_COLUMNS = (
    "recommendation_id",
    "account_id",
    "need_id",
    "product_code",
    "line_of_business",
    "kind",
    "status",
    "rationale",
    "relationship_manager_id",
    "made_on",
    "decided_on",
    "declined_because",
    "policy_id",
    "version",
    "updated_at",
)
POLICIES = Table("sales_policy", ("policy_id",), POLICY_COLUMNS)
CLAIMS = Table("sales_claim", ("claim_id",), CLAIM_COLUMNS)
RECOMMENDATIONS = Table("sales_recommendation", ("recommendation_id",), RECOMMENDATION_COLUMNS)

# Claim steps as the read model names them: the domain only knows open and closed.
REPORTED, RESERVED, PAID, CLOSED, REOPENED = "reported", "reserved", "paid", "closed", "reopened"


def amount(money: Money) -> str:
    return str(money.amount)


class SalesRecordsProjection(Projection):
    name = "sales_records"
    rebuild_cost = 11
    tables = ("sales_policy", "sales_claim", "sales_recommendation")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}sales_policy ("
        " policy_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, policy_number TEXT, product_code TEXT NOT NULL,"
        " line_of_business TEXT NOT NULL, business_kind TEXT NOT NULL, status TEXT NOT NULL, currency TEXT NOT NULL,"
        " written_premium TEXT NOT NULL, premium_minor BIGINT NOT NULL, commission TEXT NOT NULL,"
        " sum_insured TEXT NOT NULL, inception_date TEXT NOT NULL, expiry_date TEXT NOT NULL,"
        " quoted_on TEXT NOT NULL, bound_on TEXT, closed_on TEXT, initiated_by TEXT, return_premium TEXT,"
        " renews_policy_id TEXT, renewed_by TEXT, renewed_on TEXT, endorsements INTEGER NOT NULL,"
        " last_endorsed_on TEXT, personalised_package INTEGER NOT NULL, version INTEGER NOT NULL,"
        " updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS sales_policy_by_account ON {t}sales_policy (account_id, inception_date)",
        "CREATE INDEX IF NOT EXISTS sales_policy_by_inception ON {t}sales_policy (inception_date, policy_id)",
        "CREATE INDEX IF NOT EXISTS sales_policy_by_status ON {t}sales_policy (status, line_of_business)",
        "CREATE TABLE IF NOT EXISTS {t}sales_claim ("
        " claim_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, policy_id TEXT NOT NULL, claim_number TEXT,"
        " line_of_business TEXT NOT NULL, status TEXT NOT NULL, currency TEXT NOT NULL, reserve TEXT NOT NULL,"
        " paid TEXT NOT NULL, paid_minor BIGINT NOT NULL, loss_date TEXT NOT NULL, reported_on TEXT NOT NULL,"
        " last_activity_on TEXT NOT NULL, closed_on TEXT, reopened_on TEXT, reopen_count INTEGER NOT NULL,"
        " settlement_days INTEGER, description TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS sales_claim_by_account ON {t}sales_claim (account_id, reported_on)",
        "CREATE INDEX IF NOT EXISTS sales_claim_by_reported ON {t}sales_claim (reported_on, claim_id)",
        "CREATE INDEX IF NOT EXISTS sales_claim_by_policy ON {t}sales_claim (policy_id)",
        "CREATE TABLE IF NOT EXISTS {t}sales_recommendation ("
        " recommendation_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, need_id TEXT NOT NULL,"
        " product_code TEXT NOT NULL, line_of_business TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,"
        " rationale TEXT, relationship_manager_id TEXT, made_on TEXT NOT NULL, decided_on TEXT,"
        " declined_because TEXT, policy_id TEXT, version INTEGER NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS sales_recommendation_by_account ON {t}sales_recommendation (account_id, made_on)",
        "CREATE INDEX IF NOT EXISTS sales_recommendation_by_made ON {t}sales_recommendation (made_on)",
    )

    def prefetch(self, sql: SqlCursor, events: Sequence[Any]) -> None:
        """Rows the batch changes; the events that add rows need no read."""
        policies = [e for e in events if isinstance(e, Policy.Event) and not isinstance(e, Policy.QuoteIssued)]
        claims = [e for e in events if isinstance(e, Claim.Event) and not isinstance(e, Claim.Reported)]
        decisions = [
            e for e in events if isinstance(e, Recommendation.Event) and not isinstance(e, Recommendation.Made)
        ]
        sql.rows.prefetch(POLICIES, [(str(e.originator_id),) for e in policies])
        sql.rows.prefetch(CLAIMS, [(str(e.originator_id),) for e in claims])
        sql.rows.prefetch(RECOMMENDATIONS, [(str(e.originator_id),) for e in decisions])

    # -- policies --------------------------------------------------------------------------------

    @handles(Policy.QuoteIssued)
    def quote_issued(self, sql: SqlCursor, e: Policy.QuoteIssued) -> None:
        sql.rows.put(
            POLICIES,
            {
                "policy_id": str(e.originator_id),
                "account_id": str(e.account_id),
                "policy_number": e.policy_number,
                "product_code": e.product_code,
                "line_of_business": e.line_of_business,
                "business_kind": e.business_kind.value,
                "status": PolicyStatus.QUOTED.value,
                "currency": e.written_premium.currency,
                "written_premium": amount(e.written_premium),
                "premium_minor": minor(e.written_premium),
                "commission": amount(e.commission),
                "sum_insured": amount(e.sum_insured),
                "inception_date": e.inception_date.isoformat(),
                "expiry_date": e.expiry_date.isoformat(),
                "quoted_on": e.quoted_on.isoformat(),
                "bound_on": None,
                "closed_on": None,
                "initiated_by": None,
                "return_premium": None,
                "renews_policy_id": str(e.renews_policy_id) if e.renews_policy_id else None,
                "renewed_by": None,
                "renewed_on": None,
                "endorsements": 0,
                "last_endorsed_on": None,
                "personalised_package": int(e.personalised_package),
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )

    @handles(Policy.Bound)
    def bound(self, sql: SqlCursor, e: Policy.Bound) -> None:
        change_row(
            sql,
            POLICIES,
            e,
            status=PolicyStatus.BOUND.value,
            bound_on=e.bound_on.isoformat(),
            written_premium=amount(e.written_premium),
            premium_minor=minor(e.written_premium),
            commission=amount(e.commission),
        )

    @handles(Policy.QuoteDeclined)
    def quote_declined(self, sql: SqlCursor, e: Policy.QuoteDeclined) -> None:
        change_row(
            sql,
            POLICIES,
            e,
            status=PolicyStatus.DECLINED.value,
            closed_on=e.declined_on.isoformat(),
            initiated_by=e.declined_by.value,
        )

    @handles(Policy.QuoteExpired)
    def quote_expired(self, sql: SqlCursor, e: Policy.QuoteExpired) -> None:
        change_row(sql, POLICIES, e, status=PolicyStatus.EXPIRED.value, closed_on=e.expired_on.isoformat())

    @handles(Policy.Endorsed)
    def endorsed(self, sql: SqlCursor, e: Policy.Endorsed) -> None:
        change_row(
            sql,
            POLICIES,
            e,
            lambda row: {"endorsements": row["endorsements"] + 1},
            written_premium=amount(e.written_premium),
            premium_minor=minor(e.written_premium),
            commission=amount(e.commission),
            sum_insured=amount(e.sum_insured),
            last_endorsed_on=e.effective_date.isoformat(),
        )

    @handles(Policy.Cancelled)
    def cancelled(self, sql: SqlCursor, e: Policy.Cancelled) -> None:
        change_row(
            sql,
            POLICIES,
            e,
            status=PolicyStatus.CANCELLED.value,
            closed_on=e.effective_date.isoformat(),
            initiated_by=e.initiated_by.value,
            return_premium=amount(e.return_premium),
        )

    @handles(Policy.Lapsed)
    def lapsed(self, sql: SqlCursor, e: Policy.Lapsed) -> None:
        change_row(
            sql,
            POLICIES,
            e,
            status=PolicyStatus.LAPSED.value,
            closed_on=e.effective_date.isoformat(),
            initiated_by=e.initiated_by.value,
        )

    @handles(Policy.Renewed)
    def renewed(self, sql: SqlCursor, e: Policy.Renewed) -> None:
        """The term stays in force to its expiry; the renewal's own quote and bind add the next term."""
        change_row(sql, POLICIES, e, renewed_by=str(e.renewal_policy_id), renewed_on=e.renewed_on.isoformat())

    # -- claims ----------------------------------------------------------------------------------

    @handles(Claim.Reported)
    def claim_reported(self, sql: SqlCursor, e: Claim.Reported) -> None:
        sql.rows.put(
            CLAIMS,
            {
                "claim_id": str(e.originator_id),
                "account_id": str(e.account_id),
                "policy_id": str(e.policy_id),
                "claim_number": e.claim_number,
                "line_of_business": e.line_of_business,
                "status": REPORTED,
                "currency": e.currency,
                "reserve": "0",
                "paid": "0",
                "paid_minor": 0,
                "loss_date": e.loss_date.isoformat(),
                "reported_on": e.reported_on.isoformat(),
                "last_activity_on": e.reported_on.isoformat(),
                "closed_on": None,
                "reopened_on": None,
                "reopen_count": 0,
                "settlement_days": None,
                "description": e.description,
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )

    @handles(Claim.Reserved)
    def claim_reserved(self, sql: SqlCursor, e: Claim.Reserved) -> None:
        on = e.reserved_on.isoformat()
        change_row(sql, CLAIMS, e, status=RESERVED, reserve=amount(e.reserve), last_activity_on=on)

    @handles(Claim.Paid)
    def claim_paid(self, sql: SqlCursor, e: Claim.Paid) -> None:
        change_row(
            sql,
            CLAIMS,
            e,
            status=PAID,
            paid=amount(e.paid_to_date),
            paid_minor=minor(e.paid_to_date),
            reserve=amount(e.outstanding_reserve),
            last_activity_on=e.paid_on.isoformat(),
        )

    @handles(Claim.Closed)
    def claim_closed(self, sql: SqlCursor, e: Claim.Closed) -> None:
        on = e.closed_on.isoformat()
        days = (e.closed_on - e.reported_on).days
        change_row(sql, CLAIMS, e, status=CLOSED, reserve="0", closed_on=on, last_activity_on=on, settlement_days=days)

    @handles(Claim.Reopened)
    def claim_reopened(self, sql: SqlCursor, e: Claim.Reopened) -> None:
        on = e.reopened_on.isoformat()
        change_row(
            sql,
            CLAIMS,
            e,
            lambda row: {"reopen_count": row["reopen_count"] + 1},
            status=REOPENED,
            closed_on=None,
            settlement_days=None,
            reopened_on=on,
            last_activity_on=on,
        )

    # -- recommendations ---------------------------------------------------------------------------

    @handles(Recommendation.Made)
    def made(self, sql: SqlCursor, e: Recommendation.Made) -> None:
        sql.rows.put(
            RECOMMENDATIONS,
            {
                "recommendation_id": str(e.originator_id),
                "account_id": str(e.account_id),
                "need_id": e.need_id,
                "product_code": e.product_code,
                "line_of_business": e.line_of_business,
                "kind": e.kind.value,
                "status": RecommendationStatus.MADE.value,
                "rationale": e.rationale,
                "relationship_manager_id": e.relationship_manager_id,
                "made_on": e.made_on.isoformat(),
                "decided_on": None,
                "declined_because": None,
                "policy_id": None,
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )

    @handles(Recommendation.Accepted)
    def accepted(self, sql: SqlCursor, e: Recommendation.Accepted) -> None:
        status = RecommendationStatus.ACCEPTED.value
        change_row(sql, RECOMMENDATIONS, e, status=status, decided_on=e.accepted_on.isoformat())

    @handles(Recommendation.Declined)
    def declined(self, sql: SqlCursor, e: Recommendation.Declined) -> None:
        change_row(
            sql,
            RECOMMENDATIONS,
            e,
            status=RecommendationStatus.DECLINED.value,
            decided_on=e.declined_on.isoformat(),
            declined_because=e.declined_because,
        )

    @handles(Recommendation.PolicyLinked)
    def policy_linked(self, sql: SqlCursor, e: Recommendation.PolicyLinked) -> None:
        change_row(sql, RECOMMENDATIONS, e, policy_id=str(e.policy_id))
