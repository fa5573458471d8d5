"""Event history: every event with its audit envelope, indexed by account, aggregate, time and actor.

Auditors page through an account's whole story (its team, feedback and, later, policies and
interactions included) without scanning the log; time travel replays these rows.
"""

from __future__ import annotations

from typing import Any

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


class EventHistoryProjection(Projection):
    name = "event_history"
    rebuild_cost = 7
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
        "CREATE INDEX IF NOT EXISTS event_history_by_actor ON {t}event_history (actor, position)",
    )

    def any_event(self, sql: SqlCursor, event: Any) -> None:
        if sql.position is None:  # pragma: no cover - the runner always passes positions
            raise ValueError("event history needs each event's log position")
        env = event.envelope
        account = account_of(event)
        aggregate_type, _, event_type = type(event).__qualname__.rpartition(".")
        sql.rows.put(
            HISTORY,
            {
                "position": sql.position,
                "account_id": str(account) if account else None,
                "aggregate_id": str(event.originator_id),
                "aggregate_type": aggregate_type,
                "aggregate_version": event.originator_version,
                "event_type": event_type,
                "topic": f"{type(event).__module__}:{type(event).__qualname__}",
                "actor": env.actor,
                "on_behalf_of": env.on_behalf_of,
                "correlation_id": env.correlation_id,
                "causation_id": env.causation_id,
                "reason": env.reason,
                "source": env.source.value,
                "recorded_at": env.recorded_at.isoformat(),
                "effective_date": env.effective_date.isoformat() if env.effective_date else None,
                "business_date": env.business_date.isoformat(),
                "data": event_json(event),
            },
        )
