"""KAM programme mutations: key-account criteria versions, service standards, tools, KPI targets and
key-account overrides. The programme is started by its first command (expectedVersion 0 = not yet)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from kamcore.api import enums
from kamcore.api.accounts import AccountPayload
from kamcore.api.commands import Command, CommandInput
from kamcore.api.context import Info
from kamcore.api.payloads import CommandPayload, execute, renamed, version_of
from kamcore.api.reads import node_uuid
from kamcore.application import CommandContext, CommandResult
from kamcore.domain import values
from kamcore.domain.errors import KamError
from kamcore.domain.programme import DEFAULT_PROGRAMME

PROGRAMME = "Key of the KAM programme; the default programme unless you run several."
VERSION_ID = "Id of the criteria version (as proposed)."
TARGET_ID = "Global id of the KPI target (the targetId returned by setKpiTarget)."


@strawberry.input(description="A new version of what makes an account key, proposed for adoption.")
class ProposeCriteriaInput(CommandInput):
    version_id: str = strawberry.field(
        description="Unique id of the version, e.g. 2026-h1 (letters, digits, . _ : @ -)."
    )
    name: str = strawberry.field(description="Name of the version (1-200 characters).")
    parameters: JSON = strawberry.field(
        description="The ranking's parameters as a JSON object, with the fields of projections/key_accounts.toml "
        '(factors, selection, tiers, eligibility, ...); give fractional numbers as strings ("0.25"), never floats.'
    )
    effective_from: date = strawberry.field(description="First day the version applies once adopted.")
    programme: str = strawberry.field(default=DEFAULT_PROGRAMME, description=PROGRAMME)


@strawberry.input(description="Adopt a proposed criteria version; it supersedes the one in force.")
class AdoptCriteriaInput(CommandInput):
    version_id: str = strawberry.field(description=VERSION_ID)
    programme: str = strawberry.field(default=DEFAULT_PROGRAMME, description=PROGRAMME)


@strawberry.input(description="Reject a proposed criteria version (a reason is required).")
class RejectCriteriaInput(CommandInput):
    version_id: str = strawberry.field(description=VERSION_ID)
    programme: str = strawberry.field(default=DEFAULT_PROGRAMME, description=PROGRAMME)


@strawberry.input(description="How key accounts of a tier are to be served; replaces the tier's previous standard.")
class SetServiceStandardInput(CommandInput):
    tier: enums.KeyAccountTier = strawberry.field(description="The tier the standard applies to.")
    review_cadence_days: int = strawberry.field(description="Days between account reviews.")
    required_roles: list[enums.TeamRole] = strawberry.field(description="Roles every account team of the tier needs.")
    effective_from: date | None = strawberry.field(
        default=None, description="First day it applies; null = the business date (effectiveDate or today)."
    )
    programme: str = strawberry.field(default=DEFAULT_PROGRAMME, description=PROGRAMME)


@strawberry.input(description="A tool the programme introduces for relationship managers to adopt.")
class IntroduceToolInput(CommandInput):
    tool_id: str = strawberry.field(description="Unique id of the tool: 1-64 letters, digits or . _ : @ -.")
    name: str = strawberry.field(description="Name of the tool (1-200 characters).")
    programme: str = strawberry.field(default=DEFAULT_PROGRAMME, description=PROGRAMME)


@strawberry.input(description="A target for a KPI over a period, for an RM, a team or the company.")
class SetKpiTargetInput(CommandInput):
    kpi_id: str = strawberry.field(description="Id of the KPI, e.g. client_meetings_per_month.")
    scope: enums.TargetScope = strawberry.field(description="Who the target is for.")
    scope_id: str | None = strawberry.field(
        default=None, description="Employee id (RELATIONSHIP_MANAGER) or team name (TEAM); null for COMPANY."
    )
    period_start: date = strawberry.field(description="First day of the period.")
    period_end: date = strawberry.field(description="End of the period (after periodStart).")
    target_value: Decimal = strawberry.field(description='Target value as a decimal, e.g. "8" or "0.65".')
    deadline: date = strawberry.field(description="Day the target is to be met by (not before periodStart).")


@strawberry.input(description="A new value or deadline for a KPI target (a reason is required).")
class ReviseKpiTargetInput(CommandInput):
    target_id: relay.GlobalID = strawberry.field(description=TARGET_ID)
    target_value: Decimal = strawberry.field(description="The new target value as a decimal.")
    deadline: date | None = strawberry.field(default=None, description="New deadline; null = unchanged.")


@strawberry.input(description="Withdraw a KPI target (a reason is required).")
class WithdrawKpiTargetInput(CommandInput):
    target_id: relay.GlobalID = strawberry.field(description=TARGET_ID)


@strawberry.input(description="Force an account into or out of the key set until a date; reason (why) is required.")
class OverrideKeyAccountInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    decision: enums.OverrideDecision = strawberry.field(description="Force in or force out.")
    expires_on: date = strawberry.field(description="Day the override ends (after today).")
    tier: enums.KeyAccountTier | None = strawberry.field(
        default=None, description="For FORCE_IN: the tier (required); null for FORCE_OUT."
    )


@strawberry.input(description="Revoke the override in force on an account (a reason is required).")
class RevokeKeyAccountOverrideInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")


@strawberry.type(description="The programme after a change, and what the change named.")
class ProgrammePayload(CommandPayload):
    programme: str | None = strawberry.field(description="Key of the programme; null when refused.")
    criteria_version_id: str | None = strawberry.field(
        description="The criteria version proposed, adopted or rejected; else null."
    )
    tier: enums.KeyAccountTier | None = strawberry.field(
        description="The tier whose service standard was set (setServiceStandard only); else null."
    )
    tool_id: str | None = strawberry.field(description="The tool introduced (introduceTool only); else null.")


@strawberry.type(description="The KPI target after a change.")
class KpiTargetPayload(CommandPayload):
    target_id: relay.GlobalID | None = strawberry.field(description="Global id of the KPI target; null when refused.")
    kpi_id: str | None = strawberry.field(description="The KPI the target is for; null when refused.")


@strawberry.type(description="The account after its key-account override changed.")
class KeyAccountOverridePayload(AccountPayload):
    version: int | None = version_of("the account's key-account overrides")
    override_id: str | None = strawberry.field(
        description="Id of the override put in force (overrideKeyAccount only), e.g. override-1; else null."
    )


PROPOSE_FIELDS = {"version_id", "name", "effective_from", "programme", "parameters"}


def criteria_errors(command: Command) -> Command:
    """Errors the ranking finds inside `parameters` name a path in the document (`factors[0].fact`):
    report them under `parameters.` so the field path leads into the input."""

    def run(ctx: CommandContext, account: UUID | None) -> CommandResult:
        try:
            return command(ctx, account)
        except KamError as error:
            if error.field and re.split(r"[.\[]", error.field)[0] not in PROPOSE_FIELDS:
                error.field = f"parameters.{error.field}"
            raise

    return run


async def programme_payload(info: Info, data: CommandInput, command: Command, programme: str) -> ProgrammePayload:
    done = await execute(info, data, renamed(command, key="programme"))
    tier = done.detail("tier")
    return ProgrammePayload(
        **done.common,
        programme=programme if done.result else None,
        criteria_version_id=done.detail("version_id"),
        tier=values.KeyAccountTier(tier) if tier else None,
        tool_id=done.detail("tool_id"),
    )


async def target_payload(info: Info, data: CommandInput, command: Command) -> KpiTargetPayload:
    done = await execute(info, data, command)
    return KpiTargetPayload(**done.common, target_id=done.id("KpiTarget"), kpi_id=done.detail("kpi_id"))


async def override_payload(
    info: Info, data: CommandInput, command: Command, account: relay.GlobalID
) -> KeyAccountOverridePayload:
    done = await execute(info, data, command, account)
    return KeyAccountOverridePayload(**done.with_account, override_id=done.detail("override_id"))


def target_uuid(target_id: relay.GlobalID) -> UUID:
    return node_uuid(target_id, "KpiTarget", "target_id")


@strawberry.type
class ProgrammeMutations:
    @strawberry.mutation(description="Propose a new key-account criteria version (starts the programme if new).")
    async def propose_criteria(
        self,
        info: Info,
        input: Annotated[ProposeCriteriaInput, strawberry.argument(description="The version and its parameters.")],
    ) -> ProgrammePayload:
        app = info.context.runtime.app
        command = criteria_errors(
            lambda ctx, _: app.propose_criteria(
                ctx,
                version_id=input.version_id,
                name=input.name,
                parameters=input.parameters,
                effective_from=input.effective_from,
                programme=input.programme,
            )
        )
        return await programme_payload(info, input, command, input.programme)

    @strawberry.mutation(description="Adopt a proposed criteria version.")
    async def adopt_criteria(
        self, info: Info, input: Annotated[AdoptCriteriaInput, strawberry.argument(description="The version.")]
    ) -> ProgrammePayload:
        app = info.context.runtime.app
        return await programme_payload(
            info,
            input,
            lambda ctx, _: app.adopt_criteria(ctx, input.version_id, programme=input.programme),
            input.programme,
        )

    @strawberry.mutation(description="Reject a proposed criteria version (a reason is required).")
    async def reject_criteria(
        self,
        info: Info,
        input: Annotated[RejectCriteriaInput, strawberry.argument(description="The version; pass reason.")],
    ) -> ProgrammePayload:
        app = info.context.runtime.app
        return await programme_payload(
            info,
            input,
            lambda ctx, _: app.reject_criteria(ctx, input.version_id, programme=input.programme),
            input.programme,
        )

    @strawberry.mutation(description="Set the service standard of a key-account tier.")
    async def set_service_standard(
        self,
        info: Info,
        input: Annotated[SetServiceStandardInput, strawberry.argument(description="The tier and its standard.")],
    ) -> ProgrammePayload:
        app = info.context.runtime.app
        return await programme_payload(
            info,
            input,
            lambda ctx, _: app.set_service_standard(
                ctx,
                tier=input.tier,
                review_cadence_days=input.review_cadence_days,
                required_roles=input.required_roles,
                effective_from=input.effective_from,
                programme=input.programme,
            ),
            input.programme,
        )

    @strawberry.mutation(description="Introduce a tool relationship managers can adopt.")
    async def introduce_tool(
        self, info: Info, input: Annotated[IntroduceToolInput, strawberry.argument(description="The tool.")]
    ) -> ProgrammePayload:
        app = info.context.runtime.app
        return await programme_payload(
            info,
            input,
            lambda ctx, _: app.introduce_tool(ctx, tool_id=input.tool_id, name=input.name, programme=input.programme),
            input.programme,
        )

    @strawberry.mutation(description="Set a KPI target for a relationship manager, a team or the company.")
    async def set_kpi_target(
        self,
        info: Info,
        input: Annotated[SetKpiTargetInput, strawberry.argument(description="The KPI, who, the period, the value.")],
    ) -> KpiTargetPayload:
        app = info.context.runtime.app
        return await target_payload(
            info,
            input,
            lambda ctx, _: app.set_kpi_target(
                ctx,
                kpi_id=input.kpi_id,
                scope=input.scope,
                scope_id=input.scope_id,
                period_start=input.period_start,
                period_end=input.period_end,
                target_value=input.target_value,
                deadline=input.deadline,
            ),
        )

    @strawberry.mutation(description="Revise a KPI target's value or deadline (a reason is required).")
    async def revise_kpi_target(
        self,
        info: Info,
        input: Annotated[ReviseKpiTargetInput, strawberry.argument(description="The target and its new value.")],
    ) -> KpiTargetPayload:
        app = info.context.runtime.app
        return await target_payload(
            info,
            input,
            lambda ctx, _: app.revise_kpi_target(
                ctx, target_uuid(input.target_id), target_value=input.target_value, deadline=input.deadline
            ),
        )

    @strawberry.mutation(description="Withdraw a KPI target (a reason is required).")
    async def withdraw_kpi_target(
        self,
        info: Info,
        input: Annotated[WithdrawKpiTargetInput, strawberry.argument(description="The target; pass reason.")],
    ) -> KpiTargetPayload:
        app = info.context.runtime.app
        return await target_payload(
            info, input, lambda ctx, _: app.withdraw_kpi_target(ctx, target_uuid(input.target_id))
        )

    @strawberry.mutation(description="Force an account into or out of the key set until a date (pass reason: why).")
    async def override_key_account(
        self,
        info: Info,
        input: Annotated[
            OverrideKeyAccountInput, strawberry.argument(description="The account and the decision; pass reason.")
        ],
    ) -> KeyAccountOverridePayload:
        app = info.context.runtime.app
        return await override_payload(
            info,
            input,
            lambda ctx, account: app.override_key_account(
                ctx,
                account,
                decision=input.decision,
                reason=input.reason or "",
                expires_on=input.expires_on,
                tier=input.tier,
            ),
            input.account_id,
        )

    @strawberry.mutation(description="Revoke the key-account override in force on an account (a reason is required).")
    async def revoke_key_account_override(
        self,
        info: Info,
        input: Annotated[RevokeKeyAccountOverrideInput, strawberry.argument(description="The account; pass reason.")],
    ) -> KeyAccountOverridePayload:
        app = info.context.runtime.app
        return await override_payload(
            info, input, lambda ctx, account: app.revoke_key_account_override(ctx, account), input.account_id
        )
