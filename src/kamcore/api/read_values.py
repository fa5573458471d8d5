"""Values read types share: Money, dates and ids from read-model rows, and node resolution through a loader."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.dataloader import DataLoader

from kamcore.api.reads import node_uuid

T = TypeVar("T")


@strawberry.type(name="Money", description="An amount of money: an exact decimal in an ISO 4217 currency.")
class MoneyAmount:
    amount: Decimal = strawberry.field(description='Exact decimal amount as a string, e.g. "1250.00".')
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. EUR.")

    @classmethod
    def of(cls, amount: str | None, currency: str) -> MoneyAmount | None:
        return cls(amount=Decimal(amount), currency=currency) if amount is not None else None


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def global_id(type_name: str, value: str | None) -> relay.GlobalID | None:
    return relay.GlobalID(type_name, value) if value else None


def uuids(ids: Iterable[relay.GlobalID] | None, type_name: str, field: str) -> tuple[str, ...]:
    """The ids inside global ids of one type (a filter); NotFound naming the filter field otherwise."""
    return tuple(str(node_uuid(i, type_name, field)) for i in ids or ())


def values_of(items: Iterable[Any] | None) -> tuple[str, ...]:
    """Enum members as the values the read models store."""
    return tuple(item.value for item in items or ())


async def load_nodes(
    loader: DataLoader[str, dict[str, Any] | None], ids: Iterable[str], convert: Callable[[dict[str, Any]], T]
) -> list[T | None]:
    rows = await loader.load_many(list(ids))
    return [convert(row) if row else None for row in rows]


async def load_one(
    loader: DataLoader[str, dict[str, Any] | None],
    node: relay.GlobalID,
    type_name: str,
    convert: Callable[[dict[str, Any]], T],
) -> T | None:
    """The node a global id names, if it is of `type_name` (null otherwise, like `account`)."""
    if node.type_name != type_name:
        return None
    row = await loader.load(node.node_id)
    return convert(row) if row else None
