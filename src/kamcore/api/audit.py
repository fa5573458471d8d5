"""Audit reads for auditors and admins: history with the audit envelope, time travel and diffs.

Every such read is itself recorded as an event (who looked at what, when).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types.nodes import SelectedField, Selection

from kamcore.api.auth import AUDIT_READERS, require_role
from kamcore.api.context import Info
from kamcore.api.errors import bad_input
from kamcore.api.reads import node_uuid
from kamcore.api.types import Account
from kamcore.application import CommandContext
from kamcore.audit.history import HistoryFilter as HistoryQuery
from kamcore.audit.history import history
from kamcore.audit.timetravel import PointInTime, account_as_of, diff
from kamcore.domain.errors import KamError
from kamcore.domain.personal_data import ERASED
from kamcore.domain.values import Source

T = TypeVar("T")


@strawberry.type(description="One stored event with its complete audit envelope.")
class HistoryEvent:
    position: int = strawberry.field(description="Event-log position (global order).")
    account_id: relay.GlobalID | None = strawberry.field(description="The account it belongs to, if any.")
    aggregate_id: str = strawberry.field(description="Id of the aggregate that recorded it.")
    aggregate_type: str = strawberry.field(description="Aggregate class, e.g. Account, AccountTeam.")
    aggregate_version: int = strawberry.field(description="The aggregate's version after this event.")
    event_type: str = strawberry.field(description="Event name, e.g. Opened, RelationshipManagerAssigned.")
    actor: str = strawberry.field(description="Principal that issued the command.")
    on_behalf_of: str | None = strawberry.field(description="Whom the actor acted for, if anyone.")
    correlation_id: str = strawberry.field(description="Id shared by everything one request caused.")
    causation_id: str = strawberry.field(description="Id of the message that caused this event.")
    reason: str | None = strawberry.field(description="Why, as given with the command.")
    source: str = strawberry.field(description="api, import, cli or system.")
    recorded_at: datetime = strawberry.field(description="When the system learnt it (UTC).")
    effective_date: date | None = strawberry.field(description="Business date, when it differs from recording.")
    business_date: date = strawberry.field(description="The date it happened (effectiveDate, else recording date).")
    data: JSON = strawberry.field(
        description="The event's own fields (money as decimal strings). Contacts' personal fields are stored "
        f'encrypted per contact and shown decrypted; once the contact is erased they read "{ERASED}".'
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> HistoryEvent:
        return cls(
            position=row["position"],
            account_id=relay.GlobalID("Account", row["account_id"]) if row["account_id"] else None,
            aggregate_id=row["aggregate_id"],
            aggregate_type=row["aggregate_type"],
            aggregate_version=row["aggregate_version"],
            event_type=row["event_type"],
            actor=row["actor"],
            on_behalf_of=row["on_behalf_of"],
            correlation_id=row["correlation_id"],
            causation_id=row["causation_id"],
            reason=row["reason"],
            source=row["source"],
            recorded_at=datetime.fromisoformat(row["recorded_at"]),
            effective_date=date.fromisoformat(row["effective_date"]) if row["effective_date"] else None,
            business_date=date.fromisoformat(row["business_date"]),
            data=row["data"],
        )


@strawberry.type(description="A page of history in log order; pass pageInfo.endCursor as `after` to continue.")
class HistoryConnection:
    nodes: list[HistoryEvent] = strawberry.field(description="The events of this page.")
    page_info: relay.PageInfo = strawberry.field(description="Cursors are log positions.")


@strawberry.input(description="Narrows history; all given conditions must hold.")
class HistoryFilter:
    recorded_from: datetime | None = strawberry.field(
        default=None, description="Recorded at or after (UTC); not after recordedTo."
    )
    recorded_to: datetime | None = strawberry.field(default=None, description="Recorded before (UTC).")
    actor: str | None = strawberry.field(default=None, description="Only events issued by this principal.")
    event_types: list[str] | None = strawberry.field(
        default=None, description="Only these, as Aggregate.Event, e.g. SurveyResponse.Recorded."
    )


@strawberry.input(description="A point in time; give any combination (none = now).")
class PointInTimeInput:
    version: int | None = strawberry.field(default=None, description="When the account reached this version.")
    business_date: date | None = strawberry.field(default=None, description="What had happened by this date.")
    known_at: datetime | None = strawberry.field(default=None, description="What had been recorded by then (UTC).")

    def to_point(self) -> PointInTime:
        return PointInTime(self.version, self.business_date, self.known_at)


@strawberry.type(description="A field whose value differs between two points in time.")
class FieldChange:
    field: str = strawberry.field(description="Read-model column (snake_case).")
    before: JSON | None = strawberry.field(description="Value at the first point (null: absent).")
    after: JSON | None = strawberry.field(description="Value at the second point (null: absent).")


async def _audited(info: Info, what: str, subject: str, read: Callable[[], T]) -> T:
    """Check the role (auditor or admin), then record the read and run it side by side, in worker threads.

    The result is returned only once the record has committed, and the record is made whether or not the
    read succeeds (a record that fails fails the request), as when the record came first; only the commit's
    wait for the disk no longer delays the read.
    """
    principal = require_role(info.context.principal, AUDIT_READERS, what)
    context = CommandContext(actor=principal.actor, source=Source.API, correlation_id=info.context.correlation_id)
    record = info.context.runtime.app.record_audit_access
    recorded, result = await asyncio.gather(
        run_in_threadpool(record, context, what=what, subject=subject), run_in_threadpool(read), return_exceptions=True
    )
    for outcome in (recorded, result):
        if isinstance(outcome, BaseException):
            raise outcome
    return result  # type: ignore[return-value]


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="Every event of an account and of what belongs to it (team, feedback, …). "
        "Auditors and admins only; the read is recorded."
    )
    async def account_history(
        self,
        info: Info,
        account_id: Annotated[relay.GlobalID, strawberry.argument(description="The account.")],
        first: Annotated[int, strawberry.argument(description="Page size, 1-500.")] = 100,
        after: Annotated[str | None, strawberry.argument(description="endCursor of the previous page.")] = None,
        filter: Annotated[HistoryFilter | None, strawberry.argument(description="Narrows the events.")] = None,
    ) -> HistoryConnection:
        return await _history_page(info, "accountHistory", first, after, filter, account=account_id)

    @strawberry.field(description="Every event of one aggregate (by its id). Auditors and admins only.")
    async def aggregate_history(
        self,
        info: Info,
        aggregate_id: Annotated[str, strawberry.argument(description="Aggregate id (UUID).")],
        first: Annotated[int, strawberry.argument(description="Page size, 1-500.")] = 100,
        after: Annotated[str | None, strawberry.argument(description="endCursor of the previous page.")] = None,
        filter: Annotated[HistoryFilter | None, strawberry.argument(description="Narrows the events.")] = None,
    ) -> HistoryConnection:
        return await _history_page(info, "aggregateHistory", first, after, filter, aggregate=aggregate_id)

    @strawberry.field(
        description="The account as it stood at a point in time (null: it did not exist yet). Auditors and admins only."
    )
    async def account_as_of(
        self,
        info: Info,
        account_id: Annotated[relay.GlobalID, strawberry.argument(description="The account.")],
        at: Annotated[PointInTimeInput, strawberry.argument(description="Version, business date, known-at.")],
    ) -> Account | None:
        runtime = info.context.runtime
        try:
            account = node_uuid(account_id, "Account", "account_id")
            point = at.to_point()
            row = await _audited(
                info,
                "accountAsOf",
                str(account),
                lambda: account_as_of(runtime.app, runtime.stores["event_history"], account, point),
            )
        except KamError as error:
            raise bad_input(error) from None
        return Account.from_row(row) if row else None

    @strawberry.field(description="What changed in an account between two points in time. Auditors and admins only.")
    async def account_changes(
        self,
        info: Info,
        account_id: Annotated[relay.GlobalID, strawberry.argument(description="The account.")],
        since: Annotated[PointInTimeInput, strawberry.argument(description="The earlier point.")],
        until: Annotated[PointInTimeInput, strawberry.argument(description="The later point.")],
    ) -> list[FieldChange]:
        runtime = info.context.runtime
        store = runtime.stores["event_history"]
        try:
            account = node_uuid(account_id, "Account", "account_id")
            first, second = since.to_point(), until.to_point()
            changes = await _audited(
                info,
                "accountChanges",
                str(account),
                lambda: diff(
                    account_as_of(runtime.app, store, account, first),
                    account_as_of(runtime.app, store, account, second),
                ),
            )
        except KamError as error:
            raise bad_input(error) from None
        return [FieldChange(**c) for c in changes]


def selects(selections: list[Selection], path: tuple[str, ...]) -> bool:
    """Whether the query asks for the field at `path` under these selections, through fragments; directives
    (@skip, @include) are not evaluated, so a field that may be skipped counts as asked for."""
    name, *rest = path
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name and (not rest or selects(selection.selections, tuple(rest))):
                return True
        elif selects(selection.selections, path):  # a fragment spread or an inline fragment
            return True
    return False


async def _history_page(
    info: Info,
    what: str,
    first: int,
    after: str | None,
    flt: HistoryFilter | None,
    account: relay.GlobalID | None = None,
    aggregate: str | None = None,
) -> HistoryConnection:
    runtime = info.context.runtime
    with_data = any(selects(field.selections, ("nodes", "data")) for field in info.selected_fields)
    try:
        account_id = str(node_uuid(account, "Account", "account_id")) if account else None
        try:
            start = int(after) if after else 0
        except ValueError:
            raise bad_input(KamError("is not a cursor this API issued", field="after")) from None
        query = HistoryQuery(
            account_id=account_id,
            aggregate_id=aggregate,
            recorded_from=flt.recorded_from if flt else None,
            recorded_to=flt.recorded_to if flt else None,
            actor=flt.actor if flt else None,
            event_types=tuple(flt.event_types or ()) if flt else (),
        )
        store, keys = runtime.stores["event_history"], runtime.app.subject_keys
        page = await _audited(
            info,
            what,
            account_id or str(aggregate),
            lambda: history(store, query, subject_keys=keys, after=start, first=first, with_data=with_data),
        )
    except KamError as error:
        raise bad_input(error) from None
    nodes = [HistoryEvent.from_row(r) for r in page.events]
    end = str(nodes[-1].position) if nodes else after
    return HistoryConnection(
        nodes=nodes,
        page_info=relay.PageInfo(
            has_next_page=page.has_next,
            has_previous_page=bool(after),
            start_cursor=str(nodes[0].position) if nodes else None,
            end_cursor=end,
        ),
    )
