"""Benchmarks through real HTTP: `kamcore serve` (uvicorn, 1 or N workers) and GraphQL requests from threads.

Latencies are per request as a client sees them (p50/p95/p99); throughput is requests per second
with 16 clients. The client runs in the bench process, on the same machine: on 2 cores it takes
CPU from the server, so throughput figures are a floor.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import typer

from bench.raw import python_loop_ms

ACCOUNT_360 = """query($id: ID!) { account(id: $id) { id name segment region status version teamVersion
  leadRelationshipManagerId team { relationshipManagerId role effectiveFrom effectiveTo }
  stakeholders { name role } needs { description } businessContext { strategy }
  feedback { latestNps latestCsat openComplaints referrals }
  policies(first: 20) { policyNumber status } claims(first: 20) { status } } }"""
TOP_50 = "{ accounts(first: 50, orderBy: {field: NAME}) { totalCount nodes { id name leadRelationshipManagerId } } }"
FEEDBACK = (
    """mutation($input: RecordFeedbackInput!) { recordFeedback(input: $input) { userErrors { code } position } }"""
)
SMALL = "{ accounts(first: 1) { totalCount } }"
KEY_TOP_50 = "{ keyAccounts(first: 50) { position totalCount premiumShare nodes { name rank score tier } } }"
PARETO = "{ paretoCurve(basis: WRITTEN_PREMIUM, points: 20) { accounts cumulative share } }"
SIMULATION = """query($version: String!) { criteriaSimulation(criteriaVersion: $version) {
  currentKeyAccounts proposedKeyAccounts currentPremiumShare proposedPremiumShare
  entering { name rank tier } enteringCount leaving { name rank tier } leavingCount } }"""
SCORECARD = """query($rm: String!, $year: Int!, $q: Int!) {
  scorecard(relationshipManagerId: $rm, period: {kind: QUARTER, year: $year, number: $q}, trendPeriods: 3) {
    subject period kras { kra kpis { kpiId value numerator denominator trend { period value } } } } }"""
HISTORY = """query($id: ID!) { accountHistory(accountId: $id, first: 500) { nodes { position eventType actor } } }"""
AS_OF = """query($id: ID!) { accountAsOf(accountId: $id, at: {version: 900}) { version feedback { latestNps } } }"""

# Requests per measure: enough for a p99, few enough for the slow queries of a 100k book.
SAMPLES = {
    "warm_up": 100,
    "mutation_c1": 300,
    "mutation_c16": 800,
    "key_accounts_top50": 300,
    "pareto_curve": 300,
    "criteria_simulation": 100,
    "rm_quarter_scorecard": 100,
    "account_360": 500,
    "accounts_top50": 300,
    "small_query_c1": 500,
    "small_query_c16": 2000,
    "history_1000_event_account": 100,
    "time_travel_1000_event_account": 100,
}


@dataclass(frozen=True)
class Sample:
    """What the HTTP measures ask about, picked from the book before the server starts."""

    token: str
    account_ids: list[str]  # global ids
    long_account_id: str  # global id of the 1,000-event account
    rm_ids: list[str]  # distinct RMs, in a seeded random order
    quarter: tuple[int, int]  # the last complete quarter (year, number)
    criteria_version: str  # a proposed version for the simulation


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"n": len(ordered), "p50_ms": cut[49] * 1000, "p95_ms": cut[94] * 1000, "p99_ms": cut[98] * 1000}


def timed(call: Callable[[], Any], n: int, concurrency: int = 1) -> dict[str, float]:
    """Run `call` n times from `concurrency` threads: latency percentiles and requests/s."""

    def one(_: int) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    with ThreadPoolExecutor(concurrency) as pool:
        started = time.perf_counter()
        samples = list(pool.map(one, range(n)))
        elapsed = time.perf_counter() - started
    return {**percentiles(samples), "concurrency": concurrency, "requests_per_s": n / elapsed}


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak RSS (VmHWM) of a process, or of this one; reset it with `reset_peak_rss` to measure a phase."""
    return _vm_hwm_mb(os.getpid() if pid is None else pid)


