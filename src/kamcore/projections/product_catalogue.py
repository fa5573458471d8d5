"""Product catalogue: one row per product code with its line, target segments, needs covered and whether on sale."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from kamcore.application.suggestions import CatalogueProduct
from kamcore.domain.product import Product
from kamcore.projections.listing import Listing, Where
from kamcore.projections.projection import Projection, SqlCursor, handles
from kamcore.projections.rows import Table
from kamcore.projections.store import ReadModelStore

COLUMNS = (
    "code",
    "name",
    "line_of_business",
    "target_segments",
    "needs_covered",
    "on_sale",
    "launched_on",
    "withdrawn_on",
    "version",
    "updated_at",
)
PRODUCTS = Table("product_catalogue", ("code",), COLUMNS)


def _json_list(items: Any) -> str:
    return json.dumps([i.value if isinstance(i, Enum) else i for i in items], separators=(",", ":"))


class ProductCatalogueProjection(Projection):
    name = "product_catalogue"
    tables = ("product_catalogue",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}product_catalogue ("
        " code TEXT PRIMARY KEY, name TEXT NOT NULL, line_of_business TEXT NOT NULL,"
        " target_segments TEXT NOT NULL, needs_covered TEXT NOT NULL, on_sale INTEGER NOT NULL,"
        " launched_on TEXT NOT NULL, withdrawn_on TEXT, version INTEGER NOT NULL, updated_at TEXT NOT NULL)",
    )

    @handles(Product.Launched)
    def launched(self, sql: SqlCursor, e: Product.Launched) -> None:
        sql.rows.put(
            PRODUCTS,
            {
                "code": e.code,
                "name": e.name,
                "line_of_business": e.line_of_business,
                "target_segments": _json_list(e.target_segments),
                "needs_covered": _json_list(e.needs_covered),
                "on_sale": 1,
                "launched_on": e.launched_on.isoformat(),
                "withdrawn_on": None,
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )

    @handles(Product.Revised)
    def revised(self, sql: SqlCursor, e: Product.Revised) -> None:
        self._change(
            sql,
            e,
            name=e.name,
            target_segments=_json_list(e.target_segments),
            needs_covered=_json_list(e.needs_covered),
        )

    @handles(Product.Withdrawn)
    def withdrawn(self, sql: SqlCursor, e: Product.Withdrawn) -> None:
        self._change(sql, e, on_sale=0, withdrawn_on=e.withdrawn_on.isoformat())

    @staticmethod
    def _change(sql: SqlCursor, e: Any, **changes: Any) -> None:
        row = sql.rows.get(PRODUCTS, e.code)
        if row is not None:
            sql.rows.put(
                PRODUCTS, {**row, **changes, "version": e.originator_version, "updated_at": e.timestamp.isoformat()}
            )


def product_from_row(row: dict[str, Any]) -> CatalogueProduct:
    return CatalogueProduct(
        code=row["code"],
        name=row["name"],
        line_of_business=row["line_of_business"],
        target_segments=tuple(json.loads(row["target_segments"])),
        needs_covered=tuple(json.loads(row["needs_covered"])),
        on_sale=bool(row["on_sale"]),
    )


@dataclass(frozen=True)
class ProductFilter:
    lines_of_business: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    on_sale: bool | None = None
    name_contains: str | None = None

    def where(self) -> Where:
        where = Where().any_of("line_of_business", self.lines_of_business).contains("name", self.name_contains)
        if self.on_sale is not None:
            where.equals("on_sale", int(self.on_sale))
        for segment in self.segments:  # segment values are enum members, quoted as the JSON list stores them
            where.sql("target_segments LIKE ?", f'%"{segment}"%')
        return where


class ProductCatalogueView:
    """Read side of the catalogue: whole (for the suggestion rules), by code and in pages (for the API)."""

    def __init__(self, store: ReadModelStore) -> None:
        self.store = store
        self.listing = Listing(
            "product_catalogue", COLUMNS, "code", {"code": "code", "name": "name", "launched_on": "launched_on"}, store
        )

    def products(self) -> list[CatalogueProduct]:
        with self.store.reading() as sql:
            rows = sql.execute(f"SELECT {', '.join(COLUMNS)} FROM {{t}}product_catalogue ORDER BY code").fetchall()  # noqa: S608
        return [product_from_row(dict(r)) for r in rows]
