"""Read-your-writes per query: one `minPosition` (or the `X-Min-Position` header) holds for every field of it.

The read models here lag on purpose: the runtime does not follow the log, and a timer catches it up a moment
after the query starts. A field that did not wait would read before the catch-up and miss the write.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
from starlette.requests import Request
from strawberry.relay import GlobalID

from kamcore.api.auth import Authenticator
from kamcore.api.context import Context
from kamcore.api.schema import schema
from kamcore.application import CommandContext
from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .conftest import grant_token

LAG = 0.3  # seconds between the query starting and the read models catching up
SIBLINGS = """query($id: ID!, $at: Int) {
    complaints(minPosition: $at) { totalCount }
    referrals { totalCount }
    account(id: $id) { feedback { complaints } complaints { status } }
    node(id: $id) { ... on Account { referrals { referredParty } } } }"""


def lagging_runtime(settings: Settings) -> tuple[Runtime, str]:
    """A runtime that does not follow the log (as an API process next to separate workers), and a token."""
    token = grant_token(settings)
    runtime = Runtime(settings)
    runtime.catch_up()  # the token, so the request authenticates
    return runtime, token


def context(runtime: Runtime, token: str, **headers: str) -> Context:
    raw = [(b"authorization", f"Bearer {token}".encode())]
    raw += [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "query_string": b"", "headers": raw})
    return Context.for_request(runtime, Authenticator(runtime.app), request, None)


def feedback_written_behind_the_read_models(runtime: Runtime) -> tuple[str, int]:
    ctx = CommandContext(actor="user:alice", reason="test")
    account = runtime.app.open_account(ctx, name="ACME", segment="sme", region="West").aggregate_id
    runtime.app.raise_complaint(ctx, account, category="claims", description="slow")
    written = runtime.app.record_referral(ctx, account, referred_party="Northwind")
    return str(GlobalID("Account", str(account))), written.position


async def run_lagging(runtime: Runtime, query: str, request: Context, **variables: Any) -> Any:
    timer = threading.Timer(LAG, runtime.catch_up)
    timer.start()
    try:
        return await schema.execute(query, variable_values=variables, context_value=request)
    finally:
        timer.join()


def reflects_the_write(data: dict[str, Any]) -> None:
    assert data["complaints"] == {"totalCount": 1}
    assert data["referrals"] == {"totalCount": 1}  # a sibling without minPosition
    assert data["account"] == {"feedback": {"complaints": 1}, "complaints": [{"status": "OPEN"}]}
    assert data["node"] == {"referrals": [{"referredParty": "Northwind"}]}


async def test_one_min_position_argument_holds_for_every_field_of_the_query(settings: Settings) -> None:
    runtime, token = lagging_runtime(settings)
    try:
        account, position = feedback_written_behind_the_read_models(runtime)
        result = await run_lagging(runtime, SIBLINGS, context(runtime, token), id=account, at=position)
        assert result.errors is None, result.errors
        reflects_the_write(result.data)
    finally:
        runtime.close()


async def test_the_min_position_header_holds_for_every_field_of_the_query(settings: Settings) -> None:
    runtime, token = lagging_runtime(settings)
    try:
        account, position = feedback_written_behind_the_read_models(runtime)
        request = context(runtime, token, **{"X-Min-Position": str(position)})
        result = await run_lagging(runtime, SIBLINGS, request, id=account, at=None)
        assert result.errors is None, result.errors
        reflects_the_write(result.data)
        assert request.read_position == position
    finally:
        runtime.close()


def test_a_min_position_header_that_is_not_a_position_is_refused(api: httpx.Client) -> None:
    for bad in ("soon", "-3", "1e3", "١٢".encode()):
        body = api.post(
            "/graphql", json={"query": "{ complaints { totalCount } }"}, headers={"X-Min-Position": bad}
        ).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "X-Min-Position"}
    fine = api.post("/graphql", json={"query": "{ complaints { totalCount } }"}, headers={"X-Min-Position": "0"})
    assert fine.json() == {"data": {"complaints": {"totalCount": 0}}, "extensions": fine.json()["extensions"]}
