"""Per-month fact totals: an RM's scorecard read from them equals the one read from the facts."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from kamcore.demo import write_book
from kamcore.projections.kpi_view import KpiResult, KpiView, Period, Totals
from kamcore.runtime import Runtime
from tests.test_kpi_support import AS_OF, Book, d, on, quarter


def flat(results: list[KpiResult]) -> dict[str, list[tuple[Any, ...]]]:
    """Every figure of a scorecard, trend included, by KPI."""
    return {
        r.kpi.id: [
            (p.period.label, p.value, p.numerator, p.denominator, p.extras, p.target, p.variance, p.target_met)
            for p in (r, *r.trend)
        ]
        for r in results
    }


def both_paths(runtime: Runtime) -> tuple[KpiView, KpiView]:
    store = runtime.stores["kpi_measures"]
    return KpiView(store), KpiView(store, totals=False)


def answered_by_totals(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The fact measures the totals answered from now on (the others fell back to the facts)."""
    answered: list[str] = []
    measure = Totals.measure

    def spy(self: Totals, name: str, period: Period, as_of: date) -> Any:
        result = measure(self, name, period, as_of)
        if result is not None:
            answered.append(name)
        return result

    monkeypatch.setattr(Totals, "measure", spy)
    return answered


def test_scorecards_from_totals_equal_the_facts_for_every_kpi_on_a_demo_book(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_book(runtime.app, 40, seed=5)
    assert runtime.wait_for(runtime.app.head_position(), timeout=60)
    fast, exact = both_paths(runtime)
    with fast.store.reading() as sql:
        rows = sql.execute("SELECT rm_id, teams FROM {t}kpi_rm ORDER BY rm_id").fetchall()
    subjects = [("rm", r["rm_id"]) for r in rows[:4]] + [
        ("team", team) for team in sorted({json.loads(r["teams"])[-1][1] for r in rows})[:2]
    ]
    today = date.today()
    period = Period.containing("quarter", today).previous()
    answered = answered_by_totals(monkeypatch)
    for as_of in (today, period.last, period.start + timedelta(days=40)):
        for grain, key in subjects:
            expected = flat(exact.scorecard(grain, key, period, as_of, trend=3))
            assert flat(fast.scorecard(grain, key, period, as_of, trend=3)) == expected, (grain, key, as_of)
    assert set(answered) >= {"meetings_held", "written_premium", "quote_conversion", "earned_premium"}


def test_a_voided_fact_leaves_the_totals_and_they_answer_only_from_the_void_on(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = Book(runtime)
    app = book.app
    app.submit_performance_report(on("2024-02-02"), "rm-a", month=d("2024-01-01"))
    app.submit_performance_report(on("2024-03-02"), "rm-a", month=d("2024-02-01"))
    app.correct_performance_report(on("2024-03-10"), "rm-a", month=d("2024-02-01"), errors_found=1, description="x")
    fast, exact = book.view(), KpiView(runtime.stores["kpi_measures"], totals=False)
    with fast.store.reading() as sql:
        february = sql.execute(
            "SELECT num, den, facts, settled_on FROM {t}kpi_rm_total"
            " WHERE rm_id = 'rm-a' AND measure = 'report_accuracy' AND month = '2024-02-01'"
        ).fetchone()
    # The voided numerator fact left the sums; the denominator fact stays; valid from the void on.
    assert (february["num"], february["den"], february["facts"], february["settled_on"]) == (0, 1, 1, "2024-03-10")
    answered = answered_by_totals(monkeypatch)
    ids = ["performance_report_accuracy"]
    for as_of in (d("2024-03-05"), d("2024-03-10"), AS_OF):
        for grain, key in (("rm", "rm-a"), ("team", "north")):
            got = fast.scorecard(grain, key, quarter(1), as_of, kpi_ids=ids)[0]
            assert flat([got]) == flat(exact.scorecard(grain, key, quarter(1), as_of, kpi_ids=ids))
            assert got.value == (100.0 if as_of < d("2024-03-10") else 50.0)
    assert answered == ["report_accuracy"] * 2  # the RM's, from the void on; before it, the facts answered


def test_each_trend_period_of_a_scorecard_equals_that_periods_own_scorecard(runtime: Runtime) -> None:
    """A scorecard with a trend reads some tables once for its whole span; each period must still see only its own."""
    write_book(runtime.app, 40, seed=5)
    assert runtime.wait_for(runtime.app.head_position(), timeout=60)
    view = KpiView(runtime.stores["kpi_measures"])
    with view.store.reading() as sql:
        rms = [r["rm_id"] for r in sql.execute("SELECT rm_id FROM {t}kpi_rm ORDER BY rm_id").fetchall()[:3]]
    period = Period.containing("quarter", date.today()).previous()
    for as_of in (date.today(), period.start + timedelta(days=40)):
        for rm in rms:
            with_trend = flat(view.scorecard("rm", rm, period, as_of, trend=3))
            for back in range(4):
                alone = flat(view.scorecard("rm", rm, period.shifted(-back), as_of))
                for kpi, points in with_trend.items():
                    assert points[back] == alone[kpi][0], (rm, as_of, kpi, back)
