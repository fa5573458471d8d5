"""Faults under load: processes killed with SIGKILL, a poison event, a read-only data directory, lost connections.

Why: the guarantees (nothing accepted is lost, nothing applied twice, read models equal a rebuild)
matter most when something breaks mid-write. Each test injects a fault while clients write, then
checks the same invariants as the load test, from the event log itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from eventsourcing.persistence import OperationalError, StoredEvent
from psycopg import sql

from kamcore.application import CommandContext
from kamcore.audit.verify import verify_runtime
from kamcore.domain.errors import KamError
from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .conftest import _PG_PROBLEM, IN_CI, POSTGRES_URL, free_port, grant_token
from .test_reliability_load import (
    LONG,
    Ledger,
    check_ledger,
    check_read_models,
    check_totals,
    mutate,
    open_accounts,
    record_figures,
)

WRITERS = 4
KILLS = 3 if LONG else 1


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {**os.environ, "KAMCORE_DATA_DIR": str(settings.data_dir), **extra}
    if settings.database_url:
        env |= {"KAMCORE_DATABASE_URL": settings.database_url, "KAMCORE_DATABASE_SCHEMA": settings.database_schema}
    return env


def start_server(settings: Settings, port: int, log: Path, **extra_env: str) -> subprocess.Popen[bytes]:
    """`kamcore serve` as a subprocess, returned once /healthz answers 200."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kamcore.cli", "serve", "--port", str(port), "--log-level", "warning"],
        env=server_env(settings, **extra_env),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def write_load(
    url: str, headers: dict[str, str], ledger: Ledger, accounts: list[str], stop: threading.Event, seed: int
) -> None:
    """Idempotent writes until `stop`; a request cut off by the fault stays 'unknown' in the ledger."""
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        i = 0
        while not stop.is_set():
            account = accounts[(seed + i) % len(accounts)]
            key = f"fault-{seed}-{i}-{uuid.uuid4().hex[:6]}"
            if i % 2:
                fields = {"accountId": account, "category": "service", "description": f"f{seed}-{i}"}
                call = mutate(client, ledger, "raiseComplaint", fields, key=key)
            else:
                fields = {"accountId": account, "scale": "NPS", "score": (seed + i) % 11, "comment": f"f{seed}-{i}"}
                call = mutate(client, ledger, "recordFeedback", fields, key=key)
            if call.outcome == "unknown":
                time.sleep(0.05)
            i += 1


def check_from_a_fresh_runtime(settings: Settings, ledger: Ledger) -> Counter[str]:
    """After the fault and the server's exit: the ledger against the log, read models against a rebuild."""
    runtime = Runtime(settings)
    try:
        outcomes = check_ledger(runtime, ledger)
        check_read_models(runtime)
    finally:
        runtime.close()
    return outcomes


def retry_unknown(url: str, headers: dict[str, str], ledger: Ledger) -> int:
    """What a careful client does after a fault: resend every unanswered request with its idempotency key."""
    unknown = [c for c in ledger.calls if c.outcome == "unknown"]
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        for call in unknown:
            fields = {k: v for k, v in call.variables["input"].items() if k != "idempotencyKey"}
            retried = mutate(client, ledger, call.mutation, fields, key=call.key)
            assert retried.outcome in {"accepted", "replayed"}, retried
    return len(unknown)


def run_load_with(fault: Any, url: str, headers: dict[str, str], ledger: Ledger, accounts: list[str]) -> None:
    """Start the writers, let them write a little, inject `fault()` while they run, then stop them."""
    stop = threading.Event()
    threads = [
        threading.Thread(target=write_load, args=(url, headers, ledger, accounts, stop, n)) for n in range(WRITERS)
    ]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 30
        while len(ledger.accepted()) < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        fault()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)


