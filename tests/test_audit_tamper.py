"""Tamper evidence: an untouched log verifies; every kind of change made with SQL is named at its first position.

The tampering goes straight at the stored rows with SQL, on SQLite and on PostgreSQL, as an
intruder with database access would; nothing in kamcore is mocked.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from kamcore.application import CommandContext
from kamcore.audit.canonical import GENESIS, chain_hashes
from kamcore.audit.chain import ChainProjection
from kamcore.audit.keys import SigningKey
from kamcore.audit.readers import ChainReader, EventLogReader
from kamcore.audit.verify import VerificationReport, stored_chain_hashes, verify_runtime
from kamcore.runtime import Runtime
from kamcore.settings import Settings

EVENTS = 9


class StoredRows:
    """Raw SQL on the event store and the chain store, the same operations on either backend."""

    def __init__(self, settings: Settings) -> None:
        self.postgres = bool(settings.database_url)
        if self.postgres:
            self.events_connection: Any = psycopg.connect(settings.database_url, autocommit=True)
            self.chain_connection: Any = self.events_connection
            schema = settings.database_schema
            self.events = sql.Identifier(schema, "kam_events").as_string()
            self.chain = sql.Identifier(schema, "audit_chain").as_string()
            self.checkpoints = sql.Identifier(schema, "audit_checkpoints").as_string()
            self.position = "notification_id"
        else:
            self.events_connection = sqlite3.connect(settings.data_dir / "events.sqlite", isolation_level=None)
            self.chain_connection = sqlite3.connect(
                settings.data_dir / "projections" / "audit_chain.sqlite", isolation_level=None
            )
            self.events, self.chain, self.checkpoints = "stored_events", "audit_chain", "audit_checkpoints"
            self.position = "rowid"

    def _run(self, connection: Any, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        cursor = connection.execute(statement.replace("?", "%s") if self.postgres else statement, params)
        return cursor.fetchall() if cursor.description else []

    def event(self, position: int) -> tuple[Any, ...]:
        return self._run(
            self.events_connection,
            f"SELECT originator_id, originator_version, topic, state FROM {self.events} WHERE {self.position} = ?",
            (position,),
        )[0]

    def set_state(self, position: int, state: bytes) -> None:
        self._run(
            self.events_connection, f"UPDATE {self.events} SET state = ? WHERE {self.position} = ?", (state, position)
        )

    def set_topic(self, position: int, topic: str | None) -> None:
        self._run(
            self.events_connection, f"UPDATE {self.events} SET topic = ? WHERE {self.position} = ?", (topic, position)
        )

    def retype_topic(self, position: int) -> None:
        """SQLite: the same topic bytes stored as a BLOB; PostgreSQL (a text column): one character more."""
        if self.postgres:
            statement = f"UPDATE {self.events} SET topic = topic || ' ' WHERE {self.position} = ?"
        else:
            statement = f"UPDATE {self.events} SET topic = CAST(topic AS BLOB) WHERE {self.position} = ?"
        self._run(self.events_connection, statement, (position,))

    def delete(self, position: int) -> None:
        self._run(self.events_connection, f"DELETE FROM {self.events} WHERE {self.position} = ?", (position,))

    def insert(self, position: int, originator_id: Any, version: int, topic: str, state: bytes) -> None:
        self._run(
            self.events_connection,
            f"INSERT INTO {self.events} ({self.position}, originator_id, originator_version, topic, state)"
            " VALUES (?, ?, ?, ?, ?)",
            (position, originator_id, version, topic, state),
        )

    def swap(self, first: int, second: int) -> None:
        """Exchange two events' contents (the unique aggregate/version key needs a detour)."""
        a, b = self.event(first), self.event(second)
        update = (
            f"UPDATE {self.events} SET originator_id = ?, originator_version = ?, topic = ?, state = ?"
            f" WHERE {self.position} = ?"
        )
        self._run(
            self.events_connection,
            f"UPDATE {self.events} SET originator_version = -1 WHERE {self.position} = ?",
            (first,),
        )
        self._run(self.events_connection, update, (*a, second))
        self._run(self.events_connection, update, (*b, first))

    def rechain_from_scratch(self) -> None:
        """What an intruder without the key can do after altering events: recompute every chain row."""
        previous = GENESIS
        for (position,) in self._run(self.chain_connection, f"SELECT position FROM {self.chain} ORDER BY position"):
            originator_id, version, topic, state = self.event(position)
            raw_id = uuid.UUID(str(originator_id)).bytes
            [previous] = chain_hashes(previous, [(position, raw_id, version, topic, bytes(state))])
            self._run(
                self.chain_connection,
                f"UPDATE {self.chain} SET hash = ? WHERE position = ?",
                (previous.hex(), position),
            )

    def forge_signature(self, position: int) -> None:
        [(signature,)] = self._run(
            self.chain_connection, f"SELECT signature FROM {self.checkpoints} WHERE position = ?", (position,)
        )
        forged = ("0" if signature[0] != "0" else "1") + signature[1:]
        self._run(
            self.chain_connection, f"UPDATE {self.checkpoints} SET signature = ? WHERE position = ?", (forged, position)
        )

    def checkpoint_positions(self) -> list[int]:
        return [
            r[0] for r in self._run(self.chain_connection, f"SELECT position FROM {self.checkpoints} ORDER BY position")
        ]

    def close(self) -> None:
        self.events_connection.close()
        if self.chain_connection is not self.events_connection:
            self.chain_connection.close()


