"""One-pass catch-up and rebuild: each event decoded once for every read model, optionally in worker processes.

The replay check rebuilds each read model on its own (the per-runner path), so comparing it with read
models built in one pass checks the shared pass against an independent code path.
"""

from __future__ import annotations

import time

import pytest
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


def _burst(runtime: Runtime, surveys: int) -> int:
    ctx = CommandContext(actor="test:burst")
    account = runtime.app.open_account(ctx, name="Busy", segment="sme", region="West")
    for score in range(surveys):
        runtime.app.record_survey_response(ctx, account.aggregate_id, scale="nps", score=score % 11)
    head = runtime.app.head_position()
    assert runtime.wait_for(head, timeout=10)  # read-your-writes answers from the positions in memory
    return head


def test_a_burst_a_read_model_ignores_moves_its_stored_position_once(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = runtime.runners["market_research"]  # handles no account or survey event
    monkeypatch.setattr(quiet, "record_empty_after", 3600.0)
    batches: list[int] = []
    apply_batch = quiet.store.apply_batch
    monkeypatch.setattr(quiet.store, "apply_batch", lambda *a, **k: batches.append(1) or apply_batch(*a, **k))
    head = _burst(runtime, 12)
    assert len(batches) <= 1  # the first batch after a quiet spell stores its position; the others wait
    assert quiet.position == head
    assert quiet.status().position < head
    quiet.record_position()
    assert quiet.status().position == head


def test_positions_kept_in_memory_are_stored_once_the_log_goes_quiet(runtime: Runtime) -> None:
    head = _burst(runtime, 12)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(r.status().position < head for r in runtime.runners.values()):
        time.sleep(0.02)
    assert {name: r.status().position for name, r in runtime.runners.items()} == dict.fromkeys(runtime.runners, head)


def test_the_chain_keeper_chains_a_burst_in_few_transactions(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    keeper = runtime.chain_keeper
    batches: list[int] = []
    apply_batch = keeper.store.apply_batch
    monkeypatch.setattr(keeper.store, "apply_batch", lambda *a, **k: batches.append(1) or apply_batch(*a, **k))
    monkeypatch.setattr(type(keeper), "coalesce", 0.5)  # wider than the burst takes, so the test cannot race it
    head = _burst(runtime, 12)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and keeper.status().position < head:
        time.sleep(0.02)
    assert keeper.status().position == head  # every event chained
    assert len(batches) < 12  # the first save's batch at once, then what arrived meanwhile together
