"""One thread hop per turn: what a request's loaders dispatch together runs in one hop, each read's
result or error going to its own caller; and a request with a recently seen token needs no hop to
authenticate, with the same answer as the lookup."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kamcore.api import hops
from kamcore.api.auth import Authenticator
from kamcore.api.hops import SharedHop
from kamcore.application import CommandContext
from kamcore.runtime import Runtime


def counting_hops(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many reads each thread-pool hop ran."""
    counts: list[int] = []
    real = hops.run_in_threadpool

    async def counting(function: Any, queued: list[Any]) -> Any:
        counts.append(len(queued))
        return await real(function, queued)

    monkeypatch.setattr(hops, "run_in_threadpool", counting)
    return counts


async def test_reads_asked_for_in_one_turn_share_one_hop(monkeypatch: pytest.MonkeyPatch) -> None:
    counts = counting_hops(monkeypatch)
    hop = SharedHop()

    def failing() -> int:
        raise KeyError("gone")

    results = await asyncio.gather(
        hop.run(lambda: 1), hop.run(failing), hop.run(lambda: "three"), return_exceptions=True
    )
    assert results[0] == 1
    assert results[2] == "three"
    assert isinstance(results[1], KeyError)
    assert counts == [3]
    assert await hop.run(lambda: 4) == 4  # a later turn: its own hop
    assert counts == [3, 1]


async def test_an_account_with_its_lists_and_contacts_costs_two_hops(
    runtime: Runtime, ctx: CommandContext, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The account, then its policies, claims and contacts' keys together (they were three hops)."""
    from kamcore.api.schema import schema
    from kamcore.demo import seed_demo

    from .conftest import grant_token
    from .test_api_dataloader import request_context

    seed_demo(runtime.app, accounts=3)
    assert runtime.wait_for(runtime.app.head_position())
    token = grant_token(settings)
    listed = await schema.execute(
        "{ accounts(first: 3) { nodes { id stakeholders { name } policies { status } } } }",
        context_value=request_context(runtime, token),
    )
    assert listed.data is not None
    account = next(a for a in listed.data["accounts"]["nodes"] if a["policies"] and a["stakeholders"])
    counts = counting_hops(monkeypatch)
    query = """query($id: ID!) { account(id: $id) { name stakeholders { name } policies { status }
        claims { status } } }"""
    result = await schema.execute(
        query, variable_values={"id": account["id"]}, context_value=request_context(runtime, token)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    assert result.data["account"]["policies"] == account["policies"]
    assert counts == [1, 3]


def test_a_cached_principal_is_the_principal_the_lookup_gives(runtime: Runtime, ctx: CommandContext) -> None:
    authenticator = Authenticator(runtime.app)
    _, valid = runtime.app.grant_token(ctx, name="reader", role="manager")
    revoked_token, revoked = runtime.app.grant_token(ctx, name="leaver", role="manager")
    runtime.app.revoke_token(ctx, revoked_token.aggregate_id)
    refused = [None, "", "Basic abc", "Bearer "]
    headers = [*refused, f"Bearer {valid}", f"bearer  {valid} ", f"Bearer {revoked}", "Bearer x"]
    for header in headers[len(refused) :]:
        assert authenticator.cached_principal(header) is None  # never looked up: only the lookup can tell
    for header in headers:
        looked_up = authenticator.principal(header)
        cached = authenticator.cached_principal(header)
        assert cached is not None
        assert type(cached) is type(looked_up)
        assert getattr(cached, "extensions", cached) == getattr(looked_up, "extensions", looked_up)
        assert str(cached) == str(looked_up)
