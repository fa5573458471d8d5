"""Paged history with the full audit envelope, for an account (with everything that belongs to it) or any aggregate."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kamcore.application.revealing import KeyLookup, reveal_events
from kamcore.domain.errors import InvalidInput
from kamcore.projections.event_history import HISTORY_COLUMNS
from kamcore.projections.store import ReadModelStore

MAX_PAGE = 500


@dataclass(frozen=True)
class HistoryFilter:
    """Which events: one account's or one aggregate's, optionally narrowed by time, actor and type."""

    account_id: str | None = None
    aggregate_id: str | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None
    actor: str | None = None
    event_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryPage:
    events: list[dict[str, Any]]
    has_next: bool


def history(
    store: ReadModelStore, flt: HistoryFilter, *, subject_keys: KeyLookup, after: int = 0, first: int = 100
) -> HistoryPage:
    """Events in log order after position `after` (keyset paging: pass the last position to continue).

    Sealed personal data is opened with `subject_keys` (one lookup per page); erased data reads "[erased]".
    """
    if (flt.account_id is None) == (flt.aggregate_id is None):
        raise InvalidInput("name exactly one of account_id or aggregate_id", field="account_id")
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"must be between 1 and {MAX_PAGE}", field="first")
    clauses, params = ["position > ?"], [after]
    if flt.account_id is not None:
        clauses.append("account_id = ?")
        params.append(flt.account_id)
    else:
        clauses.append("aggregate_id = ?")
        params.append(flt.aggregate_id)
    if flt.recorded_from is not None:
        clauses.append("recorded_at >= ?")
        params.append(flt.recorded_from.isoformat())
    if flt.recorded_to is not None:
        clauses.append("recorded_at < ?")
        params.append(flt.recorded_to.isoformat())
    if flt.actor is not None:
        clauses.append("actor = ?")
        params.append(flt.actor)
    if flt.event_types:
        clauses.append(f"(aggregate_type || '.' || event_type) IN ({', '.join('?' for _ in flt.event_types)})")
        params += list(flt.event_types)
    statement = (
        f"SELECT {', '.join(HISTORY_COLUMNS)} FROM {{t}}event_history WHERE {' AND '.join(clauses)}"  # noqa: S608
        " ORDER BY position LIMIT ?"
    )
    with store.reading() as sql:
        rows = [dict(r) for r in sql.execute(statement, [*params, first + 1]).fetchall()]
    page = rows[:first]
    data = reveal_events(
        [(f"{row['aggregate_type']}.{row['event_type']}", json.loads(row["data"])) for row in page], subject_keys
    )
    for row, event_data in zip(page, data, strict=True):
        row["data"] = event_data
    return HistoryPage(page, len(rows) > first)


def account_positions(store: ReadModelStore, account_id: str) -> list[dict[str, Any]]:
    """(position, aggregate, version, dates) of every event of an account, for replaying it."""
    with store.reading() as sql:
        return [
            dict(r)
            for r in sql.execute(
                "SELECT position, aggregate_id, aggregate_type, aggregate_version, recorded_at, business_date"
                " FROM {t}event_history WHERE account_id = ? ORDER BY position",
                (account_id,),
            ).fetchall()
        ]
