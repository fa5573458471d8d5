"""Accounts: the `account`/`accounts` queries and the account mutations."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import relay

from kamcore.api import enums
from kamcore.api.auth import IsAuthenticated
from kamcore.api.commands import AccountRef, Command, CommandInput, Outcome, run_command
from kamcore.api.connections import After, Connection, First, MinPosition, SortDirection, paged
from kamcore.api.context import Info
from kamcore.api.errors import UserError
from kamcore.api.reads import ensure_position
from kamcore.api.types import Account
from kamcore.domain import values
from kamcore.domain.errors import InvalidInput
from kamcore.projections.account_summary_view import AccountFilter as SummaryFilter
from kamcore.projections.account_summary_view import AccountSummaryView


@strawberry.enum(description="Sort key of the accounts list.")
class AccountSortField(Enum):
    NAME = strawberry.enum_value("name", description="By account name.")
    OPENED_AT = strawberry.enum_value("opened_at", description="By the time the account was opened.")


@strawberry.input(description="Order of the accounts list; ties are broken by id.")
class AccountOrder:
    field: AccountSortField = strawberry.field(default=AccountSortField.NAME, description="Sort key; NAME by default.")
    direction: SortDirection = strawberry.field(
        default=SortDirection.ASC, description="Sort direction; ASC by default."
    )


@strawberry.input(description="Narrows the accounts list; all given conditions must hold.")
class AccountFilter:
    segment: list[enums.Segment] | None = strawberry.field(
        default=None, description="Any of these segments; null or empty = any segment."
    )
    region: list[str] | None = strawberry.field(
        default=None, description="Any of these regions (exact match); null or empty = any region."
    )
    status: enums.AccountStatus | None = strawberry.field(
        default=None, description="Only accounts with this status; null = any status."
    )
    lead_relationship_manager_id: str | None = strawberry.field(
        default=None, description="Only accounts whose lead RM has this employee id; null = any."
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the account name (at most 200 characters)."
    )

    def to_summary_filter(self) -> SummaryFilter:
        if self.name_contains is not None and len(self.name_contains) > 200:
            raise InvalidInput("must be at most 200 characters", field="name_contains")
        return SummaryFilter(
            segments=tuple(s.value for s in self.segment or ()),
            regions=tuple(self.region or ()),
            status=self.status.value if self.status else None,
            lead_rm_id=self.lead_relationship_manager_id,
            name_contains=self.name_contains,
        )


@strawberry.type
class AccountQueries:
    node: relay.Node | None = relay.node(
        description="Any object by its global id.", permission_classes=[IsAuthenticated]
    )
    nodes: list[relay.Node | None] = relay.node(
        description="Objects by their global ids, in the order asked (null where unknown).",
        permission_classes=[IsAuthenticated],
    )

    @strawberry.field(
        description="One account by its global id (null if unknown).", permission_classes=[IsAuthenticated]
    )
    async def account(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="Global id of the account (Account.id).")],
        min_position: MinPosition = None,
    ) -> Account | None:
        await ensure_position(info, min_position)
        if id.type_name != "Account":
            return None
        row = await info.context.loaders.account.load(id.node_id)
        return Account.from_row(row) if row else None

    @strawberry.field(
        description="Accounts, keyset-paged (first at most 100), filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def accounts(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            AccountFilter | None, strawberry.argument(description="Conditions the accounts must meet; null = all.")
        ] = None,
        order_by: Annotated[
            AccountOrder | None, strawberry.argument(description="Sort order; null = by name, ascending.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[Account]:
        order = order_by or AccountOrder()
        return await paged(
            info,
            info.context.runtime.accounts.listing,
            lambda: AccountSummaryView.where((filter or AccountFilter()).to_summary_filter()),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=Account.from_row,
        )


# -- mutations -------------------------------------------------------------------------------------


@strawberry.type(description="Common shape of every payload that changes an account or its team.")
class AccountPayload:
    user_errors: list[UserError] = strawberry.field(description="Empty when the command was accepted.")
    position: int | None = strawberry.field(
        description="Event-log position of the write (on a replay, the log head); pass as minPosition to read it "
        "back. Null when the command was refused."
    )
    replayed: bool = strawberry.field(description="True when an idempotent retry returned the first result.")
    version: int | None = strawberry.field(
        description="New version of the changed aggregate (the account, its team or the feedback item), for "
        "expectedVersion; null when refused."
    )
    account_id: strawberry.Private[str | None]

    @strawberry.field(
        description="The account after the write (waits until the read model includes it); null when refused."
    )
    async def account(self, info: Info) -> Account | None:
        if self.account_id is None:
            return None
        await ensure_position(info, self.position)
        row = await run_in_threadpool(info.context.runtime.accounts.get, self.account_id)
        return Account.from_row(row) if row else None

    @classmethod
    def from_outcome(cls, outcome: Outcome, account_id: str | None = None, **extra: Any) -> Any:
        """This payload type (or a subclass, with its `extra` fields) for a command's outcome."""
        result = outcome.result
        return cls(**outcome.common, account_id=(account_id or str(result.aggregate_id)) if result else None, **extra)


