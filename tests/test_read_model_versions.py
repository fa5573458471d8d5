"""A read model whose tables change shape is rebuilt from the log when its store opens, on every backend."""

from __future__ import annotations

from typing import Any

import pytest

from kamcore.application import CommandContext
from kamcore.projections.account_summary import AccountSummaryProjection
from kamcore.runtime import Runtime
from kamcore.settings import Settings


def names(runtime: Runtime) -> list[str]:
    with runtime.stores["account_summary"].reading() as sql:
        return [r["name"] for r in sql.execute("SELECT name FROM {t}account_summary ORDER BY name").fetchall()]


def test_a_new_schema_version_empties_the_read_model_and_replays_the_log(
    settings: Settings, ctx: CommandContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Runtime(settings)
    first.start()
    first.app.open_account(ctx, name="Kept", segment="sme", region="West")
    assert first.wait_for(first.app.head_position())
    head = first.app.head_position()
    first.close()

    same = Runtime(settings)  # same version: nothing is rebuilt
    assert same.runners["account_summary"].status().position == head
    same.close()

    monkeypatch.setattr(AccountSummaryProjection, "schema_version", 2)
    upgraded = Runtime(settings)
    try:
        assert upgraded.runners["account_summary"].status().position == 0
        assert names(upgraded) == []
        assert upgraded.runners["event_history"].status().position == head  # other read models keep their rows
        upgraded.start()
        assert names(upgraded) == ["Kept"]
        assert upgraded.runners["account_summary"].status().position == head
    finally:
        upgraded.close()


def test_a_store_from_before_versions_were_recorded_counts_as_version_one(
    settings: Settings, ctx: CommandContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Runtime(settings)
    first.start()
    first.app.open_account(ctx, name="Old", segment="sme", region="West")
    assert first.wait_for(first.app.head_position())
    with first.stores["account_summary"].writing() as sql:
        sql.execute("DELETE FROM {t}read_model_version WHERE projection = ?", ("account_summary",))
    first.close()

    unchanged = Runtime(settings)
    assert names(unchanged) == ["Old"]  # version 1 as before: kept
    unchanged.close()
    monkeypatch.setattr(AccountSummaryProjection, "schema_version", 3)
    upgraded: Any = Runtime(settings)
    try:
        assert names(upgraded) == []
        upgraded.start()
        assert names(upgraded) == ["Old"]
    finally:
        upgraded.close()
