"""Key-account ranking: hand-computed scores, selection rules, tiers with hysteresis, overrides, facts by date."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kamcore.domain.criteria import parse_criteria
from kamcore.domain.errors import InvalidInput
from kamcore.projections import ranking_view
from kamcore.projections.kpi_view import KpiView, Period
from kamcore.projections.ranking import AccountFacts, Override, rank_accounts
from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .ranking_book import bound_account, on

SMALL = parse_criteria(
    {
        "version": "test",
        "hysteresis": "5",
        "factors": [
            {"fact": "written_premium", "weight": "3", "scaling": "percentile"},
            {"fact": "loss_ratio", "weight": "1", "scaling": "percentile", "direction": "lower"},
        ],
        "selection": {"rule": "top_n", "n": 2},
        "tiers": [{"name": "strategic", "min_score": "60"}, {"name": "development", "min_score": "0"}],
    }
)


def facts(account_id: str, written: str, loss_ratio: str | None) -> AccountFacts:
    return AccountFacts(
        account_id,
        account_id.upper(),
        "corporate",
        "North",
        "active",
        None,
        {"written_premium": Decimal(written), "loss_ratio": Decimal(loss_ratio) if loss_ratio else None},
    )


BOOK = [facts("a", "100", "0.5"), facts("b", "50", "0.2"), facts("c", "10", None)]


class TestScoring:
    def test_scores_are_weighted_percentile_ranks_with_a_breakdown(self) -> None:
        ranked = {r.account.account_id: r for r in rank_accounts(BOOK, SMALL)}
        # written: c 0.5/3, b 1.5/3, a 2.5/3; loss ratio (lower is better, c has none): b 0.75, a 0.25
        assert ranked["a"].score == Decimal("68.75")  # 100 * (3 * 5/6 + 1 * 1/4) / 4
        assert ranked["b"].score == Decimal("56.25")  # 100 * (3 * 1/2 + 1 * 3/4) / 4
        assert ranked["c"].score == Decimal("12.50")  # 100 * (3 * 1/6 + 0) / 4
        assert [(f.fact, f.points) for f in ranked["a"].breakdown] == [
            ("written_premium", Decimal("62.50")),
            ("loss_ratio", Decimal("6.25")),
        ]
        assert [r.rank for r in (ranked["a"], ranked["b"], ranked["c"])] == [1, 2, 3]

    def test_top_n_selects_and_tiers_the_key_set(self) -> None:
        ranked = {r.account.account_id: r for r in rank_accounts(BOOK, SMALL)}
        assert {k: (r.key, r.tier) for k, r in ranked.items()} == {
            "a": (True, "strategic"),
            "b": (True, "development"),
            "c": (False, None),
        }

    def test_hysteresis_keeps_a_tier_until_the_score_clears_the_margin(self) -> None:
        ranked = {
            r.account.account_id: r
            for r in rank_accounts(BOOK, SMALL, previous_tiers={"a": "development", "b": "strategic"})
        }
        assert ranked["a"].tier == "strategic"  # 68.75 >= 60 + 5: moves up
        assert ranked["b"].tier == "strategic"  # 56.25 >= 60 - 5: stays up
        assert "margin" in ranked["b"].notes[0]

    def test_overrides_win_over_the_rule_and_show_as_such(self) -> None:
        overrides = {
            "c": Override("force_in", "development", "strategic partner", "2027-01-01"),
            "a": Override("force_out", None, "in run-off", "2027-01-01"),
        }
        ranked = {r.account.account_id: r for r in rank_accounts(BOOK, SMALL, overrides=overrides)}
        assert (ranked["c"].key, ranked["c"].tier, ranked["c"].selected_by) == (True, "development", "override")
        assert (ranked["a"].key, ranked["a"].selected_by, ranked["a"].override.reason) == (
            False,
            "override",
            "in run-off",
        )

    def test_pareto_and_score_threshold_rules(self) -> None:
        pareto = parse_criteria({**_doc(), "selection": {"rule": "pareto", "basis": "written_premium", "share": "0.6"}})
        assert [r.account.account_id for r in rank_accounts(BOOK, pareto) if r.key] == ["a"]  # 100 of 160
        threshold = parse_criteria({**_doc(), "selection": {"rule": "score_threshold", "threshold": "50"}})
        assert {r.account.account_id for r in rank_accounts(BOOK, threshold) if r.key} == {"a", "b"}

    def test_ineligible_accounts_are_explained(self) -> None:
        strict = parse_criteria({**_doc(), "eligibility": {"min_written_premium": "20"}})
        c = next(r for r in rank_accounts(BOOK, strict) if r.account.account_id == "c")
        assert (c.eligible, c.ineligible_reason, c.rank) == (False, "written premium below 20", None)


def _doc() -> dict[str, Any]:
    return {"factors": [{"fact": "written_premium", "weight": "1"}], "tiers": [{"name": "key", "min_score": "0"}]}


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"factors": []}, "factors"),
        ({**_doc(), "factors": [{"fact": "shoe_size"}]}, "factors[0].fact"),
        ({**_doc(), "factors": [{"fact": "written_premium", "weight": 0.5}]}, "factors[0].weight"),
        ({**_doc(), "selection": {"rule": "dice"}}, "selection.rule"),
        ({**_doc(), "tiers": [{"name": "low", "min_score": "0"}, {"name": "high", "min_score": "50"}]}, "tiers"),
    ],
)
def test_malformed_criteria_name_the_field(document: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_criteria(document)
    assert raised.value.field == field


def test_facts_follow_business_dates(runtime: Runtime, book: dict[str, Any]) -> None:
    ranking = runtime.rankings.ranking(date(2026, 3, 31))
    a = runtime.rankings.account(ranking, book["a"]).account.facts
    assert a["written_premium"] == Decimal("120000.00")
    earned = Decimal(120000) * 90 / 365  # Jan + Feb + Mar of a 365-day term
    assert abs(a["earned_premium"] - earned) <= Decimal("0.01")
    assert a["incurred_claims"] == Decimal("20000.00")  # 5,000 paid + 15,000 still reserved
    assert a["loss_ratio"] == (Decimal("20000.00") / a["earned_premium"]).quantize(Decimal("0.0001"))
    assert a["lines_held"] == 1
    profit = a["earned_premium"] - Decimal("20000.00") - Decimal("0.15") * a["earned_premium"]
    assert abs(a["profit_contribution"] - (profit - a["earned_premium"] / 10)) <= Decimal("0.02")
    before = runtime.rankings.ranking(date(2025, 12, 31))
    assert runtime.rankings.account(before, book["a"]).account.facts["written_premium"] == 0


def test_default_criteria_select_by_premium_share(runtime: Runtime, book: dict[str, Any]) -> None:
    ranking = runtime.rankings.ranking(date(2026, 3, 31))
    assert ranking.criteria.version == "default-1"
    assert [r.account.account_id for r in ranking.key_accounts()] == [book["a"]]  # 120k of 150k eligible = 80%
    c = runtime.rankings.account(ranking, book["c"])
    assert (c.eligible, c.ineligible_reason) == (False, "written premium below 10000.00")
    assert ranking.share("written_premium") == Decimal("0.7742")  # 120k of 155k written in all
    curve = runtime.rankings.pareto(date(2026, 3, 31), "written_premium")
    assert [(n, share) for n, _, share in curve] == [
        (1, Decimal("0.7742")),
        (2, Decimal("0.9677")),
        (3, Decimal("1.0000")),
    ]


def test_a_proposed_version_is_simulated_then_rules_once_adopted(runtime: Runtime, book: dict[str, Any]) -> None:
    document = {
        "factors": [{"fact": "written_premium", "weight": "1"}],
        "selection": {"rule": "top_n", "n": 2},
        "tiers": [{"name": "strategic", "min_score": "50"}, {"name": "streamline", "min_score": "0"}],
    }
    runtime.app.propose_criteria(
        on("2026-03-01"), version_id="top-2", name="Top two", parameters=document, effective_from=date(2026, 4, 1)
    )
    assert runtime.wait_for(runtime.app.head_position())
    simulation = runtime.rankings.simulate("top-2", date(2026, 3, 31))
    assert [r.account.account_id for r in simulation["entering"]] == [book["b"]]
    assert simulation["leaving"] == []
    runtime.app.adopt_criteria(on("2026-03-15"), "top-2")
    assert runtime.wait_for(runtime.app.head_position())
    assert runtime.rankings.ranking(date(2026, 3, 31)).criteria.version == "default-1"  # not yet in force
    april = runtime.rankings.ranking(date(2026, 4, 30))
    assert april.criteria.version == "top-2"
    assert {r.account.account_id for r in april.key_accounts()} == {book["a"], book["b"]}


def test_an_override_forces_an_account_in(runtime: Runtime, book: dict[str, Any]) -> None:
    from uuid import UUID

    runtime.app.override_key_account(
        on("2026-03-01"),
        UUID(book["c"]),
        decision="force_in",
        tier="development",
        reason="strategic partner",
        expires_on=date(2027, 3, 1),
    )
    assert runtime.wait_for(runtime.app.head_position())
    c = runtime.rankings.account(runtime.rankings.ranking(date(2026, 3, 31)), book["c"])
    assert (c.key, c.tier, c.selected_by, c.override.reason) == (True, "development", "override", "strategic partner")
    earlier = runtime.rankings.account(runtime.rankings.ranking(date(2026, 2, 28)), book["c"])
    assert earlier.selected_by is None  # the override starts on its business date


def test_key_accounts_short_of_their_service_standard_are_listed(runtime: Runtime, book: dict[str, Any]) -> None:
    from uuid import UUID

    from kamcore.projections.ranking_view import service_gaps

    app, atlas = runtime.app, UUID(book["a"])
    for tier in ("strategic", "development", "maintenance", "streamline"):  # the same standard whatever the tier
        app.set_service_standard(
            on("2026-01-01"), tier=tier, review_cadence_days=60, required_roles=["lead", "claims_manager"]
        )
    assert runtime.wait_for(app.head_position())
    gaps = service_gaps(runtime.rankings, date(2026, 3, 31))
    assert [(g.ranked.account.name, g.ranked.tier, g.problems) for g in gaps] == [
        (
            "Atlas",
            "maintenance",
            (
                "no account review in the last 60 days",
                "no lead relationship manager",
                "missing team roles: claims_manager",
            ),
        )
    ]
    app.assign_relationship_manager(on("2026-02-01"), atlas, relationship_manager_id="rm-1", role="lead")
    app.assign_relationship_manager(on("2026-02-01"), atlas, relationship_manager_id="rm-2", role="claims_manager")
    app.record_interaction(
        on("2026-03-10"),
        atlas,
        kind="account_review",
        subject="annual review",
        outcome="renewal strategy agreed",
        relationship_manager_ids=["rm-1"],
    )
    assert runtime.wait_for(app.head_position())
    assert service_gaps(runtime.rankings, date(2026, 3, 31)) == []
    late = service_gaps(runtime.rankings, date(2026, 6, 30))  # the review is now more than 60 days old
    assert [g.problems for g in late] == [("no account review in the last 60 days",)]


def test_a_kept_ranking_is_served_at_once_and_refreshed_in_the_background(
    runtime: Runtime, book: dict[str, Any]
) -> None:
    """Readers that accept an older position get the kept ranking; a newer one replaces it without them waiting."""
    day = date(2026, 3, 31)
    first = runtime.rankings.ranking(day)
    assert first.position == runtime.app.head_position()
    d, _ = bound_account(runtime, "Dynamo", "900000.00", "2026-03-01", "2027-03-01")
    assert runtime.wait_for(runtime.app.head_position())
    served = runtime.rankings.ranking(day, at_least=first.position)
    assert served is first  # stale but acceptable to this reader: no waiting for a re-rank
    deadline = time.monotonic() + 10
    while (fresh := runtime.rankings.ranking(day, at_least=first.position)) is first:
        assert time.monotonic() < deadline, "the background refresh never replaced the kept ranking"
        time.sleep(0.02)
    assert fresh.position == runtime.app.head_position()
    assert fresh.key_accounts()[0].account.account_id == str(d)
    # a reader that needs the newest position never gets an older ranking
    assert runtime.rankings.ranking(day).position == runtime.app.head_position()
    assert runtime.rankings.ranking(day, at_least=runtime.app.head_position()) is fresh


def test_the_server_is_warming_until_the_start_up_ranking_is_kept(runtime: Runtime, book: dict[str, Any]) -> None:
    """Readiness (`/readyz`) waits for the background ranking that start-up asks for, and only for that."""
    gate = threading.Event()
    runtime.rankings._refresher.submit(gate.wait)  # holds the refresher, so the warm-up waits in its queue
    runtime.rankings.warm(date(2026, 3, 31))
    assert runtime.readiness() == "warming"
    gate.set()
    deadline = time.monotonic() + 10
    while runtime.readiness() == "warming":
        assert time.monotonic() < deadline, "the warm-up never finished"
        time.sleep(0.02)
    assert runtime.readiness() == "ready"


def test_the_kpi_tier_grain_groups_facts_by_the_tier_held_at_the_end_of_their_month(
    runtime: Runtime, book: dict[str, Any]
) -> None:
    """Atlas (bound in January) is the only key account; Borealis and Cobalt (February) are not key."""
    tiers_jan = runtime.rankings.ranking(date(2026, 1, 31)).tiers
    tiers_feb = runtime.rankings.ranking(date(2026, 2, 28)).tiers
    assert set(tiers_jan) == set(tiers_feb) == {book["a"]}
    view = KpiView(runtime.stores["kpi_measures"], tiers=lambda day: runtime.rankings.ranking(day).tiers)
    board = dict(view.leaderboard("revenue_per_quarter", "tier", Period.quarter(2026, 1), date(2026, 3, 31)))
    assert set(board) == {tiers_jan[book["a"]], "non_key"}
    assert board[tiers_jan[book["a"]]].value == 120000
    assert board["non_key"].value == 35000  # Borealis 30,000 + Cobalt 5,000
    without_ranking = dict(
        KpiView(runtime.stores["kpi_measures"]).leaderboard(
            "revenue_per_quarter", "tier", Period.quarter(2026, 1), date(2026, 3, 31)
        )
    )
    assert set(without_ranking) == {"non_key"}


def test_a_large_kept_ranking_leaves_the_cyclic_gc_and_is_freed_when_evicted(
    runtime: Runtime, book: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ranking at or above FREEZE_FROM accounts is frozen (full collections skip it); eviction still frees it."""
    monkeypatch.setattr(ranking_view, "FREEZE_FROM", 1)  # this book's three accounts count as large
    try:
        ranking = runtime.rankings.ranking(date(2026, 3, 31))
        assert gc.get_freeze_count() > 0
        frozen = ranking.accounts[0]
        assert not any(o is frozen for o in gc.get_objects())  # out of every generation the collector walks
        evicted = weakref.ref(ranking)
        del ranking, frozen
        runtime.rankings._cache.clear()
        assert evicted() is None  # freed by reference counting, frozen or not
    finally:
        gc.unfreeze()


def test_a_ranking_sums_months_from_the_by_month_index_alone(tmp_path: Path) -> None:
    """The sums read no table row per account-month: on 10k accounts that made a ranking 1.6x slower."""
    runtime = Runtime(Settings(data_dir=tmp_path / "data"))
    try:
        with runtime.stores["ranking_facts"].reading() as sql:
            for statement in (ranking_view.MONTH_SUMS, ranking_view.WRITTEN_SUMS):
                plan = sql.execute(f"EXPLAIN QUERY PLAN {statement}", ("2026-01", "2026-12")).fetchall()
                assert any("COVERING INDEX ranking_month_by_month" in row["detail"] for row in plan), plan
    finally:
        runtime.close()
