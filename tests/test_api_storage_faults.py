"""A read whose store fails answers with a typed, retryable error and nothing internal."""

from __future__ import annotations

from typing import Any

from kamcore.api.errors import READ_STORE_UNAVAILABLE
from kamcore.api.schema import schema
from kamcore.application import CommandContext
from kamcore.runtime import Runtime

from .conftest import grant_token
from .test_api_dataloader import request_context


async def test_a_read_model_that_cannot_be_read_is_storage_unavailable(
    runtime: Runtime, ctx: CommandContext, settings: Any
) -> None:
    runtime.app.open_account(ctx, name="Lost", segment="sme", region="West")
    assert runtime.wait_for(runtime.app.head_position())
    token = grant_token(settings)
    with runtime.stores["account_summary"].writing() as sql:
        sql.execute("ALTER TABLE {t}account_summary RENAME TO account_summary_gone")
    context = request_context(runtime, token)
    result = await schema.execute("{ accounts(first: 5) { totalCount } }", context_value=context)
    assert result.errors is not None
    [error] = result.errors
    assert error.message == READ_STORE_UNAVAILABLE
    assert error.extensions == {"code": "STORAGE_UNAVAILABLE"}
    assert "account_summary" not in str(error.formatted)  # nothing internal
