"""Read-your-writes and id parsing shared by queries and mutation payloads."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import relay

from kamcore.api.context import Info
from kamcore.api.errors import request_error
from kamcore.domain.errors import NotFound

READ_YOUR_WRITES_TIMEOUT = 5.0

MinPosition = Annotated[
    int | None,
    strawberry.argument(
        description="Wait until read models include this event-log position (read-your-writes); pass a payload's "
        "position. Without it a ranking may be served from a few events back while a newer one is computed."
    ),
]


async def ensure_position(info: Info, position: int | None) -> None:
    """Wait until every read model includes `position` (a mutation's payload `position`)."""
    if position is None or position <= 0:
        return
    reached = await run_in_threadpool(info.context.runtime.wait_for, position, READ_YOUR_WRITES_TIMEOUT)
    if not reached:
        raise request_error(
            f"read models have not reached position {position} yet; retry shortly", "PROJECTION_TIMEOUT"
        )


def node_uuid(global_id: relay.GlobalID, type_name: str, field: str) -> UUID:
    """The UUID inside a global id of the given type, else `NotFound` naming the input field."""
    if global_id.type_name != type_name:
        raise NotFound(f"{global_id} is not a {type_name} id", field=field)
    try:
        return UUID(global_id.node_id)
    except ValueError:
        raise NotFound(f"no {type_name} with id {global_id}", field=field) from None