@strawberry.input(description="A new customer account; externalRef, if given, must be unique.")
class OpenAccountInput(CommandInput):
    name: str = strawberry.field(description="Name of the customer organisation (1-200 characters).")
    segment: enums.Segment = strawberry.field(description="Customer segment to serve the account in.")
    region: str = strawberry.field(description="Sales region (1-100 characters).")
    industry: str | None = strawberry.field(
        default=None, description="Customer's industry (at most 100 characters); null if unknown."
    )
    size: enums.AccountSize | None = strawberry.field(
        default=None, description="Size band of the customer; null if unknown."
    )
    external_ref: str | None = strawberry.field(
        default=None,
        description="Unique reference in the PAS (policy-administration system): 1-64 letters, digits or . _ : @ -.",
    )


@strawberry.input(description="Fields to change; omitted fields keep their value.")
class UpdateAccountProfileInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account to change.")
    name: str | None = strawberry.field(default=None, description="New name (1-200 characters); null = unchanged.")
    segment: enums.Segment | None = strawberry.field(default=None, description="New segment; null = unchanged.")
    region: str | None = strawberry.field(default=None, description="New region (1-100 characters); null = unchanged.")
    industry: str | None = strawberry.field(
        default=None, description="New industry (at most 100 characters); null = unchanged."
    )
    size: enums.AccountSize | None = strawberry.field(default=None, description="New size band; null = unchanged.")


@strawberry.input(description="The whole business context; it replaces the previous one.")
class RecordBusinessContextInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    strategy: str | None = strawberry.field(default=None, description="The customer's business strategy; null = none.")
    operating_dynamics: str | None = strawberry.field(
        default=None, description="How the customer's business operates; null = none."
    )
    challenges: list[str] | None = strawberry.field(
        default=None, description="Business challenges (at most 50); null = none."
    )
    competitors: list[str] | None = strawberry.field(
        default=None, description="The customer's competitors (at most 50); null = none."
    )
    buying_process: str | None = strawberry.field(
        default=None, description="How the customer buys insurance; null = none."
    )
    buying_behaviour: str | None = strawberry.field(
        default=None, description="How the customer behaves as a buyer; null = none."
    )


@strawberry.input(description="A need the account team identified.")
class IdentifyNeedInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    description: str = strawberry.field(description="What the customer needs (at most 4000 characters).")
    line_of_business: str | None = strawberry.field(
        default=None, description="Line of business the need belongs to (at most 100 characters)."
    )
    priority: enums.NeedPriority = strawberry.field(
        default=values.NeedPriority.MEDIUM, description="How pressing the need is; MEDIUM by default."
    )


@strawberry.input(description="A contact at the account.")
class AddStakeholderInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    name: str = strawberry.field(description="Full name of the contact (1-200 characters).")
    role: enums.StakeholderRole = strawberry.field(description="Role in buying decisions.")
    title: str | None = strawberry.field(default=None, description="Job title (at most 200 characters).")
    email: str | None = strawberry.field(default=None, description="E-mail address (at most 254 characters).")


@strawberry.input(description="The contact to remove (stakeholderId from Account.stakeholders).")
class RemoveStakeholderInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    stakeholder_id: str = strawberry.field(
        description="Id of the contact within the account (Stakeholder.stakeholderId)."
    )


