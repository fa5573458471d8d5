"""The schema: queries, mutations and the protective extensions, built once per process."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from kamcore.api.accounts import AccountMutations, AccountQueries
from kamcore.api.errors import should_mask_error
from kamcore.api.feedback import FeedbackMutations
from kamcore.api.teams import TeamMutations

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000


@strawberry.type(description="Read models of kamcore.")
class Query(AccountQueries):
    pass


@strawberry.type(description="Commands; each takes one input and returns a payload with userErrors.")
class Mutation(AccountMutations, TeamMutations, FeedbackMutations):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaskErrors(should_mask_error=should_mask_error),
    ],
    config=StrawberryConfig(relay_max_results=100),
)
