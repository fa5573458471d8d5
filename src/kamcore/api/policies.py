"""Policy mutations: quote, bind, renew, decline, expire, endorse, cancel and lapse."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.accounts import AccountPayload
from kamcore.api.commands import AccountRef, Command, CommandInput
from kamcore.api.context import Info
from kamcore.api.payloads import (
    MoneyInput,
    execute,
    money,
    on_or_business_date,
    owner,
    renamed,
    required_money,
    uuid_of,
    version_of,
)
from kamcore.api.reads import node_uuid
from kamcore.domain.policy import Policy

POLICY_ID = "Global id of the policy (the policyId returned by issueQuote or renewPolicy)."


@strawberry.input(description="A quote for new business or a renewal; effectiveDate is the quote date.")
class IssueQuoteInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account (must be open).")
    product_code: str = strawberry.field(description="Code of a product on sale (see launchProduct).")
    business_kind: enums.BusinessKind = strawberry.field(description="New client, cross-sell or renewal.")
    written_premium: MoneyInput = strawberry.field(description="Premium for the whole term.")
    commission: MoneyInput = strawberry.field(description="Commission for the term; at most the written premium.")
    sum_insured: MoneyInput = strawberry.field(description="Sum insured.")
    inception_date: date = strawberry.field(description="First day of cover (inclusive).")
    expiry_date: date = strawberry.field(description="Exclusive end of cover: the first day not covered.")
    renews_policy_id: relay.GlobalID | None = strawberry.field(
        default=None, description="For a RENEWAL: global id of the bound policy this term continues."
    )
    policy_number: str | None = strawberry.field(
        default=None, description="Unique number in the policy-administration system; null = none yet."
    )
    retention_strategy_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Global id of a running retention strategy the business was won under."
    )
    personalised_package: bool = strawberry.field(
        default=False, description="True when the quote is a package tailored to the client."
    )


@strawberry.input(description="Bind a quote; a renewal quote also renews the term it continues.")
class BindPolicyInput(CommandInput):
    policy_id: relay.GlobalID = strawberry.field(description=POLICY_ID)
    written_premium: MoneyInput | None = strawberry.field(
        default=None, description="Final premium if it changed since the quote; null = as quoted."
    )
    commission: MoneyInput | None = strawberry.field(
        default=None, description="Final commission if it changed since the quote; null = as quoted."
    )


@strawberry.input(description="Quote and bind the next term in one step, as policy systems report renewals.")
class RenewPolicyInput(CommandInput):
    policy_id: relay.GlobalID = strawberry.field(description="Global id of the bound policy to renew.")
    written_premium: MoneyInput = strawberry.field(description="Premium for the new term.")
    commission: MoneyInput = strawberry.field(description="Commission for the new term.")
    expiry_date: date = strawberry.field(description="Exclusive end of the new term.")
    inception_date: date | None = strawberry.field(
        default=None, description="First day of the new term; null = the expiry date of the renewed term."
    )
    sum_insured: MoneyInput | None = strawberry.field(
        default=None, description="Sum insured of the new term; null = unchanged."
    )
    policy_number: str | None = strawberry.field(default=None, description="Unique number of the new term.")
    retention_strategy_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Global id of a running retention strategy the renewal was won under."
    )
    personalised_package: bool = strawberry.field(
        default=False, description="True when the renewal is a package tailored to the client."
    )


@strawberry.input(description="A quote the customer or we declined.")
class DeclineQuoteInput(CommandInput):
    policy_id: relay.GlobalID = strawberry.field(description=POLICY_ID)
    declined_by: enums.Initiator = strawberry.field(description="Who declined: the customer or we.")


@strawberry.input(description="A quote that expired unanswered.")
class ExpireQuoteInput(CommandInput):
    policy_id: relay.GlobalID = strawberry.field(description=POLICY_ID)


@strawberry.input(description="A mid-term change to a bound policy; premium and commission changes may be negative.")
class EndorsePolicyInput(CommandInput):
    policy_id: relay.GlobalID = strawberry.field(description=POLICY_ID)
    premium_change: MoneyInput = strawberry.field(
        description="Change to the written premium (negative = refund), in the policy's currency."
    )
    description: str = strawberry.field(description="What changed (at most 4000 characters).")
    commission_change: MoneyInput | None = strawberry.field(
        default=None, description="Change to the commission (may be negative); null = none."
    )
    sum_insured: MoneyInput | None = strawberry.field(default=None, description="New sum insured; null = unchanged.")
    endorsement_date: date | None = strawberry.field(
        default=None,
        description="First day the change applies, inside the term; null = the business date (effectiveDate or today).",
    )


@strawberry.input(description="End a bound policy early (a reason is required).")
class CancelPolicyInput(CommandInput):
    policy_id: relay.GlobalID = strawberry.field(description=POLICY_ID)
    initiated_by: enums.Initiator = strawberry.field(description="Who ended the cover: the customer or we.")
    return_premium: MoneyInput | None = strawberry.field(
        default=None, description="Premium refunded (at most the written premium); null = none."
    )
    cancellation_date: date | None = strawberry.field(
        default=None,
        description="Day cover ends, inside the term; null = the business date (effectiveDate or today).",
    )


@strawberry.input(description="A bound policy whose term ends without renewal (not renewed, or non-payment).")
class LapsePolicyInput(CommandInput):
    policy_id: relay.GlobalID = strawberry.field(description=POLICY_ID)
    initiated_by: enums.Initiator = strawberry.field(description="Who let it lapse: the customer or we.")
    lapse_date: date | None = strawberry.field(
        default=None,
        description="Day the cover lapsed, between inception and expiry; null = the business date "
        "(effectiveDate or today).",
    )


@strawberry.type(description="The account after a policy change, and the policy it wrote.")
class PolicyPayload(AccountPayload):
    version: int | None = version_of("the policy (for renewPolicy: the new term)")
    policy_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the policy written (for renewPolicy: the new term); null when refused."
    )
    renewed_policy_id: relay.GlobalID | None = strawberry.field(
        description="The previous term, when the command renewed one (binding a renewal, renewPolicy); else null."
    )
    endorsement_id: str | None = strawberry.field(
        description="Id of the endorsement within the policy (endorsePolicy only), e.g. endorsement-1."
    )


async def policy_payload(info: Info, data: CommandInput, command: Command, account: AccountRef) -> PolicyPayload:
    done = await execute(info, data, command, account)
    return PolicyPayload(
        **done.with_account,
        policy_id=done.id("Policy"),
        renewed_policy_id=done.id("Policy", "renews_policy_id"),
        endorsement_id=done.detail("endorsement_id"),
    )


def policy_uuid(policy_id: relay.GlobalID) -> UUID:
    return node_uuid(policy_id, "Policy", "policy_id")


@strawberry.type
class PolicyMutations:
    @strawberry.mutation(description="Quote new business or a renewal for an open account.")
    async def issue_quote(
        self,
        info: Info,
        input: Annotated[IssueQuoteInput, strawberry.argument(description="The account, the product and the terms.")],
    ) -> PolicyPayload:
        app = info.context.runtime.app
        return await policy_payload(
            info,
            input,
            lambda ctx, account: app.issue_quote(
                ctx,
                account,
                product_code=input.product_code,
                business_kind=input.business_kind,
                written_premium=required_money(input.written_premium, "written_premium"),
                commission=required_money(input.commission, "commission"),
                sum_insured=required_money(input.sum_insured, "sum_insured"),
                inception_date=input.inception_date,
                expiry_date=input.expiry_date,
                renews_policy_id=uuid_of(input.renews_policy_id, "Policy", "renews_policy_id"),
                policy_number=input.policy_number,
                retention_strategy_id=uuid_of(
                    input.retention_strategy_id, "RetentionStrategy", "retention_strategy_id"
                ),
                personalised_package=input.personalised_package,
            ),
            input.account_id,
        )

    @strawberry.mutation(description="Bind a quote; binding a renewal quote also records the renewal.")
    async def bind_policy(
        self,
        info: Info,
        input: Annotated[BindPolicyInput, strawberry.argument(description="The quote and any final figures.")],
    ) -> PolicyPayload:
        app = info.context.runtime.app
        return await policy_payload(
            info,
            input,
            lambda ctx, _: app.bind_policy(
                ctx,
                policy_uuid(input.policy_id),
                written_premium=money(input.written_premium, "written_premium"),
                commission=money(input.commission, "commission"),
            ),
            owner(app, Policy, input.policy_id, "policy_id"),
        )

    @strawberry.mutation(description="Renew a bound policy: quote and bind the next term in one step.")
    async def renew_policy(
        self,
        info: Info,
        input: Annotated[RenewPolicyInput, strawberry.argument(description="The policy and the new term.")],
    ) -> PolicyPayload:
        app = info.context.runtime.app
        return await policy_payload(
            info,
            input,
            lambda ctx, _: app.renew_policy(
                ctx,
                policy_uuid(input.policy_id),
                written_premium=required_money(input.written_premium, "written_premium"),
                commission=required_money(input.commission, "commission"),
                expiry_date=input.expiry_date,
                inception_date=input.inception_date,
                sum_insured=money(input.sum_insured, "sum_insured"),
                policy_number=input.policy_number,
                retention_strategy_id=uuid_of(
                    input.retention_strategy_id, "RetentionStrategy", "retention_strategy_id"
                ),
                personalised_package=input.personalised_package,
            ),
            owner(app, Policy, input.policy_id, "policy_id"),
        )

    @strawberry.mutation(description="Record that a quote was declined, by the customer or by us.")
    async def decline_quote(
        self,
        info: Info,
        input: Annotated[DeclineQuoteInput, strawberry.argument(description="The quote and who declined it.")],
    ) -> PolicyPayload:
        app = info.context.runtime.app
        return await policy_payload(
            info,
            input,
            lambda ctx, _: app.decline_quote(ctx, policy_uuid(input.policy_id), declined_by=input.declined_by),
            owner(app, Policy, input.policy_id, "policy_id"),
        )

    @strawberry.mutation(description="Record that a quote expired unanswered.")
    async def expire_quote(
        self,
        info: Info,
        input: Annotated[ExpireQuoteInput, strawberry.argument(description="The quote that expired.")],
    ) -> PolicyPayload:
        app = info.context.runtime.app
        return await policy_payload(
            info,
            input,
            lambda ctx, _: app.expire_quote(ctx, policy_uuid(input.policy_id)),
            owner(app, Policy, input.policy_id, "policy_id"),
        )

    @strawberry.mutation(description="Endorse a bound policy: a mid-term change of premium, commission or cover.")
    async def endorse_policy(
        self,
        info: Info,
        input: Annotated[EndorsePolicyInput, strawberry.argument(description="The policy and the change.")],
    ) -> PolicyPayload:
        app = info.context.runtime.app
        command = renamed(
            lambda ctx, _: app.endorse_policy(
                ctx,
                policy_uuid(input.policy_id),
                effective_date=on_or_business_date(input.endorsement_date, input),
                premium_change=required_money(input.premium_change, "premium_change", non_negative=False),
                description=input.description,
                commission_change=money(input.commission_change, "commission_change", non_negative=False),
                sum_insured=money(input.sum_insured, "sum_insured"),
            ),
            effective_date="endorsement_date",
        )
        return await policy_payload(info, input, command, owner(app, Policy, input.policy_id, "policy_id"))

    @strawberry.mutation(description="Cancel a bound policy before its expiry (a reason is required).")
    async def cancel_policy(
        self,
        info: Info,
        input: Annotated[
            CancelPolicyInput, strawberry.argument(description="The policy, who ended it, when; pass reason.")
        ],
    ) -> PolicyPayload:
        app = info.context.runtime.app
        command = renamed(
            lambda ctx, _: app.cancel_policy(
                ctx,
                policy_uuid(input.policy_id),
                initiated_by=input.initiated_by,
                effective_date=on_or_business_date(input.cancellation_date, input),
                return_premium=money(input.return_premium, "return_premium"),
            ),
            effective_date="cancellation_date",
        )
        return await policy_payload(info, input, command, owner(app, Policy, input.policy_id, "policy_id"))

    @strawberry.mutation(description="Record that a bound policy lapsed (not renewed, or ended for non-payment).")
    async def lapse_policy(
        self,
        info: Info,
        input: Annotated[LapsePolicyInput, strawberry.argument(description="The policy, who let it lapse, when.")],
    ) -> PolicyPayload:
        app = info.context.runtime.app
        command = renamed(
            lambda ctx, _: app.lapse_policy(
                ctx,
                policy_uuid(input.policy_id),
                initiated_by=input.initiated_by,
                effective_date=on_or_business_date(input.lapse_date, input),
            ),
            effective_date="lapse_date",
        )
        return await policy_payload(info, input, command, owner(app, Policy, input.policy_id, "policy_id"))
