"""Subscriptions over graphql-transport-ws: account events, each with its log position for resuming."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from kamcore.api.auth import IsAuthenticated
from kamcore.api.context import Info
from kamcore.api.live import LiveEvent
from kamcore.api.reads import node_uuid
from kamcore.domain.errors import KamError
from kamcore.domain.events import event_data


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
    data: JSON = strawberry.field(description="The event's own fields (money as decimal strings).")

    @classmethod
    def from_live(cls, item: LiveEvent) -> AccountEvent:
        event: Any = item.event
        env = event.envelope
        data = event_data(event)
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


@strawberry.type(description="Live updates.")
class Subscription:
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
        async for item in info.context.request.app.state.hub.subscribe(account, after):
            yield AccountEvent.from_live(item)