def test_serve_killed_mid_load_loses_nothing_and_applies_nothing_twice(
    settings: Settings, tmp_path: Path, admin_headers: dict[str, str], backend_name: str
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    ledger = Ledger()
    server = start_server(settings, port, log)
    try:
        with httpx.Client(base_url=url, headers=admin_headers, timeout=30) as client:
            accounts = open_accounts(client, ledger, 3)
        for _ in range(KILLS):
            run_load_with(lambda s=server: kill(s), url, admin_headers, ledger, accounts)
            in_flight = sum(c.outcome == "unknown" for c in ledger.calls)
            server = start_server(settings, port, log)
            retried = retry_unknown(url, admin_headers, ledger)
            assert retried == in_flight
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
    outcomes = check_from_a_fresh_runtime(settings, ledger)
    record_figures(
        "serve_killed", backend=backend_name, mutations=len(ledger.calls), faults=KILLS, outcomes=dict(outcomes)
    )


def test_projection_worker_killed_mid_load_resumes_to_a_rebuild(settings: Settings, backend_name: str) -> None:
    """Writers keep writing while the only projection worker dies with SIGKILL and comes back."""
    runtime = Runtime(settings)  # writes and inspects; never follows the log itself
    ctx = CommandContext(actor="test:load", reason="fault")
    accounts = [
        runtime.app.open_account(ctx, name=f"W{i}", segment="sme", region="West").aggregate_id for i in range(3)
    ]
    env = server_env(settings, KAMCORE_PROJECTION_BATCH_SIZE="5")

    def start_worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "kamcore.cli", "project", "--log-level", "warning"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def write(seed: int) -> None:
        try:
            write_until_stopped(seed)
        except BaseException as error:  # reported by the test thread
            errors.append(error)
            raise

    def write_until_stopped(seed: int) -> None:
        i = 0
        while not stop.is_set():
            account = accounts[(seed + i) % len(accounts)]
            if i % 3 == 0:
                runtime.app.record_survey_response(ctx, account, scale="csat", score=1 + i % 5)
            elif i % 3 == 1:
                runtime.app.raise_complaint(ctx, account, category="service", description=f"c{seed}-{i}")
            else:
                runtime.app.record_referral(ctx, account, referred_party=f"P{seed}-{i}")
            written.append(1)
            i += 1

    worker = start_worker()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    summary = runtime.runners["account_summary"]
    try:
        for t in threads:
            t.start()
        kills = 0
        for _ in range(KILLS):
            deadline = time.monotonic() + 30
            start = summary.status().position
            while summary.status().position <= start + 10 and time.monotonic() < deadline:
                time.sleep(0.01)
            kill(worker)
            kills += 1
            worker = start_worker()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert not errors, errors[0]
        head = runtime.app.head_position()
        deadline = time.monotonic() + 60
        while any(r.status().position < head for r in runtime.runners.values()):
            assert time.monotonic() < deadline, [r.status() for r in runtime.runners.values()]
            assert worker.poll() is None, "the restarted worker died"
            time.sleep(0.05)
        assert not any(s.error for s in runtime.status())
        worker.terminate()
        worker.wait(timeout=15)
        check_totals(runtime)  # what the worker built, before the check catches anything up itself
        check_read_models(runtime)
    finally:
        stop.set()
        if worker.poll() is None:
            kill(worker)
        runtime.close()
    record_figures("worker_killed", backend=backend_name, mutations=len(written) + 3, faults=kills)


def test_a_poison_event_stops_only_its_projections_loudly(runtime: Runtime, ctx: CommandContext) -> None:
    good = runtime.app.open_account(ctx, name="Good", segment="sme", region="West")
    assert runtime.wait_for(good.position)
    topic = "kamcore.domain.account:Account.ProfileUpdated"
    runtime.app.recorder.insert_events(
        [StoredEvent(originator_id=good.aggregate_id, originator_version=2, topic=topic, state=b"{not json")]
    )
    poison = runtime.app.head_position()
    other = runtime.app.open_account(ctx, name="Other", segment="sme", region="West")  # more traffic after it
    runtime.app.raise_complaint(ctx, other.aggregate_id, category="service", description="after the poison")
    head = runtime.app.head_position()
    affected = {name for name, runner in runtime.runners.items() if topic in (runner.topics or {topic})}
    unaffected = set(runtime.runners) - affected
    assert affected, "some read model must handle Account.ProfileUpdated"
    assert unaffected, "some read model must not handle it, to show the others keep going"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        statuses = {s.name: s for s in runtime.status()}
        if all(statuses[n].error for n in affected) and all(statuses[n].position >= head for n in unaffected):
            break
        time.sleep(0.05)
    statuses = {s.name: s for s in runtime.status()}
    for name in affected:
        assert statuses[name].position == poison - 1, statuses[name]  # stopped loudly at the poison event
        assert not statuses[name].running
        assert f"failed at position {poison}" in (statuses[name].error or ""), statuses[name]
    for name in unaffected:
        assert statuses[name].error is None, statuses[name]
        assert statuses[name].position == head, statuses[name]
    assert verify_runtime(runtime).ok  # the hash chain covers the stored bytes, corrupt or not


# -- a read-only SQLite data directory ---------------------------------------------------------------

READ_ONLY_PROBE = """
import json, sys
from pathlib import Path
from kamcore.application import CommandContext
from kamcore.runtime import Runtime
from kamcore.settings import Settings
outcome = {}
try:
    runtime = Runtime(Settings(data_dir=Path(sys.argv[1])))
    try:
        runtime.app.open_account(CommandContext(actor="probe"), name="Nope", segment="sme", region="West")
        outcome["written"] = True
    finally:
        runtime.close()
except Exception as error:
    outcome["error"] = f"{type(error).__name__}: {error}"
print(json.dumps(outcome))
"""


def without_file_override() -> None:
    """Drop the capabilities that let root ignore file modes, so read-only means read-only to the probe too.

    Dropping them from the bounding set (prctl PR_CAPBSET_DROP) before exec leaves the probe running as
    root but without CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2, 3):  # DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_a_read_only_sqlite_directory_gives_a_clear_error_and_no_corruption() -> None:
    base = Path(tempfile.mkdtemp(prefix="kamcore-ro-"))
    data = base / "data"
    try:
        base.chmod(0o755)
        settings = Settings(data_dir=data)
        runtime = Runtime(settings)
        ctx = CommandContext(actor="test:setup")
        runtime.app.open_account(ctx, name="Kept", segment="sme", region="West")
        runtime.catch_up()
        head = runtime.app.head_position()
        runtime.close()
        modes = {}
        for path in [data, *data.rglob("*")]:
            modes[path] = stat.S_IMODE(path.stat().st_mode)
            path.chmod(0o555 if path.is_dir() else 0o444)
        probe = subprocess.run(
            [sys.executable, "-c", READ_ONLY_PROBE, str(data)],
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=without_file_override if os.geteuid() == 0 else None,
            check=False,
        )
        outcome = json.loads(probe.stdout.strip().splitlines()[-1])
        assert "written" not in outcome, outcome
        assert "readonly" in outcome["error"].replace("-", "").lower(), outcome
        error_seen = outcome["error"]
        for path, mode in modes.items():
            path.chmod(mode)
        runtime = Runtime(settings)
        try:
            assert runtime.app.head_position() == head
            runtime.app.open_account(ctx, name="After", segment="sme", region="West")
            check_read_models(runtime)
        finally:
            runtime.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    record_figures("read_only_sqlite", backend="sqlite", faults=1, error=error_seen)


# -- a full disk under the SQLite data directory ---------------------------------------------------------


@contextlib.contextmanager
def small_filesystem(size_mb: int) -> Iterator[Path]:
    """A tmpfs of `size_mb` MiB (a real filesystem that really fills up), unmounted afterwards."""
    mount_point = Path(tempfile.mkdtemp(prefix="kamcore-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        mount_point.rmdir()
        problem = f"a full-disk test needs to mount a small tmpfs (root): {mounted.stderr.strip()}"
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
        mount_point.rmdir()


def fill(directory: Path, leave_bytes: int) -> Path:
    """Write a filler file until only `leave_bytes` remain free on the filesystem of `directory`."""
    filler = directory / "filler"
    stats = os.statvfs(directory)
    free = stats.f_bavail * stats.f_frsize
    with filler.open("wb") as out:
        remaining = max(free - leave_bytes, 0)
        chunk = b"\0" * (1 << 20)
        while remaining > 0:
            written = out.write(chunk[: min(len(chunk), remaining)])
            remaining -= written
    return filler


def sqlite_files_intact(data: Path) -> None:
    for database in data.rglob("*.sqlite*"):
        if database.suffix in {".sqlite", ".db"} or database.name.endswith(".sqlite"):
            with sqlite3.connect(database) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", database


def test_a_full_disk_gives_a_clear_error_loses_nothing_and_recovers(tmp_path: Path) -> None:
    """The SQLite data directory's filesystem fills up while clients write; freeing space lets writes resume."""
    with small_filesystem(64) as disk:
        settings = Settings(data_dir=disk / "data")
        headers = {"authorization": f"Bearer {grant_token(settings)}"}
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(settings, port, tmp_path / "serve.log")
        ledger = Ledger()
        refusals: list[dict[str, Any]] = []
        try:
            with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
                accounts = open_accounts(client, ledger, 3)
                filler = fill(disk, leave_bytes=256 * 1024)
                long_text = "x" * 1900
                for i in range(2000):
                    fields = {"accountId": accounts[i % 3], "category": "service", "description": f"{i} {long_text}"}
                    call = mutate(client, ledger, "raiseComplaint", fields, key=f"full-{i}")
                    if call.outcome != "accepted":
                        refusals.extend(call.errors)
                        break
                assert refusals, (call.outcome, call.codes, call.errors)
                error = refusals[0]
                assert error["extensions"]["code"] == "STORAGE_UNAVAILABLE", error
                assert "full" in error["message"], error
                assert "nothing was written" in error["message"], error
                assert "sqlite" not in json.dumps(error).lower(), "no internals in the error"
                # reads still answer while the disk is full
                assert (
                    client.post("/graphql", json={"query": "{ accounts(first: 5) { totalCount } }"}).json()["data"][
                        "accounts"
                    ]["totalCount"]
                    == 3
                )
                filler.unlink()
                retry_unknown(url, headers, ledger)
                after = mutate(
                    client,
                    ledger,
                    "raiseComplaint",
                    {"accountId": accounts[0], "category": "service", "description": "after space was freed"},
                    key="full-after",
                )
                assert after.outcome == "accepted", after
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=15)
        outcomes = check_from_a_fresh_runtime(settings, ledger)
        sqlite_files_intact(settings.data_dir)
    record_figures(
        "sqlite_disk_full",
        backend="sqlite",
        faults=1,
        disk_full_refusals=len(refusals),
        mutations=len(ledger.calls),
        outcomes=dict(outcomes),
        error=refusals[0]["message"],
    )


