"""Audit reads alone: `python -m bench.audit_reads [--accounts N] [--data-dir DIR] [--samples N] [--backend …]`.

A quicker loop than `bench.run` for the audit targets of DESIGN.md §8: a demo book with one 1,000-event
account, then hash-chain verification and audit export in-process (events/s beside the raw ordered
read of the same log) and, through `kamcore serve` (one uvicorn worker), the same history and time-travel
queries as bench.run. `--data-dir` keeps the book between runs (it is written once); the audited reads
add an event each per run, which changes neither query.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from bench.over_http import AS_OF, HISTORY, GraphQL, _short, served, timed
from bench.run import POSTGRES_URL, Store, write_long_account
from kamcore import demo as demo_book
from kamcore.application import CommandContext
from kamcore.runtime import Runtime
from kamcore.settings import Settings

BOOK_FILE = "audit-bench.json"


def prepare(store: Store, accounts: int, seed: int) -> dict[str, Any]:
    """The book with a 1,000-event account, its read models and chain caught up (once per data dir)."""
    marker = store.settings.data_dir / BOOK_FILE
    if marker.exists():
        return json.loads(marker.read_text())
    runtime = Runtime(store.settings)
    try:
        started = time.perf_counter()
        events = demo_book.write_book(runtime.app, accounts, seed=seed)
        long_account = write_long_account(runtime.app, 1000)
        _, token = runtime.app.grant_token(CommandContext(actor="bench", reason="bench"), name="bench", role="admin")
        typer.echo(f"book: {events:,} events in {time.perf_counter() - started:.1f} s; catching up …", err=True)
        runtime.catch_up()
    finally:
        runtime.close()
    book = {"long_account": long_account, "token": token, "env": store.env}
    marker.write_text(json.dumps(book))
    return book


def raw_ordered_read(settings: Settings) -> float:
    """Events/s of a keyset scan of the stored events (SQLite: rowid, 2,000 per batch), the verifier's floor."""
    path = settings.data_dir / "events.sqlite"
    if not path.exists():
        return 0.0
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        started, last, read = time.perf_counter(), 0, 0
        while True:
            rows = conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
                " WHERE rowid > ? ORDER BY rowid LIMIT 2000",
                (last,),
            ).fetchall()
            if not rows:
                return read / (time.perf_counter() - started)
            read += len(rows)
            last = rows[-1][0]
    finally:
        conn.close()


def measure_verify(settings: Settings, repeats: int, export: bool) -> dict[str, Any]:
    from kamcore.audit.export import ExportScope, export_bundle
    from kamcore.audit.verify import verify_runtime

    runtime = Runtime(settings)
    try:
        rates = []
        for _ in range(repeats):
            started = time.perf_counter()
            report = verify_runtime(runtime)
            rates.append(report.events_verified / (time.perf_counter() - started))
            if not report.ok:
                raise RuntimeError(f"verification failed: {report.problem}")
        out: dict[str, Any] = {"events": report.events_verified, "verify_events_per_s": sorted(rates)}
        out["verify_workers"] = report.workers
        out["raw_ordered_read_events_per_s"] = raw_ordered_read(settings)
        if export:
            bundle = Path(tempfile.mkdtemp(prefix="kamcore-bundle-")) / "bundle"
            try:
                started = time.perf_counter()
                summary = export_bundle(runtime, bundle, ExportScope())
                out["export_events_per_s"] = summary.event_count / (time.perf_counter() - started)
            finally:
                shutil.rmtree(bundle.parent, ignore_errors=True)
    finally:
        runtime.close()
    return out


def measure_reads(book: dict[str, Any], samples: int) -> dict[str, Any]:
    from strawberry.relay import GlobalID

    gid = str(GlobalID("Account", book["long_account"]))
    out: dict[str, Any] = {}
    with served(book["env"]) as server:
        post = GraphQL(server.url, book["token"])
        try:
            assert len(post(HISTORY, {"id": gid})["accountHistory"]["nodes"]) == 500
            assert post(AS_OF, {"id": gid})["accountAsOf"]["version"] == 900
            timed(lambda: post(HISTORY, {"id": gid}), 20)  # warm up
            timed(lambda: post(AS_OF, {"id": gid}), 20)
            for name, query in (("history", HISTORY), ("time_travel", AS_OF)):
                out[name] = timed(lambda q=query: post(q, {"id": gid}), samples)
                typer.echo(f"  {name}: {_short(out[name])}")
        finally:
            post.close()
    return out


def main(
    accounts: Annotated[int, typer.Option(min=1, help="Accounts in the demo book.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed of the book.")] = 7,
    data_dir: Annotated[Path | None, typer.Option(help="Keep the book here between runs (SQLite).")] = None,
    backend: Annotated[str, typer.Option(help="sqlite or postgres (a fresh schema each run).")] = "sqlite",
    samples: Annotated[int, typer.Option(min=1, help="Requests per HTTP measure.")] = 100,
    repeats: Annotated[int, typer.Option(min=1, help="Verification runs (all rates are printed).")] = 3,
    http: Annotated[bool, typer.Option(help="Measure history and time travel through HTTP.")] = True,
    verify: Annotated[bool, typer.Option(help="Measure verification in-process.")] = True,
    export: Annotated[bool, typer.Option(help="Also measure a whole-log audit export.")] = False,
) -> None:
    """Measure the audit targets on one book; prints JSON at the end."""
    keep = data_dir is not None and backend == "sqlite"
    directory = data_dir or Path(tempfile.mkdtemp(prefix="kamcore-audit-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    store = Store.create(backend, directory)
    if backend == "postgres":
        typer.echo(f"postgres at {POSTGRES_URL}, schema {store.settings.database_schema}", err=True)
    try:
        book = prepare(store, accounts, seed)
        result: dict[str, Any] = {"backend": backend, "accounts": accounts}
        if verify:
            result["audit"] = measure_verify(store.settings, repeats, export)
            typer.echo(f"  audit: {result['audit']}")
        if http:
            result["http"] = measure_reads(book, samples)
        typer.echo(json.dumps(result, indent=2))
    finally:
        if not keep:
            store.drop()


if __name__ == "__main__":
    typer.run(main)
