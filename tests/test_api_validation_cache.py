"""A repeated query is validated once: the parser and validation caches hit across requests."""

from __future__ import annotations

from typing import Any

from strawberry.extensions.validation_cache import _get_validate_cache

from kamcore.api.schema import schema
from kamcore.runtime import Runtime

from .conftest import grant_token
from .test_api_dataloader import request_context

QUERY = "query($n: Int!) { accounts(first: $n) { totalCount nodes { name } } }"


async def test_the_same_query_in_new_requests_is_not_validated_again(runtime: Runtime, settings: Any) -> None:
    token = grant_token(settings)
    validate = _get_validate_cache(1024)  # the cache our ValidationCache(maxsize=1024) shares
    for n in (1, 2):  # the first request may validate
        result = await schema.execute(QUERY, variable_values={"n": n}, context_value=request_context(runtime, token))
        assert result.errors is None, result.errors
    before = validate.cache_info()
    for n in (3, 4, 5):
        result = await schema.execute(QUERY, variable_values={"n": n}, context_value=request_context(runtime, token))
        assert result.errors is None, result.errors
    after = validate.cache_info()
    assert after.misses == before.misses
    assert after.hits == before.hits + 3
