"""Fast read-only access to the stored events and the chain rows, as plain tuples, in keyset-paginated batches.

Verification must run at 200k+ events/s: the recorders' `Notification` objects and the
datastores' dict-like rows cost more than hashing does, so these readers hold their own
read-only connection that returns tuples. Batches keep memory bounded. The backends differ only
in the event table's layout (`EventTable`); the chain store's SQL is the read models' one text.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

import psycopg
from psycopg import sql

from kamcore.application.handling import CommandHandling
from kamcore.audit.canonical import RawEvent
from kamcore.audit.checkpoints import Checkpoint
from kamcore.storage.backend import Backend, Dialect

MAX_POSITION = 2**63 - 1


# (position, originator_id as stored, originator_version, topic as UTF-8 bytes or None, state): a row of
# `EventLogReader.stored_batches`; `EventTable.decode_id` turns the id into its 16 bytes (identity when None).
StoredRow = tuple[int, Any, int, bytes | None, bytes]
LinkRow = tuple[int, int, str]  # a chain row as `ChainReader.rows` reads it: (position, ordinal, hash)


class ChainLink(NamedTuple):
    position: int
    ordinal: int  # 1-based index of the event in the chain: how many events the chain holds up to here
    hash: str


class ReadOnlyConnection(ABC):
    """A connection of its own that speaks the read models' SQL text (`?`, `{t}`) and returns tuples."""

    # Whether reading the next batch on another thread overlaps with hashing: yes when a server does
    # the work (the driver waits without the GIL), no for in-process SQLite (measured: 1.8x slower).
    reads_ahead = False

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    @staticmethod
    def open(backend: Backend, sqlite_file: Path) -> ReadOnlyConnection:
        """To PostgreSQL, or to `sqlite_file` (each SQLite store is a file of its own)."""
        from kamcore.storage.postgres import PostgresBackend

        if isinstance(backend, PostgresBackend):
            return PostgresReadOnlyConnection(backend.dialect, backend.conninfo)
        return SQLiteReadOnlyConnection(backend.dialect, sqlite_file)

    @abstractmethod
    def fetchall(self, statement: str, params: Sequence[Any] = ()) -> list[Any]: ...

    @abstractmethod
    def close(self) -> None: ...


