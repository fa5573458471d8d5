"""Account holdings: the policy terms an account was bound on (and how they ended), and the recommendations made.

Together they say what an account holds in force (by product and line) and which needs were already
answered, so suggestions skip what is held and what was recommended.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from kamcore.application.suggestions import Holding, PastRecommendation
from kamcore.domain.policy import Policy
from kamcore.domain.recommendation import Recommendation
from kamcore.domain.values import RecommendationStatus
from kamcore.projections.projection import Projection, SqlCursor, handles
from kamcore.projections.rows import Table
from kamcore.projections.store import ReadModelStore

POLICY_COLUMNS = (
    "policy_id",
    "account_id",
    "product_code",
    "line_of_business",
    "status",
    "inception_date",
    "expiry_date",
    "bound_on",
    "ended_on",
    "renewed_by",
)
RECOMMENDATION_COLUMNS = (
    "recommendation_id",
    "account_id",
    "need_id",
    "product_code",
    "line_of_business",
    "kind",
    "status",
    "made_on",
    "decided_on",
    "policy_id",
)
POLICIES = Table("holdings_policy", ("policy_id",), POLICY_COLUMNS)
RECOMMENDATIONS = Table("holdings_recommendation", ("recommendation_id",), RECOMMENDATION_COLUMNS)
BOUND = "bound"  # the other statuses are "cancelled" and "lapsed": the term ended early


class AccountHoldingsProjection(Projection):
    name = "account_holdings"
    tables = ("holdings_policy", "holdings_recommendation")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}holdings_policy ("
        " policy_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, product_code TEXT NOT NULL,"
        " line_of_business TEXT NOT NULL, status TEXT NOT NULL, inception_date TEXT NOT NULL,"
        " expiry_date TEXT NOT NULL, bound_on TEXT NOT NULL, ended_on TEXT, renewed_by TEXT)",
        "CREATE INDEX IF NOT EXISTS holdings_policy_by_account ON {t}holdings_policy (account_id)",
        "CREATE TABLE IF NOT EXISTS {t}holdings_recommendation ("
        " recommendation_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, need_id TEXT NOT NULL,"
        " product_code TEXT NOT NULL, line_of_business TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,"
        " made_on TEXT NOT NULL, decided_on TEXT, policy_id TEXT)",
        "CREATE INDEX IF NOT EXISTS holdings_recommendation_by_account ON {t}holdings_recommendation (account_id)",
    )

    def prefetch(self, sql: SqlCursor, events: Sequence[Any]) -> None:
        """Rows the batch changes (ends, renewals, decisions); the events that add rows need no read."""
        policies = [e for e in events if isinstance(e, Policy.Event) and not isinstance(e, Policy.Bound)]
        decisions = [
            e for e in events if isinstance(e, Recommendation.Event) and not isinstance(e, Recommendation.Made)
        ]
        sql.rows.prefetch(POLICIES, [(str(e.originator_id),) for e in policies])
        sql.rows.prefetch(RECOMMENDATIONS, [(str(e.originator_id),) for e in decisions])

    # -- policies --------------------------------------------------------------------------------

    @handles(Policy.Bound)
    def bound(self, sql: SqlCursor, e: Policy.Bound) -> None:
        sql.rows.put(
            POLICIES,
            {
                "policy_id": str(e.originator_id),
                "account_id": str(e.account_id),
                "product_code": e.product_code,
                "line_of_business": e.line_of_business,
                "status": BOUND,
                "inception_date": e.inception_date.isoformat(),
                "expiry_date": e.expiry_date.isoformat(),
                "bound_on": e.bound_on.isoformat(),
                "ended_on": None,
                "renewed_by": None,
            },
        )

    @handles(Policy.Cancelled)
    def cancelled(self, sql: SqlCursor, e: Policy.Cancelled) -> None:
        self._change(sql, POLICIES, e, status="cancelled", ended_on=e.effective_date.isoformat())

    @handles(Policy.Lapsed)
    def lapsed(self, sql: SqlCursor, e: Policy.Lapsed) -> None:
        self._change(sql, POLICIES, e, status="lapsed", ended_on=e.effective_date.isoformat())

    @handles(Policy.Renewed)
    def renewed(self, sql: SqlCursor, e: Policy.Renewed) -> None:
        """The term stays in force to its expiry; the renewal's own `Bound` adds the next term."""
        self._change(sql, POLICIES, e, renewed_by=str(e.renewal_policy_id))

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
                "made_on": e.made_on.isoformat(),
                "decided_on": None,
                "policy_id": None,
            },
        )

    @handles(Recommendation.Accepted)
    def accepted(self, sql: SqlCursor, e: Recommendation.Accepted) -> None:
        status = RecommendationStatus.ACCEPTED.value
        self._change(sql, RECOMMENDATIONS, e, status=status, decided_on=e.accepted_on.isoformat())

    @handles(Recommendation.Declined)
    def declined(self, sql: SqlCursor, e: Recommendation.Declined) -> None:
        status = RecommendationStatus.DECLINED.value
        self._change(sql, RECOMMENDATIONS, e, status=status, decided_on=e.declined_on.isoformat())

    @handles(Recommendation.PolicyLinked)
    def policy_linked(self, sql: SqlCursor, e: Recommendation.PolicyLinked) -> None:
        self._change(sql, RECOMMENDATIONS, e, policy_id=str(e.policy_id))

    @staticmethod
    def _change(sql: SqlCursor, table: Table, e: Any, **changes: Any) -> None:
        row = sql.rows.get(table, str(e.originator_id))
        if row is not None:
            sql.rows.put(table, {**row, **changes})


class AccountHoldingsView:
    """Read side: one account's bound terms and recommendations, as the suggestion rules take them."""

    def __init__(self, store: ReadModelStore) -> None:
        self.store = store

    def holdings(self, account_id: str) -> list[Holding]:
        with self.store.reading() as sql:
            rows = sql.execute(
                "SELECT product_code, line_of_business, status, expiry_date FROM {t}holdings_policy"
                " WHERE account_id = ? ORDER BY policy_id",
                [account_id],
            ).fetchall()
        return [
            Holding(
                product_code=r["product_code"],
                line_of_business=r["line_of_business"],
                ended=r["status"] != BOUND,
                expiry_date=date.fromisoformat(r["expiry_date"]),
            )
            for r in rows
        ]

    def recommendations(self, account_id: str) -> list[PastRecommendation]:
        with self.store.reading() as sql:
            rows = sql.execute(
                "SELECT need_id, product_code, status FROM {t}holdings_recommendation"
                " WHERE account_id = ? ORDER BY recommendation_id",
                [account_id],
            ).fetchall()
        return [PastRecommendation(r["need_id"], r["product_code"], RecommendationStatus(r["status"])) for r in rows]