# -- PostgreSQL connections cut under load -------------------------------------------------------------


@pytest.fixture
def pg_settings(tmp_path: Path) -> Iterator[Settings]:
    """PostgreSQL only: a throwaway schema (this fault has no SQLite counterpart)."""
    if _PG_PROBLEM:
        if IN_CI:
            pytest.fail(f"CI must run the Postgres leg: {_PG_PROBLEM}")
        pytest.skip(_PG_PROBLEM)
    schema = f"kamtest_{uuid.uuid4().hex[:12]}"
    yield Settings(data_dir=tmp_path / "data", database_url=POSTGRES_URL, database_schema=schema)
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def terminate_backends(application_name: str) -> int:
    """What a server restart does to one client process: every connection it holds is cut."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s AND pid <> pg_backend_pid()",
            (application_name,),
        ).fetchall()
    return len(rows)


def wait_healthy(url: str, timeout: float) -> float | None:
    """The monotonic time /healthz first answers 200, or None if it does not within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=timeout).status_code == 200:
                return time.monotonic()
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return None


def postgres_cluster() -> list[str] | None:
    """The pg_ctlcluster command line for the server behind POSTGRES_URL, if this machine can restart it."""
    conf = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") is None or not conf.is_dir() or os.geteuid() != 0:
        return None
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        data_directory = str(conn.execute("SHOW data_directory").fetchone()[0])
    for version in sorted(p.name for p in conf.iterdir()):
        for cluster in sorted(p.name for p in (conf / version).iterdir()):
            if data_directory.rstrip("/").endswith(f"{version}/{cluster}"):
                return ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster]
    return None


