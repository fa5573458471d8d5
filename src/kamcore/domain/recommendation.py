"""Recommendation: a product proposed for an identified account need, accepted or declined, then sold.

It is how the KAM method matches needs with products; accepted cross-sell recommendations over
decided ones is the cross-selling success rate.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.product import Product
from kamcore.domain.values import RecommendationKind, RecommendationStatus


class Recommendation(KamAggregate):
    @classmethod
    def make(
        cls,
        *,
        account_id: UUID,
        need_id: str,
        product: Product,
        kind: RecommendationKind | str = RecommendationKind.CROSS_SELL,
        rationale: str | None = None,
        relationship_manager_id: str | None = None,
        envelope: AuditEnvelope,
    ) -> Recommendation:
        product.ensure_on_sale()
        return cls(
            account_id=account_id,
            need_id=rules.text("need_id", need_id, max_length=64),
            product_code=product.code,
            line_of_business=product.line_of_business,
            kind=rules.member("kind", RecommendationKind, kind),
            rationale=rules.optional_text("rationale", rationale),
            relationship_manager_id=rules.identifier("relationship_manager_id", relationship_manager_id)
            if relationship_manager_id
            else None,
            made_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Made")
    def __init__(
        self,
        account_id: UUID,
        need_id: str,
        product_code: str,
        line_of_business: str,
        kind: RecommendationKind,
        rationale: str | None,
        relationship_manager_id: str | None,
        made_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.account_id = account_id
        self.need_id = need_id
        self.product_code = product_code
        self.line_of_business = line_of_business
        self.kind = kind
        self.rationale = rationale
        self.relationship_manager_id = relationship_manager_id
        self.made_on = made_on
        self.status = RecommendationStatus.MADE
        self.decided_on: date | None = None
        self.policy_id: UUID | None = None

    def accept(self, *, envelope: AuditEnvelope) -> None:
        decided_on = self._decision_date(envelope)
        self._accepted(
            account_id=self.account_id,
            need_id=self.need_id,
            product_code=self.product_code,
            kind=self.kind,
            relationship_manager_id=self.relationship_manager_id,
            accepted_on=decided_on,
            envelope=envelope,
        )

    def decline(self, *, reason: str, envelope: AuditEnvelope) -> None:
        decided_on = self._decision_date(envelope)
        self._declined(
            account_id=self.account_id,
            need_id=self.need_id,
            product_code=self.product_code,
            kind=self.kind,
            relationship_manager_id=self.relationship_manager_id,
            declined_because=rules.text("reason", reason, max_length=rules.MAX_TEXT),
            declined_on=decided_on,
            envelope=envelope,
        )

    def link_policy(
        self, *, policy_id: UUID, policy_account_id: UUID, policy_product_code: str, envelope: AuditEnvelope
    ) -> None:
        """Name the policy the accepted recommendation became (same account, same product)."""
        if self.status is not RecommendationStatus.ACCEPTED:
            raise Conflict(
                "only an accepted recommendation becomes a policy", field="recommendation_id", code="NOT_ACCEPTED"
            )
        if self.policy_id is not None:
            raise Conflict("a policy is already linked", field="policy_id", code="ALREADY_LINKED")
        if policy_account_id != self.account_id:
            raise InvalidInput("the policy belongs to another account", field="policy_id")
        if policy_product_code != self.product_code:
            raise InvalidInput(f"the policy is not for product {self.product_code}", field="policy_id")
        self._policy_linked(
            account_id=self.account_id, need_id=self.need_id, kind=self.kind, policy_id=policy_id, envelope=envelope
        )

    def _decision_date(self, envelope: AuditEnvelope) -> date:
        if self.status is not RecommendationStatus.MADE:
            raise Conflict(
                f"the recommendation is already {self.status.value}", field="recommendation_id", code="ALREADY_DECIDED"
            )
        decided_on = envelope.business_date
        rules.not_before("effective_date", decided_on, self.made_on, "the date it was made")
        return decided_on

    @event("Accepted")
    def _accepted(
        self,
        account_id: UUID,
        need_id: str,
        product_code: str,
        kind: RecommendationKind,
        relationship_manager_id: str | None,
        accepted_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.status = RecommendationStatus.ACCEPTED
        self.decided_on = accepted_on

    @event("Declined")
    def _declined(
        self,
        account_id: UUID,
        need_id: str,
        product_code: str,
        kind: RecommendationKind,
        relationship_manager_id: str | None,
        declined_because: str,
        declined_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.status = RecommendationStatus.DECLINED
        self.decided_on = declined_on

    @event("PolicyLinked")
    def _policy_linked(
        self, account_id: UUID, need_id: str, kind: RecommendationKind, policy_id: UUID, envelope: AuditEnvelope
    ) -> None:
        self.policy_id = policy_id
