"""KRA 3 (risk management): loss ratio on earned premium, settlement time of closed claims, coverage, assessments."""

from __future__ import annotations

from kamcore.runtime import Runtime
from tests.test_kpi_support import AS_OF, Book, d, eur, month, on, quarter


def test_loss_ratio_uses_earned_not_written_premium_and_attributes_claims_at_their_dates(runtime: Runtime) -> None:
    book = Book(runtime)
    acme = book.account("Acme")
    # 366.00 over the leap year 2024: earns exactly 1.00 a day; written in full on 2024-01-01
    policy = book.policy(acme, "2024-01-01", premium="366", start="2024-01-01", end="2025-01-01")
    claim = book.app.report_claim(on("2024-02-10"), policy, loss_date=d("2024-02-05"), description="crash").aggregate_id
    book.app.reserve_claim(on("2024-02-10"), claim, reserve=eur("50"))  # incurred +50.00 (rm-a)
    book.hand_over(acme, "rm-b", "2024-03-01")  # reassignment mid-quarter
    book.app.pay_claim(on("2024-03-01"), claim, amount=eur("20"))  # paid 20, reserve 50 -> 30: incurred 0
    book.app.close_claim(on("2024-03-20"), claim)  # reserve 30 released: incurred -30.00 (rm-b)

    company = book.kpi("loss_ratio", quarter(1), grain="company", key=None)
    assert (company.numerator, company.denominator) == (2000, 9100)  # earned Q1 = 31 + 29 + 31 days
    assert company.value == 21.978  # 20.00 / 91.00
    assert book.kpi("revenue_per_quarter", quarter(1), grain="company", key=None).numerator == 36600  # written
    earned_jan = book.kpi("loss_ratio", month(1), grain="company", key=None)
    assert (earned_jan.value, earned_jan.numerator, earned_jan.denominator) == (0.0, 0, 3100)
    rm_a = book.kpi("loss_ratio", quarter(1), key="rm-a")  # premium written while rm-a led: all its earnings
    assert (rm_a.numerator, rm_a.denominator, rm_a.value) == (5000, 9100, 54.9451)
    rm_b = book.kpi("loss_ratio", quarter(1), key="rm-b")  # claims movements but no earned premium: null
    assert (rm_b.numerator, rm_b.denominator, rm_b.value) == (-3000, 0, None)
    as_of_feb = book.kpi("loss_ratio", quarter(1), grain="company", key=None, as_of=d("2024-02-29"))
    assert (as_of_feb.numerator, as_of_feb.value) == (5000, 54.9451)


def test_settlement_time_counts_closed_claims_only_final_close_and_reports_open_ones(runtime: Runtime) -> None:
    book = Book(runtime)
    acme = book.account("Acme")
    policy = book.policy(acme, "2024-01-01", start="2024-01-01", end="2025-01-01")

    def claim(reported: str) -> object:
        return book.app.report_claim(on(reported), policy, loss_date=d(reported), description="loss").aggregate_id

    c1, c2, c3, c4 = claim("2024-02-10"), claim("2024-03-01"), claim("2024-03-05"), claim("2024-01-10")
    book.app.close_claim(on("2024-03-20"), c1)  # 39 days
    book.app.close_claim(on("2024-03-11"), c2)  # 10 days
    book.app.close_claim(on("2024-01-20"), c4)  # 10 days, then reopened: not a final close
    book.app.reopen_claim(on("2024-02-01", "new invoice"), c4)
    book.app.close_claim(on("2024-03-31"), c4)  # final close: 81 days after the report
    assert c3 is not None  # c3 stays open

    q1 = book.kpi("claims_settlement_time_median", quarter(1))
    assert (q1.value, q1.numerator, q1.denominator) == (39.0, 130, 3)
    assert q1.extras["p90"] == 81.0
    assert (q1.extras["openClaims"], q1.extras["openClaimMedianAgeDays"]) == (1.0, 26.0)  # c3 on 2024-03-31
    january = book.kpi("claims_settlement_time_median", month(1), as_of=d("2024-01-31"))
    assert (january.value, january.denominator) == (10.0, 1)  # c4's first close, before it was reopened
    assert book.kpi("claims_settlement_time_median", month(1)).value is None  # voided by the reopen
    assert book.kpi("claims_settlement_time_median", month(2)).value is None  # nothing closed: null


def test_adequate_coverage_counts_in_force_policies_with_a_current_assessment(runtime: Runtime) -> None:
    book = Book(runtime)
    acme = book.account("Acme")
    beta = book.account("Beta")
    p1 = book.policy(acme, "2024-01-01")
    p2 = book.policy(acme, "2024-01-01", product="P2")
    book.policy(beta, "2024-01-01")  # in force, never assessed
    book.app.record_interaction(
        on("2024-02-01"),
        acme,
        kind="coverage_assessment",
        subject="cover",
        outcome="ok",
        relationship_manager_ids=["rm-a"],
        coverage_result="inadequate",
    )  # whole account
    book.app.record_interaction(
        on("2024-03-01"),
        acme,
        kind="coverage_assessment",
        subject="fleet",
        outcome="ok",
        relationship_manager_ids=["rm-a"],
        coverage_result="adequate",
        policy_ids=[p1],
    )
    march = book.kpi("adequate_coverage_rate", month(3))
    assert (march.numerator, march.denominator, march.value) == (1, 2, 50.0)  # p1 adequate, p2 inadequate
    assert (march.extras["inForcePolicies"], march.extras["assessmentCoveragePercent"]) == (3.0, 66.6667)
    january = book.kpi("adequate_coverage_rate", month(1))
    assert (january.numerator, january.denominator, january.value) == (0, 0, None)
    assert p2 is not None
    # March with a trend reads the assessments once for all three months; February must not see March's
    trend = book.view().scorecard("rm", "rm-a", month(3), AS_OF, kpi_ids=["adequate_coverage_rate"], trend=2)[0].trend
    february = book.kpi("adequate_coverage_rate", month(2))
    assert (february.numerator, february.denominator) == (0, 2)  # only the inadequate whole-account assessment
    by_label = {t.period.label: (t.numerator, t.denominator, t.value, t.extras) for t in trend}
    assert by_label == {p.period.label: (p.numerator, p.denominator, p.value, p.extras) for p in (february, january)}


def test_risk_assessment_completion_is_held_by_the_due_date_over_scheduled(runtime: Runtime) -> None:
    book = Book(runtime)
    acme = book.account("Acme")

    def schedule(day: str, due: str) -> object:
        return book.app.schedule_interaction(
            on(day),
            acme,
            kind="risk_assessment",
            subject="site",
            scheduled_for=d(due),
            relationship_manager_ids=["rm-a"],
        ).aggregate_id

    on_time, late, cancelled = (
        schedule("2024-01-02", "2024-03-10"),
        schedule("2024-01-02", "2024-03-12"),
        schedule("2024-01-02", "2024-03-20"),
    )
    book.app.hold_interaction(on("2024-03-08"), on_time, outcome="done")
    book.app.hold_interaction(on("2024-03-15"), late, outcome="late")
    book.app.cancel_interaction(on("2024-03-01", "client busy"), cancelled)
    march = book.kpi("risk_assessment_completion_rate", month(3))
    assert (march.numerator, march.denominator, march.value) == (1, 3, 33.3333)
    assert book.kpi("risk_assessment_completion_rate", month(4)).value is None
