"""The CLI: every command explains itself, and the operational commands work on real storage."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kamcore.cli import app
from kamcore.projections.account_summary_view import AccountFilter
from kamcore.settings import Settings

from .conftest import free_port
from .test_api_end_to_end import OPEN

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


def test_serve_with_two_workers_answers_from_both_on_one_store(
    settings: Settings, tmp_path: Path, admin_headers: dict[str, str]
) -> None:
    """`serve --workers 2`: two uvicorn processes on one port, each with its runtime, over the same store."""
    env = {**os.environ, "KAMCORE_DATA_DIR": str(settings.data_dir), "KAMCORE_DATABASE_URL": ""}
    if settings.database_url:
        env |= {"KAMCORE_DATABASE_URL": settings.database_url, "KAMCORE_DATABASE_SCHEMA": settings.database_schema}
    port, log = free_port(), tmp_path / "serve.log"
    command = [sys.executable, "-m", "kamcore.cli", "serve", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen([*command, "--workers", "2"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        pids: set[int] = set()
        deadline = time.monotonic() + 90
        while len(pids) < 2:  # each request opens a connection, which either worker may accept
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"workers answering: {pids}\n{log.read_text()}"
            try:
                health = httpx.get(f"{url}/healthz", timeout=2)
                pids.add(health.json()["pid"])
                assert health.json()["status"] == "ok"
            except httpx.HTTPError:
                time.sleep(0.1)
        variables = {"input": {"name": "Two Workers Ltd", "segment": "SME", "region": "North"}}
        opened = httpx.post(
            f"{url}/graphql", json={"query": OPEN, "variables": variables}, headers=admin_headers, timeout=15
        ).json()
        assert opened["data"]["openAccount"]["userErrors"] == []
        query = {"query": "{ accounts(first: 5) { totalCount } }"}
        for _ in range(10):
            listed = httpx.post(f"{url}/graphql", json=query, headers=admin_headers, timeout=15).json()
            assert listed["data"]["accounts"]["totalCount"] == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode == 0, log.read_text()
