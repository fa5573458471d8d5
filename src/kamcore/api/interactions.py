"""Interaction mutations: schedule, hold, record a past one, cancel, and the action items agreed."""

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
from kamcore.api.payloads import execute, owner, renamed, version_of
from kamcore.api.reads import node_uuid
from kamcore.domain.interaction import Interaction

INTERACTION_ID = "Global id of the interaction (the interactionId returned by scheduleInteraction)."
RM_IDS = "Employee ids of the relationship managers taking part (at least one, at most 50)."
STAKEHOLDER_IDS = "Stakeholders of the account taking part (Stakeholder.stakeholderId)."
POLICY_IDS = "For risk and coverage assessments: global ids of the account's policies assessed."
OUTCOME = "What came out of it (at most 4000 characters)."


@strawberry.input(description="A planned contact with the customer; the account must be open.")
class ScheduleInteractionInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    kind: enums.InteractionKind = strawberry.field(description="Kind of contact.")
    subject: str = strawberry.field(description="What it is about (1-200 characters).")
    scheduled_for: date = strawberry.field(description="Planned day.")
    relationship_manager_ids: list[str] = strawberry.field(description=RM_IDS)
    stakeholder_ids: list[str] = strawberry.field(default_factory=list, description=STAKEHOLDER_IDS)


@strawberry.input(description="A scheduled interaction that took place; effectiveDate is the day it was held.")
class HoldInteractionInput(CommandInput):
    interaction_id: relay.GlobalID = strawberry.field(description=INTERACTION_ID)
    outcome: str = strawberry.field(description=OUTCOME)
    relationship_manager_ids: list[str] | None = strawberry.field(
        default=None, description="Who actually took part, if not as planned; null = as scheduled."
    )
    stakeholder_ids: list[str] | None = strawberry.field(
        default=None, description="Stakeholders who actually took part; null = as scheduled."
    )
    coverage_result: enums.CoverageResult | None = strawberry.field(
        default=None, description="For a COVERAGE_ASSESSMENT: the result; null otherwise."
    )
    policy_ids: list[relay.GlobalID] = strawberry.field(default_factory=list, description=POLICY_IDS)


@strawberry.input(
    description="A past interaction (imports, notes after the fact): scheduled and held on effectiveDate."
)
class RecordInteractionInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account (must be open).")
    kind: enums.InteractionKind = strawberry.field(description="Kind of contact.")
    subject: str = strawberry.field(description="What it was about (1-200 characters).")
    outcome: str = strawberry.field(description=OUTCOME)
    relationship_manager_ids: list[str] = strawberry.field(description=RM_IDS)
    stakeholder_ids: list[str] = strawberry.field(default_factory=list, description=STAKEHOLDER_IDS)
    coverage_result: enums.CoverageResult | None = strawberry.field(
        default=None, description="For a COVERAGE_ASSESSMENT: the result; null otherwise."
    )
    policy_ids: list[relay.GlobalID] = strawberry.field(default_factory=list, description=POLICY_IDS)


@strawberry.input(description="A scheduled interaction that will not take place (a reason is required).")
class CancelInteractionInput(CommandInput):
    interaction_id: relay.GlobalID = strawberry.field(description=INTERACTION_ID)


@strawberry.input(description="A follow-up agreed in an interaction.")
class AddActionItemInput(CommandInput):
    interaction_id: relay.GlobalID = strawberry.field(description=INTERACTION_ID)
    description: str = strawberry.field(description="What is to be done (at most 4000 characters).")
    owner_id: str = strawberry.field(description="Employee id of who does it.")
    due_date: date = strawberry.field(description="Day it is due.")


@strawberry.input(description="An action item that was done.")
class CompleteActionItemInput(CommandInput):
    interaction_id: relay.GlobalID = strawberry.field(description=INTERACTION_ID)
    action_item_id: str = strawberry.field(description="Id of the item within the interaction (from addActionItem).")


@strawberry.type(description="The account after an interaction change, the interaction and any action item.")
class InteractionPayload(AccountPayload):
    version: int | None = version_of("the interaction")
    interaction_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the interaction; null when refused."
    )
    action_item_id: str | None = strawberry.field(
        description="The action item added or completed (addActionItem, completeActionItem); else null."
    )


async def interaction_payload(
    info: Info, data: CommandInput, command: Command, account: AccountRef
) -> InteractionPayload:
    done = await execute(info, data, command, account)
    return InteractionPayload(
        **done.with_account, interaction_id=done.id("Interaction"), action_item_id=done.detail("item_id")
    )


