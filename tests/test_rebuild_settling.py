"""A rebuild from zero drops the readers' indexes and derived totals, and settles them once it has caught up.

Until then the totals are not trusted (scorecards answer from the facts); a rebuild cut off half-way is
settled by whichever runner next reaches the head, and ends equal to a replay.
"""

from __future__ import annotations

from datetime import date

from kamcore.audit.replay import replay_check
from kamcore.demo import write_book
from kamcore.projections.kpi_view import KpiView, Period
from kamcore.projections.store import ReadModelStore
from kamcore.runtime import Runtime
from kamcore.settings import Settings
from tests.test_kpi_totals import flat


def indexes(store: ReadModelStore, settings: Settings) -> set[str]:
    with store.reading() as sql:
        if settings.database_url:
            found = sql.execute(
                "SELECT indexname AS name FROM pg_indexes WHERE schemaname = ?", [settings.database_schema]
            )
        else:
            found = sql.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {r["name"] for r in found.fetchall()}


def analysed(store: ReadModelStore, settings: Settings) -> set[str]:
    """PostgreSQL tables of the schema whose planner statistics were gathered by an explicit ANALYZE."""
    with store.reading() as sql:
        found = sql.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = ? AND last_analyze IS NOT NULL",
            [settings.database_schema],
        )
        return {r["relname"] for r in found.fetchall()}


def totals(store: ReadModelStore) -> list[tuple[object, ...]]:
    with store.reading() as sql:
        rows = sql.execute("SELECT * FROM {t}kpi_rm_total ORDER BY rm_id, month, measure").fetchall()
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]


def test_a_rebuild_cut_off_half_way_answers_from_the_facts_and_settles_on_the_next_catch_up(
    settings: Settings,
) -> None:
    runtime = Runtime(settings)
    try:
        write_book(runtime.app, 12, seed=3)
        runtime.catch_up()
        kpi = runtime.stores["kpi_measures"]
        wanted = set(kpi.projection.secondary_indexes)
        live_totals = totals(kpi)
        assert wanted <= indexes(kpi, settings)
        assert live_totals

        runner = runtime.runners["kpi_measures"]
        runner.reset()
        runner.step()  # one batch of the rebuild, then the process "dies"
        assert kpi.rebuilding
        assert not wanted & indexes(kpi, settings)
        with kpi.reading() as sql:
            rm = sql.execute("SELECT rm_id FROM {t}kpi_rm WHERE rm_id <> '' ORDER BY rm_id").fetchone()["rm_id"]
        period = Period.containing("quarter", date.today()).previous()
        fast, exact = KpiView(kpi), KpiView(kpi, totals=False)
        assert flat(fast.scorecard("rm", rm, period, date.today(), trend=2)) == flat(
            exact.scorecard("rm", rm, period, date.today(), trend=2)
        )
    finally:
        runtime.close()

    restarted = Runtime(settings)
    try:
        kpi = restarted.stores["kpi_measures"]
        assert kpi.rebuilding  # the marker outlived the process
        assert not wanted & indexes(kpi, settings)  # opening a store does not build them half-way
        restarted.catch_up()
        assert not kpi.rebuilding
        assert wanted <= indexes(kpi, settings)
        assert totals(kpi) == live_totals
        results = replay_check(restarted)
        assert all(r.ok for r in results), {r.name: r.differences for r in results if not r.ok}
    finally:
        restarted.close()


def test_a_whole_rebuild_leaves_every_index_and_no_marker(settings: Settings) -> None:
    runtime = Runtime(settings)
    try:
        write_book(runtime.app, 5, seed=4)
        runners = list(runtime.runners.values())
        for runner in runners:
            runner.rebuild()
        for runner in runners:
            store = runner.store
            assert not store.rebuilding, runner.name
            assert set(store.projection.secondary_indexes) <= indexes(store, settings), runner.name
            if settings.database_url:  # the planner has statistics of the reloaded tables (SQLite plans without)
                assert set(store.projection.tables) <= analysed(store, settings), runner.name
            with store.reading() as sql:
                assert not sql.execute("SELECT * FROM {t}read_model_rebuilding").fetchall()
    finally:
        runtime.close()
