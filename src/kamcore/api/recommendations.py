"""Recommendation mutations: match an account need with a product, record the decision, link the policy sold."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.accounts import AccountPayload
from kamcore.api.commands import AccountRef, Command, CommandInput
from kamcore.api.context import Info
from kamcore.api.payloads import execute, owner, version_of
from kamcore.api.reads import node_uuid
from kamcore.domain import values
from kamcore.domain.recommendation import Recommendation

RECOMMENDATION_ID = "Global id of the recommendation (the recommendationId returned by makeRecommendation)."


@strawberry.input(description="A product recommended for a need identified on an open account.")
class MakeRecommendationInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    need_id: str = strawberry.field(description="The need it answers (Need.needId on the account).")
    product_code: str = strawberry.field(description="Code of a product on sale.")
    kind: enums.RecommendationKind = strawberry.field(
        default=values.RecommendationKind.CROSS_SELL, description="Kind of sale; CROSS_SELL by default."
    )
    rationale: str | None = strawberry.field(
        default=None, description="Why this product fits the need (at most 4000 characters)."
    )
    relationship_manager_id: str | None = strawberry.field(
        default=None, description="Employee id of the RM who made it; null = not recorded."
    )


@strawberry.input(description="The customer accepted the recommendation.")
class AcceptRecommendationInput(CommandInput):
    recommendation_id: relay.GlobalID = strawberry.field(description=RECOMMENDATION_ID)


@strawberry.input(description="The customer declined the recommendation; reason (why) is required.")
class DeclineRecommendationInput(CommandInput):
    recommendation_id: relay.GlobalID = strawberry.field(description=RECOMMENDATION_ID)


@strawberry.input(description="The policy an accepted recommendation was sold as (same account and product).")
class LinkRecommendationPolicyInput(CommandInput):
    recommendation_id: relay.GlobalID = strawberry.field(description=RECOMMENDATION_ID)
    policy_id: relay.GlobalID = strawberry.field(description="Global id of the policy (quote or bound) it became.")


@strawberry.type(description="The account after a recommendation change, the recommendation and any linked policy.")
class RecommendationPayload(AccountPayload):
    version: int | None = version_of("the recommendation")
    recommendation_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the recommendation; null when refused."
    )
    policy_id: relay.GlobalID | None = strawberry.field(
        description="The policy linked (linkRecommendationPolicy only); else null."
    )


async def recommendation_payload(
    info: Info, data: CommandInput, command: Command, account: AccountRef
) -> RecommendationPayload:
    done = await execute(info, data, command, account)
    return RecommendationPayload(
        **done.with_account, recommendation_id=done.id("Recommendation"), policy_id=done.id("Policy", "policy_id")
    )


def recommendation_uuid(recommendation_id: relay.GlobalID) -> UUID:
    return node_uuid(recommendation_id, "Recommendation", "recommendation_id")


@strawberry.type
class RecommendationMutations:
    @strawberry.mutation(description="Recommend a product for a need identified on the account.")
    async def make_recommendation(
        self,
        info: Info,
        input: Annotated[MakeRecommendationInput, strawberry.argument(description="The account, need and product.")],
    ) -> RecommendationPayload:
        app = info.context.runtime.app
        return await recommendation_payload(
            info,
            input,
            lambda ctx, account: app.make_recommendation(
                ctx,
                account,
                need_id=input.need_id,
                product_code=input.product_code,
                kind=input.kind,
                rationale=input.rationale,
                relationship_manager_id=input.relationship_manager_id,
            ),
            input.account_id,
        )

    @strawberry.mutation(description="Record that the customer accepted a recommendation.")
    async def accept_recommendation(
        self,
        info: Info,
        input: Annotated[AcceptRecommendationInput, strawberry.argument(description="The recommendation.")],
    ) -> RecommendationPayload:
        app = info.context.runtime.app
        return await recommendation_payload(
            info,
            input,
            lambda ctx, _: app.accept_recommendation(ctx, recommendation_uuid(input.recommendation_id)),
            owner(app, Recommendation, input.recommendation_id, "recommendation_id"),
        )

    @strawberry.mutation(description="Record that the customer declined a recommendation (pass reason: why).")
    async def decline_recommendation(
        self,
        info: Info,
        input: Annotated[
            DeclineRecommendationInput, strawberry.argument(description="The recommendation; pass reason.")
        ],
    ) -> RecommendationPayload:
        app = info.context.runtime.app
        return await recommendation_payload(
            info,
            input,
            lambda ctx, _: app.decline_recommendation(
                ctx, recommendation_uuid(input.recommendation_id), reason=input.reason or ""
            ),
            owner(app, Recommendation, input.recommendation_id, "recommendation_id"),
        )

    @strawberry.mutation(description="Link the policy an accepted recommendation was sold as.")
    async def link_recommendation_policy(
        self,
        info: Info,
        input: Annotated[
            LinkRecommendationPolicyInput, strawberry.argument(description="The recommendation and the policy.")
        ],
    ) -> RecommendationPayload:
        app = info.context.runtime.app
        return await recommendation_payload(
            info,
            input,
            lambda ctx, _: app.link_recommendation_policy(
                ctx,
                recommendation_uuid(input.recommendation_id),
                policy_id=node_uuid(input.policy_id, "Policy", "policy_id"),
            ),
            owner(app, Recommendation, input.recommendation_id, "recommendation_id"),
        )
