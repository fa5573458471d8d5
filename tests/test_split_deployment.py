"""API processes without projections plus a separate `kamcore project` worker (the PostgreSQL layout)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from kamcore.application import CommandContext
from kamcore.runtime import Runtime
from kamcore.settings import Settings


def test_a_follower_sees_writes_from_another_process(settings: Settings, ctx: CommandContext) -> None:
    """The writer never runs projections; the follower is woken by NOTIFY (PostgreSQL) or polling (SQLite)."""
    writer, follower = Runtime(settings), Runtime(settings)
    follower.start()
    try:
        written = writer.app.open_account(ctx, name="Remote", segment="sme", region="West")
        assert follower.wait_for(written.position, timeout=5)
        assert follower.accounts.get(str(written.aggregate_id))["name"] == "Remote"
    finally:
        writer.close()
        follower.close()


@pytest.fixture
def worker(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "KAMCORE_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env |= {"KAMCORE_DATABASE_URL": settings.database_url, "KAMCORE_DATABASE_SCHEMA": settings.database_schema}
    Runtime(settings).close()  # create the stores before the worker and the API race to
    process = subprocess.Popen(
        [sys.executable, "-m", "kamcore.cli", "project", "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.terminate()
    process.wait(timeout=15)


def test_api_without_projections_reads_its_writes_through_a_worker(
    settings: Settings, worker: subprocess.Popen[bytes], admin_headers: dict[str, str]
) -> None:
    from .conftest import free_port
    from .test_api_end_to_end import OPEN

    port = free_port()
    env = {**os.environ, "KAMCORE_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env |= {"KAMCORE_DATABASE_URL": settings.database_url, "KAMCORE_DATABASE_SCHEMA": settings.database_schema}
    api = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kamcore.cli",
            "serve",
            "--no-projections",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        body = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            timeout=15,
            headers=admin_headers,
            json={"query": OPEN, "variables": {"input": {"name": "Split", "segment": "SME", "region": "West"}}},
        ).json()
        assert body["data"]["openAccount"]["account"]["name"] == "Split"
        assert worker.poll() is None
    finally:
        api.terminate()
        api.wait(timeout=15)
