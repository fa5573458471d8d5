"""One contract suite, two backends: every `backend`-using test runs on SQLite and on PostgreSQL.

PostgreSQL comes from KAMCORE_TEST_DATABASE_URL (default: the local server). Without it, the
Postgres leg is skipped with a message, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from kamcore.application import CommandContext
from kamcore.runtime import Runtime
from kamcore.settings import Settings

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
