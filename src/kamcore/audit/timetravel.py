"""Time travel: an account as of a version, as of a business date, or as known at a recorded time.

The account's events are replayed through the account-summary projection into a scratch in-memory
database, so the past is computed by the very code that maintains the present. The three notions:
- as of version v: everything recorded up to the moment the account reached version v;
- as of business date D: everything that happened by D, including backdated facts recorded later;
- as known at T: only what had been recorded by T (what the system believed then).
Business date and known-at combine (bitemporal: "what did we believe at T about D?").
Contacts' personal data is opened with today's keys: once a contact is erased, every past state shows
them erased too (the point of erasure).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from kamcore.application import KamApplication
from kamcore.application.revealing import reveal_stakeholders
from kamcore.audit.history import account_positions
from kamcore.domain.errors import InvalidInput, NotFound
from kamcore.projections.account_summary import COLUMNS, AccountSummaryProjection
from kamcore.projections.json_text import to_json
from kamcore.projections.projection import SqlCursor
from kamcore.projections.store import ReadModelStore
from kamcore.storage.sqlite import SQLiteDialect


@dataclass(frozen=True)
class PointInTime:
    version: int | None = None
    business_date: date | None = None
    known_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.version is not None and self.version < 1:
            raise InvalidInput("must be a positive version", field="version")
        if self.known_at is not None and self.known_at.tzinfo is None:
            raise InvalidInput("must carry a time zone (UTC)", field="known_at")


def account_as_of(
    app: KamApplication, history: ReadModelStore, account_id: UUID, at: PointInTime
) -> dict[str, Any] | None:
    """The account-summary row as it stood at `at`; None if the account did not exist yet."""
    index = account_positions(history, str(account_id))
    if not index:
        raise NotFound(f"no account with id {account_id}", field="account_id")
    cutoff = None
    if at.version is not None:
        account_rows = [
            r for r in index if r["aggregate_id"] == str(account_id) and r["aggregate_version"] == at.version
        ]
        if not account_rows:
            raise InvalidInput(f"the account never reached version {at.version}", field="version")
        cutoff = account_rows[0]["position"]
    selected = [
        r
        for r in index
        if (cutoff is None or r["position"] <= cutoff)
        and (at.business_date is None or r["business_date"] <= at.business_date.isoformat())
        and (at.known_at is None or datetime.fromisoformat(r["recorded_at"]) <= at.known_at)
    ]
    wanted = {(r["aggregate_id"], r["aggregate_version"]) for r in selected}
    events = _events(app, {r["aggregate_id"] for r in selected}, wanted)
    ordered = [events[(r["aggregate_id"], r["aggregate_version"])] for r in selected]
    row = _replay(ordered, str(account_id))
    if row is not None:
        row["stakeholders"] = to_json(reveal_stakeholders(json.loads(row["stakeholders"]), app.subject_keys))
    return row


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Field-level changes between two states (None: the account did not exist)."""
    before, after = before or {}, after or {}
    return [
        {"field": c, "before": before.get(c), "after": after.get(c)}
        for c in COLUMNS
        if before.get(c) != after.get(c) and c != "updated_at"
    ]


def _events(app: KamApplication, aggregate_ids: set[str], wanted: set[tuple[str, int]]) -> dict[tuple[str, int], Any]:
    found: dict[tuple[str, int], Any] = {}
    for aggregate_id in aggregate_ids:
        for event in app.events.get(UUID(aggregate_id)):
            key = (aggregate_id, event.originator_version)
            if key in wanted:
                found[key] = event
    return found


def _replay(events: list[Any], account_id: str) -> dict[str, Any] | None:
    projection = AccountSummaryProjection()
    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite3.Row
    try:
        cursor = connection.cursor()
        sql = SqlCursor(cursor, SQLiteDialect())
        for statement in projection.ddl:
            sql.execute(statement)
        for event in events:
            projection.apply(sql, event)
        sql.rows.flush()
        row = sql.execute("SELECT * FROM {t}account_summary WHERE account_id = ?", (account_id,)).fetchone()
        return dict(row) if row else None
    finally:
        connection.close()
