"""The CLI: every command explains itself, and the operational commands work on real storage."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kamcore.cli import app
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
