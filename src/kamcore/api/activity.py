"""Relationship activity as read types: interactions with their attendees, outcome and action items."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.auth import IsAuthenticated
from kamcore.api.connections import After, Connection, First, MinPosition, SortDirection, paged
from kamcore.api.context import Info
from kamcore.api.read_values import day, load_nodes, load_one, moment, uuids, values_of
from kamcore.api.reads import ensure_position
from kamcore.api.sales import AccountType, load_account
from kamcore.domain import values
from kamcore.projections.relationship_activity_view import InteractionFilter

if TYPE_CHECKING:
    from kamcore.api.types import Account  # noqa: F401 - named by AccountType


@strawberry.type(description="A follow-up agreed at an interaction, owned by an RM and due by a date.")
class ActionItem:
    item_id: str = strawberry.field(description="Id within the interaction, e.g. action-4.")
    description: str = strawberry.field(description="What is to be done.")
    owner_id: str = strawberry.field(description="Employee id of the RM who owns it.")
    due_date: date = strawberry.field(description="Day it is due.")
    completed_on: date | None = strawberry.field(description="Business date it was completed; null while open.")


@strawberry.type(description="A meeting, account review, education session or assessment with a customer.")
class Interaction(relay.Node):
    interaction_id: relay.NodeID[str]
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    kind: enums.InteractionKind = strawberry.field(description="Kind of contact.")
    subject: str = strawberry.field(description="What it is about.")
    status: enums.InteractionStatus = strawberry.field(description="Scheduled, held or cancelled.")
    scheduled_for: date = strawberry.field(description="Planned date (the due date of an assessment).")
    held_on: date | None = strawberry.field(description="Business date it took place; null unless held.")
    cancelled_on: date | None = strawberry.field(description="Business date it was called off; null unless cancelled.")
    relationship_manager_ids: list[str] = strawberry.field(
        description="Employee ids of the RMs invited, or who attended once held."
    )
    stakeholder_ids: list[str] = strawberry.field(
        description="Ids of the account's contacts invited, or who attended once held (Stakeholder.stakeholderId)."
    )
    outcome: str | None = strawberry.field(description="What came out of it; null until held.")
    coverage_result: enums.CoverageResult | None = strawberry.field(
        description="Result of a coverage assessment; null for other kinds and until held."
    )
    assessed_policy_ids: list[relay.GlobalID] = strawberry.field(
        description="Policies an assessment covered (empty for other kinds)."
    )
    action_items: list[ActionItem] = strawberry.field(description="Follow-ups agreed, in the order added.")
    open_action_items: int = strawberry.field(description="Action items not yet completed.")
    version: int = strawberry.field(description="Interaction aggregate version, for expectedVersion.")
    updated_at: datetime = strawberry.field(description="When it last changed (recording time, UTC).")

    @strawberry.field(description="The account the interaction was with.")
    async def account(self, info: Info) -> AccountType | None:
        return await load_account(info, self.account_id.node_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Interaction:
        return cls(
            interaction_id=row["interaction_id"],
            account_id=relay.GlobalID("Account", row["account_id"]),
            kind=values.InteractionKind(row["kind"]),
            subject=row["subject"],
            status=values.InteractionStatus(row["status"]),
            scheduled_for=date.fromisoformat(row["scheduled_for"]),
            held_on=day(row["held_on"]),
            cancelled_on=day(row["cancelled_on"]),
            relationship_manager_ids=json.loads(row["relationship_manager_ids"]),
            stakeholder_ids=json.loads(row["stakeholder_ids"]),
            outcome=row["outcome"],
            coverage_result=values.CoverageResult(row["coverage_result"]) if row["coverage_result"] else None,
            assessed_policy_ids=[relay.GlobalID("Policy", p) for p in json.loads(row["policy_ids"])],
            action_items=[
                ActionItem(
                    item_id=i["item_id"],
                    description=i["description"],
                    owner_id=i["owner_id"],
                    due_date=date.fromisoformat(i["due_date"]),
                    completed_on=day(i["completed_on"]),
                )
                for i in json.loads(row["action_items"])
            ],
            open_action_items=row["open_action_items"],
            version=row["version"],
            updated_at=moment(row["updated_at"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Interaction | None]:
        return await load_nodes(info.context.loaders.interaction, node_ids, cls.from_row)


@strawberry.input(description="Narrows the interactions list; all given conditions must hold.")
class InteractionFilterInput:
    account_id: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Interactions with any of these accounts; null or empty = any account."
    )
    kind: list[enums.InteractionKind] | None = strawberry.field(default=None, description="Any of these kinds.")
    status: list[enums.InteractionStatus] | None = strawberry.field(default=None, description="Any of these statuses.")
    relationship_manager_id: list[str] | None = strawberry.field(
        default=None, description="Invited or attended by any of these RMs (employee ids)."
    )
    scheduled_from: date | None = strawberry.field(
        default=None, description="Scheduled on or after this day; not after scheduledTo."
    )
    scheduled_to: date | None = strawberry.field(default=None, description="Scheduled on or before this day.")
    has_open_action_items: bool | None = strawberry.field(
        default=None, description="True: with open action items only; false: without any."
    )

    def to_filter(self) -> InteractionFilter:
        return InteractionFilter(
            account_ids=uuids(self.account_id, "Account", "filter.accountId"),
            kinds=values_of(self.kind),
            statuses=values_of(self.status),
            relationship_manager_ids=tuple(self.relationship_manager_id or ()),
            scheduled_from=self.scheduled_from,
            scheduled_to=self.scheduled_to,
            open_action_items=self.has_open_action_items,
        )


@strawberry.enum(description="Sort key of the interactions list.")
class InteractionSortField(Enum):
    SCHEDULED_FOR = strawberry.enum_value("scheduled_for", description="By planned date.")


@strawberry.input(description="Order of the interactions list; ties are broken by id.")
class InteractionOrder:
    field: InteractionSortField = strawberry.field(
        default=InteractionSortField.SCHEDULED_FOR, description="Sort key; SCHEDULED_FOR by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="DESC (latest) by default.")


@strawberry.type
class ActivityQueries:
    @strawberry.field(
        description="One interaction by its global id (null if unknown).", permission_classes=[IsAuthenticated]
    )
    async def interaction(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="Global id of the interaction.")],
        min_position: MinPosition = None,
    ) -> Interaction | None:
        await ensure_position(info, min_position)
        return await load_one(info.context.loaders.interaction, id, "Interaction", Interaction.from_row)

    @strawberry.field(
        description="Interactions, keyset-paged (first at most 100), filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def interactions(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            InteractionFilterInput | None,
            strawberry.argument(description="Conditions the interactions must meet; null = all."),
        ] = None,
        order_by: Annotated[
            InteractionOrder | None, strawberry.argument(description="Sort order; null = latest planned first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[Interaction]:
        order = order_by or InteractionOrder()
        return await paged(
            info,
            info.context.runtime.activity.interactions,
            lambda: (filter or InteractionFilterInput()).to_filter().where(),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=Interaction.from_row,
        )
