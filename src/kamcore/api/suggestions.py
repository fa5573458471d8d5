"""Product suggestions: the `productSuggestions` query and `recommendSuggestedProduct`, which records one.

The rules (what matches, what is open, how it scores) are in `kamcore.application.suggestions`.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import relay

from kamcore.api import enums
from kamcore.api.accounts import AccountPayload
from kamcore.api.auth import IsAuthenticated, Principal
from kamcore.api.commands import CommandInput, run_command
from kamcore.api.context import Info
from kamcore.api.reads import PER_OPERATION, READ_YOUR_WRITES_TIMEOUT, ensure_position
from kamcore.application import CommandContext, CommandResult
from kamcore.application import suggestions as rules
from kamcore.application.idempotency import CommandRecord
from kamcore.domain import values
from kamcore.domain.errors import Conflict, NotFound
from kamcore.domain.recommendation import Recommendation
from kamcore.projections.suggestions_view import SuggestionsView
from kamcore.runtime import Runtime

MAX_SUGGESTIONS = 100

SegmentRule = enums.described(
    rules.SegmentRule,
    "Which segment rule a suggestion met.",
    {
        rules.SegmentRule.TARGETED: "The product targets the account's segment (adds 0.3 to the score).",
        rules.SegmentRule.NOT_TARGETED: "The product does not target the account's segment (adds nothing).",
    },
)


@strawberry.type(description="An open need a suggested product covers, and which matching rule paired them.")
class CoveredNeed:
    need_id: str = strawberry.field(description="Id of the need on the account (Need.needId).")
    description: str = strawberry.field(description="What the customer needs.")
    priority: enums.NeedPriority = strawberry.field(description="How pressing the need is.")
    weight: int = strawberry.field(description="Priority points the need carries: HIGH 3, MEDIUM 2, LOW 1.")
    matched_keywords: list[str] = strawberry.field(
        description="Phrases of the product's needsCovered found as whole words in the need's description or "
        "equal to its line of business (empty if none)."
    )
    matched_line: bool = strawberry.field(
        description="True when the need's line of business equals the product's line of business."
    )


@strawberry.type(description="Why a product is suggested: the open needs it covers and the segment rule it met.")
class SuggestionReasons:
    covered_needs: list[CoveredNeed] = strawberry.field(description="Open needs the product covers, oldest first.")
    coverage: float = strawberry.field(
        description="Priority points of the needs covered over those of all open needs (0-1, 4 decimal places)."
    )
    open_need_points: int = strawberry.field(
        description="Priority points of all open needs of the account (the coverage denominator)."
    )
    segment_rule: SegmentRule = strawberry.field(description="Whether the product targets the account's segment.")
    account_segment: enums.Segment = strawberry.field(description="The account's segment.")
    target_segments: list[enums.Segment] = strawberry.field(description="Segments the product targets.")


@strawberry.type(description="A product suggested for an account's open needs (see productSuggestions).")
class ProductSuggestion:
    rank: int = strawberry.field(description="Position in the list, 1 = best.")
    product_code: str = strawberry.field(description="Code of the product (pass to recommendSuggestedProduct).")
    name: str = strawberry.field(description="Name of the product.")
    line_of_business: str = strawberry.field(description="Line of business of the product.")
    score: float = strawberry.field(
        description="0.7 x coverage + 0.3 if the product targets the account's segment (0-1, 4 decimal places)."
    )
    kind: enums.RecommendationKind = strawberry.field(
        description="Kind of sale it would be: NEW_CLIENT if the account never held a policy, UP_SELL if it holds "
        "the product's line in force, else CROSS_SELL."
    )
    reasons: SuggestionReasons = strawberry.field(description="The needs covered and the segment rule met.")
    explanation: str = strawberry.field(
        description="The reasons in one sentence (recorded as the rationale by recommendSuggestedProduct)."
    )

    @classmethod
    def of(cls, rank: int, s: rules.Suggestion) -> ProductSuggestion:
        return cls(
            rank=rank,
            product_code=s.product.code,
            name=s.product.name,
            line_of_business=s.product.line_of_business,
            score=s.display_score,
            kind=s.kind,
            reasons=SuggestionReasons(
                covered_needs=[
                    CoveredNeed(
                        need_id=m.need.need_id,
                        description=m.need.description,
                        priority=m.need.priority,
                        weight=m.need.weight,
                        matched_keywords=list(m.keywords),
                        matched_line=m.line,
                    )
                    for m in s.covered
                ],
                coverage=round(float(s.coverage), rules.SCORE_PLACES),
                open_need_points=s.open_need_weight,
                segment_rule=s.segment_rule,
                account_segment=values.Segment(s.segment),
                target_segments=[values.Segment(t) for t in s.product.target_segments],
            ),
            explanation=s.explanation,
        )


def _bad_first(first: int) -> strawberry.exceptions.StrawberryGraphQLError:
    return strawberry.exceptions.StrawberryGraphQLError(
        f"first: must be between 1 and {MAX_SUGGESTIONS}", extensions={"code": "BAD_USER_INPUT", "field": "first"}
    )


@strawberry.type
class SuggestionQueries:
    @strawberry.field(
        description="Products suggested for an account, best first: products on sale that it does not hold, "
        "ranked by the open needs they cover (by priority) and whether they target its segment. Null if the "
        "account is unknown; empty for a closed account or one without open needs.",
        permission_classes=[IsAuthenticated],
    )
    async def product_suggestions(
        self,
        info: Info,
        account_id: Annotated[relay.GlobalID, strawberry.argument(description="Global id of the account.")],
        first: Annotated[int, strawberry.argument(description="How many suggestions at most, 1-100.")] = 5,
        min_position: Annotated[
            int | None,
            strawberry.argument(
                description="Wait until read models include this event-log position (read-your-writes); "
                "pass a payload's position." + PER_OPERATION
            ),
        ] = None,
    ) -> list[ProductSuggestion] | None:
        if not 1 <= first <= MAX_SUGGESTIONS:
            raise _bad_first(first)
        await ensure_position(info, min_position)
        if account_id.type_name != "Account":
            return None
        view = SuggestionsView(info.context.runtime.stores)
        found = await run_in_threadpool(view.suggest, account_id.node_id, first=first)
        return None if found is None else [ProductSuggestion.of(i, s) for i, s in enumerate(found, start=1)]


# -- turning a suggestion into a recommendation ---------------------------------------------------------


@strawberry.input(description="Recommend a suggested product for one of the open needs it covers.")
class RecommendSuggestedProductInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account (must be open).")
    product_code: str = strawberry.field(description="Code of a product productSuggestions lists for the account.")
    need_id: str = strawberry.field(description="The open need it answers; one of the suggestion's coveredNeeds.")
    rationale: str | None = strawberry.field(
        default=None, description="Why, at most 4000 characters; null = the suggestion's explanation."
    )
    relationship_manager_id: str | None = strawberry.field(
        default=None, description="Employee id of the RM making it; null = the caller's (from the token), if any."
    )


@strawberry.type(description="The account after the recommendation, and the recommendation recorded.")
class RecommendSuggestedProductPayload(AccountPayload):
    recommendation_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the recommendation recorded; null when refused."
    )
    kind: enums.RecommendationKind | None = strawberry.field(
        description="Kind of sale it was recorded as (the suggestion's kind); null when refused."
    )


def first_result(
    runtime: Runtime, ctx: CommandContext, account_id: UUID, data: RecommendSuggestedProductInput
) -> tuple[CommandResult, values.RecommendationKind] | None:
    """An idempotent retry returns the first recommendation before anything is re-derived from read models.

    (The suggestion changes once it is recommended, so deriving kind and rationale again would not
    reproduce the first command's input.)
    """
    if ctx.idempotency_key is None:
        return None
    record = runtime.app.find(CommandRecord, CommandRecord.id_for(ctx.actor, ctx.idempotency_key))
    if record is None:
        return None
    made = runtime.app.find(Recommendation, record.aggregate_id) if record.command == "make_recommendation" else None
    if made is None or (made.account_id, made.need_id, made.product_code) != (
        account_id,
        data.need_id,
        data.product_code,
    ):
        raise Conflict(
            "this idempotency key was already used for a different command or input",
            field="idempotency_key",
            code="IDEMPOTENCY_KEY_REUSED",
        )
    result = CommandResult(
        record.aggregate_id,
        record.aggregate_version,
        runtime.app.head_position(),
        replayed=True,
        detail=dict(record.detail),
    )
    return result, made.kind


def recommend(
    runtime: Runtime, ctx: CommandContext, account_id: UUID, data: RecommendSuggestedProductInput, rm_id: str | None
) -> tuple[CommandResult, values.RecommendationKind]:
    """Check the pair against the suggestions as of every write so far, then record it via make_recommendation."""
    replay = first_result(runtime, ctx, account_id, data)
    if replay is not None:
        return replay
    if not runtime.wait_for(runtime.app.head_position(), READ_YOUR_WRITES_TIMEOUT):
        raise Conflict("read models are behind the event log; retry shortly", code="PROJECTION_TIMEOUT")
    inputs = SuggestionsView(runtime.stores).inputs(str(account_id))
    if inputs is None:
        raise NotFound(f"no Account with id {account_id}", field="account_id")
    suggestion = inputs.suggestion_for(product_code=data.product_code, need_id=data.need_id)
    result = runtime.app.make_recommendation(
        ctx,
        account_id,
        need_id=data.need_id,
        product_code=data.product_code,
        kind=suggestion.kind,
        rationale=data.rationale if data.rationale is not None else suggestion.rationale,
        relationship_manager_id=data.relationship_manager_id or rm_id,
    )
    return result, suggestion.kind


@strawberry.type
class SuggestionMutations:
    @strawberry.mutation(
        description="Record a suggested product as a recommendation for one open need it covers (kind and, unless "
        "given, rationale from the suggestion), so cross-selling success can be measured. Refused (userErrors) "
        "unless the product is suggested for that need now."
    )
    async def recommend_suggested_product(
        self,
        info: Info,
        input: Annotated[
            RecommendSuggestedProductInput, strawberry.argument(description="The account, product and need.")
        ],
    ) -> RecommendSuggestedProductPayload:
        runtime = info.context.runtime
        principal = info.context.principal
        rm_id = principal.relationship_manager_id if isinstance(principal, Principal) else None
        kinds: list[values.RecommendationKind] = []

        def command(ctx: CommandContext, account_id: UUID | None) -> CommandResult:
            assert account_id is not None
            result, kind = recommend(runtime, ctx, account_id, input, rm_id)
            kinds.append(kind)
            return result

        outcome = await run_command(info, input, command, input.account_id)
        result = outcome.result
        return RecommendSuggestedProductPayload(
            user_errors=outcome.user_errors,
            position=result.position if result else None,
            replayed=bool(result and result.replayed),
            version=result.version if result else None,
            account_id=result.detail.get("account_id") if result else None,
            recommendation_id=relay.GlobalID("Recommendation", str(result.aggregate_id)) if result else None,
            kind=kinds[0] if result and kinds else None,
        )
