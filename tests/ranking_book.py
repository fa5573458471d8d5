"""A hand-built book for ranking tests: three accounts, their policies and a claim, on known business dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from kamcore.application import CommandContext
from kamcore.domain.values import Money
from kamcore.runtime import Runtime


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def on(day: str) -> CommandContext:
    return CommandContext(actor="user:uw", reason="test", effective_date=date.fromisoformat(day))


def bound_account(runtime: Runtime, name: str, premium: str, start: str, end: str) -> tuple[Any, Any]:
    app = runtime.app
    # a fixed external reference gives a fixed id, so ties in score always break the same way
    account = app.open_account(
        on("2025-06-01"), name=name, segment="corporate", region="North", external_ref=f"RB-{name}"
    ).aggregate_id
    quote = app.issue_quote(
        on(start),
        account,
        product_code="PROP-1",
        business_kind="new_client",
        written_premium=eur(premium),
        commission=eur(str(Decimal(premium) / 10)),
        sum_insured=eur("1000000"),
        inception_date=date.fromisoformat(start),
        expiry_date=date.fromisoformat(end),
    ).aggregate_id
    app.bind_policy(on(start), quote)
    return account, quote


@pytest.fixture
def book(runtime: Runtime) -> dict[str, Any]:
    runtime.app.launch_product(
        on("2025-01-01"), code="PROP-1", name="Property", line_of_business="property", target_segments=["corporate"]
    )
    a, policy_a = bound_account(runtime, "Atlas", "120000.00", "2026-01-01", "2027-01-01")
    b, _ = bound_account(runtime, "Borealis", "30000.00", "2026-02-01", "2027-02-01")
    c, _ = bound_account(runtime, "Cobalt", "5000.00", "2026-02-01", "2027-02-01")
    claim = runtime.app.report_claim(
        on("2026-02-10"), policy_a, loss_date=date(2026, 2, 5), description="warehouse fire"
    ).aggregate_id
    runtime.app.reserve_claim(on("2026-02-10"), claim, reserve=eur("20000.00"))
    runtime.app.pay_claim(on("2026-03-01"), claim, amount=eur("5000.00"))
    assert runtime.wait_for(runtime.app.head_position())
    return {"a": str(a), "b": str(b), "c": str(c)}
