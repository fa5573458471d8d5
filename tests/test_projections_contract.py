"""The projection engine on every backend: exactly once, resumable, rebuildable, loud on poison."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking

from kamcore.application import CommandContext
from kamcore.demo import seed_demo
from kamcore.projections.runner import ProjectionFailed
from kamcore.runtime import Runtime
from kamcore.settings import Settings


def rows(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.stores["account_summary"].reading() as sql:
        return [dict(r) for r in sql.execute("SELECT * FROM {t}account_summary ORDER BY account_id").fetchall()]


def test_a_batch_is_applied_exactly_once(runtime: Runtime, ctx: CommandContext) -> None:
    opened = runtime.app.open_account(ctx, name="ACME", segment="corporate", region="EMEA")
    runtime.app.raise_complaint(ctx, opened.aggregate_id, category="claims", description="slow")
    assert runtime.wait_for(runtime.app.head_position())
    before = rows(runtime)
    notification = runtime.app.recorder.select_notifications(start=0, limit=10, inclusive_of_start=False)[-1]
    replayed = runtime.app.mapper.to_domain_event(notification)
    with pytest.raises(IntegrityError):
        runtime.stores["account_summary"].apply_batch([replayed], Tracking(runtime.app.name, notification.id))
    assert rows(runtime) == before
    assert before[0]["open_complaints"] == 1


def test_projection_resumes_after_restart_where_it_stopped(settings: Settings, ctx: CommandContext) -> None:
    first = Runtime(settings)
    first.start()
    seed_demo(first.app, accounts=5)
    assert first.wait_for(first.app.head_position())
    position = first.runners["account_summary"].status().position
    first.close()

    writer = Runtime(settings)  # written while no projection runs
    writer.app.open_account(ctx, name="Late", segment="sme", region="West")
    head = writer.app.head_position()
    writer.close()

    second = Runtime(settings)
    try:
        assert second.runners["account_summary"].status().position == position
        second.start()
        assert second.runners["account_summary"].status().position == head
        assert len(rows(second)) == 6
    finally:
        second.close()


def test_rebuild_reproduces_the_live_read_model(runtime: Runtime, ctx: CommandContext) -> None:
    seed_demo(runtime.app, accounts=12)
    opened = runtime.app.open_account(ctx, name="Zeta", segment="sme", region="West")
    runtime.app.close_account(ctx, opened.aggregate_id)
    assert runtime.wait_for(runtime.app.head_position())
    live = rows(runtime)
    runtime.runners["account_summary"].stop()
    applied = runtime.runners["account_summary"].rebuild()
    assert applied > 0
    assert rows(runtime) == live


def test_a_poison_event_stops_the_projection_at_its_position(runtime: Runtime, ctx: CommandContext) -> None:
    good = runtime.app.open_account(ctx, name="Good", segment="sme", region="West")
    assert runtime.wait_for(good.position)
    corrupt = StoredEvent(
        originator_id=good.aggregate_id,
        originator_version=2,
        topic="kamcore.domain.account:Account.ProfileUpdated",
        state=b"{not json",
    )
    runtime.app.recorder.insert_events([corrupt])
    poison_position = runtime.app.head_position()
    runtime.app.open_account(ctx, name="After", segment="sme", region="West")
    with pytest.raises(ProjectionFailed) as raised:
        runtime.wait_for(runtime.app.head_position(), timeout=5)
    assert raised.value.position == poison_position
    status = runtime.runners["account_summary"].status()
    assert status.position == poison_position - 1  # everything before it, nothing after it
    assert not status.running
    assert "failed at position" in (status.error or "")
    assert [r["name"] for r in rows(runtime)] == ["Good"]


def test_a_worker_killed_mid_rebuild_resumes_to_the_same_read_model(settings: Settings, tmp_path: Any) -> None:
    seeded = Runtime(settings)
    seed_demo(seeded.app, accounts=150)
    seeded.close()
    env = {**os.environ, "KAMCORE_DATA_DIR": str(settings.data_dir), "KAMCORE_PROJECTION_BATCH_SIZE": "20"}
    if settings.database_url:
        env |= {"KAMCORE_DATABASE_URL": settings.database_url, "KAMCORE_DATABASE_SCHEMA": settings.database_schema}
    worker = subprocess.Popen(
        [sys.executable, "-m", "kamcore.cli", "rebuild"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    probe = Runtime(settings)
    try:
        deadline = time.monotonic() + 60
        while probe.runners["account_summary"].status().position == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert probe.runners["account_summary"].status().position > 0
        probe.runners["account_summary"].catch_up()
        resumed = rows(probe)
        probe.runners["account_summary"].rebuild()
        assert rows(probe) == resumed
        assert len(resumed) == 150
    finally:
        probe.close()


def test_two_workers_on_one_read_model_apply_every_event_once(settings: Settings) -> None:
    """Both follow the log at once (two `kamcore project` processes): batches must never overlap."""
    from kamcore.audit.replay import replay_check

    first, second = Runtime(settings), Runtime(settings)
    first.start()
    second.start()
    try:
        seed_demo(first.app, accounts=20)
        assert first.wait_for(first.app.head_position(), timeout=10)
        assert second.wait_for(first.app.head_position(), timeout=10)
        results = replay_check(first)
        assert all(r.ok for r in results), [r.differences for r in results]
    finally:
        first.close()
        second.close()
