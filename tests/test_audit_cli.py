"""`kamcore audit`: each command explains itself, and verify / export / public-key work on real storage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kamcore.cli import app
from kamcore.settings import Settings

runner = CliRunner()


def storage_args(settings: Settings) -> list[str]:
    if settings.database_url:
        return ["--database-url", f"{settings.database_url}?schema={settings.database_schema}"]
    return ["--data-dir", str(settings.data_dir)]


@pytest.mark.parametrize("command", [[], ["verify"], ["export"], ["public-key"]])
def test_every_audit_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, ["audit", *command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_verify_export_and_public_key(settings: Settings, tmp_path: Path) -> None:
    args = storage_args(settings)
    assert runner.invoke(app, ["demo", "--accounts", "2", *args]).exit_code == 0
    unchained = runner.invoke(app, ["audit", "verify", *args])
    assert unchained.exit_code == 0, unchained.output
    assert "not yet chained" in unchained.output
    exported = runner.invoke(app, ["audit", "export", str(tmp_path / "bundle"), *args])
    assert exported.exit_code == 0, exported.output
    key = runner.invoke(app, ["audit", "public-key", *args])
    assert key.exit_code == 0, key.output
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text())
    assert manifest["public_key"] == key.output.strip()
    verified = runner.invoke(app, ["audit", "verify", "--public-key", key.output.strip(), *args])
    assert verified.exit_code == 0, verified.output
    assert f"verified {manifest['event_count']} events" in verified.output


def test_verify_exits_non_zero_on_failure(settings: Settings, tmp_path: Path) -> None:
    args = storage_args(settings)
    assert runner.invoke(app, ["demo", "--accounts", "1", *args]).exit_code == 0
    assert runner.invoke(app, ["audit", "export", str(tmp_path / "bundle"), *args]).exit_code == 0  # chains the log
    result = runner.invoke(app, ["audit", "verify", "--public-key", "ab" * 32, *args])
    assert result.exit_code == 1
    assert "untrusted key" in result.output
