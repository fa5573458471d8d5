"""Claim commands: report, reserve, pay, close, reopen. Accepted for closed accounts: losses still happen."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from kamcore.application import lookups
from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain.claim import Claim
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict
from kamcore.domain.values import Money


class ClaimCommands(CommandHandling):
    def report_claim(
        self,
        ctx: CommandContext,
        policy_id: UUID,
        *,
        loss_date: date,
        description: str,
        claim_number: str | None = None,
    ) -> CommandResult:
        arguments = {
            "policy_id": policy_id,
            "loss_date": loss_date,
            "description": description,
            "claim_number": claim_number,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Claim], dict[str, str]]:
            if claim_number and self.find(Claim, Claim.id_for(claim_number)) is not None:
                raise Conflict(f"claim {claim_number!r} is already reported", field="claim_number", code="DUPLICATE")
            policy = lookups.policy(self, policy_id)
            claim = Claim.report(
                policy=policy,
                loss_date=loss_date,
                description=description,
                claim_number=claim_number,
                envelope=envelope,
            )
            return [claim], self._claim_detail(claim)

        return self.execute(ctx, "report_claim", arguments, body)

    def reserve_claim(self, ctx: CommandContext, claim_id: UUID, *, reserve: Money) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Claim], dict[str, str]]:
            claim = self._claim(ctx, claim_id)
            claim.set_reserve(reserve=reserve, envelope=envelope)
            return [claim], self._claim_detail(claim)

        return self.execute(ctx, "reserve_claim", {"claim_id": claim_id, "reserve": reserve}, body)

    def pay_claim(self, ctx: CommandContext, claim_id: UUID, *, amount: Money) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Claim], dict[str, str]]:
            claim = self._claim(ctx, claim_id)
            claim.pay(amount=amount, envelope=envelope)
            return [claim], self._claim_detail(claim)

        return self.execute(ctx, "pay_claim", {"claim_id": claim_id, "amount": amount}, body)

    def close_claim(self, ctx: CommandContext, claim_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Claim], dict[str, str]]:
            claim = self._claim(ctx, claim_id)
            claim.close(envelope=envelope)
            return [claim], self._claim_detail(claim)

        return self.execute(ctx, "close_claim", {"claim_id": claim_id}, body)

    def reopen_claim(self, ctx: CommandContext, claim_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Claim], dict[str, str]]:
            claim = self._claim(ctx, claim_id)
            claim.reopen(envelope=envelope)
            return [claim], self._claim_detail(claim)

        return self.execute(ctx, "reopen_claim", {"claim_id": claim_id}, body)

    def _claim(self, ctx: CommandContext, claim_id: UUID) -> Claim:
        return self.load(Claim, claim_id, field="claim_id", expected_version=ctx.expected_version)

    @staticmethod
    def _claim_detail(claim: Claim) -> dict[str, str]:
        return {"account_id": str(claim.account_id), "policy_id": str(claim.policy_id)}
