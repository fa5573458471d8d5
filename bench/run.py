"""One command for every benchmark: `python -m bench.run [--accounts N] [--backends sqlite,postgres]`.

Each figure is printed next to the machine's raw limit measured in the same run, so results read as
ratios. Results go to bench/results/latest.json and bench/results/latest.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import typer

from bench.book import write_book
from bench.raw import postgres_limits, sqlite_limits
from kamcore import __version__
from kamcore.application import CommandContext
from kamcore.projections.one_pass import rebuild_in_one_pass
from kamcore.runtime import Runtime
from kamcore.settings import Settings

RESULTS = Path(__file__).parent / "results"
POSTGRES_URL = os.environ.get("KAMCORE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")

ACCOUNT_360 = """query($id: ID!) { account(id: $id) { id name segment region status version teamVersion
  leadRelationshipManagerId team { relationshipManagerId role effectiveFrom effectiveTo }
  stakeholders { name role } needs { description } businessContext { strategy }
  feedback { latestNps latestCsat openComplaints referrals } } }"""
TOP_50 = "{ accounts(first: 50, orderBy: {field: NAME}) { totalCount nodes { id name leadRelationshipManagerId } } }"
FEEDBACK = (
    """mutation($input: RecordFeedbackInput!) { recordFeedback(input: $input) { userErrors { code } position } }"""
)
SMALL = "{ accounts(first: 1) { totalCount } }"
KEY_TOP_50 = "{ keyAccounts(first: 50) { totalCount nodes { name rank score tier } } }"
HISTORY = """query($id: ID!) { accountHistory(accountId: $id, first: 500) { nodes { position eventType actor } } }"""
AS_OF = """query($id: ID!) { accountAsOf(accountId: $id, at: {version: 900}) { version feedback { latestNps } } }"""


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"n": len(ordered), "p50_ms": cut[49] * 1000, "p95_ms": cut[94] * 1000, "p99_ms": cut[98] * 1000}


def timed(call: Callable[[], Any], n: int, concurrency: int = 1) -> dict[str, float]:
    def one(_: int) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    with ThreadPoolExecutor(concurrency) as pool:
        started = time.perf_counter()
        samples = list(pool.map(one, range(n)))
        elapsed = time.perf_counter() - started
    return {**percentiles(samples), "concurrency": concurrency, "requests_per_s": n / elapsed}


def peak_rss_mb(pid: int | None = None) -> float:
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(settings: Settings, env_extra: dict[str, str], timeout: float = 60.0) -> tuple[subprocess.Popen[bytes], str]:
    """`kamcore serve` on a free port, once /healthz answers (it catches the read models up first)."""
    port = free_port()
    env = {**os.environ, "KAMCORE_DATA_DIR": str(settings.data_dir), **env_extra}
    process = subprocess.Popen(
        [sys.executable, "-m", "kamcore.cli", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def run_backend(name: str, accounts: int, workdir: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"backend": name}
    env_extra: dict[str, str] = {}
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    if name == "sqlite":
        settings = Settings(data_dir=workdir / "sqlite")
        result["raw"] = sqlite_limits()
    else:
        settings = Settings(data_dir=workdir / "pg", database_url=POSTGRES_URL, database_schema=schema)
        env_extra = {"KAMCORE_DATABASE_URL": POSTGRES_URL, "KAMCORE_DATABASE_SCHEMA": schema}
        result["raw"] = postgres_limits(POSTGRES_URL)
    typer.echo(f"[{name}] raw limits: {result['raw']}")
    try:
        runtime = Runtime(settings)
        started = time.perf_counter()
        events = write_book(runtime.app, accounts)
        seconds = time.perf_counter() - started
        result["bulk_write"] = {
            "events": events,
            "seconds": seconds,
            "events_per_s": events / seconds,
            "ratio_to_raw_insert": events / seconds / result["raw"]["insert_events_per_s"],
        }
        typer.echo(f"[{name}] bulk write: {result['bulk_write']}")
        started = time.perf_counter()
        rebuild_in_one_pass(runtime.app, list(runtime.runners.values()))  # what `kamcore rebuild` does
        seconds = time.perf_counter() - started
        result["rebuild"] = {
            "events": events,
            "projections": len(runtime.runners),
            "seconds": seconds,
            "events_per_s": events / seconds,
            "ratio_to_raw_read": events / seconds / result["raw"]["ordered_read_events_per_s"],
        }
        typer.echo(f"[{name}] rebuild: {result['rebuild']}")
        long_account = write_long_account(runtime.app, 1000)
        runtime.catch_up()
        result["audit"] = measure_audit(runtime, workdir / f"bundle-{name}")
        typer.echo(f"[{name}] audit: {result['audit']}")
        _, token = runtime.app.grant_token(CommandContext(actor="bench", reason="bench"), name="bench", role="admin")
        with runtime.stores["account_summary"].reading() as sql:
            ids = [
                r["account_id"] for r in sql.execute("SELECT account_id FROM {t}account_summary LIMIT 200").fetchall()
            ]
        runtime.close()
        result["http"] = measure_http(settings, env_extra, token, ids, long_account)
    finally:
        if name == "postgres":
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return result


def write_long_account(app: Any, events: int) -> str:
    """One account with `events` events (profile updates and surveys), for history and time travel."""
    from kamcore.domain.account import Account

    envelope = CommandContext(actor="bench", reason="long history").envelope()
    account = Account.open(name="Long History Ltd", segment="corporate", region="North", envelope=envelope)
    for i in range(events - 1):
        account.update_profile(region=("North", "South")[i % 2], envelope=envelope)
    app.save(account)
    return str(account.id)


def measure_audit(runtime: Runtime, bundle: Path) -> dict[str, Any]:
    """Hash-chain verification and whole-log export, in events/s."""
    from kamcore.audit.export import ExportScope, export_bundle
    from kamcore.audit.verify import verify_runtime

    started = time.perf_counter()
    report = verify_runtime(runtime)
    verify_seconds = time.perf_counter() - started
    started = time.perf_counter()
    summary = export_bundle(runtime, bundle, ExportScope())
    export_seconds = time.perf_counter() - started
    return {
        "verified_events": report.events_verified,
        "verify_ok": report.ok,
        "verify_events_per_s": report.events_verified / verify_seconds,
        "export_events": summary.event_count,
        "export_events_per_s": summary.event_count / export_seconds,
    }


def measure_http(
    settings: Settings, env_extra: dict[str, str], token: str, ids: list[str], long_account: str
) -> dict[str, Any]:
    from strawberry.relay import GlobalID

    gids = [str(GlobalID("Account", i)) for i in ids]
    long_gid = str(GlobalID("Account", long_account))
    server, url = serve(settings, env_extra)
    out: dict[str, Any] = {}
    try:
        with httpx.Client(
            base_url=url,
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
            limits=httpx.Limits(max_connections=32),
        ) as client:

            def post(query: str, variables: dict[str, Any] | None = None) -> None:
                body = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
                if body.get("errors"):
                    raise RuntimeError(body["errors"])

            counter = iter(range(10**9))

            def mutate() -> None:
                i = next(counter)
                post(FEEDBACK, {"input": {"accountId": gids[i % len(gids)], "scale": "NPS", "score": i % 11}})

            timed(lambda: post(SMALL), 100)  # warm-up: caches, connections
            out["mutation_c1"] = timed(mutate, 300)
            out["mutation_c16"] = timed(mutate, 800, concurrency=16)
            out["account_360"] = timed(lambda: post(ACCOUNT_360, {"id": gids[next(counter) % len(gids)]}), 500)
            out["accounts_top50"] = timed(lambda: post(TOP_50), 300)
            post(KEY_TOP_50)  # the first ranking after writes is computed, later ones are cached
            out["key_accounts_top50"] = timed(lambda: post(KEY_TOP_50), 300)
            out["history_1000_event_account"] = timed(lambda: post(HISTORY, {"id": long_gid}), 100)
            out["time_travel_1000_event_account"] = timed(lambda: post(AS_OF, {"id": long_gid}), 100)
            out["small_query_c16"] = timed(lambda: post(SMALL), 2000, concurrency=16)
        out["server_peak_rss_mb"] = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for key, value in out.items():
        typer.echo(f"    {key}: {value}")
    return out


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Run {report['started_at']} on {report['machine']}; {report['accounts']} accounts.",
        "",
        "| backend | measure | value | raw limit | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for r in report["results"]:
        b, raw = r["backend"], r["raw"]
        lines.append(
            f"| {b} | bulk write (events/s) | {r['bulk_write']['events_per_s']:,.0f} | "
            f"{raw['insert_events_per_s']:,.0f} | {r['bulk_write']['ratio_to_raw_insert']:.2f} |"
        )
        lines.append(
            f"| {b} | rebuild, all projections (events/s) | {r['rebuild']['events_per_s']:,.0f} | "
            f"{raw['ordered_read_events_per_s']:,.0f} | {r['rebuild']['ratio_to_raw_read']:.2f} |"
        )
        audit = r["audit"]
        for label, value in (
            ("hash-chain verification (events/s)", audit["verify_events_per_s"]),
            ("audit export (events/s)", audit["export_events_per_s"]),
        ):
            lines.append(
                f"| {b} | {label} | {value:,.0f} | {raw['ordered_read_events_per_s']:,.0f} | "
                f"{value / raw['ordered_read_events_per_s']:.2f} |"
            )
        for key, label in (
            ("mutation_c1", "mutation, 1 client"),
            ("mutation_c16", "mutation, 16 clients"),
            ("account_360", "account-360 query"),
            ("accounts_top50", "accounts top-50 list"),
            ("key_accounts_top50", "key-account top-50 (ranking)"),
            ("history_1000_event_account", "history of a 1,000-event account (500 per page)"),
            ("time_travel_1000_event_account", "time travel of a 1,000-event account"),
            ("small_query_c16", "small query, 16 clients"),
        ):
            m = r["http"][key]
            lines.append(
                f"| {b} | {label}: p50 / p95 / p99 ms (req/s) | {m['p50_ms']:.1f} / {m['p95_ms']:.1f} / "
                f"{m['p99_ms']:.1f} ({m['requests_per_s']:,.0f}) | | |"
            )
        lines.append(f"| {b} | server peak RSS (MB) | {r['http']['server_peak_rss_mb']:.0f} | | |")
    lines.append(f"\nBench process peak RSS: {report['bench_peak_rss_mb']:.0f} MB.")
    return "\n".join(lines) + "\n"


def main(
    accounts: int = typer.Option(100_000, help="Accounts in the generated book (about 6 events each)."),
    backends: str = typer.Option("sqlite,postgres", help="Comma-separated: sqlite, postgres."),
) -> None:
    """Generate a book, run every benchmark on each backend, write bench/results/latest.{json,md}."""
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kamcore": __version__,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "accounts": accounts,
        "results": [],
    }
    workdir = Path(tempfile.mkdtemp(prefix="kamcore-bench-"))
    try:
        for name in backends.split(","):
            report["results"].append(run_backend(name.strip(), accounts, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report["bench_peak_rss_mb"] = peak_rss_mb()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    (RESULTS / "latest.md").write_text(markdown(report))
    typer.echo(markdown(report))


if __name__ == "__main__":
    typer.run(main)
