"""One command for every benchmark: `python -m bench.run [--accounts N] [--book demo|simple] [--backends …]`.

Per backend it measures the machine's raw insert and read limits, writes a seeded book, imports CSV
files with `kamcore import`'s code, rebuilds every read model, verifies the hash chain and exports
the log, then starts `kamcore serve` and measures through HTTP (bench/over_http.py). Rates are
printed next to the raw limit measured in the same run, so results read as ratios. Results go to
bench/results/latest.{json,md}; with `--curve 10000,30000,100000` every size is run in turn and the
cost curve goes to bench/results/curve.{json,md}.
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import sqlite3
import tempfile
import time
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import psycopg
import typer

from bench import book as simple_book
from bench.csv_import import measure_import
from bench.over_http import Sample, measure_http, measure_workers, peak_rss_mb, reset_peak_rss
from bench.raw import postgres_limits, sqlite_limits
from bench.report import curve_markdown, markdown
from kamcore import __version__
from kamcore import demo as demo_book
from kamcore.application import CommandContext
from kamcore.projections.catalog import all_projections
from kamcore.projections.one_pass import rebuild
from kamcore.projections.ranking_view import DEFAULT_CRITERIA_FILE
from kamcore.runtime import Runtime
from kamcore.settings import Settings

RESULTS = Path(__file__).parent / "results"
POSTGRES_URL = os.environ.get("KAMCORE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
SIMULATED_VERSION = "bench-profit-70"
BOOKS: dict[str, Callable[..., int]] = {"demo": demo_book.write_book, "simple": simple_book.write_book}


@dataclass
class Store:
    """Empty storage for one backend: a SQLite directory or a throwaway PostgreSQL schema."""

    backend: str
    settings: Settings
    env: dict[str, str] = field(default_factory=dict)  # for `kamcore serve` subprocesses

    @classmethod
    def create(cls, backend: str, directory: Path) -> Store:
        if backend == "sqlite":
            env = {"KAMCORE_DATA_DIR": str(directory), "KAMCORE_DATABASE_URL": ""}  # not the caller's database
            return cls(backend, Settings(data_dir=directory), env)
        if backend != "postgres":
            raise typer.BadParameter(f"unknown backend {backend!r}: sqlite or postgres")
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        settings = Settings(data_dir=directory, database_url=POSTGRES_URL, database_schema=schema)
        env = {"KAMCORE_DATA_DIR": str(directory), "KAMCORE_DATABASE_URL": POSTGRES_URL}
        env["KAMCORE_DATABASE_SCHEMA"] = schema
        return cls(backend, settings, env)

    def drop(self) -> None:
        if self.settings.database_url:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {self.settings.database_schema} CASCADE")
        shutil.rmtree(self.settings.data_dir, ignore_errors=True)


@dataclass(frozen=True)
class Options:
    book: str
    seed: int
    import_accounts: int
    rebuild_workers: int
    serve_workers: tuple[int, ...]


def rate(events: int, seconds: float, limit: float, **extra: Any) -> dict[str, Any]:
    """Events/s, its ratio to the raw limit, and this process's peak RSS since the phase began."""
    per_s = events / seconds
    return {"events": events, "seconds": seconds, "events_per_s": per_s, "ratio_to_raw": per_s / limit} | {
        "peak_rss_mb": peak_rss_mb(),
        **extra,
    }


