"""Read-your-writes and id parsing shared by queries and mutation payloads.

Read-your-writes holds per operation: before a query runs, it waits once for the greatest position it was
asked for (the `X-Min-Position` header or any `minPosition` argument in the operation), so every field of
the query, with or without the argument, reads read models that include that position.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any
from uuid import UUID

import strawberry
from graphql import ExecutionResult, FragmentDefinitionNode, GraphQLError, SelectionSetNode, value_from_ast_untyped
from starlette.concurrency import run_in_threadpool
from strawberry import relay
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from kamcore.api.context import Context, Info
from kamcore.api.errors import request_error
from kamcore.api.limits import fields_of, selected_operation
from kamcore.domain.errors import NotFound

READ_YOUR_WRITES_TIMEOUT = 5.0
MIN_POSITION_HEADER = "X-Min-Position"
MIN_POSITION_ARGUMENT = "minPosition"
PER_OPERATION = (
    " The greatest minPosition in a query, or its X-Min-Position HTTP header, applies to every field of the query."
)

MinPosition = Annotated[
    int | None,
    strawberry.argument(
        description="Wait until read models include this event-log position (read-your-writes); pass a payload's "
        "position. Without it a ranking may be served from a few events back while a newer one is computed."
        + PER_OPERATION
    ),
]


async def ensure_position(info: Info, position: int | None) -> int:
    """Wait until every read model includes `position`; returns the position this operation reads at least."""
    return await reach_position(info.context, position)


async def reach_position(context: Context, position: int | None) -> int:
    """A position already reached in this operation costs no second wait."""
    floor = context.read_position
    if position is None or position <= floor:
        return floor
    reached = await run_in_threadpool(context.runtime.wait_for, position, READ_YOUR_WRITES_TIMEOUT)
    if not reached:
        raise request_error(
            f"read models have not reached position {position} yet; retry shortly", "PROJECTION_TIMEOUT"
        )
    context.read_position = max(context.read_position, position)
    return context.read_position


def _arguments(
    name: str, selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]
) -> Iterator[Any]:
    """Values of every argument called `name` anywhere in a selection set, variables filled in."""
    for field in fields_of(selection_set, fragments):
        for argument in field.arguments or ():
            if argument.name.value == name:
                yield value_from_ast_untyped(argument.value, variables)
        if field.selection_set is not None:
            yield from _arguments(name, field.selection_set, fragments, variables)


def header_position(context: Context) -> int:
    """The `X-Min-Position` header as a position (0 without one); BAD_USER_INPUT unless a whole number ≥ 0."""
    raw = context.request.headers.get(MIN_POSITION_HEADER)
    value = (raw or "").strip()
    if not value:
        return 0
    if not (value.isascii() and value.isdigit()):
        raise GraphQLError(
            f"{MIN_POSITION_HEADER}: must be a whole number (an event-log position)",
            extensions={"code": "BAD_USER_INPUT", "field": MIN_POSITION_HEADER},
        )
    return int(value)


class RequestPosition(SchemaExtension):
    """Waits once, before a query runs, for the greatest position the query asks for anywhere."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if isinstance(context, Context):
            context.read_position = 0  # per operation: a WebSocket connection shares one context
            selected = selected_operation(execution)
            if execution.result is None and selected and execution.operation_type is OperationType.QUERY:
                operation, fragments = selected
                asked = _arguments(MIN_POSITION_ARGUMENT, operation.selection_set, fragments, execution.variables or {})
                try:
                    wanted = max([header_position(context), *(p for p in asked if type(p) is int)])
                    await reach_position(context, wanted)
                except GraphQLError as error:
                    execution.result = ExecutionResult(data=None, errors=[error])
        yield


def node_uuid(global_id: relay.GlobalID, type_name: str, field: str) -> UUID:
    """The UUID inside a global id of the given type, else `NotFound` naming the input field."""
    if global_id.type_name != type_name:
        raise NotFound(f"{global_id} is not a {type_name} id", field=field)
    try:
        return UUID(global_id.node_id)
    except ValueError:
        raise NotFound(f"no {type_name} with id {global_id}", field=field) from None
