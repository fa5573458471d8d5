"""Replay check: rebuild every read model into a scratch store and compare it, row by row, with the live one.

A difference means a handler is not a deterministic function of the log (or someone edited a read
model by hand); either way the live read model cannot be trusted until it is rebuilt.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql

from kamcore.projections.catalog import all_projections
from kamcore.projections.projection import Projection
from kamcore.projections.runner import ProjectionRunner
from kamcore.projections.store import ReadModelStore
from kamcore.runtime import Runtime

MAX_REPORTED = 20
CHUNK = 2000


@dataclass
class ProjectionComparison:
    name: str
    position: int
    rows: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def replay_check(runtime: Runtime) -> list[ProjectionComparison]:
    """Compare every live read model (caught up to a fixed position) with a scratch rebuild to that position."""
    runtime.catch_up()
    position = runtime.app.head_position()
    for runner in runtime.runners.values():
        runner.catch_up(until=position)
    with _scratch_settings(runtime) as scratch:
        backend = scratch.backend()
        backend.prepare()
        results = []
        for projection in all_projections():
            store = ReadModelStore(backend, projection)
            try:
                ProjectionRunner(runtime.app, store, batch_size=runtime.settings.projection_batch_size).rebuild(
                    until=position
                )
                results.append(_compare(projection, runtime.stores[projection.name], store, runtime.app.name, position))
            finally:
                store.close()
        return results


def _compare(
    projection: Projection, live: ReadModelStore, scratch: ReadModelStore, app_name: str, position: int
) -> ProjectionComparison:
    result = ProjectionComparison(projection.name, position)
    live_position = live.position(app_name)
    if live_position != position:
        result.differences.append(f"live read model is at position {live_position}, not {position}; rerun")
        return result
    for table in projection.tables:
        for live_row, scratch_row in _zip_rows(live, scratch, table):
            result.rows += 1
            if live_row != scratch_row and len(result.differences) < MAX_REPORTED:
                result.differences.append(_describe(table, live_row, scratch_row))
    return result


def _describe(table: str, live: dict[str, Any] | None, replayed: dict[str, Any] | None) -> str:
    key = next(iter((live or replayed or {"?": "?"}).values()))
    if live is None or replayed is None:
        return f"{table} {key}: {'missing from the live read model' if live is None else 'not produced by a replay'}"
    changed = ", ".join(
        f"{c}: live {live[c]!r}, replayed {replayed.get(c)!r}" for c in live if live[c] != replayed.get(c)
    )
    return f"{table} {key}: {changed}"


def _order(store: ReadModelStore, table: str) -> str:
    """Every column, first to last: where the first column does not name a row alone (a key of several
    columns), rows updated in place in one store and written once in the other must still come in one order."""
    with store.reading() as sql:
        row = sql.execute(f"SELECT * FROM {{t}}{table} LIMIT 1").fetchone()  # noqa: S608
    return ", ".join(dict(row)) if row else "1"


def _rows(store: ReadModelStore, table: str) -> Iterator[dict[str, Any]]:
    offset, order = 0, _order(store, table)
    while True:
        with store.reading() as sql:
            rows = sql.execute(
                f"SELECT * FROM {{t}}{table} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
                (CHUNK, offset),
            ).fetchall()
        yield from (dict(r) for r in rows)
        if len(rows) < CHUNK:
            return
        offset += CHUNK


def _zip_rows(live: ReadModelStore, scratch: ReadModelStore, table: str) -> Iterator[tuple[Any, Any]]:
    """Pairs rows by their first (key) column, so a missing or extra row is reported as such."""
    a, b = _rows(live, table), _rows(scratch, table)
    x, y = next(a, None), next(b, None)
    while x is not None or y is not None:
        kx = next(iter(x.values())) if x is not None else None
        ky = next(iter(y.values())) if y is not None else None
        if y is None or (x is not None and kx < ky):
            yield x, None
            x = next(a, None)
        elif x is None or ky < kx:
            yield None, y
            y = next(b, None)
        else:
            yield x, y
            x, y = next(a, None), next(b, None)


class _scratch_settings:
    """Settings for a throwaway store on the same backend: a temp directory, or a temp Postgres schema."""

    def __init__(self, runtime: Runtime) -> None:
        self.settings = runtime.settings
        self.directory: Path | None = None
        self.schema: str | None = None

    def __enter__(self) -> Any:
        if self.settings.database_url:
            self.schema = f"kamcore_replay_{uuid.uuid4().hex[:10]}"
            url = self.settings.database_url.split("?", 1)[0]  # a ?schema= in the URL would win otherwise
            return replace(self.settings, database_url=url, database_schema=self.schema)
        self.directory = Path(tempfile.mkdtemp(prefix="kamcore-replay-"))
        return replace(self.settings, data_dir=self.directory)

    def __exit__(self, *_: object) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
        if self.schema is not None:
            backend: Any = self.settings.backend()
            with psycopg.connect(backend.conninfo, autocommit=True) as conn:  # same server, scratch schema
                conn.execute(pgsql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(pgsql.Identifier(self.schema)))
