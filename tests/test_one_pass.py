"""One-pass catch-up and rebuild: each event decoded once for every read model, optionally in worker processes.

The replay check rebuilds each read model on its own (the per-runner path), so comparing it with read
models built in one pass checks the shared pass against an independent code path.
"""

from __future__ import annotations

from eventsourcing.persistence import StoredEvent
from typer.testing import CliRunner

from kamcore.application import CommandContext
from kamcore.audit.replay import replay_check
from kamcore.cli import app as cli
from kamcore.demo import write_book
from kamcore.projections.catalog import all_projections
from kamcore.projections.one_pass import catch_up_in_one_pass, rebuild, split
from kamcore.runtime import Runtime
from kamcore.settings import Settings

NAMES = [p.name for p in all_projections()]


def test_read_models_are_balanced_over_workers_by_cost() -> None:
    costs = {"a": 6, "b": 4, "c": 2, "d": 2, "e": 1, "f": 1}
    groups = split(list(costs), costs, 2)
    assert sorted(sum(costs[n] for n in g) for g in groups) == [8, 8]
    assert split(["a"], costs, 4) == [["a"]]


def test_a_rebuild_in_two_worker_processes_equals_a_rebuild_of_each_read_model(settings: Settings) -> None:
    runtime = Runtime(settings)
    try:
        write_book(runtime.app, 12, seed=4)
        head = runtime.app.head_position()
    finally:
        runtime.close()
    seen: dict[str, int] = {}
    report = rebuild(
        settings, NAMES, workers=2, progress=lambda name, position, _head: seen.__setitem__(name, position)
    )
    assert report.workers == 2
    assert report.head == head
    assert seen == dict.fromkeys(NAMES, head)  # progress of every read model reached the parent
    runtime = Runtime(settings)
    try:
        results = replay_check(runtime)
        assert all(r.ok for r in results), {r.name: r.differences for r in results if not r.ok}
        assert sum(r.rows for r in results) > 100
    finally:
        runtime.close()


def test_a_poison_event_stops_only_the_read_models_that_handle_it(settings: Settings) -> None:
    runtime = Runtime(settings)
    try:
        ctx = CommandContext(actor="test:poison")
        account = runtime.app.open_account(ctx, name="Good", segment="sme", region="West")
        topic = "kamcore.domain.account:Account.ProfileUpdated"
        runtime.app.recorder.insert_events(
            [StoredEvent(originator_id=account.aggregate_id, originator_version=2, topic=topic, state=b"{not json")]
        )
        poison = runtime.app.head_position()
        runtime.app.open_account(ctx, name="After", segment="sme", region="West")
        head = runtime.app.head_position()
        runners = list(runtime.runners.values())
        for runner in runners:
            runner.reset()
        catch_up_in_one_pass(runtime.app, runners, batch_size=2)
        failed = {r.name for r in runners if r.error is not None}
        assert "account_summary" in failed
        for runner in runners:
            if runner.name in failed:
                assert runner.position == poison - 1, runner.name
                assert f"failed at position {poison}" in str(runner.error)
            else:
                assert runner.position == head, runner.name
    finally:
        runtime.close()


def test_the_rebuild_command_reports_events_per_second(settings: Settings) -> None:
    runtime = Runtime(settings)
    try:
        write_book(runtime.app, 3, seed=2)
    finally:
        runtime.close()
    args = (
        ["--database-url", f"{settings.database_url}?schema={settings.database_schema}"]
        if settings.database_url
        else ["--data-dir", str(settings.data_dir)]
    )
    result = CliRunner().invoke(cli, ["rebuild", "account_summary", "kpi_measures", *args])
    assert result.exit_code == 0, result.output
    assert "rebuilt 2 read model(s)" in result.output
    assert "events/s" in result.output
    refused = CliRunner().invoke(cli, ["rebuild", "no_such_model", *args])
    assert refused.exit_code != 0
    assert "unknown projection" in refused.output
