"""Recommendation commands: match an account need with a product, record the decision, link the policy."""

from __future__ import annotations

from uuid import UUID

from kamcore.application import lookups
from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import NotFound
from kamcore.domain.recommendation import Recommendation
from kamcore.domain.values import RecommendationKind


class RecommendationCommands(CommandHandling):
    def make_recommendation(
        self,
        ctx: CommandContext,
        account_id: UUID,
        *,
        need_id: str,
        product_code: str,
        kind: RecommendationKind | str = RecommendationKind.CROSS_SELL,
        rationale: str | None = None,
        relationship_manager_id: str | None = None,
    ) -> CommandResult:
        """New business: the account must be open, the need identified on it, the product on sale."""
        arguments = {
            "account_id": account_id,
            "need_id": need_id,
            "product_code": product_code,
            "kind": kind,
            "rationale": rationale,
            "relationship_manager_id": relationship_manager_id,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Recommendation], dict[str, str]]:
            account = lookups.open_account(self, account_id)
            if need_id not in account.needs:
                raise NotFound(f"no need {need_id!r} on this account", field="need_id")
            recommendation = Recommendation.make(
                account_id=account_id,
                need_id=need_id,
                product=lookups.product(self, product_code),
                kind=kind,
                rationale=rationale,
                relationship_manager_id=relationship_manager_id,
                envelope=envelope,
            )
            return [recommendation], {"account_id": str(account_id)}

        return self.execute(ctx, "make_recommendation", arguments, body)

    def accept_recommendation(self, ctx: CommandContext, recommendation_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Recommendation], dict[str, str]]:
            recommendation = self._recommendation(ctx, recommendation_id)
            lookups.open_account(self, recommendation.account_id)
            recommendation.accept(envelope=envelope)
            return [recommendation], {"account_id": str(recommendation.account_id)}

        return self.execute(ctx, "accept_recommendation", {"recommendation_id": recommendation_id}, body)

    def decline_recommendation(self, ctx: CommandContext, recommendation_id: UUID, *, reason: str) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Recommendation], dict[str, str]]:
            recommendation = self._recommendation(ctx, recommendation_id)
            recommendation.decline(reason=reason, envelope=envelope)
            return [recommendation], {"account_id": str(recommendation.account_id)}

        arguments = {"recommendation_id": recommendation_id, "reason": reason}
        return self.execute(ctx, "decline_recommendation", arguments, body)

    def link_recommendation_policy(
        self, ctx: CommandContext, recommendation_id: UUID, *, policy_id: UUID
    ) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Recommendation], dict[str, str]]:
            recommendation = self._recommendation(ctx, recommendation_id)
            policy = lookups.policy(self, policy_id)
            recommendation.link_policy(
                policy_id=policy.id,
                policy_account_id=policy.account_id,
                policy_product_code=policy.product_code,
                envelope=envelope,
            )
            return [recommendation], {"account_id": str(recommendation.account_id), "policy_id": str(policy_id)}

        arguments = {"recommendation_id": recommendation_id, "policy_id": policy_id}
        return self.execute(ctx, "link_recommendation_policy", arguments, body)

    def _recommendation(self, ctx: CommandContext, recommendation_id: UUID) -> Recommendation:
        return self.load(
            Recommendation, recommendation_id, field="recommendation_id", expected_version=ctx.expected_version
        )
