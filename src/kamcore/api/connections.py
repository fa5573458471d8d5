"""What every list query shares: the keyset connection types, paging arguments and read-your-writes.

A list query passes a `Listing`, its `Where` and the chosen order; this module validates the page
size and cursor (BAD_USER_INPUT naming the argument), waits for `minPosition` and builds the edges.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, Generic, Protocol, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import relay

from kamcore.api.context import Info
from kamcore.api.errors import bad_input
from kamcore.api.reads import PER_OPERATION, ensure_position
from kamcore.domain.errors import InvalidInput, KamError
from kamcore.projections.listing import Listing, Page, Where

T = TypeVar("T")


@strawberry.enum(description="Ascending or descending.")
class SortDirection(Enum):
    ASC = strawberry.enum_value("asc", description="Smallest first (A-Z, oldest first).")
    DESC = strawberry.enum_value("desc", description="Largest first (Z-A, newest first).")


@strawberry.type(description="An item in a page of a list, with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque cursor of this item; pass as after: to continue after it.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A keyset-paged list: stable when items are added while a client pages through it.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page with their cursors.")
    nodes: list[T] = strawberry.field(description="The items of this page, without cursors.")
    page_info: relay.PageInfo = strawberry.field(description="Cursors and whether more pages follow.")
    total_count: int = strawberry.field(description="Items matching the filter, over all pages.")


First = Annotated[int, strawberry.argument(description="Page size, 1-100.")]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Cursor (endCursor or an edge's cursor) to continue after, from the same orderBy; "
        "null = first page."
    ),
]
MinPosition = Annotated[
    int | None,
    strawberry.argument(
        description="Wait until read models include this event-log position (read-your-writes); "
        "pass a payload's position." + PER_OPERATION
    ),
]
Limit = Annotated[int, strawberry.argument(description="At most this many, 1-100.")]


def connection(page: Page, after: str | None, convert: Callable[[dict[str, Any]], T]) -> Connection[T]:
    nodes = [convert(row) for row in page.rows]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=relay.PageInfo(
            has_next_page=page.has_next,
            has_previous_page=after is not None,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        total_count=page.total,
    )


async def paged(
    info: Info,
    listing: Listing,
    where: Callable[[], Where],
    *,
    sort: str,
    direction: SortDirection,
    first: int,
    after: str | None,
    min_position: int | None,
    convert: Callable[[dict[str, Any]], T],
) -> Connection[T]:
    """One page of `listing`; a bad page size, cursor or filter is BAD_USER_INPUT (NOT_FOUND for a foreign id)."""
    await ensure_position(info, min_position)
    try:
        page = await run_in_threadpool(
            lambda: listing.page(
                where(), sort=sort, descending=direction is SortDirection.DESC, first=first, after=after
            )
        )
    except KamError as error:
        raise bad_input(error) from None
    return connection(page, after, convert)


class Filtering(Protocol):
    """A filter input: turns itself into the read model's filter (which says its `Where`)."""

    def to_filter(self) -> Any: ...


class Ordering(Protocol):
    """An order input: a sort-field enum whose values are the listing's sort names, and a direction."""

    @property
    def field(self) -> Enum: ...

    @property
    def direction(self) -> SortDirection: ...


async def listed(
    info: Info,
    listing: Listing,
    filter: Filtering,
    order: Ordering,
    *,
    first: int,
    after: str | None,
    min_position: int | None,
    convert: Callable[[dict[str, Any]], T],
) -> Connection[T]:
    """`paged` for a list query whose arguments are a filter input and an order input."""
    return await paged(
        info,
        listing,
        lambda: filter.to_filter().where(),
        sort=order.field.value,
        direction=order.direction,
        first=first,
        after=after,
        min_position=min_position,
        convert=convert,
    )


def check_limit(limit: int, field: str = "first") -> None:
    if not 1 <= limit <= 100:
        raise bad_input(InvalidInput("must be between 1 and 100", field=field))


async def rows_of(
    info: Info,
    field: str,
    listing: Listing,
    parent: str,
    parent_id: str,
    where: Where,
    *,
    sort: str,
    descending: bool,
    first: int,
) -> list[dict[str, Any]]:
    """The first rows of one parent (an account's policies, an RM's records) for a bounded list field.

    Every parent on the page asks the same loader, so the page costs one query per field and arguments.
    """
    check_limit(first)
    arguments = (field, tuple(where.clauses), tuple(where.params), sort, descending, first)
    loader = info.context.loaders.children(
        arguments,
        lambda parents: listing.by_parent(parent, parents, where, sort=sort, descending=descending, limit=first),
    )
    return await loader.load(parent_id)
