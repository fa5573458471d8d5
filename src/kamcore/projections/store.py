"""Where a projection's rows and its tracking position live, written together in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import InfrastructureFactory, IntegrityError, Tracking, TrackingRecorder
from eventsourcing.utils import Environment

from kamcore.projections.projection import Projection, SqlCursor
from kamcore.storage.backend import Backend

log = logging.getLogger(__name__)
MIGRATION_MARKER = "__migration__"
VERSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS {t}read_model_version (projection TEXT PRIMARY KEY, version INTEGER NOT NULL)"
)
# A read model rebuilt from zero and not yet settled: its secondary indexes are dropped and its derived
# tables are not kept per batch. The marker commits with the emptied tables, so a crash leaves it behind.
REBUILDING_DDL = "CREATE TABLE IF NOT EXISTS {t}read_model_rebuilding (projection TEXT PRIMARY KEY)"


class ReadModelStore:
    """The exactly-once boundary: rows and tracking commit together or not at all.

    The tracking recorder refuses a position that is not greater than the stored one, so a
    batch applied twice (a crash after commit, two workers racing) rolls back as a whole.
    """

    def __init__(self, backend: Backend, projection: Projection) -> None:
        self.backend = backend
        self.projection = projection
        self.dialect = backend.dialect
        env = Environment(projection.name, backend.read_model_env(projection.name))
        factory = InfrastructureFactory.construct(env=env)
        self.recorder: TrackingRecorder = factory.tracking_recorder(backend.tracking_recorder_class())
        self.datastore = self.recorder.datastore  # type: ignore[attr-defined]
        backend.tune_read_model(self.datastore)
        self.rebuilding = False  # as the last batch found it: `settle` has work to do
        with self.writing() as cursor:
            cursor.execute(REBUILDING_DDL)
            self._match_schema_version(cursor)
            self.rebuilding = self._is_rebuilding(cursor)
            deferred = set(projection.secondary_indexes.values()) if self.rebuilding else set()
            for statement in projection.ddl:
                if statement not in deferred:  # a pending rebuild builds its indexes when it settles
                    cursor.execute(statement)

    def _match_schema_version(self, sql: SqlCursor) -> None:
        """A read model whose tables changed shape is dropped and rebuilt, never read or written half-migrated.

        A store from before versions were recorded counts as version 1 once it has tracked anything.
        """
        sql.execute(VERSIONS_DDL)
        lock = self.backend.projection_lock_statement(self.projection.name)
        if lock is not None:
            sql.execute(lock)
        name, wanted = self.projection.name, self.projection.schema_version
        row = sql.execute("SELECT version FROM {t}read_model_version WHERE projection = ?", (name,)).fetchone()
        tracking = self.backend.tracking_table(name)
        positions = f"FROM {tracking} WHERE application_name <> ?"  # the library keeps a migration marker row
        tracked = sql.execute(f"SELECT COUNT(*) AS n {positions}", (MIGRATION_MARKER,)).fetchone()["n"]
        stored = row["version"] if row else (1 if tracked else wanted)
        if stored != wanted:
            log.warning(
                "read model %s changed shape (version %s to %s): rebuilding it from the log", name, stored, wanted
            )
            for table in self.projection.tables:
                sql.execute(f"DROP TABLE IF EXISTS {{t}}{table}")
            sql.execute(f"DELETE {positions}", (MIGRATION_MARKER,))
        if row is None or stored != wanted:
            sql.execute(
                "INSERT INTO {t}read_model_version (projection, version) VALUES (?, ?)"
                " ON CONFLICT (projection) DO UPDATE SET version = excluded.version",
                (name, wanted),
            )

    @contextmanager
    def writing(self) -> Iterator[SqlCursor]:
        with self.datastore.transaction(commit=True) as cursor:
            yield SqlCursor(cursor, self.dialect)

    @contextmanager
    def reading(self) -> Iterator[SqlCursor]:
        with self.datastore.transaction(commit=False) as cursor:
            yield SqlCursor(cursor, self.dialect)

    def apply_batch(
        self,
        events: Sequence[DomainEvent],
        tracking: Tracking,
        positions: Sequence[int] | None = None,
        *,
        expected_position: int | None = None,
    ) -> None:
        """Apply events and record `tracking` in one transaction; `positions` tells handlers each event's place.

        With `expected_position` the batch commits only if the read model is still exactly there: two
        workers that read the same start cannot both apply overlapping batches (the library's tracking
        check alone only refuses positions that are not greater, not batches that overlap).
        """
        with self.datastore.transaction(commit=True) as cursor:
            if expected_position is not None:
                self._ensure_position(cursor, tracking.application_name, expected_position)
            self.recorder._insert_tracking(cursor, tracking)  # noqa: SLF001 - the library's composition hook
            sql = SqlCursor(cursor, self.dialect)
            self.projection.prefetch(sql, events)
            for index, event in enumerate(events):
                sql.position = positions[index] if positions else None
                self.projection.apply(sql, event)
            self.projection.end_batch(sql)
            rebuilding = self._is_rebuilding(sql)
            if not rebuilding:
                self.projection.finish(sql)
            sql.rows.flush()
        self.rebuilding = rebuilding

    def _is_rebuilding(self, sql: SqlCursor) -> bool:
        marker = "SELECT 1 FROM {t}read_model_rebuilding WHERE projection = ?"
        return sql.execute(marker, (self.projection.name,)).fetchone() is not None

    def settle(self) -> bool:
        """End a rebuild: build the dropped indexes, derive the derived tables, gather the planner's statistics
        where it needs them, drop the marker (one transaction).

        Called when a runner reaches the head; a no-op unless a rebuild is pending (also one a crashed
        rebuild left behind). Returns whether there was one.
        """
        with self.writing() as sql:
            lock = self.backend.projection_lock_statement(self.projection.name)
            if lock is not None:
                sql.execute(lock)
            if not self._is_rebuilding(sql):
                self.rebuilding = False
                return False
            for statement in self.projection.secondary_indexes.values():
                sql.execute(statement)
            self.projection.derive_all(sql)
            if self.backend.plans_from_statistics:
                for table in self.projection.tables:
                    sql.execute(f"ANALYZE {{t}}{table}")
            sql.execute("DELETE FROM {t}read_model_rebuilding WHERE projection = ?", (self.projection.name,))
        self.rebuilding = False
        return True

    def _ensure_position(self, cursor: Any, application_name: str, expected: int) -> None:
        lock = self.backend.projection_lock_statement(self.projection.name)
        if lock is not None:
            cursor.execute(lock)
        table = self.backend.tracking_table(self.projection.name)
        cursor.execute(
            self.dialect.sql(f"SELECT notification_id FROM {table} WHERE application_name = ?"),  # noqa: S608
            (application_name,),
        )
        row = cursor.fetchone()
        current = (row["notification_id"] if row else None) or 0
        if current != expected:
            msg = f"{self.projection.name} moved from {expected} to {current} while this batch was read"
            raise IntegrityError(msg)

    def position(self, application_name: str) -> int:
        return self.recorder.max_tracking_id(application_name) or 0

    def reset(self, application_name: str) -> None:
        """Empty the read model and forget the position (for a rebuild from zero, settled by `settle`)."""
        with self.writing() as cursor:
            for table in self.projection.tables:
                cursor.execute(f"DELETE FROM {{t}}{table}")  # noqa: S608 - table names are class constants
            for index in self.projection.secondary_indexes:
                cursor.execute(f"DROP INDEX IF EXISTS {{t}}{index}")
            cursor.execute(
                "INSERT INTO {t}read_model_rebuilding (projection) VALUES (?) ON CONFLICT (projection) DO NOTHING",
                (self.projection.name,),
            )
        self.rebuilding = True
        with self.datastore.transaction(commit=True) as cursor:
            table = self.backend.tracking_table(self.projection.name)
            cursor.execute(
                self.dialect.sql(f"DELETE FROM {table} WHERE application_name = ?"),  # noqa: S608
                (application_name,),
            )

    def close(self) -> None:
        self.datastore.close()
