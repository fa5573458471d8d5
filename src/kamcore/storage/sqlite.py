"""Embedded SQLite: one file for the event store, one file per projection (the library's table names are fixed)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent, TrackingRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteTrackingRecorder
from eventsourcing.utils import get_topic

from kamcore.application.handling import CommandHandling
from kamcore.storage import subject_keys
from kamcore.storage.backend import Backend, Dialect

POLL_INTERVAL = 0.2


class SQLiteDialect(Dialect):
    @lru_cache(maxsize=512)  # noqa: B019 - statements are a small, fixed set
    def sql(self, statement: str) -> str:
        return statement.replace("{t}", "")


DIALECT = SQLiteDialect()


class KamSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's application recorder, plus the data-subject keys, written in the events' transaction."""

    dialect = DIALECT

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            subject_keys.create_table_statement(self.dialect, "BLOB"),
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        subject_keys.write_changes(c, self.dialect, kwargs)
        return super()._insert_events(c, stored_events, **kwargs)

    def select_subject_keys(self, subject_ids: Sequence[str]) -> dict[str, bytes]:
        with self.datastore.transaction(commit=False) as c:
            return subject_keys.select_keys(c, self.dialect, subject_ids)


class SQLiteBackend(Backend):
    name = "sqlite"
    dialect = DIALECT

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def prepare(self) -> None:
        (self.data_dir / "projections").mkdir(parents=True, exist_ok=True)

    def application_env(self, app_name: str) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "APPLICATION_RECORDER_TOPIC": get_topic(KamSQLiteRecorder),
            "SQLITE_DBNAME": str(self.data_dir / "events.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "10",
        }

    def read_model_env(self, projection_name: str) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(self.data_dir / "projections" / f"{projection_name}.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "10",
        }

    def tune_read_model(self, datastore: Any) -> None:
        """Read models commit without waiting for fsync (`synchronous=NORMAL` in WAL mode).

        A read model can be rebuilt and its tracking position commits with its rows, so a power loss
        costs at most the last batches, which are applied again; the event store keeps full fsync.
        Measured: the fsync per batch was ~15% of a rebuild.
        """
        pool = datastore.pool
        create = pool._create_connection  # noqa: SLF001 - the library's only per-connection hook

        def tuned(connection: Any) -> Any:
            connection._sqlite_conn.execute("PRAGMA synchronous=NORMAL")  # noqa: SLF001
            return connection

        pool._create_connection = lambda: tuned(create())  # noqa: SLF001
        for idle in pool._pool:  # noqa: SLF001 - opened while the tables were created
            tuned(idle)

    def tracking_recorder_class(self) -> type[TrackingRecorder]:
        return SQLiteTrackingRecorder

    def tracking_table(self, projection_name: str) -> str:
        return "tracking"

    def watch(self, app: CommandHandling, notify: Callable[[], None], stop: threading.Event) -> Callable[[], None]:
        """SQLite cannot notify: poll for writers in other processes (in-process saves wake at once)."""

        def poll() -> None:
            while not stop.wait(POLL_INTERVAL):
                notify()

        thread = threading.Thread(target=poll, name="kamcore-sqlite-poll", daemon=True)
        thread.start()
        return lambda: thread.join(timeout=1)

    def describe(self) -> str:
        return f"sqlite ({self.data_dir})"
