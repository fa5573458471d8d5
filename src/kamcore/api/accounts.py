"""Accounts: the `account`/`accounts` queries and the account mutations."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import relay

from kamcore.api import enums
from kamcore.api.auth import IsAuthenticated
from kamcore.api.commands import AccountRef, Command, CommandInput, Outcome, run_command
from kamcore.api.context import Info
from kamcore.api.errors import UserError
from kamcore.api.reads import ensure_position
from kamcore.api.types import Account
from kamcore.domain import values
from kamcore.domain.errors import InvalidInput
from kamcore.projections.account_summary_view import AccountFilter as SummaryFilter


@strawberry.enum(description="Sort key of the accounts list.")
class AccountSortField(Enum):
    NAME = "name"
    OPENED_AT = "opened_at"


@strawberry.enum(description="Ascending or descending.")
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="Order of the accounts list; ties are broken by id.")
class AccountOrder:
    field: AccountSortField = AccountSortField.NAME
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Narrows the accounts list; all given conditions must hold.")
class AccountFilter:
    segment: list[enums.Segment] | None = None
    region: list[str] | None = None
    status: enums.AccountStatus | None = None
    lead_relationship_manager_id: str | None = None
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive substring.")

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
class AccountEdge:
    cursor: str
    node: Account


@strawberry.type(description="A keyset-paged list of accounts.")
class AccountConnection:
    edges: list[AccountEdge]
    nodes: list[Account]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="Accounts matching the filter, over all pages.")


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
    async def account(self, info: Info, id: relay.GlobalID, min_position: int | None = None) -> Account | None:
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
        first: int = 20,
        after: str | None = None,
        filter: AccountFilter | None = None,
        order_by: AccountOrder | None = None,
        min_position: Annotated[
            int | None,
            strawberry.argument(description="Wait until read models include this log position (read-your-writes)."),
        ] = None,
    ) -> AccountConnection:
        await ensure_position(info, min_position)
        order = order_by or AccountOrder()
        try:
            summary_filter = (filter or AccountFilter()).to_summary_filter()
            page = await run_in_threadpool(
                info.context.runtime.accounts.page,
                summary_filter,
                sort=order.field.value,
                descending=order.direction is SortDirection.DESC,
                first=first,
                after=after,
            )
        except InvalidInput as error:
            raise strawberry.exceptions.StrawberryGraphQLError(
                f"{error.field}: {error.message}", extensions={"code": "BAD_USER_INPUT", "field": error.field}
            ) from None
        nodes = [Account.from_row(row) for row in page.rows]
        return AccountConnection(
            edges=[AccountEdge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
            nodes=nodes,
            page_info=relay.PageInfo(
                has_next_page=page.has_next,
                has_previous_page=after is not None,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            total_count=page.total,
        )


# -- mutations -------------------------------------------------------------------------------------


@strawberry.type(description="Common shape of every payload that changes an account or its team.")
class AccountPayload:
    user_errors: list[UserError] = strawberry.field(description="Empty when the command was accepted.")
    position: int | None = strawberry.field(
        description="Event-log position of the write; pass as minPosition to read it back."
    )
    replayed: bool = strawberry.field(description="True when an idempotent retry returned the first result.")
    version: int | None = strawberry.field(description="New version of the changed aggregate.")
    account_id: strawberry.Private[str | None]

    @strawberry.field(description="The account after the write (waits until the read model includes it).")
    async def account(self, info: Info) -> Account | None:
        if self.account_id is None:
            return None
        await ensure_position(info, self.position)
        row = await run_in_threadpool(info.context.runtime.accounts.get, self.account_id)
        return Account.from_row(row) if row else None

    @classmethod
    def from_outcome(cls, outcome: Outcome, account_id: str | None = None) -> AccountPayload:
        result = outcome.result
        return cls(
            user_errors=outcome.user_errors,
            position=result.position if result else None,
            replayed=bool(result and result.replayed),
            version=result.version if result else None,
            account_id=(account_id or str(result.aggregate_id)) if result else None,
        )


@strawberry.input(description="A new customer account; externalRef, if given, must be unique.")
class OpenAccountInput(CommandInput):
    name: str
    segment: enums.Segment
    region: str
    industry: str | None = None
    size: enums.AccountSize | None = None
    external_ref: str | None = strawberry.field(default=None, description="Unique reference in the PAS.")


@strawberry.input(description="Fields to change; omitted fields keep their value.")
class UpdateAccountProfileInput(CommandInput):
    account_id: relay.GlobalID
    name: str | None = None
    segment: enums.Segment | None = None
    region: str | None = None
    industry: str | None = None
    size: enums.AccountSize | None = None


@strawberry.input(description="The whole business context; it replaces the previous one.")
class RecordBusinessContextInput(CommandInput):
    account_id: relay.GlobalID
    strategy: str | None = None
    operating_dynamics: str | None = None
    challenges: list[str] | None = None
    competitors: list[str] | None = None
    buying_process: str | None = None
    buying_behaviour: str | None = None


@strawberry.input(description="A need the account team identified.")
class IdentifyNeedInput(CommandInput):
    account_id: relay.GlobalID
    description: str
    line_of_business: str | None = None
    priority: enums.NeedPriority = values.NeedPriority.MEDIUM


@strawberry.input(description="A contact at the account.")
class AddStakeholderInput(CommandInput):
    account_id: relay.GlobalID
    name: str
    role: enums.StakeholderRole
    title: str | None = None
    email: str | None = None


@strawberry.input(description="The contact to remove (stakeholderId from Account.stakeholders).")
class RemoveStakeholderInput(CommandInput):
    account_id: relay.GlobalID
    stakeholder_id: str


@strawberry.input(description="The account to close; reason is required.")
class CloseAccountInput(CommandInput):
    account_id: relay.GlobalID


async def account_payload(
    info: Info, data: CommandInput, command: Command, account: AccountRef = None
) -> AccountPayload:
    return AccountPayload.from_outcome(await run_command(info, data, command, account))


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Open a new customer account.")
    async def open_account(self, info: Info, input: OpenAccountInput) -> AccountPayload:
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
    async def update_account_profile(self, info: Info, input: UpdateAccountProfileInput) -> AccountPayload:
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
    async def record_business_context(self, info: Info, input: RecordBusinessContextInput) -> AccountPayload:
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
    async def identify_need(self, info: Info, input: IdentifyNeedInput) -> AccountPayload:
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
    async def add_stakeholder(self, info: Info, input: AddStakeholderInput) -> AccountPayload:
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
    async def remove_stakeholder(self, info: Info, input: RemoveStakeholderInput) -> AccountPayload:
        app = info.context.runtime.app
        return await account_payload(
            info,
            input,
            lambda ctx, account: app.remove_stakeholder(ctx, account, input.stakeholder_id),
            input.account_id,
        )

    @strawberry.mutation(description="Close the account (a reason is required); it then accepts no new business.")
    async def close_account(self, info: Info, input: CloseAccountInput) -> AccountPayload:
        app = info.context.runtime.app
        return await account_payload(
            info, input, lambda ctx, account: app.close_account(ctx, account), input.account_id
        )
