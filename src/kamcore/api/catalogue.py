"""The product catalogue as a read type, its list, and `node` resolution by product code."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.auth import IsAuthenticated
from kamcore.api.connections import After, Connection, First, MinPosition, SortDirection, paged
from kamcore.api.context import Info
from kamcore.api.read_values import day, load_nodes, load_one, moment, values_of
from kamcore.api.reads import ensure_position
from kamcore.domain import values
from kamcore.projections.product_catalogue import ProductFilter


@strawberry.type(description="A catalogue entry that quotes, policies and recommendations name by its code.")
class Product(relay.Node):
    product_key: relay.NodeID[str]
    code: str = strawberry.field(description="The product code (unique).")
    name: str = strawberry.field(description="Name of the product.")
    line_of_business: str = strawberry.field(description="Line of business (fixed at launch).")
    target_segments: list[enums.Segment] = strawberry.field(description="Customer segments the product is for.")
    needs_covered: list[str] = strawberry.field(description="Customer needs the product covers.")
    on_sale: bool = strawberry.field(description="False once withdrawn: sold to no one new.")
    launched_on: date = strawberry.field(description="Business date of the launch.")
    withdrawn_on: date | None = strawberry.field(description="Business date of the withdrawal; null while on sale.")
    version: int = strawberry.field(description="Product aggregate version, for expectedVersion.")
    updated_at: datetime = strawberry.field(description="When the entry last changed (recording time, UTC).")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Product:
        return cls(
            product_key=row["code"],
            code=row["code"],
            name=row["name"],
            line_of_business=row["line_of_business"],
            target_segments=[values.Segment(s) for s in json.loads(row["target_segments"])],
            needs_covered=list(json.loads(row["needs_covered"])),
            on_sale=bool(row["on_sale"]),
            launched_on=date.fromisoformat(row["launched_on"]),
            withdrawn_on=day(row["withdrawn_on"]),
            version=row["version"],
            updated_at=moment(row["updated_at"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Product | None]:
        return await load_nodes(info.context.loaders.product, node_ids, cls.from_row)


@strawberry.input(description="Narrows the products list; all given conditions must hold.")
class ProductFilterInput:
    line_of_business: list[str] | None = strawberry.field(default=None, description="Any of these lines (exact).")
    segment: list[enums.Segment] | None = strawberry.field(
        default=None, description="Products targeting every one of these segments."
    )
    on_sale: bool | None = strawberry.field(default=None, description="True: on sale only; false: withdrawn only.")
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the name (at most 200 characters)."
    )

    def to_filter(self) -> ProductFilter:
        return ProductFilter(
            lines_of_business=tuple(self.line_of_business or ()),
            segments=values_of(self.segment),
            on_sale=self.on_sale,
            name_contains=self.name_contains,
        )


@strawberry.enum(description="Sort key of the products list.")
class ProductSortField(Enum):
    CODE = strawberry.enum_value("code", description="By product code.")
    NAME = strawberry.enum_value("name", description="By name.")
    LAUNCHED_ON = strawberry.enum_value("launched_on", description="By launch date.")


@strawberry.input(description="Order of the products list; ties are broken by code.")
class ProductOrder:
    field: ProductSortField = strawberry.field(default=ProductSortField.CODE, description="Sort key; CODE by default.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="ASC by default.")


@strawberry.type
class CatalogueQueries:
    @strawberry.field(description="One product by its code (null if unknown).", permission_classes=[IsAuthenticated])
    async def product(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="The product code.")],
        min_position: MinPosition = None,
    ) -> Product | None:
        await ensure_position(info, min_position)
        return await load_one(
            info.context.loaders.product, relay.GlobalID("Product", code), "Product", Product.from_row
        )

    @strawberry.field(
        description="The product catalogue, keyset-paged (first at most 100), filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def products(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            ProductFilterInput | None, strawberry.argument(description="Conditions the products must meet; null = all.")
        ] = None,
        order_by: Annotated[ProductOrder | None, strawberry.argument(description="Sort order; null = by code.")] = None,
        min_position: MinPosition = None,
    ) -> Connection[Product]:
        order = order_by or ProductOrder()
        return await paged(
            info,
            info.context.runtime.products.listing,
            lambda: (filter or ProductFilterInput()).to_filter().where(),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=Product.from_row,
        )
