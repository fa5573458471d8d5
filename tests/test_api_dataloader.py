"""DataLoaders batch per request: N accounts in one query cost one read-model query, not N."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from strawberry.relay import GlobalID

from kamcore.api.auth import Authenticator
from kamcore.api.context import Context
from kamcore.api.schema import schema
from kamcore.application import CommandContext
from kamcore.runtime import Runtime

from .conftest import grant_token


async def test_many_accounts_in_one_request_are_one_query(
    runtime: Runtime, ctx: CommandContext, settings: Any, monkeypatch: Any
) -> None:
    ids = [
        str(
            GlobalID(
                "Account", str(runtime.app.open_account(ctx, name=f"A{i}", segment="sme", region="W").aggregate_id)
            )
        )
        for i in range(10)
    ]
    assert runtime.wait_for(runtime.app.head_position())
    calls: list[int] = []
    real_get_many = runtime.accounts.get_many

    def counting_get_many(account_ids: Any) -> Any:
        calls.append(len(account_ids))
        return real_get_many(account_ids)

    monkeypatch.setattr(runtime.accounts, "get_many", counting_get_many)
    token = grant_token(settings)
    request = Request(
        {
            "type": "http",
            "method": "POST",
            "path": "/graphql",
            "query_string": b"",
            "headers": [(b"authorization", f"Bearer {token}".encode())],
        }
    )
    context = Context.for_request(runtime, Authenticator(runtime.app), request, None)
    aliases = " ".join(f'a{i}: account(id: "{gid}") {{ name }}' for i, gid in enumerate(ids))
    result = await schema.execute(
        f"{{ {aliases} nodes(ids: {ids!r}) {{ id }} }}".replace("'", '"'), context_value=context
    )
    assert result.errors is None
    assert [result.data[f"a{i}"]["name"] for i in range(10)] == [f"A{i}" for i in range(10)]
    assert len(result.data["nodes"]) == 10
    assert calls == [10]  # one batched read for 10 aliases and 10 nodes (cached by the loader)