@pytest.fixture
def chained(settings: Settings, ctx: CommandContext) -> Iterator[Runtime]:
    """A store with EVENTS events, all chained (not following in the background, so the test controls timing)."""
    runtime = Runtime(dataclasses.replace(settings, audit_checkpoint_interval=4))
    write_events(runtime, ctx, EVENTS)
    runtime.chain_keeper.catch_up()
    yield runtime
    runtime.close()


@pytest.fixture
def rows(settings: Settings, chained: Runtime) -> Iterator[StoredRows]:
    stored = StoredRows(settings)
    yield stored
    stored.close()


def write_events(runtime: Runtime, ctx: CommandContext, count: int) -> None:
    for index in range(count):
        runtime.app.open_account(ctx, name=f"Account {index}", segment="corporate", region="North")


def assert_fails(report: VerificationReport, position: int, kind: str) -> None:
    assert report.problem is not None, "verification passed"
    assert (report.problem.position, report.problem.kind) == (position, kind), str(report.problem)


def test_an_untouched_store_verifies(chained: Runtime) -> None:
    report = verify_runtime(chained)
    assert report.ok, report.problem
    assert (report.events_verified, report.chained_position, report.not_yet_chained) == (EVENTS, EVENTS, 0)
    assert report.checkpoints_verified == 3  # periodic at the 4th and 8th event, and the end of the catch-up
    assert report.warnings == []


def test_events_newer_than_the_chain_are_reported_not_failed(chained: Runtime, ctx: CommandContext) -> None:
    write_events(chained, ctx, 2)
    report = verify_runtime(chained)
    assert report.ok, report.problem
    assert (report.events_verified, report.not_yet_chained) == (EVENTS, 2)


def test_an_altered_payload_is_named_at_its_position(chained: Runtime, rows: StoredRows) -> None:
    _, _, _, state = rows.event(5)
    rows.set_state(5, bytes(state).replace(b"Account 4", b"Account X"))
    report = verify_runtime(chained)
    assert_fails(report, 5, "altered")
    assert report.events_verified == 4


def test_a_row_broken_by_hand_is_reported_not_crashed_on(chained: Runtime, rows: StoredRows) -> None:
    rows.set_topic(3, None)
    assert_fails(verify_runtime(chained), 3, "altered")


def test_a_topic_stored_as_another_type_is_reported_as_altered(chained: Runtime, rows: StoredRows) -> None:
    rows.retype_topic(6)
    report = verify_runtime(chained)
    assert_fails(report, 6, "altered")
    assert "Account.Opened" in report.problem.detail  # type: ignore[union-attr]


