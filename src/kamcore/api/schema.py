"""The schema: queries, mutations and the protective extensions, built once per process."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from kamcore.api.accounts import AccountMutations, AccountQueries
from kamcore.api.activity import ActivityQueries
from kamcore.api.audit import AuditQueries
from kamcore.api.catalogue import CatalogueQueries
from kamcore.api.claims import ClaimMutations
from kamcore.api.errors import MaskInternals, should_mask_error
from kamcore.api.execution import PlainLeafExecution
from kamcore.api.feedback import FeedbackMutations
from kamcore.api.feedback_reads import FeedbackQueries
from kamcore.api.improvement import ImprovementMutations
from kamcore.api.interactions import InteractionMutations
from kamcore.api.kpis import KpiQueries
from kamcore.api.limits import CostLimiter
from kamcore.api.market import MarketMutations
from kamcore.api.market_reads import MARKET_RESEARCH_TYPES, MarketQueries
from kamcore.api.people import PeopleQueries
from kamcore.api.personnel import PersonnelMutations
from kamcore.api.policies import PolicyMutations
from kamcore.api.privacy import PrivacyMutations
from kamcore.api.products import ProductMutations
from kamcore.api.programme import ProgrammeMutations
from kamcore.api.programme_reads import ProgrammeQueries
from kamcore.api.ranking import RankingQueries
from kamcore.api.reads import RequestPosition
from kamcore.api.recommendations import RecommendationMutations
from kamcore.api.sales import SalesQueries
from kamcore.api.subscriptions import AccountEventSubscription, KpiSubscription, RankingSubscription
from kamcore.api.suggestions import SuggestionMutations, SuggestionQueries
from kamcore.api.teams import TeamMutations

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
# The depth and alias limits as validation rules made once. QueryDepthLimiter and MaxAliasesLimiter
# make a new rule class per request, and the validation cache is keyed by the rules: it never hit.
LIMIT_RULES = (max_depth_rule(MAX_DEPTH, None), max_aliases_rule(MAX_ALIASES))


@strawberry.type(description="Read models of kamcore.")
class Query(
    AccountQueries,
    SalesQueries,
    ActivityQueries,
    FeedbackQueries,
    PeopleQueries,
    CatalogueQueries,
    ProgrammeQueries,
    AuditQueries,
    RankingQueries,
    SuggestionQueries,
    KpiQueries,
    MarketQueries,
):
    pass


@strawberry.type(description="Live updates over graphql-transport-ws; every message carries its log position.")
class Subscription(AccountEventSubscription, RankingSubscription, KpiSubscription):
    pass


@strawberry.type(description="Commands; each takes one input and returns a payload with userErrors.")
class Mutation(
    AccountMutations,
    TeamMutations,
    FeedbackMutations,
    PolicyMutations,
    ClaimMutations,
    InteractionMutations,
    RecommendationMutations,
    PersonnelMutations,
    ProductMutations,
    ProgrammeMutations,
    ImprovementMutations,
    MarketMutations,
    SuggestionMutations,
    PrivacyMutations,
):
    pass


class KamSchema(strawberry.Schema):
    """Logs only unexpected errors: refusals and validation failures are answers, not incidents."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        unexpected = [e for e in errors if should_mask_error(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


schema = KamSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=MARKET_RESEARCH_TYPES,  # reached through the MarketResearchRecord interface only
    extensions=[
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
        lambda: AddValidationRules(list(LIMIT_RULES)),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        CostLimiter,
        RequestPosition,
        MaskInternals,
    ],
    config=StrawberryConfig(relay_max_results=100),
    execution_context_class=PlainLeafExecution,
)
