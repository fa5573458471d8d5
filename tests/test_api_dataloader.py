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

READ_TABLES = (
    "account_summary",
    "sales_policy",
    "sales_claim",
    "sales_recommendation",
    "activity_interaction",
    "product_catalogue",
    "feedback_survey",
    "feedback_complaint",
    "feedback_referral",
)


def request_context(runtime: Runtime, token: str) -> Context:
    """The context of a fresh HTTP request (fresh DataLoaders) with a bearer token."""
    headers = [(b"authorization", f"Bearer {token}".encode())]
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "query_string": b"", "headers": headers})
    return Context.for_request(runtime, Authenticator(runtime.app), request, None)


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
    context = request_context(runtime, grant_token(settings))
    aliases = " ".join(f'a{i}: account(id: "{gid}") {{ name }}' for i, gid in enumerate(ids))
    result = await schema.execute(
        f"{{ {aliases} nodes(ids: {ids!r}) {{ id }} }}".replace("'", '"'), context_value=context
    )
    assert result.errors is None
    assert [result.data[f"a{i}"]["name"] for i in range(10)] == [f"A{i}" for i in range(10)]
    assert len(result.data["nodes"]) == 10
    assert calls == [10]  # one batched read for 10 aliases and 10 nodes (cached by the loader)


async def test_a_page_of_accounts_with_their_records_costs_the_same_few_queries(
    runtime: Runtime, settings: Any, monkeypatch: Any
) -> None:
    """Policies (with products), claims, interactions, recommendations, survey responses, complaints and
    referrals of a page of accounts: one query per field, whatever the page size; the same query per account
    would grow with the page (N+1)."""
    from kamcore.demo import seed_demo
    from kamcore.projections.projection import SqlCursor

    seed_demo(runtime.app, accounts=12)
    token = grant_token(settings)
    assert runtime.wait_for(runtime.app.head_position())
    statements: list[str] = []
    real_execute = SqlCursor.execute

    def counting_execute(self: SqlCursor, statement: str, params: Any = ()) -> SqlCursor:
        if any(f"{{t}}{table}" in statement for table in READ_TABLES):  # not the audit chain keeper's
            statements.append(statement)
        return real_execute(self, statement, params)

    monkeypatch.setattr(SqlCursor, "execute", counting_execute)
    query = """query($n: Int!) { accounts(first: $n) { nodes { name
        policies(first: 100) { id writtenPremium { amount } product { code } }
        claims { id status } interactions { id actionItems { itemId } } recommendations { id }
        surveyResponses { id score } complaints { id status } referrals { id } } } }"""
    counts, records, feedback = {}, {}, {}
    for size in (3, 12):
        context = request_context(runtime, token)
        statements.clear()
        result = await schema.execute(query, variable_values={"n": size}, context_value=context)
        assert result.errors is None, result.errors
        nodes = result.data["accounts"]["nodes"]
        assert len(nodes) == size
        counts[size] = len(statements)
        records[size] = sum(len(n["policies"]) + len(n["claims"]) + len(n["interactions"]) for n in nodes)
        feedback[size] = sum(len(n["surveyResponses"]) + len(n["complaints"]) + len(n["referrals"]) for n in nodes)
    assert records[12] > records[3] > 0
    assert feedback[12] > feedback[3] > 0
    # accounts (count + page), policies, products, claims, interactions, recommendations, surveys, complaints, referrals
    assert counts == {3: 10, 12: 10}