def test_verification_hashes_the_stored_rows_as_the_chain_keeper_hashed_the_events(chained: Runtime) -> None:
    with EventLogReader.open(chained.backend, chained.app) as log:
        raw = [event for batch in log.batches(0, EVENTS, 4) for event in batch]
        stored = [row for batch in log.stored_batches(0, EVENTS, 4) for row in batch]
        assert [log.raw_event(row) for row in stored] == raw
        decode = log.table.decode_id or bytes
    assert stored_chain_hashes(GENESIS, stored, decode) == chain_hashes(GENESIS, raw)
    with ChainReader.open(chained.backend, ChainProjection.name) as chain:
        links = [link.hash for batch in chain.batches(0, EVENTS) for link in batch]
    assert [h.hex() for h in chain_hashes(GENESIS, raw)] == links
    topic = "kamcore.domain.zürich:Ärger.Händled"  # a topic beyond ASCII: its UTF-8 bytes are hashed
    event = (7, uuid.uuid4().bytes, 3, topic, b"{}")
    assert stored_chain_hashes(GENESIS, [(7, event[1], 3, topic.encode(), b"{}")]) == chain_hashes(GENESIS, [event])


def test_a_deleted_event_is_named_at_its_position(chained: Runtime, rows: StoredRows) -> None:
    rows.delete(6)
    assert_fails(verify_runtime(chained), 6, "deleted")


def test_deleting_the_newest_event_is_detected(chained: Runtime, rows: StoredRows) -> None:
    rows.delete(EVENTS)
    assert_fails(verify_runtime(chained), EVENTS, "deleted")


def test_an_inserted_event_is_named_at_its_position(settings: Settings, ctx: CommandContext) -> None:
    runtime = Runtime(settings)
    stored = StoredRows(settings)
    try:
        write_events(runtime, ctx, EVENTS)
        copied = stored.event(2)
        stored.delete(4)  # a gap in the positions, as PostgreSQL leaves after a rolled-back insert
        runtime.chain_keeper.catch_up()
        assert verify_runtime(runtime).ok
        originator_id = uuid.uuid4() if stored.postgres else uuid.uuid4().hex
        stored.insert(4, originator_id, 1, copied[2], bytes(copied[3]))
        assert_fails(verify_runtime(runtime), 4, "inserted")
    finally:
        stored.close()
        runtime.close()


def test_swapped_events_are_named_as_reordered(chained: Runtime, rows: StoredRows) -> None:
    rows.swap(3, 7)
    report = verify_runtime(chained)
    assert_fails(report, 3, "reordered")
    assert "chained at position 7" in report.problem.detail  # type: ignore[union-attr]


def test_a_rewritten_chain_is_caught_by_the_signed_checkpoint(chained: Runtime, rows: StoredRows) -> None:
    _, _, _, state = rows.event(2)
    rows.set_state(2, bytes(state).replace(b"Account 1", b"Account Z"))
    rows.rechain_from_scratch()
    report = verify_runtime(chained)
    assert_fails(report, 4, "checkpoint")  # the first signed checkpoint after the alteration
    assert "rewritten" in report.problem.detail  # type: ignore[union-attr]


def test_a_forged_checkpoint_signature_fails(chained: Runtime, rows: StoredRows) -> None:
    assert rows.checkpoint_positions() == [4, 8, EVENTS]
    rows.forge_signature(8)
    report = verify_runtime(chained)
    assert_fails(report, 8, "checkpoint")
    assert "signature" in report.problem.detail  # type: ignore[union-attr]


def test_checkpoints_signed_by_another_key_are_not_trusted(chained: Runtime, tmp_path: Any) -> None:
    stranger = SigningKey.load_or_create(tmp_path / "stranger.key").public_key_hex
    assert_fails(verify_runtime(chained, {stranger}), 4, "checkpoint")


