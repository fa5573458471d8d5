"""One contract suite, two backends: every `backend`-using test runs on SQLite and on PostgreSQL.

PostgreSQL comes from KAMCORE_TEST_DATABASE_URL (default: the local server). Without it, the
Postgres leg is skipped with a message, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn
from psycopg import sql

from kamcore.api.app import create_app
from kamcore.application import CommandContext
from kamcore.runtime import Runtime
from kamcore.settings import Settings

pytest_plugins = ["tests.ranking_book"]

POSTGRES_URL = os.environ.get("KAMCORE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _postgres_unavailable() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL not reachable at {POSTGRES_URL} ({error.__class__.__name__}); set KAMCORE_TEST_DATABASE_URL"


_PG_PROBLEM = _postgres_unavailable()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_name(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and _PG_PROBLEM:
        if IN_CI:
            pytest.fail(f"CI must run the Postgres leg: {_PG_PROBLEM}")
        pytest.skip(_PG_PROBLEM)
    return request.param


@pytest.fixture
def settings(backend_name: str, tmp_path: Path) -> Iterator[Settings]:
    """Fresh, isolated storage: a temp directory, or a throwaway Postgres schema."""
    if backend_name == "sqlite":
        yield Settings(data_dir=tmp_path / "data")
        return
    schema = f"kamtest_{uuid.uuid4().hex[:12]}"
    yield Settings(data_dir=tmp_path / "data", database_url=POSTGRES_URL, database_schema=schema)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings)
    rt.start()
    yield rt
    rt.close()


@pytest.fixture
def ctx() -> CommandContext:
    return CommandContext(actor="user:alice", reason="test")


def grant_token(settings: Settings, role: str = "admin", relationship_manager_id: str | None = None) -> str:
    """A real token, granted through the application as `kamcore token create` does."""
    runtime = Runtime(settings)
    try:
        _, secret = runtime.app.grant_token(
            CommandContext(actor="test:setup", reason="test"),
            name=f"test {role}",
            role=role,
            relationship_manager_id=relationship_manager_id,
        )
        return secret
    finally:
        runtime.close()


@pytest.fixture
def admin_headers(settings: Settings) -> dict[str, str]:
    return {"authorization": f"Bearer {grant_token(settings)}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def api(settings: Settings, admin_headers: dict[str, str]) -> Iterator[httpx.Client]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15, headers=admin_headers) as client:
        yield client
    server.should_exit = True
    thread.join(timeout=15)
