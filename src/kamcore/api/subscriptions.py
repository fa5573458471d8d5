"""Subscriptions over graphql-transport-ws: account events, each with its log position for resuming."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import relay
from strawberry.scalars import JSON

from kamcore.api.auth import IsAuthenticated
from kamcore.api.context import Info
from kamcore.api.errors import bad_input
from kamcore.api.kpis import KpiGrain, PeriodInput, kpi_view, may_read
from kamcore.api.live import LiveEvent
from kamcore.api.reads import node_uuid
from kamcore.application.revealing import event_subjects, reveal_event
from kamcore.domain.errors import KamError
from kamcore.domain.events import event_data
from kamcore.domain.personal_data import ERASED
from kamcore.domain.values import today
from kamcore.projections.kpi_view import Period


@strawberry.type(description="One stored event of an account, with the audit envelope and its log position.")
class AccountEvent:
    position: int = strawberry.field(description="Event-log position; resubscribe with after: position to resume.")
    type: str = strawberry.field(description="Aggregate and event name, e.g. Account.Opened.")
    account_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the account the event belongs to; null if it belongs to none."
    )
    aggregate_id: str = strawberry.field(
        description="UUID of the aggregate that recorded the event (account, team or feedback item)."
    )
    aggregate_version: int = strawberry.field(description="Version of that aggregate after this event.")
    recorded_at: datetime = strawberry.field(description="When the system recorded the event (UTC).")
    effective_date: date | None = strawberry.field(
        description="Business date it happened, if it differs from the recording date; null = same day."
    )
    actor: str = strawberry.field(description="Who issued the command, e.g. token:<token id> for API calls.")
    reason: str | None = strawberry.field(description="Why, as given with the command; null if none.")
    correlation_id: str = strawberry.field(
        description="Correlation id of the request that issued the command (its X-Correlation-Id header, or generated)."
    )
    data: JSON = strawberry.field(
        description="The event's own fields (money as decimal strings). Contacts' personal fields are shown "
        f'decrypted; once the contact is erased they read "{ERASED}".'
    )

    @classmethod
    def from_live(cls, item: LiveEvent, data: dict[str, Any]) -> AccountEvent:
        event: Any = item.event
        env = event.envelope
        return cls(
            position=item.position,
            type=type(event).__qualname__,
            account_id=relay.GlobalID("Account", str(item.account_id)) if item.account_id else None,
            aggregate_id=str(event.originator_id),
            aggregate_version=event.originator_version,
            recorded_at=env.recorded_at,
            effective_date=env.effective_date,
            actor=env.actor,
            reason=env.reason,
            correlation_id=env.correlation_id,
            data=data,
        )


@strawberry.type(description="Live events of accounts.")
class AccountEventSubscription:
    @strawberry.subscription(
        description="Events of one account (or of all accounts), stored ones after `after` first, then live ones.",
        permission_classes=[IsAuthenticated],
    )
    async def account_events(
        self,
        info: Info,
        account_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Global id of the account to follow; null = events of all accounts."),
        ] = None,
        after: Annotated[
            int | None,
            strawberry.argument(
                description="Event-log position to resume after (exclusive): stored events after it come first; "
                "null = live events only."
            ),
        ] = None,
    ) -> AsyncGenerator[AccountEvent, None]:
        try:
            account = node_uuid(account_id, "Account", "account_id") if account_id else None
        except KamError as error:
            raise strawberry.exceptions.StrawberryGraphQLError(
                error.message, extensions={"code": "BAD_USER_INPUT"}
            ) from None
        if after is not None and after < 0:
            raise strawberry.exceptions.StrawberryGraphQLError(
                "after must be a log position (>= 0)", extensions={"code": "BAD_USER_INPUT"}
            )
        app = info.context.runtime.app
        async for item in info.context.request.app.state.hub.subscribe(account, after):
            event_type, data = type(item.event).__qualname__, event_data(item.event)
            subjects = event_subjects(event_type, data)
            keys = await run_in_threadpool(app.subject_keys, subjects) if subjects else {}
            yield AccountEvent.from_live(item, reveal_event(event_type, data, keys))


@strawberry.type(description="An account whose key-account status or tier changed.")
class RankingChange:
    position: int = strawberry.field(description="Event-log position the new ranking includes.")
    account_id: relay.GlobalID = strawberry.field(description="The account.")
    name: str = strawberry.field(description="Account name.")
    was_key: bool = strawberry.field(description="Key account before.")
    key: bool = strawberry.field(description="Key account now.")
    previous_tier: str | None = strawberry.field(description="Tier before.")
    tier: str | None = strawberry.field(description="Tier now.")
    score: Decimal = strawberry.field(description="Score now (0-100).")


DEBOUNCE_SECONDS = 1.0
T = TypeVar("T")


async def recomputed(hub: Any, snapshot: Callable[[], tuple[int, T]]) -> AsyncGenerator[tuple[int, T, T], None]:
    """(position, before, after) each time new events arrive, recomputed at most once a second.

    The first snapshot's position is where the event stream starts, so no write slips through.
    """
    seen, before = await run_in_threadpool(snapshot)
    async for _event in hub.subscribe(None, seen):
        await asyncio.sleep(DEBOUNCE_SECONDS)  # let a burst of writes land before recomputing
        position, after = await run_in_threadpool(snapshot)
        yield position, before, after
        before = after


@strawberry.type(description="Live updates of the key-account ranking.")
class RankingSubscription:
    @strawberry.subscription(
        description="Key-account and tier changes as new events arrive (today's ranking, recomputed at most once "
        "a second).",
        permission_classes=[IsAuthenticated],
    )
    async def ranking_changes(self, info: Info) -> AsyncGenerator[RankingChange, None]:
        runtime = info.context.runtime

        def snapshot() -> tuple[int, dict[str, Any]]:
            position = runtime.app.head_position()
            runtime.wait_for(position, timeout=5)
            ranking = runtime.rankings.ranking(today())
            return position, ranking.by_account

        async for position, before, after in recomputed(info.context.request.app.state.hub, snapshot):
            for account_id, now in after.items():
                then = before.get(account_id)
                if then is None or (then.key, then.tier) != (now.key, now.tier):
                    yield RankingChange(
                        position=position,
                        account_id=relay.GlobalID("Account", account_id),
                        name=now.account.name,
                        was_key=bool(then and then.key),
                        key=now.key,
                        previous_tier=then.tier if then else None,
                        tier=now.tier,
                        score=now.score,
                    )


@strawberry.type(description="A relationship manager's KPI whose value changed.")
class KpiUpdate:
    position: int = strawberry.field(description="Event-log position the new value includes.")
    relationship_manager_id: str = strawberry.field(description="The relationship manager.")
    period: str = strawberry.field(description="The period, e.g. 2026-Q4.")
    kpi_id: str = strawberry.field(description="The KPI's id in projections/kpis.toml.")
    name: str = strawberry.field(description="The KPI's name.")
    value: float | None = strawberry.field(description="The new value (null: no data, or a zero denominator).")
    previous_value: float | None = strawberry.field(description="The value before these events.")
    numerator: float | None = strawberry.field(description="Numerator of a ratio (or the total).")
    denominator: float | None = strawberry.field(description="Denominator of a ratio (null for totals).")


@strawberry.type(description="Live updates of a relationship manager's KPIs.")
class KpiSubscription:
    @strawberry.subscription(
        description="A relationship manager's KPIs for a period (default: the current quarter) whenever new events "
        "change them, recomputed at most once a second (relationship managers: their own only).",
        permission_classes=[IsAuthenticated],
    )
    async def kpi_updates(
        self,
        info: Info,
        relationship_manager_id: Annotated[str, strawberry.argument(description="Employee id of the RM.")],
        period: Annotated[
            PeriodInput | None, strawberry.argument(description="The period; null = the current quarter.")
        ] = None,
    ) -> AsyncGenerator[KpiUpdate, None]:
        may_read(info, KpiGrain.RELATIONSHIP_MANAGER, relationship_manager_id)
        try:
            chosen = period.to_period() if period else Period.containing("quarter", today())
        except KamError as error:
            raise bad_input(error) from None
        runtime, view = info.context.runtime, kpi_view(info)

        def snapshot() -> tuple[int, dict[str, Any]]:
            position = runtime.app.head_position()
            runtime.wait_for(position, timeout=5)
            return position, {r.kpi.id: r for r in view.scorecard("rm", relationship_manager_id, chosen)}

        async for position, before, after in recomputed(info.context.request.app.state.hub, snapshot):
            for kpi_id, now in after.items():
                then = before.get(kpi_id)
                if then is None or (then.value, then.numerator, then.denominator) != (
                    now.value,
                    now.numerator,
                    now.denominator,
                ):
                    yield KpiUpdate(
                        position=position,
                        relationship_manager_id=relationship_manager_id,
                        period=chosen.label,
                        kpi_id=kpi_id,
                        name=now.kpi.name,
                        value=now.value,
                        previous_value=then.value if then else None,
                        numerator=now.numerator,
                        denominator=now.denominator,
                    )
