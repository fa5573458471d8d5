"""Event history: every event with its audit envelope, indexed by account and by aggregate.

Auditors page through an account's whole story (its team, feedback and, later, policies and
interactions included) without scanning the log; time travel replays these rows. Every read names
an account or an aggregate (time, actor and type only narrow it), so those are the two indexes.

The table only grows, one row per event, and nothing reads it back while a batch is written: the
rows go straight into one multi-row upsert at the end of the batch (`end_batch`) instead of through the batch's
`RowStore` (whose row dicts and per-column lookups cost more than the insert itself).
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from kamcore.domain.events import account_of
from kamcore.projections.json_text import event_json
from kamcore.projections.projection import Projection, SqlCursor
from kamcore.projections.rows import Table

HISTORY_COLUMNS = (
    "position",
    "account_id",
    "aggregate_id",
    "aggregate_type",
    "aggregate_version",
    "event_type",
    "topic",
    "actor",
    "on_behalf_of",
    "correlation_id",
    "causation_id",
    "reason",
    "source",
    "recorded_at",
    "effective_date",
    "business_date",
    "data",
)
HISTORY = Table("event_history", ("position",), HISTORY_COLUMNS)
_UPSERT = HISTORY.upsert_sql()
_NAMES: dict[type, tuple[str, str, str]] = {}  # event class -> (aggregate type, event type, topic)


def _names(cls: type) -> tuple[str, str, str]:
    aggregate_type, _, event_type = cls.__qualname__.rpartition(".")
    return aggregate_type, event_type, f"{cls.__module__}:{cls.__qualname__}"


class EventHistoryProjection(Projection):
    name = "event_history"
    rebuild_cost = 39
    follows_every_event = True
    tables = ("event_history",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}event_history ("
        " position BIGINT PRIMARY KEY, account_id TEXT, aggregate_id TEXT NOT NULL, aggregate_type TEXT NOT NULL,"
        " aggregate_version INTEGER NOT NULL, event_type TEXT NOT NULL, topic TEXT NOT NULL, actor TEXT NOT NULL,"
        " on_behalf_of TEXT, correlation_id TEXT NOT NULL, causation_id TEXT NOT NULL, reason TEXT,"
        " source TEXT NOT NULL, recorded_at TEXT NOT NULL, effective_date TEXT, business_date TEXT NOT NULL,"
        " data TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS event_history_by_account ON {t}event_history (account_id, position)",
        "CREATE INDEX IF NOT EXISTS event_history_by_aggregate ON {t}event_history (aggregate_id, aggregate_version)",
        "DROP INDEX IF EXISTS {t}event_history_by_actor",  # (actor, position): no read used it, every write paid it
    )

    def __init__(self) -> None:
        # A batch's rows, by its cursor (one per transaction: a failed batch's rows go with it), the latest at hand.
        self._rows: WeakKeyDictionary[SqlCursor, list[tuple[Any, ...]]] = WeakKeyDictionary()
        self._latest: tuple[SqlCursor | None, list[tuple[Any, ...]]] = (None, [])

    def _batch(self, sql: SqlCursor) -> list[tuple[Any, ...]]:
        cursor, rows = self._latest
        if cursor is not sql:
            rows = self._rows.setdefault(sql, [])
            self._latest = (sql, rows)
        return rows

    def any_event(self, sql: SqlCursor, event: Any) -> None:
        if sql.position is None:  # pragma: no cover - the runner always passes positions
            raise ValueError("event history needs each event's log position")
        env = event.envelope
        account = account_of(event)
        cls = type(event)
        names = _NAMES.get(cls) or _NAMES.setdefault(cls, _names(cls))
        effective_date = env.effective_date
        row = (  # HISTORY_COLUMNS, in order
            sql.position,
            str(account) if account else None,
            str(event.originator_id),
            names[0],
            event.originator_version,
            names[1],
            names[2],
            env.actor,
            env.on_behalf_of,
            env.correlation_id,
            env.causation_id,
            env.reason,
            env.source.value,
            env.recorded_at.isoformat(),
            effective_date.isoformat() if effective_date else None,
            (effective_date or env.recorded_at.date()).isoformat(),  # the envelope's business_date
            event_json(event),
        )
        self._batch(sql).append(row)

    def end_batch(self, sql: SqlCursor) -> None:
        rows = self._rows.pop(sql, None)
        if self._latest[0] is sql:
            self._latest = (None, [])
        if rows:
            sql.executemany(_UPSERT, rows)
