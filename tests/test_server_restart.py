"""`kamcore serve` as users run it: killed with SIGKILL and restarted, it loses nothing and resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kamcore.settings import Settings

from .conftest import free_port
from .test_api_end_to_end import OPEN


def start_server(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KAMCORE_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env |= {"KAMCORE_DATABASE_URL": settings.database_url, "KAMCORE_DATABASE_SCHEMA": settings.database_schema}
    process = subprocess.Popen(
        [sys.executable, "-m", "kamcore.cli", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def test_sigkill_and_restart_lose_nothing(settings: Settings, tmp_path: Path, admin_headers: dict[str, str]) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    server = start_server(settings, port, log)
    names = [f"Account {i:02d}" for i in range(20)]
    try:
        for name in names:
            body = httpx.post(
                f"{url}/graphql",
                json={"query": OPEN, "variables": {"input": {"name": name, "segment": "SME", "region": "North"}}},
                timeout=10,
                headers=admin_headers,
            ).json()
            assert body["data"]["openAccount"]["userErrors"] == []
        before = httpx.get(f"{url}/healthz").json()["projections"][0]
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)

    server = start_server(settings, port, log)
    try:
        after = httpx.get(f"{url}/healthz").json()["projections"][0]
        assert after["head"] == before["head"]
        assert after["position"] == after["head"]
        listing = httpx.post(
            f"{url}/graphql",
            json={"query": "{ accounts(first: 100) { totalCount nodes { name } } }"},
            timeout=10,
            headers=admin_headers,
        ).json()
        assert listing["data"]["accounts"]["totalCount"] == 20
        assert [n["name"] for n in listing["data"]["accounts"]["nodes"]] == names
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