def restart_postgres(cluster: list[str]) -> int:
    """A real server restart (fast shutdown: every session is cut), returned once it accepts connections."""
    subprocess.run([*cluster, "restart", "-m", "fast"], check=True, capture_output=True, timeout=120)
    deadline = time.monotonic() + 60
    while True:
        try:
            psycopg.connect(POSTGRES_URL, connect_timeout=2).close()
        except psycopg.OperationalError:
            assert time.monotonic() < deadline, "PostgreSQL did not come back after the restart"
            time.sleep(0.2)
        else:
            return 1


@pytest.mark.postgres
@pytest.mark.parametrize("fault_kind", ["connections_cut", "server_restart"])
def test_postgres_faults_under_load_lose_nothing(pg_settings: Settings, tmp_path: Path, fault_kind: str) -> None:
    """The server's connections cut (pg_terminate_backend), or PostgreSQL itself restarted, while clients write.

    The app reconnects (pool and LISTEN), loses nothing accepted and applies nothing twice.
    """
    cluster = postgres_cluster() if fault_kind == "server_restart" else None
    if fault_kind == "server_restart" and cluster is None:
        problem = "restarting PostgreSQL needs root and pg_ctlcluster for the cluster behind KAMCORE_TEST_DATABASE_URL"
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    headers = {"authorization": f"Bearer {grant_token(pg_settings)}"}
    app_name = f"kamtest-{uuid.uuid4().hex[:10]}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(pg_settings, port, tmp_path / "serve.log", PGAPPNAME=app_name)
    ledger = Ledger()
    injected = 0
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            accounts = open_accounts(client, ledger, 3)
        for _ in range(KILLS + 1 if cluster is None else KILLS):

            def fault() -> None:
                nonlocal injected
                injected += restart_postgres(cluster) if cluster else terminate_backends(app_name)

            run_load_with(fault, url, headers, ledger, accounts)
        assert injected > 0, "the server's connections must carry the application name"
        # the app reconnects: unanswered requests go through on retry, and health recovers
        cut_at = time.monotonic()
        retry_unknown(url, headers, ledger)
        recovered = wait_healthy(url, timeout=60)
        assert recovered is not None, (tmp_path / "serve.log").read_text()[-4000:]
        recovery_seconds = recovered - cut_at
        # a write from another process still reaches this server's read models (LISTEN reconnected)
        writer = Runtime(pg_settings)
        try:
            remote = writer.app.open_account(
                CommandContext(actor="test:remote"), name="Remote", segment="sme", region="West"
            )
            query = "query($at: Int) { accounts(first: 100, minPosition: $at) { totalCount } }"
            body = httpx.post(
                f"{url}/graphql",
                json={"query": query, "variables": {"at": remote.position}},
                headers=headers,
                timeout=30,
            ).json()
            assert body["data"]["accounts"]["totalCount"] == 4, body
            outcomes = check_ledger(writer, ledger)
            check_read_models(writer)
        finally:
            writer.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
    assert not [c for c in ledger.calls if c.outcome == "refused"]
    record_figures(
        f"postgres_{fault_kind}",
        backend="postgres",
        mutations=len(ledger.calls),
        faults=KILLS + 1 if cluster is None else KILLS,
        **({"restarts": injected} if cluster else {"connections_cut": injected}),
        recovery_seconds=round(recovery_seconds, 2),
        outcomes=dict(outcomes),
    )


