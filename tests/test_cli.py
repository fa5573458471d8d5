"""The CLI: every command explains itself, and the operational commands work on real storage."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kamcore.cli import app
from kamcore.projections.account_summary_view import AccountFilter
from kamcore.settings import Settings

runner = CliRunner()
COMMANDS = ["serve", "demo", "project", "rebuild", "status", "export-schema"]


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def storage_args(settings: Settings) -> list[str]:
    if settings.database_url:
        return ["--database-url", f"{settings.database_url}?schema={settings.database_schema}"]
    return ["--data-dir", str(settings.data_dir)]


def test_demo_rebuild_and_status(settings: Settings) -> None:
    args = storage_args(settings)
    seeded = runner.invoke(app, ["demo", "--accounts", "3", *args])
    assert seeded.exit_code == 0, seeded.output
    rebuilt = runner.invoke(app, ["rebuild", *args])
    assert rebuilt.exit_code == 0, rebuilt.output
    status = runner.invoke(app, ["status", *args])
    assert status.exit_code == 0, status.output
    assert "account_summary" in status.output


def test_rebuild_refuses_an_unknown_projection(settings: Settings) -> None:
    result = runner.invoke(app, ["rebuild", "nope", *storage_args(settings)])
    assert result.exit_code != 0
    assert "unknown projection" in result.output


def test_audit_replay_and_history(settings: Settings) -> None:
    args = storage_args(settings)
    assert runner.invoke(app, ["demo", "--accounts", "2", *args]).exit_code == 0
    replay = runner.invoke(app, ["audit", "replay", *args])
    assert replay.exit_code == 0, replay.output
    assert "account_summary" in replay.output
    assert "difference" not in replay.output
    from kamcore.runtime import Runtime

    runtime = Runtime(settings)
    try:
        runtime.catch_up()
        account = runtime.accounts.page(AccountFilter(), first=1).rows[0]
    finally:
        runtime.close()
    shown = runner.invoke(app, ["audit", "history", "--account", account["account_id"], "--json", *args])
    assert shown.exit_code == 0, shown.output
    first = shown.output.splitlines()[0]
    assert '"event_type": "Opened"' in first
    assert '"actor": "demo"' in first
