"""Claim mutations: report, reserve, pay, close, reopen (accepted on closed accounts too: losses still happen)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry import relay

from kamcore.api.accounts import AccountPayload
from kamcore.api.commands import AccountRef, Command, CommandInput
from kamcore.api.context import Info
from kamcore.api.payloads import MoneyInput, execute, owner, required_money, version_of
from kamcore.api.reads import node_uuid
from kamcore.domain.claim import Claim
from kamcore.domain.policy import Policy

CLAIM_ID = "Global id of the claim (the claimId returned by reportClaim)."


@strawberry.input(description="A loss under a policy; effectiveDate is the day it was reported.")
class ReportClaimInput(CommandInput):
    policy_id: relay.GlobalID = strawberry.field(description="Global id of the policy the loss falls under.")
    loss_date: date = strawberry.field(description="Day the loss happened (not in the future).")
    description: str = strawberry.field(description="What happened (at most 4000 characters).")
    claim_number: str | None = strawberry.field(
        default=None, description="Unique number in the claims system; null = none yet."
    )


@strawberry.input(description="Set the claim's reserve (the expected remaining cost).")
class ReserveClaimInput(CommandInput):
    claim_id: relay.GlobalID = strawberry.field(description=CLAIM_ID)
    reserve: MoneyInput = strawberry.field(description="The new reserve, not negative, in the policy's currency.")


@strawberry.input(description="A payment on an open claim.")
class PayClaimInput(CommandInput):
    claim_id: relay.GlobalID = strawberry.field(description=CLAIM_ID)
    amount: MoneyInput = strawberry.field(description="Amount paid, more than zero, in the policy's currency.")


@strawberry.input(description="The claim to close; any remaining reserve is released.")
class CloseClaimInput(CommandInput):
    claim_id: relay.GlobalID = strawberry.field(description=CLAIM_ID)


@strawberry.input(description="The closed claim to reopen (a reason is required).")
class ReopenClaimInput(CommandInput):
    claim_id: relay.GlobalID = strawberry.field(description=CLAIM_ID)


@strawberry.type(description="The account after a claim change, the claim and its policy.")
class ClaimPayload(AccountPayload):
    version: int | None = version_of("the claim")
    claim_id: relay.GlobalID | None = strawberry.field(description="Global id of the claim; null when refused.")
    policy_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the policy the claim falls under; null when refused."
    )


async def claim_payload(info: Info, data: CommandInput, command: Command, account: AccountRef) -> ClaimPayload:
    done = await execute(info, data, command, account)
    return ClaimPayload(**done.with_account, claim_id=done.id("Claim"), policy_id=done.id("Policy", "policy_id"))


def claim_uuid(claim_id: relay.GlobalID) -> UUID:
    return node_uuid(claim_id, "Claim", "claim_id")


@strawberry.type
class ClaimMutations:
    @strawberry.mutation(description="Report a loss under a policy (first notice of loss).")
    async def report_claim(
        self,
        info: Info,
        input: Annotated[ReportClaimInput, strawberry.argument(description="The policy and the loss.")],
    ) -> ClaimPayload:
        app = info.context.runtime.app
        return await claim_payload(
            info,
            input,
            lambda ctx, _: app.report_claim(
                ctx,
                node_uuid(input.policy_id, "Policy", "policy_id"),
                loss_date=input.loss_date,
                description=input.description,
                claim_number=input.claim_number,
            ),
            owner(app, Policy, input.policy_id, "policy_id"),
        )

    @strawberry.mutation(description="Set the reserve of an open claim.")
    async def reserve_claim(
        self,
        info: Info,
        input: Annotated[ReserveClaimInput, strawberry.argument(description="The claim and its new reserve.")],
    ) -> ClaimPayload:
        app = info.context.runtime.app
        return await claim_payload(
            info,
            input,
            lambda ctx, _: app.reserve_claim(
                ctx, claim_uuid(input.claim_id), reserve=required_money(input.reserve, "reserve")
            ),
            owner(app, Claim, input.claim_id, "claim_id"),
        )

    @strawberry.mutation(description="Record a payment on an open claim.")
    async def pay_claim(
        self,
        info: Info,
        input: Annotated[PayClaimInput, strawberry.argument(description="The claim and the amount paid.")],
    ) -> ClaimPayload:
        app = info.context.runtime.app
        return await claim_payload(
            info,
            input,
            lambda ctx, _: app.pay_claim(
                ctx, claim_uuid(input.claim_id), amount=required_money(input.amount, "amount")
            ),
            owner(app, Claim, input.claim_id, "claim_id"),
        )

    @strawberry.mutation(description="Close a claim; its remaining reserve is released.")
    async def close_claim(
        self,
        info: Info,
        input: Annotated[CloseClaimInput, strawberry.argument(description="The claim to close.")],
    ) -> ClaimPayload:
        app = info.context.runtime.app
        return await claim_payload(
            info,
            input,
            lambda ctx, _: app.close_claim(ctx, claim_uuid(input.claim_id)),
            owner(app, Claim, input.claim_id, "claim_id"),
        )

    @strawberry.mutation(description="Reopen a closed claim (a reason is required).")
    async def reopen_claim(
        self,
        info: Info,
        input: Annotated[ReopenClaimInput, strawberry.argument(description="The claim to reopen; pass reason.")],
    ) -> ClaimPayload:
        app = info.context.runtime.app
        return await claim_payload(
            info,
            input,
            lambda ctx, _: app.reopen_claim(ctx, claim_uuid(input.claim_id)),
            owner(app, Claim, input.claim_id, "claim_id"),
        )