def write(runtime: Runtime, accounts: int, options: Options, limit: float) -> dict[str, Any]:
    """The book through the bulk path (batched saves), in events/s of the write."""
    step = max(1, accounts // 10)

    def progress(done: int) -> None:
        if done % step < 100 or done == accounts:  # the demo reports every 100 accounts
            typer.echo(f"    … {done:,} accounts", err=True)

    writer = BOOKS[options.book]
    reset_peak_rss()
    started = time.perf_counter()
    if options.book == "demo":
        events = writer(runtime.app, accounts, seed=options.seed, progress=progress)
    else:
        events = writer(runtime.app, accounts, seed=options.seed)
    return rate(events, time.perf_counter() - started, limit, events_per_account=events / accounts)


def write_long_account(app: Any, events: int) -> str:
    """One account with `events` events (profile updates), for history and time travel."""
    from kamcore.domain.account import Account

    envelope = CommandContext(actor="bench", reason="long history").envelope()
    account = Account.open(name="Long History Ltd", segment="corporate", region="North", envelope=envelope)
    for i in range(events - 1):
        account.update_profile(region=("North", "South")[i % 2], envelope=envelope)
    app.save(account)
    return str(account.id)


def propose_criteria(app: Any) -> str:
    """A proposed criteria version for the simulation: the default factors, key set by 70% of profit."""
    parameters = tomllib.loads(DEFAULT_CRITERIA_FILE.read_text())
    for key in ("version", "name"):
        parameters.pop(key, None)
    parameters["selection"] = {**parameters["selection"], "basis": "profit_contribution", "share": "0.70"}
    app.propose_criteria(
        CommandContext(actor="bench", reason="criteria simulation"),
        version_id=SIMULATED_VERSION,
        name="Benchmark: 70% of profit contribution",
        parameters=parameters,
        effective_from=date.today() + timedelta(days=365),
    )
    return SIMULATED_VERSION


def measure_audit(runtime: Runtime, bundle: Path, limit: float) -> dict[str, Any]:
    """Hash-chain verification and a whole-log audit export, in events/s."""
    from kamcore.audit.export import ExportScope, export_bundle
    from kamcore.audit.verify import verify_runtime

    reset_peak_rss()
    started = time.perf_counter()
    report = verify_runtime(runtime)
    verify_seconds = time.perf_counter() - started
    started = time.perf_counter()
    summary = export_bundle(runtime, bundle, ExportScope())
    export_seconds = time.perf_counter() - started
    shutil.rmtree(bundle, ignore_errors=True)  # gigabytes on a large book
    verify, export = report.events_verified / verify_seconds, summary.event_count / export_seconds
    return {
        "verified_events": report.events_verified,
        "verify_ok": report.ok,
        "verify_events_per_s": verify,
        "verify_ratio_to_raw": verify / limit,
        "export_events": summary.event_count,
        "export_events_per_s": export,
        "export_ratio_to_raw": export / limit,
        "peak_rss_mb": peak_rss_mb(),
    }


def last_full_quarter(today: date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3
    return (today.year - 1, 4) if quarter == 0 else (today.year, quarter)


def pick_sample(runtime: Runtime, token: str, long_account: str, criteria: str, seed: int) -> Sample:
    """Accounts and many different RMs to ask about (seeded order), read from the read models."""
    from strawberry.relay import GlobalID

    with runtime.stores["account_summary"].reading() as sql:
        ids = [r["account_id"] for r in sql.execute("SELECT account_id FROM {t}account_summary LIMIT 500").fetchall()]
    with runtime.stores["kpi_measures"].reading() as sql:
        rms = sorted(r["rm_id"] for r in sql.execute("SELECT rm_id FROM {t}kpi_rm").fetchall())
    random.Random(seed).shuffle(rms)
    return Sample(
        token=token,
        account_ids=[str(GlobalID("Account", i)) for i in ids],
        long_account_id=str(GlobalID("Account", long_account)),
        rm_ids=rms[:200],
        quarter=last_full_quarter(date.today()),
        criteria_version=criteria,
    )


def run_backend(backend: str, accounts: int, options: Options, workdir: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"backend": backend, "accounts": accounts, "book": options.book, "notes": []}
    result["raw"] = sqlite_limits() if backend == "sqlite" else postgres_limits(POSTGRES_URL)
    if backend == "postgres":
        with psycopg.connect(POSTGRES_URL) as conn:
            result["server_version"] = f"PostgreSQL {conn.execute('SHOW server_version').fetchone()[0]}"
    insert, read = result["raw"]["insert_events_per_s"], result["raw"]["ordered_read_events_per_s"]
    typer.echo(f"[{backend}] raw limits: insert {insert:,.0f} events/s, ordered read {read:,.0f} events/s")
    if options.import_accounts:
        store = Store.create(backend, workdir / f"{backend}-import")
        try:
            reset_peak_rss()
            imported = measure_import(store.settings, workdir / "csv", options.import_accounts, options.seed)
            ratio = imported["events_per_s"] / insert
            result["csv_import"] = {**imported, "ratio_to_raw": ratio, "peak_rss_mb": peak_rss_mb()}
            typer.echo(f"[{backend}] csv import: {result['csv_import']}")
        finally:
            store.drop()
    store = Store.create(backend, workdir / backend)
    try:
        runtime = Runtime(store.settings)
        try:
            result["bulk_write"] = write(runtime, accounts, options, insert)
            typer.echo(f"[{backend}] bulk write: {result['bulk_write']}")
            long_account = write_long_account(runtime.app, 1000)
            criteria = propose_criteria(runtime.app)
            _, token = runtime.app.grant_token(
                CommandContext(actor="bench", reason="bench"), name="bench", role="admin"
            )
        finally:
            runtime.close()
        names = [p.name for p in all_projections()]
        reset_peak_rss()
        rebuilt = rebuild(store.settings, names, workers=options.rebuild_workers)  # what `kamcore rebuild` does
        result["rebuild"] = rate(rebuilt.head, rebuilt.seconds, read, projections=len(names), workers=rebuilt.workers)
        typer.echo(f"[{backend}] rebuild: {result['rebuild']}")
        runtime = Runtime(store.settings)
        try:
            started = time.perf_counter()
            runtime.catch_up()  # read models are there: this chains the log (the server would on start)
            chained = time.perf_counter() - started
            result["audit"] = measure_audit(runtime, workdir / f"bundle-{backend}", read)
            result["audit"]["chain_build_events_per_s"] = rebuilt.head / chained
            typer.echo(f"[{backend}] audit: {result['audit']}")
            sample = pick_sample(runtime, token, long_account, criteria, options.seed)
        finally:
            runtime.close()
        typer.echo(f"[{backend}] HTTP, one uvicorn worker:")
        result["http"] = measure_http(store.env, sample)
        result["workers"] = []
        for workers in options.serve_workers:
            try:
                result["workers"].append(measure_workers(store.env, token, workers))
            except RuntimeError as error:
                result["notes"].append(f"`serve --workers {workers}` failed: {error}")
                typer.echo(f"[{backend}] {result['notes'][-1]}", err=True)
    finally:
        store.drop()
    return result


def machine() -> str:
    return (
        f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def run_sizes(accounts: int, backends: list[str], options: Options) -> dict[str, Any]:
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kamcore": __version__,
        "machine": machine(),
        "accounts": accounts,
        "book": options.book,
        "seed": options.seed,
        "results": [],
    }
    workdir = Path(tempfile.mkdtemp(prefix="kamcore-bench-"))
    try:
        for backend in backends:
            report["results"].append(run_backend(backend, accounts, options, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report["bench_peak_rss_mb"] = peak_rss_mb()
    return report


def main(
    accounts: Annotated[int, typer.Option(min=1, help="Accounts in the book (demo: ~60 events each).")] = 100_000,
    book: Annotated[str, typer.Option(help="demo: kamcore.demo's realistic book; simple: ~7 events/account.")] = "demo",
    seed: Annotated[int, typer.Option(help="Random seed of the book (same seed, same book).")] = 7,
    backends: Annotated[str, typer.Option(help="Comma-separated: sqlite, postgres.")] = "sqlite,postgres",
    import_accounts: Annotated[
        int | None, typer.Option(min=0, help="Accounts in the CSV import measure (default: --accounts; 0: skip).")
    ] = None,
    rebuild_workers: Annotated[int, typer.Option(min=1, help="Processes of the rebuild (kamcore rebuild).")] = 1,
    workers: Annotated[str, typer.Option(help="uvicorn worker counts for the small-query throughput.")] = "1,2",
    curve: Annotated[
        str | None, typer.Option(help="Sizes in turn, e.g. 1000,10000: curve.{json,md}, and latest.* of the last.")
    ] = None,
) -> None:
    """Generate a book, run every benchmark on each backend, write bench/results/latest.{json,md} (or curve.*)."""
    if book not in BOOKS:
        raise typer.BadParameter(f"--book is one of {', '.join(BOOKS)}")
    names = [b.strip() for b in backends.split(",") if b.strip()]
    sizes = [int(s) for s in curve.split(",")] if curve else [accounts]
    RESULTS.mkdir(exist_ok=True)
    runs = []
    for size in sizes:
        options = Options(
            book=book,
            seed=seed,
            import_accounts=size if import_accounts is None else import_accounts,
            rebuild_workers=rebuild_workers,
            serve_workers=tuple(int(w) for w in workers.split(",") if w.strip()),
        )
        typer.echo(f"== {size:,} accounts ({book} book) on {', '.join(names)}")
        report = run_sizes(size, names, options)
        (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")  # with a curve: the last size
        (RESULTS / "latest.md").write_text(markdown(report))
        typer.echo(markdown(report))
        if not curve:
            return
        runs.append(report)
        summary = {key: report[key] for key in ("started_at", "kamcore", "machine", "book", "seed")}
        summary = {**summary, "started_at": runs[0]["started_at"], "runs": runs}
        (RESULTS / "curve.json").write_text(json.dumps(summary, indent=2) + "\n")  # kept after each size
        (RESULTS / "curve.md").write_text(curve_markdown(summary))
    typer.echo((RESULTS / "curve.md").read_text())


if __name__ == "__main__":
    typer.run(main)
