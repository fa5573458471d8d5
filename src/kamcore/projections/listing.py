"""Reads every list shares: rows by id (the DataLoader contract), keyset pages, and bounded lists per parent.

Column and table names come from code (`Listing`, sort names mapped to columns); every value a caller
passes travels as a bound parameter, so no filter or cursor can change the SQL text.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kamcore.domain.errors import InvalidInput
from kamcore.projections.store import ReadModelStore

MAX_PAGE = 100
MAX_SEARCH = 200

Bound = date | int | None


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    cursors: list[str]
    has_next: bool
    total: int
    extra: dict[str, Any] = field(default_factory=dict)


def encode_cursor(sort: str, value: Any, key: str) -> str:
    raw = json.dumps([sort, value, key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise InvalidInput("is not a cursor this API issued", field="after") from None
    if cursor_sort != sort or not isinstance(key, str):
        raise InvalidInput("belongs to a different ordering; restart paging", field="after")
    return value, key


def check_page_size(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"must be between 1 and {MAX_PAGE}", field="first")


class Where:
    """Conditions joined by AND; each method adds nothing when its value is absent."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def equals(self, column: str, value: Any) -> Where:
        if value is not None:
            self.clauses.append(f"{column} = ?")
            self.params.append(value)
        return self

    def any_of(self, column: str, values: Iterable[Any] | None) -> Where:
        chosen = list(dict.fromkeys(values or ()))
        if chosen:
            self.clauses.append(f"{column} IN ({', '.join('?' for _ in chosen)})")
            self.params += chosen
        return self

    def between(self, column: str, low: Bound, high: Bound, *, field: str | None = None) -> Where:
        """`low <= column <= high` on an ISO date (or number) column, either bound optional.

        With `field`, a range whose low end lies after its high end is refused naming that field, rather than
        read as an empty list that looks like "nothing happened".
        """
        if field and low is not None and high is not None and low > high:
            raise InvalidInput("the low end of the range lies after its high end", field=field)
        if low is not None:
            self.clauses.append(f"{column} >= ?")
            self.params.append(low.isoformat() if isinstance(low, date) else low)
        if high is not None:
            self.clauses.append(f"{column} <= ?")
            self.params.append(high.isoformat() if isinstance(high, date) else high)
        return self

    def is_null(self, column: str, null: bool | None) -> Where:
        if null is not None:
            self.clauses.append(f"{column} IS {'' if null else 'NOT '}NULL")
        return self

    def contains(self, column: str, text: str | None) -> Where:
        """Case-insensitive substring match, with LIKE's wildcards escaped."""
        if text and len(text) > MAX_SEARCH:
            raise InvalidInput(f"must be at most {MAX_SEARCH} characters", field=f"{column}_contains")
        if text and any(ord(ch) < 32 for ch in text):
            self.clauses.append("1 = 0")  # names never hold control characters (and SQLite would cut at NUL)
        elif text:
            escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            self.clauses.append(f"LOWER({column}) LIKE ? ESCAPE '\\'")
            self.params.append(f"%{escaped}%")
        return self

    def sql(self, clause: str, *params: Any) -> Where:
        """A fixed clause written in code, with its parameters."""
        self.clauses.append(clause)
        self.params += params
        return self

    def text(self) -> str:
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""


@dataclass(frozen=True)
class Listing:
    """One read-model table as lists read it: its columns, unique key and the sort keys offered."""

    table: str
    columns: tuple[str, ...]
    key: str
    sorts: Mapping[str, str]
    store: ReadModelStore
    source: str | None = None  # a derived table, e.g. "(SELECT ... GROUP BY ...) teams"; default: the table

    @property
    def origin(self) -> str:
        return self.source or f"{{t}}{self.table}"

    @property
    def select(self) -> str:
        return f"SELECT {', '.join(self.columns)} FROM {self.origin}"  # noqa: S608

    def get_many(self, keys: Sequence[str]) -> list[dict[str, Any] | None]:
        """Rows in the order asked, None where unknown (the DataLoader contract)."""
        if not keys:
            return []
        marks = ", ".join("?" for _ in keys)
        with self.store.reading() as sql:
            rows = sql.execute(f"{self.select} WHERE {self.key} IN ({marks})", list(keys)).fetchall()
        found = {row[self.key]: dict(row) for row in rows}
        return [found.get(key) for key in keys]

    def page(
        self, where: Where, *, sort: str, descending: bool = False, first: int = 20, after: str | None = None
    ) -> Page:
        """A keyset page: stable under inserts, one COUNT and one indexed range read."""
        check_page_size(first)
        column = self.sorts[sort]
        op, direction = ("<", "DESC") if descending else (">", "ASC")
        with self.store.reading() as sql:
            count = f"SELECT COUNT(*) AS n FROM {self.origin}{where.text()}"  # noqa: S608
            total = sql.execute(count, where.params).fetchone()["n"]
            clauses, params = list(where.clauses), list(where.params)
            if after:
                value, key = decode_cursor(after, sort)
                clauses.append(f"({column} {op} ? OR ({column} = ? AND {self.key} {op} ?))")
                params += [value, value, key]
            page_where = " WHERE " + " AND ".join(clauses) if clauses else ""
            rows = sql.execute(
                f"{self.select}{page_where} ORDER BY {column} {direction}, {self.key} {direction} LIMIT ?",
                [*params, first + 1],
            ).fetchall()
        rows = [dict(r) for r in rows]
        has_next = len(rows) > first
        rows = rows[:first]
        return Page(rows, [encode_cursor(sort, r[column], r[self.key]) for r in rows], has_next, total)

    def by_parent(
        self, parent: str, parents: Sequence[str], where: Where, *, sort: str, descending: bool, limit: int
    ) -> dict[str, list[dict[str, Any]]]:
        """The first `limit` rows of each parent (e.g. each account's newest policies), in one query."""
        if not parents:
            return {}
        column = self.sorts[sort]
        direction = "DESC" if descending else "ASC"
        marks = ", ".join("?" for _ in parents)
        clauses = [f"{parent} IN ({marks})", *where.clauses]
        ranked = (
            f"SELECT {', '.join(self.columns)}, ROW_NUMBER() OVER (PARTITION BY {parent}"  # noqa: S608
            f" ORDER BY {column} {direction}, {self.key} {direction}) AS place"
            f" FROM {self.origin} WHERE {' AND '.join(clauses)}"
        )
        with self.store.reading() as sql:
            rows = sql.execute(
                f"SELECT * FROM ({ranked}) ranked WHERE place <= ? ORDER BY place",  # noqa: S608
                [*parents, *where.params, limit],
            ).fetchall()
        out: dict[str, list[dict[str, Any]]] = {p: [] for p in parents}
        for row in rows:
            out[row[parent]].append({c: row[c] for c in self.columns})
        return out