def lose_the_next_commit_acknowledgement(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next save commits, then its connection "dies" before the client hears so (as under pg_terminate_backend)."""
    datastore = runtime.app.recorder.datastore  # type: ignore[attr-defined]
    original_connection, original_save = datastore.get_connection, runtime.app.save
    armed = threading.Event()

    @contextlib.contextmanager
    def get_connection() -> Iterator[Any]:
        with original_connection() as conn:
            yield conn
        if armed.is_set():
            armed.clear()
            raise OperationalError("consuming input failed: server closed the connection unexpectedly")

    def save(*args: Any, **kwargs: Any) -> Any:
        armed.set()
        try:
            return original_save(*args, **kwargs)
        finally:
            armed.clear()

    monkeypatch.setattr(datastore, "get_connection", get_connection)
    monkeypatch.setattr(runtime.app, "save", save)


@pytest.mark.postgres
def test_a_committed_write_whose_ack_is_lost_is_not_reported_as_refused(
    pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = Runtime(pg_settings)
    try:
        ctx = CommandContext(actor="test:ack", reason="fault")
        account = runtime.app.open_account(ctx, name="Ack", segment="sme", region="West").aggregate_id
        head = runtime.app.head_position()
        lose_the_next_commit_acknowledgement(runtime, monkeypatch)
        try:
            runtime.app.raise_complaint(ctx, account, category="service", description="raised once")
        except KamError as error:
            refusal: KamError | None = error
        else:
            refusal = None
        monkeypatch.undo()
        written = runtime.app.head_position() - head
        assert written == 1, "the commit itself went through"
        assert refusal is None, f"told {refusal.code} although the complaint was committed"
    finally:
        runtime.close()