def reset_peak_rss() -> None:
    """Linux resets VmHWM to the current RSS on `5` in clear_refs, so each phase gets its own peak."""
    with contextlib.suppress(OSError):  # else a phase's peak includes the earlier phases'
        Path("/proc/self/clear_refs").write_text("5")


def tree_peak_rss_mb(pid: int) -> float:
    """Sum of the peak RSS of a process and its descendants (uvicorn's supervisor and its workers)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += _vm_hwm_mb(current)
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    start_seconds: float  # until every worker answered /healthz (read models caught up)
    started: float  # monotonic time the process was started

    def wait_ready(self, timeout: float = 3600.0) -> float:
        """Seconds from start until /readyz answers 200 (the start-up ranking is kept), as a load balancer waits."""
        deadline = time.monotonic() + timeout
        while httpx.get(f"{self.url}/readyz", timeout=30).status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError(f"kamcore serve was not ready in {timeout:.0f} s")
            time.sleep(0.05)
        return time.monotonic() - self.started


@contextmanager
def served(env_extra: dict[str, str], *, workers: int = 1, timeout: float = 3600.0) -> Iterator[Server]:
    """`kamcore serve` on a free port, yielded once /healthz has answered from every worker.

    Start-up catches the read models and the hash chain up, which takes minutes on a large book,
    hence the long default timeout. Each worker's /healthz carries its pid, so all N are seen.
    """
    port = free_port()
    command = [sys.executable, "-m", "kamcore.cli", "serve", "--port", str(port), "--log-level", "warning"]
    started = time.monotonic()
    process = subprocess.Popen(
        [*command, "--workers", str(workers)], env={**os.environ, **env_extra}, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        seen: set[int] = set()
        deadline = started + timeout
        while len(seen) < workers:
            if process.poll() is not None:
                raise RuntimeError(f"kamcore serve exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"kamcore serve: {len(seen)} of {workers} workers answered in {timeout:.0f} s")
            try:
                response = httpx.get(f"{url}/healthz", timeout=2)  # a new connection: any worker may take it
                if response.status_code == 200:
                    seen.add(response.json()["pid"])
                    continue
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield Server(process, url, time.monotonic() - started, started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class GraphQL:
    """A pooled HTTP client posting GraphQL documents; any GraphQL error fails the benchmark."""

    def __init__(self, url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=url,
            headers={"authorization": f"Bearer {token}"},
            timeout=600,  # the first ranking of a 100k book takes most of a minute
            limits=httpx.Limits(max_connections=32),
        )

    def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        return body["data"]

    def close(self) -> None:
        self.client.close()


def wait_caught_up(url: str, timeout: float = 3600.0) -> None:
    """Wait for zero lag, so a query does not pay for catching up (a ranking recomputes on new facts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        projections = httpx.get(f"{url}/healthz", timeout=30).json()["projections"]
        if all(p["lag"] == 0 for p in projections):
            return
        time.sleep(0.2)
    raise RuntimeError("read models did not catch up")


def measure_http(env_extra: dict[str, str], sample: Sample) -> dict[str, Any]:
    """Every HTTP measure against one uvicorn worker; writes first, then reads, audited reads last.

    Audited reads (history, time travel) record an event each, which would make the next ranking
    query recompute, so they come after the ranking measures.
    """
    out: dict[str, Any] = {}
    counter = iter(range(10**9))
    gids = sample.account_ids
    year, quarter = sample.quarter
    with served(env_extra) as server:
        out["server_start_s"] = server.start_seconds
        out["server_ready_s"] = server.wait_ready()  # measures begin at full speed, not during the warm-up
        post = GraphQL(server.url, sample.token)
        try:
            written: list[int] = []  # log positions of the mutations (list.append is atomic across threads)

            def mutate() -> None:
                i = next(counter)
                payload = post(FEEDBACK, {"input": {"accountId": gids[i % len(gids)], "scale": "NPS", "score": i % 11}})
                written.append(payload["recordFeedback"]["position"])

            def run(name: str, call: Callable[[], Any], concurrency: int = 1) -> None:
                out[name] = timed(call, SAMPLES[name], concurrency)
                typer.echo(f"    {name}: {_short(out[name])}")

            timed(lambda: post(SMALL), SAMPLES["warm_up"])  # caches, connections
            loop_before = python_loop_ms()  # the machine's Python speed while the latencies are measured
            run("mutation_c1", mutate)
            run("mutation_c16", mutate, concurrency=16)
            wait_caught_up(server.url)
            started = time.perf_counter()
            # The kept ranking is served at once and refreshed in the background: the first ranking after the
            # writes is the first answer that includes them. The top 50 is then measured without that refresh.
            while (key_accounts := post(KEY_TOP_50)["keyAccounts"])["position"] < max(written):
                time.sleep(0.05)
            out["first_key_accounts_s"] = time.perf_counter() - started
            out["key_accounts"] = key_accounts["totalCount"]
            run("key_accounts_top50", lambda: post(KEY_TOP_50))
            post(PARETO)  # sorted once per ranking
            run("pareto_curve", lambda: post(PARETO))
            started = time.perf_counter()
            post(SIMULATION, {"version": sample.criteria_version})  # ranks the proposed version once
            out["first_criteria_simulation_s"] = time.perf_counter() - started
            run("criteria_simulation", lambda: post(SIMULATION, {"version": sample.criteria_version}))
            if sample.rm_ids:
                rms = sample.rm_ids

                def scorecard() -> None:
                    post(SCORECARD, {"rm": rms[next(counter) % len(rms)], "year": year, "q": quarter})

                out["scorecard_rms"] = min(len(rms), SAMPLES["rm_quarter_scorecard"])
                out["scorecard_quarter"] = f"{year}-Q{quarter}"
                run("rm_quarter_scorecard", scorecard)
            run("account_360", lambda: post(ACCOUNT_360, {"id": gids[next(counter) % len(gids)]}))
            run("accounts_top50", lambda: post(TOP_50))
            run("small_query_c1", lambda: post(SMALL))
            run("small_query_c16", lambda: post(SMALL), concurrency=16)
            run("history_1000_event_account", lambda: post(HISTORY, {"id": sample.long_account_id}))
            run("time_travel_1000_event_account", lambda: post(AS_OF, {"id": sample.long_account_id}))
            out["python_loop_1m_ms"] = (loop_before + python_loop_ms()) / 2
        finally:
            post.close()
        out["server_peak_rss_mb"] = tree_peak_rss_mb(server.process.pid)
    return out


def measure_workers(env_extra: dict[str, str], token: str, workers: int) -> dict[str, Any]:
    """Small-query throughput with 16 clients against `kamcore serve --workers N` (read-only)."""
    with served(env_extra, workers=workers) as server:
        post = GraphQL(server.url, token)
        try:
            timed(lambda: post(SMALL), SAMPLES["warm_up"], concurrency=16)
            out: dict[str, Any] = {
                "workers": workers,
                "server_start_s": server.start_seconds,
                "small_query_c16": timed(lambda: post(SMALL), SAMPLES["small_query_c16"], concurrency=16),
            }
        finally:
            post.close()
        out["server_peak_rss_mb"] = tree_peak_rss_mb(server.process.pid)
    typer.echo(f"    serve --workers {workers}, small_query_c16: {_short(out['small_query_c16'])}")
    return out


def _short(m: dict[str, float]) -> str:
    return (
        f"p50 {m['p50_ms']:.1f} / p95 {m['p95_ms']:.1f} / p99 {m['p99_ms']:.1f} ms, "
        f"{m['requests_per_s']:,.0f} req/s (n={m['n']}, c={m['concurrency']})"
    )
