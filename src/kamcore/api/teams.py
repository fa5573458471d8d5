"""Account-team mutations: assign, release, hand over the lead."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.accounts import AccountPayload
from kamcore.api.commands import Command, CommandInput, run_command
from kamcore.api.context import Info


@strawberry.input(description="expectedVersion refers to the account team (Account.teamVersion).")
class AssignRelationshipManagerInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    relationship_manager_id: str = strawberry.field(
        description="Employee id of the RM: 1-64 letters, digits or . _ : @ -."
    )
    role: enums.TeamRole = strawberry.field(description="Role to hold; a LEAD may not overlap another lead's period.")
    effective_from: date | None = strawberry.field(
        default=None,
        description="First day on the team (inclusive); null = the business date (effectiveDate or today).",
    )
    effective_to: date | None = strawberry.field(
        default=None,
        description="Exclusive end date: the first day the RM is no longer on the team; null = open-ended. "
        "Must be after effectiveFrom.",
    )


@strawberry.input(description="The assignment to end; reason is required.")
class ReleaseRelationshipManagerInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    assignment_id: str = strawberry.field(description="Id of the assignment to end (Assignment.assignmentId).")
    effective_to: date | None = strawberry.field(
        default=None,
        description="Exclusive end date: the first day the RM is no longer on the team; null = the business date "
        "(effectiveDate or today). Must be after the assignment's start and before its current end.",
    )


@strawberry.input(description="The new lead; reason is required.")
class HandOverLeadInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    relationship_manager_id: str = strawberry.field(description="Employee id of the new lead RM.")
    handover_date: date | None = strawberry.field(
        default=None,
        description="First day of the new lead, and exclusive end of the previous lead's period; "
        "null = the business date (effectiveDate or today).",
    )


@strawberry.type(description="The account after a team change, and the assignment it created or ended.")
class TeamPayload(AccountPayload):
    assignment_id: str | None = strawberry.field(
        description="The assignment created (assign, hand-over) or ended (release); null when refused."
    )


async def team_payload(info: Info, data: CommandInput, command: Command, account: relay.GlobalID) -> TeamPayload:
    outcome = await run_command(info, data, command, account)
    result = outcome.result
    return TeamPayload.from_outcome(
        outcome, account_id=account.node_id, assignment_id=result.detail.get("assignment_id") if result else None
    )


@strawberry.type
class TeamMutations:
    @strawberry.mutation(description="Put a relationship manager on the account team in a role.")
    async def assign_relationship_manager(
        self,
        info: Info,
        input: Annotated[
            AssignRelationshipManagerInput,
            strawberry.argument(description="The account, the RM, the role and the period."),
        ],
    ) -> TeamPayload:
        app = info.context.runtime.app
        return await team_payload(
            info,
            input,
            lambda ctx, account: app.assign_relationship_manager(
                ctx,
                account,
                relationship_manager_id=input.relationship_manager_id,
                role=input.role,
                effective_from=input.effective_from,
                effective_to=input.effective_to,
            ),
            input.account_id,
        )

    @strawberry.mutation(description="End an assignment (a reason is required; the lead leaves by hand-over).")
    async def release_relationship_manager(
        self,
        info: Info,
        input: Annotated[
            ReleaseRelationshipManagerInput,
            strawberry.argument(description="The assignment to end and when; pass reason."),
        ],
    ) -> TeamPayload:
        app = info.context.runtime.app
        return await team_payload(
            info,
            input,
            lambda ctx, account: app.release_relationship_manager(
                ctx, account, assignment_id=input.assignment_id, effective_to=input.effective_to
            ),
            input.account_id,
        )

    @strawberry.mutation(description="Make another RM the lead from a date; the previous lead's period ends then.")
    async def hand_over_lead(
        self,
        info: Info,
        input: Annotated[
            HandOverLeadInput, strawberry.argument(description="The new lead and the hand-over date; pass reason.")
        ],
    ) -> TeamPayload:
        app = info.context.runtime.app
        return await team_payload(
            info,
            input,
            lambda ctx, account: app.hand_over_lead(
                ctx, account, relationship_manager_id=input.relationship_manager_id, effective_date=input.handover_date
            ),
            input.account_id,
        )
