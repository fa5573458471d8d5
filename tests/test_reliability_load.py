"""Many concurrent GraphQL clients writing and reading through real HTTP, then the invariants that must hold.

Why: unit tests prove each guarantee alone (idempotency, optimistic concurrency, exactly-once projections,
the hash chain); only a concurrent load through the whole stack shows they hold together. Every request
carries its own `X-Correlation-ID`, which the API copies into each event's envelope, so the log itself
tells which request wrote what.

CI runs a short load on each backend; `KAMCORE_RELIABILITY_LONG=1` (what `bench/reliability.py` sets)
runs the bench-sized one. With `KAMCORE_RELIABILITY_FIGURES=<file>` every test appends its figures
(operations, faults, inputs) to that file as JSON lines.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import httpx
import pytest
import uvicorn
from strawberry.relay import GlobalID

from kamcore.api.app import create_app
from kamcore.application.idempotency import CommandRecord
from kamcore.audit.replay import replay_check
from kamcore.audit.verify import verify_runtime
from kamcore.domain.account import Account
from kamcore.domain.feedback import Complaint, Referral, SurveyResponse
from kamcore.domain.values import SurveyScale
from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .conftest import free_port

LONG = os.environ.get("KAMCORE_RELIABILITY_LONG", "").lower() in {"1", "true", "yes"}
CLIENTS = 12 if LONG else 6
OPS_PER_CLIENT = 150 if LONG else 18
ACCOUNTS = 6 if LONG else 3
RACE_ROUNDS = 25 if LONG else 4
RACERS = 4


def record_figures(test: str, **figures: Any) -> None:
    """Append this test's figures to KAMCORE_RELIABILITY_FIGURES (read by bench/reliability.py)."""
    path = os.environ.get("KAMCORE_RELIABILITY_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"test": test, "long": LONG, **figures}) + "\n")


# -- GraphQL documents ---------------------------------------------------------------------------

PAYLOAD = "userErrors { field message code } position replayed version"
MUTATIONS = {
    "openAccount": (
        f"mutation($input: OpenAccountInput!) {{ openAccount(input: $input) {{ {PAYLOAD} account {{ id }} }} }}"
    ),
    "updateAccountProfile": (
        f"mutation($input: UpdateAccountProfileInput!) {{ updateAccountProfile(input: $input) {{ {PAYLOAD} }} }}"
    ),
    "recordFeedback": (
        f"mutation($input: RecordFeedbackInput!) {{ recordFeedback(input: $input) {{ {PAYLOAD} feedbackId }} }}"
    ),
    "raiseComplaint": (
        f"mutation($input: RaiseComplaintInput!) {{ raiseComplaint(input: $input) {{ {PAYLOAD} feedbackId }} }}"
    ),
    "resolveComplaint": (
        f"mutation($input: ResolveComplaintInput!) {{ resolveComplaint(input: $input) {{ {PAYLOAD} feedbackId }} }}"
    ),
    "recordReferral": (
        f"mutation($input: RecordReferralInput!) {{ recordReferral(input: $input) {{ {PAYLOAD} feedbackId }} }}"
    ),
}
# The domain events one accepted command writes (besides its idempotency record).
WRITES = {
    "openAccount": "Account.Opened",
    "updateAccountProfile": "Account.ProfileUpdated",
    "recordFeedback": "SurveyResponse.Recorded",
    "raiseComplaint": "Complaint.Raised",
    "resolveComplaint": "Complaint.Resolved",
    "recordReferral": "Referral.Given",
}
ACCOUNT_READ = "query($id: ID!, $at: Int) { account(id: $id, minPosition: $at) { id version feedback { complaints } } }"
LIST_READ = """query($filter: AccountFilter, $order: AccountOrder) {
  accounts(first: 20, filter: $filter, orderBy: $order) { totalCount nodes { id name version } }
}"""


# -- the ledger: what every request was told ------------------------------------------------------


@dataclass
class Call:
    """One mutation request and what the client was told (outcome "unknown": no answer arrived)."""

    mutation: str
    correlation_id: str
    variables: dict[str, Any]
    key: str | None = None
    outcome: str = "unknown"  # accepted, replayed, refused, unknown
    codes: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # top-level GraphQL errors (outcome unknown)
    version: int | None = None
    position: int | None = None
    feedback_id: str | None = None
    account_id: str | None = None


class Ledger:
    """Thread-safe record of every call, kept by the clients for the invariant checks afterwards."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.reads = 0
        self._lock = threading.Lock()

    def add(self, call: Call) -> Call:
        with self._lock:
            self.calls.append(call)
        return call

    def read(self) -> None:
        with self._lock:
            self.reads += 1

    def accepted(self, mutation: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.outcome == "accepted" and mutation in (None, c.mutation)]


def mutate(
    client: httpx.Client,
    ledger: Ledger,
    mutation: str,
    fields: dict[str, Any],
    *,
    key: str | None = None,
    expected_version: int | None = None,
    correlation_id: str | None = None,
) -> Call:
    """Send one mutation with its own correlation id and record the answer; transport errors are 'unknown'."""
    payload = dict(fields)
    if key is not None:
        payload["idempotencyKey"] = key
    if expected_version is not None:
        payload["expectedVersion"] = expected_version
    call = ledger.add(Call(mutation, correlation_id or f"load-{uuid.uuid4()}", {"input": payload}, key=key))
    try:
        response = client.post(
            "/graphql",
            json={"query": MUTATIONS[mutation], "variables": call.variables},
            headers={"x-correlation-id": call.correlation_id},
        )
    except httpx.HTTPError:
        return call
    if response.status_code != 200:
        return call
    body = response.json()
    if body.get("errors") or not body.get("data"):
        call.errors = body.get("errors") or []
        return call
    answer = body["data"][mutation]
    call.codes = [e["code"] for e in answer["userErrors"]]
    if call.codes:
        call.outcome = "refused"
        return call
    call.outcome = "replayed" if answer["replayed"] else "accepted"
    call.version, call.position = answer["version"], answer["position"]
    call.feedback_id = answer.get("feedbackId")
    call.account_id = (answer.get("account") or {}).get("id") or fields.get("accountId")
    return call


def gql_ok(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


# -- reading the log ------------------------------------------------------------------------------


def log_events(runtime: Runtime) -> list[tuple[int, Any]]:
    """Every stored event as (position, domain event), in log order."""
    events: list[tuple[int, Any]] = []
    start = 1
    while True:
        page = runtime.app.recorder.select_notifications(start=start, limit=1000)
        events.extend((n.id, runtime.app.mapper.to_domain_event(n)) for n in page)
        if len(page) < 1000:
            return events
        start = page[-1].id + 1


def event_name(event: Any) -> str:
    return type(event).__qualname__


def uuid_of(global_id: str) -> UUID:
    return UUID(GlobalID.from_id(global_id).node_id)


def check_ledger(runtime: Runtime, ledger: Ledger) -> Counter[str]:
    """Exactly one set of events per accepted command, none for refused or replayed ones, one per key.

    Calls whose answer was lost ("unknown", e.g. the server was killed) may have been applied or not,
    but never partly; if they were retried with the same key, the key as a whole was applied once.
    """
    events = log_events(runtime)
    by_correlation: dict[str, list[Any]] = defaultdict(list)
    records_by_key: Counter[str] = Counter()
    for _, e in events:
        by_correlation[e.envelope.correlation_id].append(e)
        if isinstance(e, CommandRecord.Accepted):
            records_by_key[e.key] += 1
    outcomes: Counter[str] = Counter()
    applied_by_key: Counter[str] = Counter()
    for call in ledger.calls:
        outcomes[call.outcome] += 1
        written = by_correlation.get(call.correlation_id, [])
        domain = [e for e in written if not isinstance(e, CommandRecord.Event)]
        records = [e for e in written if isinstance(e, CommandRecord.Event)]
        if call.key is not None and domain:
            applied_by_key[call.key] += 1
        if call.outcome == "accepted":
            assert [event_name(e) for e in domain] == [WRITES[call.mutation]], (call, written)
            assert len(records) == (1 if call.key else 0), (call, written)
            assert domain[0].originator_version == call.version, call
            if call.feedback_id:
                assert domain[0].originator_id == uuid_of(call.feedback_id), call
        elif call.outcome == "refused":
            assert written == [], (call, written)
        elif call.outcome == "replayed" and written:
            # Its own commit whose acknowledgement was lost, retried by the recorder and then found as "the
            # first result" (see test_a_committed_write_whose_ack_is_lost_is_not_reported_as_refused):
            # still exactly once, which the per-key check below proves.
            assert call.key is not None, (call, written)
            assert [event_name(e) for e in domain] == [WRITES[call.mutation]], (call, written)
        else:  # unknown: all or nothing
            assert [event_name(e) for e in domain] in ([], [WRITES[call.mutation]]), (call, written)
            assert len(records) == (len(domain) if call.key else 0), (call, written)
    keys = {c.key for c in ledger.calls if c.key is not None}
    for key in keys:
        answered = any(c.key == key and c.outcome in {"accepted", "replayed"} for c in ledger.calls)
        assert applied_by_key[key] <= 1, f"key {key} applied {applied_by_key[key]} times"
        assert records_by_key[key] == applied_by_key[key], key
        if answered:
            assert applied_by_key[key] == 1, f"key {key} was answered but nothing was written"
    return outcomes


def check_read_models(runtime: Runtime) -> None:
    """Projections equal a clean rebuild, the hash chain verifies, and the summary totals equal the events."""
    results = replay_check(runtime)
    assert all(r.ok for r in results), {r.name: r.differences for r in results if not r.ok}
    report = verify_runtime(runtime)
    assert report.ok, str(report.problem)
    check_totals(runtime)


def check_totals(runtime: Runtime) -> None:
    """`account_summary` counts and latest scores, recomputed independently from the event log."""
    expected: dict[str, dict[str, Any]] = {}
    latest: dict[tuple[str, str], tuple[date, int]] = {}
    complaint_account: dict[UUID, str] = {}
    for position, e in log_events(runtime):
        if isinstance(e, Account.Opened):
            expected[str(e.originator_id)] = {
                "version": 1,
                "complaints": 0,
                "open_complaints": 0,
                "referrals": 0,
                "latest_nps": None,
                "latest_csat": None,
            }
        elif isinstance(e, Account.Event) and str(e.originator_id) in expected:
            expected[str(e.originator_id)]["version"] = e.originator_version
        elif isinstance(e, SurveyResponse.Recorded) and e.scale in (SurveyScale.NPS, SurveyScale.CSAT):
            column = "latest_nps" if e.scale is SurveyScale.NPS else "latest_csat"
            slot = (str(e.account_id), column)
            if slot not in latest or latest[slot][0] <= e.responded_on:
                latest[slot] = (e.responded_on, position)
                expected[str(e.account_id)][column] = e.score
        elif isinstance(e, Complaint.Raised):
            complaint_account[e.originator_id] = str(e.account_id)
            expected[str(e.account_id)]["complaints"] += 1
            expected[str(e.account_id)]["open_complaints"] += 1
        elif isinstance(e, Complaint.Resolved):
            expected[complaint_account[e.originator_id]]["open_complaints"] -= 1
        elif isinstance(e, Referral.Given):
            expected[str(e.account_id)]["referrals"] += 1
    columns = ", ".join(next(iter(expected.values()), {"version": 0}).keys())
    with runtime.stores["account_summary"].reading() as sql:
        rows = sql.execute(f"SELECT account_id, {columns} FROM {{t}}account_summary").fetchall()
    actual = {str(r["account_id"]): {k: r[k] for k in expected.get(str(r["account_id"]), {})} for r in rows}
    assert actual == expected


# -- a real server whose runtime the test can inspect ----------------------------------------------


@dataclass
class Served:
    url: str
    runtime: Runtime
    headers: dict[str, str]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers, timeout=30)


@pytest.fixture
def served(settings: Settings, admin_headers: dict[str, str]) -> Iterator[Served]:
    """uvicorn on a free port, like the `api` fixture, but exposing the server's own runtime."""
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield Served(f"http://127.0.0.1:{port}", app.state.runtime, admin_headers)
    server.should_exit = True
    thread.join(timeout=15)


def open_accounts(client: httpx.Client, ledger: Ledger, count: int, prefix: str = "Load") -> list[str]:
    ids = []
    for i in range(count):
        call = mutate(
            client, ledger, "openAccount", {"name": f"{prefix} {i:03d}", "segment": "CORPORATE", "region": "North"}
        )
        assert call.outcome == "accepted", call
        ids.append(str(call.account_id))
    return ids


# -- the load --------------------------------------------------------------------------------------


def together(sends: list[Callable[[], Call]]) -> list[Call]:
    """Run the sends at the same instant (a barrier), each on its own thread; their calls in finishing order."""
    barrier = threading.Barrier(len(sends))
    done: list[Call] = []

    def run(send: Callable[[], Call]) -> None:
        barrier.wait()
        done.append(send())

    threads = [threading.Thread(target=run, args=(send,)) for send in sends]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done


def worker(served: Served, ledger: Ledger, accounts: list[str], seed: int, errors: list[BaseException]) -> None:
    """One client: a seeded mix of writes (with and without expectedVersion, idempotent pairs) and reads."""
    rng = random.Random(seed)
    try:
        with served.client() as client, served.client() as twin:
            open_complaints: list[str] = []
            seen_versions: dict[str, int] = {}
            seen_positions: dict[str, int] = {}
            for i in range(OPS_PER_CLIENT):
                account = rng.choice(accounts)
                roll = rng.random()
                if roll < 0.3:  # a retry race: the same key sent twice at once, from two connections
                    fields = {
                        "accountId": account,
                        "scale": rng.choice(["NPS", "CSAT"]),
                        "score": rng.randint(1, 5),
                        "comment": f"w{seed}-{i}",
                    }
                    key = f"fb-{seed}-{i}-{uuid.uuid4().hex[:8]}"
                    pair = together(
                        [
                            lambda c=c, f=fields, k=key: mutate(c, ledger, "recordFeedback", f, key=k)
                            for c in (client, twin)
                        ]
                    )
                    assert sorted(c.outcome for c in pair) == ["accepted", "replayed"], pair
                    assert pair[0].feedback_id == pair[1].feedback_id, pair
                    assert pair[0].version == pair[1].version, pair
                    if rng.random() < 0.3:  # a late retry of the same request: replayed, nothing written
                        late = mutate(client, ledger, "recordFeedback", fields, key=key)
                        assert late.outcome == "replayed", late
                elif roll < 0.45:
                    call = mutate(
                        client,
                        ledger,
                        "raiseComplaint",
                        {"accountId": account, "category": "service", "description": f"w{seed}-{i}"},
                    )
                    assert call.outcome == "accepted", call
                    open_complaints.append(str(call.feedback_id))
                elif roll < 0.55 and open_complaints:
                    complaint = open_complaints.pop(rng.randrange(len(open_complaints)))
                    key = f"rs-{seed}-{i}" if rng.random() < 0.5 else None
                    call = mutate(
                        client, ledger, "resolveComplaint", {"complaintId": complaint, "resolution": "done"}, key=key
                    )
                    assert call.outcome == "accepted", call
                elif roll < 0.6:
                    call = mutate(
                        client, ledger, "recordReferral", {"accountId": account, "referredParty": f"Friend {seed}-{i}"}
                    )
                    assert call.outcome == "accepted", call
                elif roll < 0.85:  # profile updates, half of them guarded by the version just read
                    guarded = rng.random() < 0.5
                    expected = None
                    if guarded:
                        expected = gql_ok(client, ACCOUNT_READ, id=account, at=seen_positions.get(account))["account"][
                            "version"
                        ]
                        ledger.read()
                    key = f"up-{seed}-{i}" if rng.random() < 0.3 else None
                    fields = {"accountId": account, "industry": f"industry {seed}-{i}"}
                    call = mutate(client, ledger, "updateAccountProfile", fields, expected_version=expected, key=key)
                    # A blind write that loses a race is refused too ("a concurrent write won"): the client retries.
                    for _ in range(20):
                        if guarded or call.outcome != "refused":
                            break
                        assert call.codes == ["VERSION_CONFLICT"], call
                        call = mutate(client, ledger, "updateAccountProfile", fields, key=key)
                    if call.outcome == "refused":
                        assert call.codes == ["VERSION_CONFLICT"], call
                        assert guarded, call
                    else:
                        assert call.outcome == "accepted", call
                        assert call.version is not None
                        if expected is not None:
                            assert call.version == expected + 1, call
                        assert call.version > seen_versions.get(account, 0), "versions must strictly increase"
                        seen_versions[account] = call.version
                        seen_positions[account] = call.position
                        read = gql_ok(client, ACCOUNT_READ, id=account, at=call.position)["account"]
                        ledger.read()
                        assert read["version"] >= call.version, "read-your-writes"
                else:
                    gql_ok(
                        client,
                        LIST_READ,
                        filter={"segment": ["CORPORATE"], "nameContains": "load"},
                        order={"field": rng.choice(["NAME", "OPENED_AT"]), "direction": rng.choice(["ASC", "DESC"])},
                    )
                    ledger.read()
    except BaseException as error:  # noqa: BLE001 - reported by the main thread
        errors.append(error)


def race(served: Served, ledger: Ledger, account: str, rounds: int, outcomes: list[tuple[int, list[Call]]]) -> None:
    """Several writers holding the same version: exactly one wins each round, the others get VERSION_CONFLICT."""
    clients = [served.client() for _ in range(RACERS)]
    try:
        for r in range(rounds):
            head = served.runtime.app.head_position()  # the read model may lag the log: read your writes
            version = gql_ok(clients[0], ACCOUNT_READ, id=account, at=head)["account"]["version"]
            results = together(
                [
                    lambda c=c, n=n, version=version, r=r: mutate(
                        c,
                        ledger,
                        "updateAccountProfile",
                        {"accountId": account, "region": f"R{r}-{n}"},
                        expected_version=version,
                    )
                    for n, c in enumerate(clients)
                ]
            )
            outcomes.append((version, results))
    finally:
        for c in clients:
            c.close()


def test_concurrent_clients_keep_every_invariant(served: Served, backend_name: str) -> None:
    started = time.monotonic()
    ledger = Ledger()
    with served.client() as client:
        accounts = open_accounts(client, ledger, ACCOUNTS)
        race_account = open_accounts(client, ledger, 1, prefix="Race")[0]
    errors: list[BaseException] = []
    rounds: list[tuple[int, list[Call]]] = []
    threads = [
        threading.Thread(target=worker, args=(served, ledger, accounts, seed, errors)) for seed in range(CLIENTS)
    ]
    threads.append(threading.Thread(target=race, args=(served, ledger, race_account, RACE_ROUNDS, rounds)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors[0]
    load_seconds = time.monotonic() - started

    # concurrent expectedVersion writers: exactly one winner per version, and it made version + 1
    assert len(rounds) == RACE_ROUNDS
    for version, results in rounds:
        winners = [c for c in results if c.outcome == "accepted"]
        assert len(winners) == 1, results
        assert winners[0].version == version + 1
        assert all(c.codes == ["VERSION_CONFLICT"] for c in results if c is not winners[0]), results
    # no lost update: accepted profile writes got distinct versions, and the account shows all of them
    for account in [*accounts, race_account]:
        versions = [
            c.version for c in ledger.accepted("updateAccountProfile") if c.variables["input"]["accountId"] == account
        ]
        assert len(versions) == len(set(versions)), f"two accepted writes made the same version of {account}"
        with served.client() as client:
            final = gql_ok(client, ACCOUNT_READ, id=account, at=served.runtime.app.head_position())["account"]
        assert final["version"] == 1 + len(versions)
        complaints = len([c for c in ledger.accepted("raiseComplaint") if c.variables["input"]["accountId"] == account])
        assert final["feedback"]["complaints"] == complaints

    outcomes = check_ledger(served.runtime, ledger)
    assert outcomes["unknown"] == 0
    check_read_models(served.runtime)
    record_figures(
        "load",
        backend=backend_name,
        clients=CLIENTS + RACERS,
        mutations=len(ledger.calls),
        reads=ledger.reads,
        outcomes=dict(outcomes),
        events=served.runtime.app.head_position(),
        seconds=round(load_seconds, 2),
    )