@strawberry.input(description="The account to close; reason is required.")
class CloseAccountInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account to close.")


async def account_payload(
    info: Info, data: CommandInput, command: Command, account: AccountRef = None
) -> AccountPayload:
    return AccountPayload.from_outcome(await run_command(info, data, command, account))


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Open a new customer account.")
    async def open_account(
        self, info: Info, input: Annotated[OpenAccountInput, strawberry.argument(description="The account to open.")]
    ) -> AccountPayload:
        app = info.context.runtime.app
        return await account_payload(
            info,
            input,
            lambda ctx, _: app.open_account(
                ctx,
                name=input.name,
                segment=input.segment,
                region=input.region,
                industry=input.industry,
                size=input.size,
                external_ref=input.external_ref,
            ),
        )

    @strawberry.mutation(description="Change any subset of an account's profile.")
    async def update_account_profile(
        self,
        info: Info,
        input: Annotated[
            UpdateAccountProfileInput, strawberry.argument(description="The account and the profile fields to change.")
        ],
    ) -> AccountPayload:
        app = info.context.runtime.app
        return await account_payload(
            info,
            input,
            lambda ctx, account: app.update_account_profile(
                ctx,
                account,
                name=input.name,
                segment=input.segment,
                region=input.region,
                industry=input.industry,
                size=input.size,
            ),
            input.account_id,
        )

    @strawberry.mutation(description="Record the customer's strategy, dynamics, challenges, competitors, buying.")
    async def record_business_context(
        self,
        info: Info,
        input: Annotated[
            RecordBusinessContextInput,
            strawberry.argument(description="The account and its complete business context."),
        ],
    ) -> AccountPayload:
        app = info.context.runtime.app
        context = values.BusinessContext(
            strategy=input.strategy,
            operating_dynamics=input.operating_dynamics,
            challenges=tuple(input.challenges or ()),
            competitors=tuple(input.competitors or ()),
            buying_process=input.buying_process,
            buying_behaviour=input.buying_behaviour,
        )
        return await account_payload(
            info, input, lambda ctx, account: app.record_business_context(ctx, account, context), input.account_id
        )

    @strawberry.mutation(description="Record a customer need to match with products later.")
    async def identify_need(
        self,
        info: Info,
        input: Annotated[IdentifyNeedInput, strawberry.argument(description="The account and the need.")],
    ) -> AccountPayload:
        app = info.context.runtime.app
        return await account_payload(
            info,
            input,
            lambda ctx, account: app.identify_need(
                ctx,
                account,
                description=input.description,
                line_of_business=input.line_of_business,
                priority=input.priority,
            ),
            input.account_id,
        )

    @strawberry.mutation(description="Add a contact and their buying role.")
    async def add_stakeholder(
        self,
        info: Info,
        input: Annotated[AddStakeholderInput, strawberry.argument(description="The account and the contact to add.")],
    ) -> AccountPayload:
        app = info.context.runtime.app
        return await account_payload(
            info,
            input,
            lambda ctx, account: app.add_stakeholder(
                ctx, account, name=input.name, role=input.role, title=input.title, email=input.email
            ),
            input.account_id,
        )

    @strawberry.mutation(description="Remove a contact from the account.")
    async def remove_stakeholder(
        self,
        info: Info,
        input: Annotated[
            RemoveStakeholderInput, strawberry.argument(description="The account and the contact to remove.")
        ],
    ) -> AccountPayload:
        app = info.context.runtime.app
        return await account_payload(
            info,
            input,
            lambda ctx, account: app.remove_stakeholder(ctx, account, input.stakeholder_id),
            input.account_id,
        )

    @strawberry.mutation(description="Close the account (a reason is required); it then accepts no new business.")
    async def close_account(
        self,
        info: Info,
        input: Annotated[CloseAccountInput, strawberry.argument(description="The account to close; pass reason.")],
    ) -> AccountPayload:
        app = info.context.runtime.app
        return await account_payload(
            info, input, lambda ctx, account: app.close_account(ctx, account), input.account_id
        )