def interaction_uuid(interaction_id: relay.GlobalID) -> UUID:
    return node_uuid(interaction_id, "Interaction", "interaction_id")


def policy_uuids(policy_ids: list[relay.GlobalID]) -> list[UUID]:
    return [node_uuid(p, "Policy", "policy_ids") for p in policy_ids]


@strawberry.type
class InteractionMutations:
    @strawberry.mutation(description="Plan a meeting, review, education session or assessment with the customer.")
    async def schedule_interaction(
        self,
        info: Info,
        input: Annotated[ScheduleInteractionInput, strawberry.argument(description="The account, what, when and who.")],
    ) -> InteractionPayload:
        app = info.context.runtime.app
        return await interaction_payload(
            info,
            input,
            lambda ctx, account: app.schedule_interaction(
                ctx,
                account,
                kind=input.kind,
                subject=input.subject,
                scheduled_for=input.scheduled_for,
                relationship_manager_ids=input.relationship_manager_ids,
                stakeholder_ids=input.stakeholder_ids,
            ),
            input.account_id,
        )

    @strawberry.mutation(description="Record that a scheduled interaction took place, and its outcome.")
    async def hold_interaction(
        self,
        info: Info,
        input: Annotated[HoldInteractionInput, strawberry.argument(description="The interaction and its outcome.")],
    ) -> InteractionPayload:
        app = info.context.runtime.app
        return await interaction_payload(
            info,
            input,
            lambda ctx, _: app.hold_interaction(
                ctx,
                interaction_uuid(input.interaction_id),
                outcome=input.outcome,
                relationship_manager_ids=input.relationship_manager_ids,
                stakeholder_ids=input.stakeholder_ids,
                coverage_result=input.coverage_result,
                policy_ids=policy_uuids(input.policy_ids),
            ),
            owner(app, Interaction, input.interaction_id, "interaction_id"),
        )

    @strawberry.mutation(description="Record an interaction that already took place (scheduled and held at once).")
    async def record_interaction(
        self,
        info: Info,
        input: Annotated[
            RecordInteractionInput, strawberry.argument(description="The account, what, who and the outcome.")
        ],
    ) -> InteractionPayload:
        app = info.context.runtime.app
        return await interaction_payload(
            info,
            input,
            lambda ctx, account: app.record_interaction(
                ctx,
                account,
                kind=input.kind,
                subject=input.subject,
                outcome=input.outcome,
                relationship_manager_ids=input.relationship_manager_ids,
                stakeholder_ids=input.stakeholder_ids,
                coverage_result=input.coverage_result,
                policy_ids=policy_uuids(input.policy_ids),
            ),
            input.account_id,
        )

    @strawberry.mutation(description="Cancel a scheduled interaction (a reason is required).")
    async def cancel_interaction(
        self,
        info: Info,
        input: Annotated[
            CancelInteractionInput, strawberry.argument(description="The interaction to cancel; pass reason.")
        ],
    ) -> InteractionPayload:
        app = info.context.runtime.app
        return await interaction_payload(
            info,
            input,
            lambda ctx, _: app.cancel_interaction(ctx, interaction_uuid(input.interaction_id)),
            owner(app, Interaction, input.interaction_id, "interaction_id"),
        )

    @strawberry.mutation(description="Add a follow-up action item to an interaction.")
    async def add_action_item(
        self,
        info: Info,
        input: Annotated[AddActionItemInput, strawberry.argument(description="The interaction and the item.")],
    ) -> InteractionPayload:
        app = info.context.runtime.app
        return await interaction_payload(
            info,
            input,
            lambda ctx, _: app.add_action_item(
                ctx,
                interaction_uuid(input.interaction_id),
                description=input.description,
                owner_id=input.owner_id,
                due_date=input.due_date,
            ),
            owner(app, Interaction, input.interaction_id, "interaction_id"),
        )

    @strawberry.mutation(description="Mark an action item done.")
    async def complete_action_item(
        self,
        info: Info,
        input: Annotated[
            CompleteActionItemInput, strawberry.argument(description="The interaction and the item done.")
        ],
    ) -> InteractionPayload:
        app = info.context.runtime.app
        command = renamed(
            lambda ctx, _: app.complete_action_item(
                ctx, interaction_uuid(input.interaction_id), item_id=input.action_item_id
            ),
            item_id="action_item_id",
        )
        return await interaction_payload(
            info, input, command, owner(app, Interaction, input.interaction_id, "interaction_id")
        )