def test_the_chain_keeper_follows_the_log_and_shows_in_status(runtime: Runtime, ctx: CommandContext) -> None:
    result = runtime.app.open_account(ctx, name="Followed", segment="corporate", region="North")
    assert runtime.chain_keeper.wait_for(result.position, timeout=5)
    status = {s.name: s for s in runtime.status()}
    assert status["audit_chain"].position == result.position
    assert verify_runtime(runtime).ok


def test_the_chain_is_never_rebuilt(chained: Runtime) -> None:
    with pytest.raises(RuntimeError, match="never rebuilt"):
        chained.chain_keeper.rebuild()


# -- segments verified side by side: the same report as one walk, or (any problem) one walk decides

SEGMENTED = """
import dataclasses, json, sys
from pathlib import Path
from kamcore.audit.verify import verify_runtime
from kamcore.runtime import Runtime
from kamcore.settings import Settings

runtime = Runtime(Settings(data_dir=Path(sys.argv[1])))
try:
    reports = {w: verify_runtime(runtime, workers=w, parallel_from=0) for w in (1, 2, 3, 4, 9)}
finally:
    runtime.close()
print(json.dumps({w: {**dataclasses.asdict(r), "seconds": 0} for w, r in reports.items()}))
"""


def checkpoint_at_a_gap(rows: StoredRows) -> None:
    """A checkpoint row (a copy of the last one) at position 4, which holds no event."""
    [row] = rows._run(rows.chain_connection, "SELECT * FROM audit_checkpoints ORDER BY position DESC LIMIT 1")
    rows._run(rows.chain_connection, "INSERT INTO audit_checkpoints VALUES (4, ?, ?, ?, ?, ?, ?)", tuple(row[1:]))


def nothing(rows: StoredRows) -> None:
    pass


# name -> (done to the rows before the chain keeper runs, done after)
TAMPERING: dict[str, tuple[Any, Any]] = {
    "untouched": (nothing, nothing),
    "a gap": (lambda rows: rows.delete(4), nothing),
    "altered": (nothing, lambda rows: rows.set_state(5, bytes(rows.event(5)[3]).replace(b"Account 4", b"Account X"))),
    "broken": (nothing, lambda rows: rows.set_topic(3, None)),
    "deleted": (nothing, lambda rows: rows.delete(6)),
    "newest deleted": (nothing, lambda rows: rows.delete(EVENTS)),
    "chain row deleted": (
        nothing,
        lambda rows: rows._run(rows.chain_connection, "DELETE FROM audit_chain WHERE position = 4"),
    ),
    "reordered": (nothing, lambda rows: rows.swap(3, 7)),
    "rechained": (
        nothing,
        lambda rows: (
            rows.set_state(2, bytes(rows.event(2)[3]).replace(b"Account 1", b"Account Z")),
            rows.rechain_from_scratch(),
        ),
    ),
    "forged": (nothing, lambda rows: rows.forge_signature(8)),
    "checkpoint at a gap": (lambda rows: rows.delete(4), checkpoint_at_a_gap),
}


@pytest.mark.parametrize("tampering", TAMPERING)
def test_segments_verified_side_by_side_report_what_one_walk_reports(
    tmp_path: Any, ctx: CommandContext, tampering: str
) -> None:
    """In a fresh process (forking needs one without other threads), for every way of splitting the log."""
    settings = Settings(data_dir=tmp_path / "data", audit_checkpoint_interval=4)
    before, after = TAMPERING[tampering]
    runtime = Runtime(settings)
    rows = StoredRows(settings)
    try:
        write_events(runtime, ctx, EVENTS)
        before(rows)
        runtime.chain_keeper.catch_up()
        after(rows)
    finally:
        rows.close()
        runtime.close()
    done = subprocess.run(
        [sys.executable, "-c", SEGMENTED, str(settings.data_dir)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    reports = json.loads(done.stdout)
    one_walk = reports.pop("1")
    assert one_walk["workers"] == 1
    clean = tampering in ("untouched", "a gap")
    assert (one_walk["problem"] is None) == clean, one_walk
    for workers, report in reports.items():
        used = int(workers) if clean else 1  # a problem: one walk from the start decides
        assert report == {**one_walk, "workers": used}, workers
