"""Time travel: an account as of a version, as of a business date, or as known at a recorded time.

The account's events are replayed through the account-summary projection into a scratch in-memory
database, so the past is computed by the very code that maintains the present. The three notions:
- as of version v: everything recorded up to the moment the account reached version v;
- as of business date D: everything that happened by D, including backdated facts recorded later;
- as known at T: only what had been recorded by T (what the system believed then).
Business date and known-at combine (bitemporal: "what did we believe at T about D?").
Contacts' personal data is opened with today's keys: once a contact is erased, every past state shows
them erased too (the point of erasure).

Only the events the projection handles are decoded (the others change nothing), and replays keep the
scratch state every `KEEP_EVERY` events of an account while the selection is the start of its history:
a later travel to a later point starts from the latest kept state its selection begins with, instead of
replaying (and decoding) the whole history again. A kept state is the replay of every event of the
account up to one log position; the log only grows at the end and the event history holds an account's
events in log order, so the state stays exact for every later selection that includes those events.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import resolve_topic

from kamcore.application import KamApplication
from kamcore.application.revealing import reveal_stakeholders
from kamcore.audit.history import account_positions
from kamcore.domain.errors import InvalidInput, NotFound
from kamcore.projections.account_summary import ACCOUNTS, COLUMNS, AccountSummaryProjection
from kamcore.projections.json_text import to_json
from kamcore.projections.projection import SqlCursor
from kamcore.projections.store import ReadModelStore
from kamcore.storage.sqlite import SQLiteDialect

KEEP_EVERY = 100  # events of an account's history between two kept replay states (more for long histories)
KEEP_STATES = 32  # at most this many kept states per account (a long history keeps them further apart)
KEEP_ACCOUNTS = 128  # accounts whose replay states are kept; the least recently travelled is dropped first

# Event classes the account summary handles; a replay skips (and so never decodes) every other event.
_REPLAYED = frozenset(resolve_topic(topic) for topic in AccountSummaryProjection().topics)


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
    account = str(account_id)
    index = account_positions(history, account)
    if not index:
        raise NotFound(f"no account with id {account_id}", field="account_id")
    cutoff = None
    if at.version is not None:
        reached = (p for p, aggregate, version, _, _ in index if aggregate == account and version == at.version)
        cutoff = next(reached, None)
        if cutoff is None:
            raise InvalidInput(f"the account never reached version {at.version}", field="version")
    day = at.business_date.isoformat() if at.business_date is not None else None
    selected = [
        number
        for number, (position, _, _, recorded_at, business_date) in enumerate(index)
        if (cutoff is None or position <= cutoff)
        and (day is None or business_date <= day)
        and (at.known_at is None or datetime.fromisoformat(recorded_at) <= at.known_at)
    ]
    # The selection begins with the first `whole` events of the history, none left out: states there can be kept.
    whole = next((i for i, number in enumerate(selected) if number != i), len(selected))
    kept = kept_states(history)
    start = kept.latest(account, index, whole)
    rest = selected[start.count if start else 0 :]
    events = _events(app, [(index[number][1], index[number][2]) for number in rest])
    every = max(KEEP_EVERY, len(index) // KEEP_STATES)
    steps = [(number + 1, index[number][0], event) for number, event in zip(rest, events, strict=True)]
    keep_at = {count for count, _, _ in steps if count <= whole and (count % every == 0 or count == whole)}
    row, states = _replay(steps, account, start, keep_at)
    kept.keep(account, states)
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


def _events(app: KamApplication, wanted: list[tuple[str, int]]) -> list[Any]:
    """The (aggregate id, version) events, in the given order, read with one query per aggregate; an event the
    account summary has no handler for is not decoded (None): it changes nothing in a replay."""
    slots: dict[str, dict[int, int]] = {}
    for index, (aggregate_id, version) in enumerate(wanted):
        slots.setdefault(aggregate_id, {})[version] = index
    events: list[Any] = [None] * len(wanted)
    found = 0
    for aggregate_id, versions in slots.items():
        for stored in app.recorder.select_events(UUID(aggregate_id), gt=min(versions) - 1, lte=max(versions)):
            index = versions.get(stored.originator_version)
            if index is not None:
                found += 1
                if resolve_topic(stored.topic) in _REPLAYED:
                    events[index] = app.mapper.to_domain_event(stored)
    if found != len(wanted):
        raise LookupError(f"the event history names {len(wanted) - found} events the log does not hold")
    return events


@dataclass(frozen=True)
class ReplayState:
    """The scratch read model after the first `count` events of an account's history, the last at `position`."""

    count: int
    position: int
    rows: tuple[dict[str, Any], ...]  # every account-summary row the replay had put, as the handlers put them


class KeptStates:
    """Replay states of recently travelled accounts (bounded: `KEEP_STATES` each, `KEEP_ACCOUNTS` accounts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accounts: OrderedDict[str, dict[int, ReplayState]] = OrderedDict()

    def latest(self, account: str, index: list[tuple[Any, ...]], whole: int) -> ReplayState | None:
        """The latest state within the first `whole` events of `index` (the account's history as read now)."""
        with self._lock:
            states = self._accounts.get(account, {})
            usable = [s for n, s in states.items() if n <= whole and index[n - 1][0] == s.position]
        return max(usable, key=lambda s: s.count, default=None)

    def keep(self, account: str, states: list[ReplayState]) -> None:
        if not states:
            return
        with self._lock:
            kept = self._accounts.setdefault(account, {})
            kept.update((s.count, s) for s in states)
            for count in sorted(kept)[:-KEEP_STATES]:
                del kept[count]
            self._accounts.move_to_end(account)
            while len(self._accounts) > KEEP_ACCOUNTS:
                self._accounts.popitem(last=False)


_KEPT: weakref.WeakKeyDictionary[ReadModelStore, KeptStates] = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def kept_states(history: ReadModelStore) -> KeptStates:
    """The kept replay states that belong to this event history (one store, one log)."""
    with _KEPT_LOCK:
        kept = _KEPT.get(history)
        if kept is None:
            kept = _KEPT[history] = KeptStates()
        return kept


def _replay(
    steps: list[tuple[int, int, Any]], account_id: str, start: ReplayState | None, keep_at: set[int]
) -> tuple[dict[str, Any] | None, list[ReplayState]]:
    """Apply (count, position, event or None) steps after `start`; the row, and the states at `keep_at` counts."""
    projection = AccountSummaryProjection()
    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite3.Row
    states = []
    try:
        cursor = connection.cursor()
        sql = SqlCursor(cursor, SQLiteDialect())
        for statement in projection.ddl:
            sql.execute(statement)
        for row in start.rows if start else ():
            sql.rows.put(ACCOUNTS, dict(row))
        for count, position, event in steps:
            if event is not None:
                projection.apply(sql, event)
            if count in keep_at:
                states.append(ReplayState(count, position, tuple(dict(r) for r in sql.rows.written(ACCOUNTS))))
        sql.rows.flush()
        row = sql.execute("SELECT * FROM {t}account_summary WHERE account_id = ?", (account_id,)).fetchone()
        return (dict(row) if row else None), states
    finally:
        connection.close()
