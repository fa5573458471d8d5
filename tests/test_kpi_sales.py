"""KRA 2 (sales and revenue) with hand-computed values, on SQLite and PostgreSQL."""

from __future__ import annotations

from kamcore.runtime import Runtime
from tests.test_kpi_support import Book, d, eur, month, on, quarter


def test_revenue_is_written_premium_at_the_transaction_date_attributed_to_the_lead_then(runtime: Runtime) -> None:
    book = Book(runtime)
    acme = book.account("Acme")
    p1 = book.policy(acme, "2024-01-10", premium="1200.00", commission="120")  # Q1, rm-a
    book.hand_over(acme, "rm-b", "2024-02-01")  # reassignment mid-quarter: January stays with rm-a
    book.app.endorse_policy(
        on("2024-02-15"),
        p1,
        effective_date=d("2024-02-15"),
        premium_change=eur("300.50"),
        description="more vehicles",
    )
    book.app.cancel_policy(
        on("2024-03-01", "sold fleet"),
        p1,
        initiated_by="customer",
        effective_date=d("2024-03-01"),
        return_premium=eur("500"),
    )
    a = book.kpi("revenue_per_quarter", quarter(1), key="rm-a")
    b = book.kpi("revenue_per_quarter", quarter(1), key="rm-b")
    assert (a.value, a.numerator) == (1200.0, 120000)
    assert (b.value, b.numerator) == (-199.5, -19950)  # 300.50 endorsement − 500 returned
    company = book.kpi("revenue_per_quarter", quarter(1), grain="company", key=None)
    assert company.value == 1000.5
    team = book.kpi("revenue_per_quarter", quarter(1), grain="team", key="south")
    assert team.value == -199.5
    assert book.kpi("revenue_per_quarter", quarter(2), key="rm-a").value == 0.0


def test_sales_conversion_is_a_cohort_of_quotes_issued_in_the_period(runtime: Runtime) -> None:
    book = Book(runtime)
    acme = book.account("Acme")
    q1 = book.quote(acme, "2024-01-05")
    q2 = book.quote(acme, "2024-01-20", product="P2")
    book.quote(acme, "2024-01-25", start="2024-02-01")
    book.app.bind_policy(on("2024-02-10"), q1)  # bound next month: still January's cohort
    book.app.decline_quote(on("2024-01-30"), q2, declined_by="customer")
    jan = book.kpi("sales_conversion_rate", month(1))
    assert (jan.numerator, jan.denominator) == (1, 3)
    assert jan.value == 33.3333
    as_of_jan = book.kpi("sales_conversion_rate", month(1), as_of=d("2024-01-31"))
    assert (as_of_jan.numerator, as_of_jan.denominator, as_of_jan.value) == (0, 3, 0.0)
    feb = book.kpi("sales_conversion_rate", month(2))
    assert (feb.value, feb.numerator, feb.denominator) == (None, 0, 0)  # zero denominator: null