class SQLiteReadOnlyConnection(ReadOnlyConnection):
    def __init__(self, dialect: Dialect, path: Path) -> None:
        super().__init__(dialect)
        self._connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, check_same_thread=False)

    def fetchall(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        return self._connection.execute(self.dialect.sql(statement), tuple(params)).fetchall()

    def close(self) -> None:
        self._connection.close()


class PostgresReadOnlyConnection(ReadOnlyConnection):
    reads_ahead = True

    def __init__(self, dialect: Dialect, conninfo: str) -> None:
        super().__init__(dialect)
        self._connection = psycopg.connect(conninfo, autocommit=True)

    def fetchall(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        # Binary results: bytea arrives as raw bytes instead of hex text to parse (measured 2x faster).
        return self._connection.execute(
            self.dialect.sql(statement), tuple(params), prepare=True, binary=True
        ).fetchall()  # type: ignore[call-overload]

    def close(self) -> None:
        self._connection.close()


@dataclass(frozen=True)
class EventTable:
    """Where the event store keeps events: the only part of the audit code that differs per backend."""

    name: str
    position: str  # the column that is the notification id
    originator_id: str  # an expression giving the id as 16 bytes, or as text `decode_id` turns into them
    decode_id: Callable[[Any], bytes] | None
    id_param: Callable[[UUID], Any]
    topic_bytes: str  # an expression giving the topic as UTF-8 bytes, NULL when it is not stored as text

    @staticmethod
    def of(backend: Backend, app: CommandHandling) -> EventTable:
        from kamcore.storage.postgres import PostgresBackend

        if isinstance(backend, PostgresBackend):
            name = sql.Identifier(backend.schema, app.recorder.events_table_name).as_string()  # type: ignore[attr-defined]
            return EventTable(
                name, "notification_id", "uuid_send(originator_id)", None, lambda u: u, "convert_to(topic, 'UTF8')"
            )
        topic_bytes = "CASE typeof(topic) WHEN 'text' THEN CAST(topic AS BLOB) END"
        return EventTable("stored_events", "rowid", "originator_id", bytes.fromhex, lambda u: u.hex, topic_bytes)


class EventLogReader:
    """Stored events as `RawEvent` tuples (position, originator_id bytes, version, topic, state), in log order."""

    def __init__(self, connection: ReadOnlyConnection, table: EventTable) -> None:
        self.connection = connection
        self.table = table
        t = table  # identifiers only, from `EventTable.of`
        columns = f"SELECT {t.position}, {t.originator_id}, originator_version, topic, state FROM {t.name}"  # noqa: S608
        self._range_sql = f"{columns} WHERE {t.position} > ? AND {t.position} <= ? ORDER BY {t.position} LIMIT ?"
        self._stored_sql = (
            f"SELECT {t.position}, {t.originator_id}, originator_version, {t.topic_bytes}, state FROM {t.name}"  # noqa: S608
            f" WHERE {t.position} > ? AND {t.position} <= ? ORDER BY {t.position} LIMIT ?"
        )
        self._aggregate_sql = f"{columns} WHERE originator_id = ? ORDER BY {t.position}"
        self._count_sql = f"SELECT COUNT(*) FROM {t.name} WHERE {t.position} > ?"  # noqa: S608 - identifiers only
        self._by_aggregate_sql = (
            f"{columns} WHERE (originator_id, originator_version) > (?, ?)"
            " ORDER BY originator_id, originator_version LIMIT ?"
        )

    @classmethod
    def open(cls, backend: Backend, app: CommandHandling) -> EventLogReader:
        connection = ReadOnlyConnection.open(backend, Path(backend.application_env(app.name).get("SQLITE_DBNAME", "")))
        return cls(connection, EventTable.of(backend, app))

    def batches(self, after: int, until: int, batch_size: int) -> Iterator[list[RawEvent]]:
        """Every event with after < position <= until, in order, `batch_size` at a time."""
        return map(self._decoded, self._pages(self._range_sql, after, until, batch_size))

    def stored_batches(self, after: int, until: int, batch_size: int) -> Iterator[list[StoredRow]]:
        """`batches` as the store returns the rows, without a new tuple per row: verification's read."""
        return self._pages(self._stored_sql, after, until, batch_size)

    def _pages(self, statement: str, after: int, until: int, batch_size: int) -> Iterator[list[Any]]:
        while after < until:
            rows = self.connection.fetchall(statement, (after, until, batch_size))
            if not rows:
                return
            yield rows
            after = rows[-1][0]

    def event_at(self, position: int) -> RawEvent | None:
        """The event at `position` as `batches` gives it (verification reads `stored_batches`; this, a problem)."""
        batch = self._decoded(self.connection.fetchall(self._range_sql, (position - 1, position, 1)))
        return batch[0] if batch else None

    def raw_event(self, row: StoredRow) -> RawEvent:
        """A row of `stored_batches` as `batches` gives it (ids decoded, the topic as text), but for a topic stored
        as anything but text, which reads as None here."""
        position, originator_id, version, topic, state = row
        if isinstance(topic, bytes):
            topic = topic.decode("utf-8", "replace")
        return coerced((position, originator_id, version, topic, state), self.table.decode_id)

    def events_of(self, originator_id: UUID) -> list[RawEvent]:
        """One aggregate's events in log order (found through the event store's primary key)."""
        return self._decoded(self.connection.fetchall(self._aggregate_sql, (self.table.id_param(originator_id),)))

    def by_aggregate(self, batch_size: int) -> Iterator[list[RawEvent]]:
        """Every event grouped by aggregate, in version order (the store's primary key), a batch at a time."""
        after: tuple[Any, int] = (self.table.id_param(UUID(int=0)), -1)
        while True:
            batch = self._decoded(self.connection.fetchall(self._by_aggregate_sql, (*after, batch_size)))
            if not batch:
                return
            yield batch
            _, originator, version, _, _ = batch[-1]
            after = (self.table.id_param(UUID(bytes=originator)), version)

    def count(self, after: int) -> int:
        """How many events lie after `after` (e.g. not yet chained)."""
        return self.connection.fetchall(self._count_sql, (after,))[0][0]

    def _decoded(self, rows: list[Any]) -> list[RawEvent]:
        decode = self.table.decode_id
        try:
            return rows if decode is None else [(p, decode(o), v, t, s) for p, o, v, t, s in rows]
        except (TypeError, ValueError):
            return [coerced(row, decode) for row in rows]

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> EventLogReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def coerced(row: tuple[Any, ...], decode: Callable[[Any], bytes] | None) -> RawEvent:
    """A row someone broke by hand (an id that is not hex, a NULL topic) as well-typed values, so that
    verification reports it as altered instead of crashing; well-formed rows come out unchanged."""
    position, originator_id, version, topic, state = row
    try:
        originator_id = decode(originator_id) if decode else originator_id
    except (TypeError, ValueError):
        originator_id = str(originator_id).encode()
    return (
        position,
        bytes(originator_id or b""),
        version if isinstance(version, int) and 0 <= version < 2**64 else 0,
        topic if isinstance(topic, str) else str(topic),
        bytes(state or b"") if isinstance(state, bytes | bytearray | memoryview | None) else str(state).encode(),
    )


class ChainReader:
    """The chain keeper's rows and checkpoints, read on a connection of its own (verification, export)."""

    def __init__(self, connection: ReadOnlyConnection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, backend: Backend, projection_name: str) -> ChainReader:
        sqlite_file = Path(backend.read_model_env(projection_name).get("SQLITE_DBNAME", ""))
        return cls(ReadOnlyConnection.open(backend, sqlite_file))

    def batches(self, after: int, until: int = MAX_POSITION, batch_size: int = 10_000) -> Iterator[list[ChainLink]]:
        """Chain rows with after < position <= until, in order, a batch at a time."""
        for rows in self.rows(after, until, batch_size):
            yield list(map(ChainLink._make, rows))

    def rows(self, after: int, until: int = MAX_POSITION, batch_size: int = 10_000) -> Iterator[list[LinkRow]]:
        """`batches` as plain (position, ordinal, hash) tuples, without a `ChainLink` per row."""
        while after < until:
            rows = self.connection.fetchall(
                "SELECT position, ordinal, hash FROM {t}audit_chain WHERE position > ? AND position <= ?"
                " ORDER BY position LIMIT ?",
                (after, until, batch_size),
            )
            if not rows:
                return
            yield rows
            after = rows[-1][0]

    def link_before(self, position: int) -> ChainLink | None:
        """The newest chain row before `position` (a predecessor's hash)."""
        rows = self.connection.fetchall(
            "SELECT position, ordinal, hash FROM {t}audit_chain WHERE position < ? ORDER BY position DESC LIMIT 1",
            (position,),
        )
        return ChainLink._make(rows[0]) if rows else None

    def link_at(self, position: int) -> ChainLink | None:
        rows = self.connection.fetchall(
            "SELECT position, ordinal, hash FROM {t}audit_chain WHERE position = ?", (position,)
        )
        return ChainLink._make(rows[0]) if rows else None

    def checkpoints(self, first: int = 0, last: int = MAX_POSITION) -> list[Checkpoint]:
        """Checkpoints with first <= position <= last, in log order (one per N events: few)."""
        rows = self.connection.fetchall(
            "SELECT position, event_count, hash, signed_at, public_key, signature, kind FROM {t}audit_checkpoints"
            " WHERE position >= ? AND position <= ? ORDER BY position",
            (first, last),
        )
        return [Checkpoint(*row) for row in rows]

    def last_position(self, until: int = MAX_POSITION) -> int:
        """The newest chained position up to `until` (the keeper may be chaining newer events meanwhile)."""
        return (
            self.connection.fetchall("SELECT MAX(position) FROM {t}audit_chain WHERE position <= ?", (until,))[0][0]
            or 0
        )

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> ChainReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
