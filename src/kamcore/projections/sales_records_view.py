"""Read side of the sales records: policies, claims and recommendations by id, in pages, per account;
and the holdings the suggestion rules take (bound terms, past recommendations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kamcore.application.suggestions import Holding, PastRecommendation
from kamcore.domain.values import PolicyStatus, RecommendationStatus
from kamcore.projections.listing import Listing, Where
from kamcore.projections.sales_records import CLAIM_COLUMNS, POLICY_COLUMNS, RECOMMENDATION_COLUMNS
from kamcore.projections.store import ReadModelStore


@dataclass(frozen=True)
class PolicyFilter:
    account_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    lines_of_business: tuple[str, ...] = ()
    product_codes: tuple[str, ...] = ()
    business_kinds: tuple[str, ...] = ()
    inception_from: date | None = None
    inception_to: date | None = None

    def where(self) -> Where:
        return (
            Where()
            .any_of("account_id", self.account_ids)
            .any_of("status", self.statuses)
            .any_of("line_of_business", self.lines_of_business)
            .any_of("product_code", self.product_codes)
            .any_of("business_kind", self.business_kinds)
            .between("inception_date", self.inception_from, self.inception_to, field="filter.inceptionFrom")
        )


@dataclass(frozen=True)
class ClaimFilter:
    account_ids: tuple[str, ...] = ()
    policy_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    lines_of_business: tuple[str, ...] = ()
    open: bool | None = None
    reported_from: date | None = None
    reported_to: date | None = None

    def where(self) -> Where:
        return (
            Where()
            .any_of("account_id", self.account_ids)
            .any_of("policy_id", self.policy_ids)
            .any_of("status", self.statuses)
            .any_of("line_of_business", self.lines_of_business)
            .is_null("closed_on", self.open)
            .between("reported_on", self.reported_from, self.reported_to, field="filter.reportedFrom")
        )


@dataclass(frozen=True)
class RecommendationFilter:
    account_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    product_codes: tuple[str, ...] = ()
    relationship_manager_ids: tuple[str, ...] = ()
    made_from: date | None = None
    made_to: date | None = None

    def where(self) -> Where:
        return (
            Where()
            .any_of("account_id", self.account_ids)
            .any_of("status", self.statuses)
            .any_of("kind", self.kinds)
            .any_of("product_code", self.product_codes)
            .any_of("relationship_manager_id", self.relationship_manager_ids)
            .between("made_on", self.made_from, self.made_to, field="filter.madeFrom")
        )


class SalesRecordsView:
    """Policies, claims and recommendations as lists read them."""

    def __init__(self, store: ReadModelStore) -> None:
        self.policies = Listing(
            "sales_policy",
            POLICY_COLUMNS,
            "policy_id",
            {
                "inception_date": "inception_date",
                "expiry_date": "expiry_date",
                "quoted_on": "quoted_on",
                "written_premium": "premium_minor",
            },
            store,
        )
        self.claims = Listing(
            "sales_claim",
            CLAIM_COLUMNS,
            "claim_id",
            {"reported_on": "reported_on", "loss_date": "loss_date", "paid": "paid_minor"},
            store,
        )
        self.recommendations = Listing(
            "sales_recommendation", RECOMMENDATION_COLUMNS, "recommendation_id", {"made_on": "made_on"}, store
        )


class AccountHoldingsView:
    """One account's bound terms and recommendations, as the suggestion rules take them."""

    def __init__(self, store: ReadModelStore) -> None:
        self.store = store

    def holdings(self, account_id: str) -> list[Holding]:
        with self.store.reading() as sql:
            rows = sql.execute(
                "SELECT product_code, line_of_business, status, expiry_date FROM {t}sales_policy"
                " WHERE account_id = ? AND bound_on IS NOT NULL ORDER BY policy_id",
                [account_id],
            ).fetchall()
        return [
            Holding(
                product_code=r["product_code"],
                line_of_business=r["line_of_business"],
                ended=r["status"] != PolicyStatus.BOUND.value,
                expiry_date=date.fromisoformat(r["expiry_date"]),
            )
            for r in rows
        ]

    def recommendations(self, account_id: str) -> list[PastRecommendation]:
        with self.store.reading() as sql:
            rows = sql.execute(
                "SELECT need_id, product_code, status FROM {t}sales_recommendation"
                " WHERE account_id = ? ORDER BY recommendation_id",
                [account_id],
            ).fetchall()
        return [PastRecommendation(r["need_id"], r["product_code"], RecommendationStatus(r["status"])) for r in rows]
