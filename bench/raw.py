"""The machine's raw limits, measured in the same run: plain inserts and ordered reads of event-sized rows,
and the speed of plain Python (latencies are mostly Python, so they read as multiples of it)."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import uuid

import psycopg

ROW_BYTES = 300
BATCH = 1000


LOOP_ITERATIONS = 1_000_000


def python_loop_ms(repeats: int = 5) -> float:
    """Milliseconds for a million empty Python loop iterations, the fastest of `repeats`.

    On a shared machine the same code's p95 swings by 2x within an hour; this loop swings with it, so
    a latency divided by it compares across runs where the milliseconds alone do not."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(LOOP_ITERATIONS):
            pass
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _rows(n: int) -> list[tuple[str, int, str, bytes]]:
    payload = os.urandom(ROW_BYTES)
    return [(str(uuid.uuid4()), 1, "bench:Event", payload) for _ in range(n)]


def sqlite_limits(n: int = 200_000) -> dict[str, float]:
    """Events/s for batched inserts (1,000 rows per transaction, WAL, synchronous=FULL) and an ordered scan."""
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(os.path.join(tmp, "raw.sqlite"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE e (originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB,"
            " PRIMARY KEY (originator_id, originator_version))"
        )
        rows = _rows(n)
        start = time.perf_counter()
        for i in range(0, n, BATCH):
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO e VALUES (?, ?, ?, ?)", rows[i : i + BATCH])
            conn.execute("COMMIT")
        insert = n / (time.perf_counter() - start)
        start = time.perf_counter()
        last, read = 0, 0
        while True:
            batch = conn.execute("SELECT rowid, * FROM e WHERE rowid > ? ORDER BY rowid LIMIT 1000", (last,)).fetchall()
            if not batch:
                break
            read += len(batch)
            last = batch[-1][0]
        scan = read / (time.perf_counter() - start)
        conn.close()
    return {"insert_events_per_s": insert, "ordered_read_events_per_s": scan}


def postgres_limits(url: str, n: int = 100_000) -> dict[str, float]:
    """The same on PostgreSQL (executemany in 1,000-row transactions; keyset scan)."""
    schema = f"bench_raw_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        try:
            conn.execute(
                f"CREATE TABLE {schema}.e (id bigserial UNIQUE, originator_id uuid, originator_version int,"
                " topic text, state bytea, PRIMARY KEY (originator_id, originator_version))"
            )
            rows = _rows(n)
            start = time.perf_counter()
            with conn.cursor() as cur:
                for i in range(0, n, BATCH):
                    with conn.transaction():
                        cur.executemany(
                            f"INSERT INTO {schema}.e (originator_id, originator_version, topic, state)"
                            " VALUES (%s, %s, %s, %s)",
                            rows[i : i + BATCH],
                        )
            insert = n / (time.perf_counter() - start)
            start = time.perf_counter()
            last, read = 0, 0
            with conn.cursor() as cur:
                while True:
                    cur.execute(f"SELECT * FROM {schema}.e WHERE id > %s ORDER BY id LIMIT 1000", (last,))
                    batch = cur.fetchall()
                    if not batch:
                        break
                    read += len(batch)
                    last = batch[-1][0]
            scan = read / (time.perf_counter() - start)
        finally:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    return {"insert_events_per_s": insert, "ordered_read_events_per_s": scan}
