"""Paged history with the full audit envelope, for an account (with everything that belongs to it) or any aggregate."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from kamcore.application.revealing import KeyLookup, reveal_events
from kamcore.domain.errors import InvalidInput
from kamcore.projections.event_history import HISTORY_COLUMNS
from kamcore.projections.store import ReadModelStore

MAX_PAGE = 500
ENVELOPE_COLUMNS = tuple(c for c in HISTORY_COLUMNS if c != "data")
_LONG_DIGITS = re.compile(r"\d{19}")  # int64 holds every integer of up to 18 digits


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
    store: ReadModelStore,
    flt: HistoryFilter,
    *,
    subject_keys: KeyLookup,
    after: int = 0,
    first: int = 100,
    with_data: bool = True,
) -> HistoryPage:
    """Events in log order after position `after` (keyset paging: pass the last position to continue).

    Sealed personal data is opened with `subject_keys` (one lookup per page); erased data reads "[erased]".
    Without `with_data` (a reader that shows only the envelope) each event's data is neither read nor opened
    and its "data" is None.
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
    if flt.recorded_from is not None and flt.recorded_to is not None and flt.recorded_from > flt.recorded_to:
        raise InvalidInput("the low end of the range lies after its high end", field="filter.recordedFrom")
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
    columns = HISTORY_COLUMNS if with_data else ENVELOPE_COLUMNS
    statement = (
        f"SELECT {', '.join(columns)} FROM {{t}}event_history WHERE {' AND '.join(clauses)}"  # noqa: S608
        " ORDER BY position LIMIT ?"
    )
    with store.reading() as sql:
        rows = sql.execute(statement, [*params, first + 1]).fetchall()
    page = as_dicts(rows[:first], columns)
    if with_data:
        data = reveal_events(
            [(f"{row['aggregate_type']}.{row['event_type']}", from_json(row["data"])) for row in page], subject_keys
        )
        for row, event_data in zip(page, data, strict=True):
            row["data"] = event_data
    else:
        for row in page:
            row["data"] = None
    return HistoryPage(page, len(rows) > first)


def as_dicts(rows: Sequence[Any], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as new dicts: PostgreSQL's already are; SQLite's `sqlite3.Row`s zip with their columns (3× `dict(row)`)."""
    if rows and isinstance(rows[0], dict):
        return list(rows)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def as_tuples(rows: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows as tuples of their values in column order (PostgreSQL's dicts keep it)."""
    if rows and isinstance(rows[0], dict):
        return [tuple(row.values()) for row in rows]
    return list(map(tuple, rows))


def from_json(text: str) -> Any:
    """`json.loads`, through orjson (4× faster) where the two agree: orjson refuses NaN, infinities and lone
    surrogates (then the standard parser reads it) and reads integers beyond 64 bits as floats, so text with a
    run of 19 or more digits goes to the standard parser too."""
    if not _LONG_DIGITS.search(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def account_positions(store: ReadModelStore, account_id: str) -> list[tuple[Any, ...]]:
    """(position, aggregate id, aggregate version, recorded at, business date) of every event of an account,
    in log order, for replaying it."""
    with store.reading() as sql:
        rows = sql.execute(
            "SELECT position, aggregate_id, aggregate_version, recorded_at, business_date"
            " FROM {t}event_history WHERE account_id = ? ORDER BY position",
            (account_id,),
        ).fetchall()
    return as_tuples(rows)
