"""KRA 5 (market research), cross-selling, management decisions and the retention-strategy row."""

from __future__ import annotations

from kamcore.runtime import Runtime
from tests.test_kpi_support import Book, d, month, on, quarter


def test_market_research_kpis(runtime: Runtime) -> None:
    book = Book(runtime)
    app = book.app
    app.publish_competitor_analysis(on("2024-01-10"), author_id="rm-a", title="Rivals", competitors=["X"], summary="s")
    app.identify_market_segment(on("2024-01-11"), code="drones", name="Drones", description="d", identified_by="rm-b")
    initiative = app.propose_expansion_initiative(
        on("2024-01-12"), title="Go east", owner_id="rm-a", target_date=d("2024-06-30")
    ).aggregate_id
    app.propose_expansion_initiative(on("2024-01-12"), title="Go west", owner_id="rm-a", target_date=d("2024-06-30"))
    app.implement_expansion_initiative(on("2024-02-01"), initiative)
    app.record_market_penetration(
        on("2023-12-31"),
        segment="corporate",
        region="North",
        as_of=d("2023-12-31"),
        clients_served=20,
        addressable_clients=100,
        source="survey",
    )
    app.record_market_penetration(
        on("2024-03-31"),
        segment="corporate",
        region="North",
        as_of=d("2024-03-31"),
        clients_served=25,
        addressable_clients=100,
        source="survey",
    )
    assert book.kpi("competitor_analysis_reports", quarter(1)).value == 1.0
    assert book.kpi("new_market_segments_identified", quarter(1), key="rm-b").value == 1.0
    assert book.kpi("expansion_initiatives_implemented", quarter(1)).value == 1.0
    growth = book.kpi("market_penetration_growth_rate", quarter(1), grain="company", key=None)
    assert (growth.numerator, growth.denominator, growth.value) == (50000, 200000, 25.0)  # 20 % -> 25 %
    assert book.kpi("market_penetration_growth_rate", quarter(2), grain="company", key=None).value is None


def test_cross_selling_and_management_decisions(runtime: Runtime) -> None:
    book = Book(runtime)
    app = book.app
    acme = book.account("Acme")
    need = app.identify_need(on("2024-01-02"), acme, description="property cover").detail["need_id"]

    def recommend(rm: str | None) -> object:
        return app.make_recommendation(
            on("2024-01-03"), acme, need_id=need, product_code="P2", relationship_manager_id=rm
        ).aggregate_id

    r1, r2, r3 = recommend("rm-a"), recommend(None), recommend("rm-b")
    app.accept_recommendation(on("2024-01-10"), r1)
    app.decline_recommendation(on("2024-01-11"), r2, reason="price")  # no RM named: the lead (rm-a)
    app.accept_recommendation(on("2024-01-12"), r3)
    rm_a = book.kpi("cross_selling_success_rate", month(1))
    assert (rm_a.numerator, rm_a.denominator, rm_a.value) == (1, 2, 50.0)
    assert book.kpi("cross_selling_success_rate", month(1), key="rm-b").value == 100.0
    assert book.kpi("cross_selling_success_rate", month(2)).value is None

    decision = app.record_management_decision(
        on("2024-01-05"),
        title="More reviews",
        description="d",
        kpi_id="client_meetings_per_month",
        baseline_value="2",
        decided_by="rm-a",
    ).aggregate_id
    app.record_decision_outcome(on("2024-03-01"), decision, observed_value="3", impact="positive")
    app.record_decision_outcome(on("2024-03-20"), decision, observed_value="2", impact="neutral")
    impact = book.kpi("management_decision_impact", quarter(1))
    assert (impact.numerator, impact.denominator, impact.value) == (1, 2, 50.0)


def test_retention_strategy_row(runtime: Runtime) -> None:
    book = Book(runtime)
    app = book.app
    a, b = book.account("A"), book.account("B")
    retail = book.account("R", segment="retail")
    book.policy(a, "2023-06-01", start="2023-06-01", end="2024-12-01")
    book.policy(b, "2023-02-15", start="2023-02-15", end="2024-02-15")
    strategy = app.launch_retention_strategy(
        on("2024-01-01"), name="Stay", description="d", starts_on=d("2024-04-01"), target_segments=["corporate"]
    ).aggregate_id
    app.record_survey_response(on("2024-03-20"), a, scale="csat", score=4)  # before the start
    app.record_survey_response(on("2024-04-10"), a, scale="csat", score=5)
    app.record_survey_response(on("2024-04-11"), retail, scale="csat", score=1)  # not targeted
    app.record_referral(on("2024-05-05"), a, referred_party="Z")
    book.policy(
        a, "2024-04-20", product="P2", kind="cross_sell", personalised_package=True, retention_strategy_id=strategy
    )
    change = book.kpi("retention_rate_change_after_strategy", quarter(2))
    assert change.value == 50.0  # 100 % after (A of A) − 50 % before (A of A, B)
    assert (change.extras["retentionAfter"], change.extras["retentionBefore"]) == (100.0, 50.0)
    assert book.kpi("retention_rate_change_after_strategy", quarter(3)).value is None  # no strategy started then
    assert book.kpi("personalised_packages_sold", quarter(2)).value == 1.0
    csat = book.kpi("csat_after_strategy", quarter(2), grain="company", key=None)
    assert (csat.numerator, csat.denominator, csat.value) == (5, 1, 5.0)
    referrals = book.kpi("retained_client_referral_rate", quarter(2))
    assert (referrals.numerator, referrals.denominator, referrals.value) == (1, 1, 100.0)
