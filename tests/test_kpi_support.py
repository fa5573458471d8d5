"""Helpers for the KPI tests (no tests here): business-dated commands and KPI reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from kamcore.application import CommandContext
from kamcore.domain.values import Money
from kamcore.projections.kpi_view import KpiResult, KpiView, Period
from kamcore.runtime import Runtime

AS_OF = date(2024, 12, 31)


def on(day: str, reason: str = "test") -> CommandContext:
    return CommandContext(actor="user:test", reason=reason, effective_date=date.fromisoformat(day))


def eur(amount: str | int) -> Money:
    return Money(Decimal(str(amount)), "EUR")


def d(day: str) -> date:
    return date.fromisoformat(day)


class Book:
    """A small book: RMs rm-a (team north) and rm-b (team south), product P1, accounts with a lead."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.app = rt.app
        self.app.register_relationship_manager(
            on("2023-01-01"), employee_id="rm-a", name="A", team="north", capacity=10
        )
        self.app.register_relationship_manager(
            on("2023-01-01"), employee_id="rm-b", name="B", team="south", capacity=10
        )
        self.app.launch_product(
            on("2023-01-01"), code="P1", name="Fleet", line_of_business="motor", target_segments=["corporate"]
        )
        self.app.launch_product(
            on("2023-01-01"), code="P2", name="Property", line_of_business="property", target_segments=["corporate"]
        )

    def account(self, name: str, lead: str = "rm-a", since: str = "2023-01-01", segment: str = "corporate") -> UUID:
        account_id = self.app.open_account(on(since), name=name, segment=segment, region="North").aggregate_id
        self.app.assign_relationship_manager(on(since), account_id, relationship_manager_id=lead, role="lead")
        return account_id

    def quote(
        self,
        account_id: UUID,
        day: str,
        *,
        premium: str = "1200",
        start: str | None = None,
        end: str | None = None,
        kind: str = "new_client",
        product: str = "P1",
        commission: str = "0",
        **kw: Any,
    ) -> UUID:
        start = start or day
        end = end or f"{int(start[:4]) + 1}{start[4:]}"
        return self.app.issue_quote(
            on(day),
            account_id,
            product_code=product,
            business_kind=kind,
            written_premium=eur(premium),
            commission=eur(commission),
            sum_insured=eur("100000"),
            inception_date=d(start),
            expiry_date=d(end),
            **kw,
        ).aggregate_id

    def policy(self, account_id: UUID, day: str, **kw: Any) -> UUID:
        policy_id = self.quote(account_id, day, **kw)
        self.app.bind_policy(on(day), policy_id)
        return policy_id

    def hand_over(self, account_id: UUID, to: str, day: str) -> None:
        self.app.hand_over_lead(on(day), account_id, relationship_manager_id=to, effective_date=d(day))

    def view(self) -> KpiView:
        assert self.rt.wait_for(self.app.head_position(), timeout=30)
        return KpiView(self.rt.stores["kpi_measures"])

    def kpi(
        self, kpi_id: str, period: Period, grain: str = "rm", key: str | None = "rm-a", as_of: date = AS_OF
    ) -> KpiResult:
        return self.view().scorecard(grain, key, period, as_of, kpi_ids=[kpi_id])[0]


def month(m: int, year: int = 2024) -> Period:
    return Period.month(year, m)


def quarter(q: int, year: int = 2024) -> Period:
    return Period.quarter(year, q)
