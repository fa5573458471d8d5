"""Product suggestions for an account, from the read models (account summary, catalogue, holdings).

Each read model may live in its own database (SQLite), so the three are read separately and the
pure rules of `kamcore.application.suggestions` combine them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kamcore.application import suggestions as rules
from kamcore.domain.values import NeedPriority, today
from kamcore.projections.account_summary_view import AccountSummaryView
from kamcore.projections.product_catalogue import ProductCatalogueView
from kamcore.projections.sales_records_view import AccountHoldingsView
from kamcore.projections.store import ReadModelStore


def profile_from_row(row: dict[str, Any]) -> rules.AccountProfile:
    needs = tuple(
        rules.AccountNeed(
            need_id=n["need_id"],
            description=n["description"],
            line_of_business=n["line_of_business"],
            priority=NeedPriority(n["priority"]),
        )
        for n in json.loads(row["needs"])
    )
    return rules.AccountProfile(
        account_id=row["account_id"],
        segment=row["segment"],
        needs=needs,
        is_open=row["status"] == "active",
        size=row["size"],
    )


@dataclass(frozen=True)
class SuggestionInputs:
    """Everything the rules need about one account, as the read models hold it now."""

    account: rules.AccountProfile
    products: list[rules.CatalogueProduct]
    holdings: list[rules.Holding]
    recommendations: list[rules.PastRecommendation]
    on: date

    def suggest(self) -> list[rules.Suggestion]:
        return rules.suggest(self.account, self.products, self.holdings, self.recommendations, self.on)

    def suggestion_for(self, *, product_code: str, need_id: str) -> rules.Suggestion:
        return rules.suggestion_for(
            self.account,
            self.products,
            self.holdings,
            self.recommendations,
            self.on,
            product_code=product_code,
            need_id=need_id,
        )


class SuggestionsView:
    def __init__(self, stores: Mapping[str, ReadModelStore]) -> None:
        self.accounts = AccountSummaryView(stores["account_summary"])
        self.catalogue = ProductCatalogueView(stores["product_catalogue"])
        self.holdings = AccountHoldingsView(stores["sales_records"])

    def inputs(self, account_id: str, on: date | None = None) -> SuggestionInputs | None:
        """None when the account is unknown; `on` (default today, UTC) decides which terms are in force."""
        row = self.accounts.get(account_id)
        if row is None:
            return None
        return SuggestionInputs(
            account=profile_from_row(row),
            products=self.catalogue.products(),
            holdings=self.holdings.holdings(account_id),
            recommendations=self.holdings.recommendations(account_id),
            on=on or today(),
        )

    def suggest(self, account_id: str, *, first: int = 5, on: date | None = None) -> list[rules.Suggestion] | None:
        inputs = self.inputs(account_id, on)
        return None if inputs is None else inputs.suggest()[:first]
