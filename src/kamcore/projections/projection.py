"""A read model declared as data: its tables, the events it needs and how each event changes rows."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic

from kamcore.projections.rows import RowStore, Table
from kamcore.storage.backend import Dialect


class SqlCursor:
    """A database cursor that speaks the read models' one SQL text on either backend.

    `rows` is the batch's unit of work; pending row changes are written before any other statement,
    so handlers that mix the two still see their own writes.
    """

    def __init__(self, cursor: Any, dialect: Dialect) -> None:
        self._cursor = cursor
        self._dialect = dialect
        self.rows = RowStore(cursor, dialect)
        self.position: int | None = None  # log position of the event being applied, when the runner knows it

    def execute(self, statement: str, params: Sequence[Any] = ()) -> SqlCursor:
        self.rows.flush()
        self._cursor.execute(self._dialect.sql(statement), tuple(params))
        return self

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.rows.flush()
        if rows:
            self._cursor.executemany(self._dialect.sql(statement), [tuple(r) for r in rows])

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())


Handler = Callable[[Any, SqlCursor, Any], None]
INDEX_NAME = re.compile(r"CREATE INDEX IF NOT EXISTS (\w+) ON ")


class Projection:
    """Subclasses set `name`, `tables`, `ddl` and register handlers with `@handles(EventClass, ...)`.

    SQL uses `?` placeholders and a `{t}` prefix before every table name, so one text serves
    SQLite and PostgreSQL. Handlers must be deterministic functions of the events: a rebuild
    must reproduce the same rows.
    """

    name: ClassVar[str]
    # Bump when a table changes shape: a store built by another version is emptied and rebuilt from the log.
    schema_version: ClassVar[int] = 1
    follows_every_event: ClassVar[bool] = False  # True: read the whole log; `any_event` sees each event
    tables: ClassVar[tuple[str, ...]]
    ddl: ClassVar[tuple[str, ...]]
    _handlers: ClassVar[dict[type, Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for attribute in vars(cls).values():
            for event_class in getattr(attribute, "handled_events", ()):
                cls._handlers[event_class] = attribute

    # Relative time of rebuilding this read model alone, to balance rebuild workers: tenths of a second on a
    # 1k demo book (63k events), e.g. KPI measures 53, event history 39, ranking facts 22; 1 for the smallest.
    rebuild_cost: ClassVar[int] = 1

    @property
    def topics(self) -> tuple[str, ...]:
        """Event topics to read from the log; empty means every event."""
        if self.follows_every_event:
            return ()
        return tuple(sorted(get_topic(cls) for cls in self._handlers))

    def prefetch(self, cursor: SqlCursor, events: Sequence[DomainEvent]) -> None:
        """Load the rows a batch will touch in bulk (optional; handlers work without it)."""

    def apply(self, cursor: SqlCursor, event: DomainEvent) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(self, cursor, event)
        elif self.follows_every_event:
            self.any_event(cursor, event)

    def any_event(self, cursor: SqlCursor, event: DomainEvent) -> None:
        """Called for events without a handler when `follows_every_event` is set."""

    def end_batch(self, cursor: SqlCursor) -> None:
        """Called once per batch after its events, in its transaction: write what the handlers buffered."""

    def finish(self, cursor: SqlCursor) -> None:
        """Called once per batch after its events, in its transaction: derive tables from what the batch wrote.

        Skipped while the read model is rebuilt from zero; `derive_all` then derives everything once at the end.
        """

    def derive_all(self, cursor: SqlCursor) -> None:
        """Recompute every derived table from the rows (the end of a rebuild, where `finish` was skipped)."""

    @property
    def secondary_indexes(self) -> dict[str, str]:
        """Index name -> its `CREATE INDEX` statement, for the indexes declared in `ddl`.

        Handlers read rows by primary key only (`RowStore`), so these serve readers alone: a rebuild from
        zero drops them and builds each once at the end, a sort instead of a B-tree insert per row.
        """
        found = (INDEX_NAME.match(statement) for statement in self.ddl)
        return {m.group(1): m.string for m in found if m}


def handles(*event_classes: type) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        function.handled_events = event_classes  # type: ignore[attr-defined]
        return function

    return register


def change_row(
    sql: SqlCursor,
    table: Table,
    event: Any,
    update: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    **changes: Any,
) -> None:
    """Apply an aggregate's event to the row keyed by the aggregate's id; its version follows the aggregate's.

    `update` derives changes from the current row (counters, lists); unknown rows are left alone.
    """
    row = sql.rows.get(table, str(event.originator_id))
    if row is not None:
        derived = update(row) if update else {}
        stamp = {"version": event.originator_version, "updated_at": event.timestamp.isoformat()}
        sql.rows.put(table, {**row, **derived, **changes, **stamp})
