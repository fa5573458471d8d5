"""Loading many aggregates in one query: a row-at-a-time `repository.get` costs a transaction each.

The import reads rows in chunks, asks for every aggregate the chunk names (its own natural keys and
what they refer to) in one `SELECT … WHERE originator_id IN (…)`, and replays them with the
application's mapper. Absent ids come back as None, which is how a new natural key is recognised.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from kamcore.application.handling import CommandHandling, fast_project

CHUNK_IDS = 500


def load_many(app: CommandHandling, ids: Iterable[UUID]) -> dict[UUID, Any]:
    """id -> aggregate (None when nothing is stored under the id)."""
    wanted = list(dict.fromkeys(ids))
    found: dict[UUID, Any] = dict.fromkeys(wanted)
    for start in range(0, len(wanted), CHUNK_IDS):
        chunk = wanted[start : start + CHUNK_IDS]
        by_id: dict[UUID, list[StoredEvent]] = defaultdict(list)
        for stored in _select(app, chunk):
            by_id[stored.originator_id].append(stored)
        for aggregate_id, stored_events in by_id.items():
            events = [app.mapper.to_domain_event(s) for s in stored_events]
            found[aggregate_id] = fast_project(None, events)
    return found


def _select(app: CommandHandling, ids: list[UUID]) -> list[StoredEvent]:
    recorder: Any = app.recorder
    table = recorder.events_table_name
    if isinstance(recorder, SQLiteApplicationRecorder):
        marks = ",".join("?" * len(ids))
        statement = (
            f"SELECT originator_id, originator_version, topic, state FROM {table} "  # noqa: S608 - fixed table name
            f"WHERE originator_id IN ({marks}) ORDER BY originator_id, originator_version"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [i.hex for i in ids])
            rows = cursor.fetchall()
        return [StoredEvent(UUID(r[0]), r[1], r[2], r[3]) for r in rows]
    from psycopg.sql import SQL, Identifier

    query = SQL(
        "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
        "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
    ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(table))
    with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute(query, [ids])
        rows = cursor.fetchall()
    return [StoredEvent(r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])) for r in rows]


def can_load_many(app: CommandHandling) -> bool:
    """Snapshots or a recorder of another kind: fall back to `repository.get` one by one."""
    return app.snapshots is None and isinstance(app.recorder, SQLiteApplicationRecorder | PostgresApplicationRecorder)
