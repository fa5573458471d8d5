"""KRA 1 (relationship building), new business (KRA 2) and policy-level renewal (KRA 4), hand-computed."""

from __future__ import annotations

from kamcore.runtime import Runtime
from tests.test_kpi_support import Book, d, eur, month, on, quarter


def test_retention_new_business_and_referral_rate_over_a_quarter(runtime: Runtime) -> None:
    book = Book(runtime)
    a, b, c, dd = (book.account(n) for n in ("A", "B", "C", "D"))
    pa = book.policy(a, "2023-06-01", start="2023-06-01", end="2024-06-01")
    pb = book.policy(b, "2023-05-01", start="2023-05-01", end="2024-05-01")
    book.policy(dd, "2023-07-01", start="2023-07-01", end="2024-07-01")
    book.hand_over(dd, "rm-b", "2024-05-01")  # reassignment mid-quarter: D stays rm-a's at the quarter start
    book.app.renew_policy(
        on("2024-05-20"), pa, written_premium=eur("1200"), commission=eur("0"), expiry_date=d("2025-06-01")
    )
    book.app.lapse_policy(on("2024-05-01"), pb, initiated_by="customer", effective_date=d("2024-05-01"))
    book.app.record_referral(on("2024-04-10"), c, referred_party="X")  # C is not yet a client: not counted
    book.policy(c, "2024-04-15")  # C: a new client in Q2
    book.app.record_referral(on("2024-05-10"), a, referred_party="Y")

    retention = book.kpi("client_retention_rate", quarter(2))
    assert (retention.numerator, retention.denominator, retention.value) == (2, 3, 66.6667)  # A and D of A, B, D
    assert book.kpi("client_retention_rate", quarter(2), key="rm-b").value is None  # no clients at the start
    company = book.kpi("client_retention_rate", quarter(2), grain="company", key=None)
    assert company.value == 66.6667
    acquisition = book.kpi("new_business_acquisition_rate", quarter(2))
    assert (acquisition.numerator, acquisition.denominator, acquisition.value) == (1, 3, 33.3333)
    referrals = book.kpi("referral_rate", quarter(2))
    assert (referrals.numerator, referrals.denominator, referrals.value) == (1, 3, 33.3333)
    assert book.kpi("client_retention_rate", quarter(1, 2023)).value is None  # nobody active: zero denominator


def test_meetings_per_month_count_once_per_rm_and_once_per_team(runtime: Runtime) -> None:
    book = Book(runtime)
    acme = book.account("Acme")

    def meeting(day: str, rms: list[str], kind: str = "meeting") -> None:
        book.app.record_interaction(on(day), acme, kind=kind, subject="s", outcome="o", relationship_manager_ids=rms)

    meeting("2024-01-10", ["rm-a", "rm-b"])
    meeting("2024-02-10", ["rm-a"], kind="account_review")
    meeting("2024-03-10", ["rm-a"])
    meeting("2024-03-11", ["rm-a"], kind="education_session")  # not a meeting
    cancelled = book.app.schedule_interaction(
        on("2024-03-01"),
        acme,
        kind="meeting",
        subject="s",
        scheduled_for=d("2024-03-20"),
        relationship_manager_ids=["rm-a"],
    )
    book.app.cancel_interaction(on("2024-03-15", "ill"), cancelled.aggregate_id)
    book.app.change_relationship_manager_team(on("2024-02-15"), "rm-b", team="north")
    rm_a = book.kpi("client_meetings_per_month", quarter(1))
    assert (rm_a.numerator, rm_a.denominator, rm_a.value) == (3, 3, 1.0)
    assert book.kpi("client_meetings_per_month", quarter(1), key="rm-b").value == 0.3333
    assert book.kpi("client_meetings_per_month", quarter(1), grain="team", key="north").numerator == 3
    assert book.kpi("client_meetings_per_month", quarter(1), grain="team", key="south").numerator == 1  # rm-b then
    assert book.kpi("client_meetings_per_month", quarter(1), grain="company", key=None).numerator == 3
    assert book.kpi("education_sessions_held", quarter(1)).value == 1.0


def test_csat_mean_follows_the_lead_at_the_response_date(runtime: Runtime) -> None:
    book = Book(runtime)
    acme = book.account("Acme")
    book.app.record_survey_response(on("2024-01-10"), acme, scale="csat", score=5)
    book.hand_over(acme, "rm-b", "2024-02-01")
    book.app.record_survey_response(on("2024-02-10"), acme, scale="csat", score=3)
    book.app.record_survey_response(on("2024-02-11"), acme, scale="nps", score=9)  # another scale: not CSAT
    book.app.record_survey_response(on("2024-02-12"), acme, scale="rating_5", score=2, subject="benefits_understanding")
    book.app.record_survey_response(on("2024-02-13"), acme, scale="rating_5", score=4, subject="education_material")
    book.app.record_survey_response(on("2024-02-14"), acme, scale="rating_5", score=1, subject="digital_service")
    assert book.kpi("customer_satisfaction_score", quarter(1)).value == 5.0
    rm_b = book.kpi("customer_satisfaction_score", quarter(1), key="rm-b")
    assert (rm_b.numerator, rm_b.denominator, rm_b.value) == (3, 1, 3.0)
    assert book.kpi("customer_satisfaction_score", quarter(1), grain="company", key=None).value == 4.0
    assert book.kpi("customer_satisfaction_score", month(2)).value is None  # rm-a: no responses in February
    assert book.kpi("benefits_understanding_score", month(2), key="rm-b").value == 2.0
    assert book.kpi("education_material_feedback_score", month(2), key="rm-b").value == 4.0
    assert book.kpi("digital_service_feedback_score", month(2), key="rm-b").value == 1.0


def test_renewal_rate_counts_only_policies_due_in_the_period(runtime: Runtime) -> None:
    book = Book(runtime)
    educated, other = book.account("Educated"), book.account("Other")
    renewed = book.policy(educated, "2023-03-01", start="2023-03-01", end="2024-03-01")
    lapsed = book.policy(educated, "2023-03-10", start="2023-03-10", end="2024-03-10")
    cancelled = book.policy(educated, "2023-03-15", start="2023-03-15", end="2024-03-15")
    book.policy(educated, "2023-04-01", start="2023-04-01", end="2024-04-01")  # due in April, not March
    other_policy = book.policy(other, "2023-03-05", start="2023-03-05", end="2024-03-05")
    book.app.record_interaction(
        on("2024-01-15"),
        educated,
        kind="education_session",
        subject="cover",
        outcome="ok",
        relationship_manager_ids=["rm-a"],
    )
    book.app.cancel_policy(on("2023-12-01"), cancelled, initiated_by="customer", effective_date=d("2023-12-01"))
    book.app.renew_policy(
        on("2024-02-20"), renewed, written_premium=eur("1300"), commission=eur("0"), expiry_date=d("2025-03-01")
    )
    book.app.lapse_policy(on("2024-03-10"), lapsed, initiated_by="customer", effective_date=d("2024-03-10"))
    book.app.renew_policy(
        on("2024-03-01"), other_policy, written_premium=eur("1000"), commission=eur("0"), expiry_date=d("2025-03-05")
    )
    march = book.kpi("educated_client_renewal_rate", month(3))
    assert (march.numerator, march.denominator, march.value) == (1, 2, 50.0)  # renewed of renewed + lapsed
    assert (march.extras["allPoliciesDue"], march.extras["allPoliciesRenewed"]) == (3.0, 2.0)
    assert march.extras["policyRenewalRate"] == 66.6667
    assert book.kpi("educated_client_renewal_rate", month(2)).value is None  # nothing due: null
