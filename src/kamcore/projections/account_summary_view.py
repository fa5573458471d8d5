"""Queries over the account summary: by id, in bulk (for DataLoaders), and keyset-paged lists."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kamcore.domain.errors import InvalidInput
from kamcore.projections.account_summary import COLUMNS
from kamcore.projections.store import ReadModelStore

SORT_COLUMNS = {"name": "name", "opened_at": "opened_at"}
MAX_PAGE = 100


@dataclass(frozen=True)
class AccountFilter:
    segments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    status: str | None = None
    lead_rm_id: str | None = None
    name_contains: str | None = None


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    cursors: list[str]
    has_next: bool
    total: int
    extra: dict[str, Any] = field(default_factory=dict)


def encode_cursor(sort: str, value: Any, account_id: str) -> str:
    raw = json.dumps([sort, value, account_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, account_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise InvalidInput("is not a cursor this API issued", field="after") from None
    if cursor_sort != sort or not isinstance(account_id, str):
        raise InvalidInput("belongs to a different ordering; restart paging", field="after")
    return value, account_id


class AccountSummaryView:
    """Read side of the account summary; never touches the event store."""

    select = f"SELECT {', '.join(COLUMNS)} FROM {{t}}account_summary"  # noqa: S608

    def __init__(self, store: ReadModelStore) -> None:
        self.store = store

    def get(self, account_id: str) -> dict[str, Any] | None:
        rows = self.get_many([account_id])
        return rows[0]

    def get_many(self, account_ids: Sequence[str]) -> list[dict[str, Any] | None]:
        """Rows in the order asked, None where unknown (the DataLoader contract)."""
        if not account_ids:
            return []
        marks = ", ".join("?" for _ in account_ids)
        with self.store.reading() as sql:
            rows = sql.execute(f"{self.select} WHERE account_id IN ({marks})", account_ids).fetchall()
        found = {row["account_id"]: dict(row) for row in rows}
        return [found.get(account_id) for account_id in account_ids]

    def page(
        self,
        flt: AccountFilter,
        *,
        sort: str = "name",
        descending: bool = False,
        first: int = 20,
        after: str | None = None,
    ) -> Page:
        if not 1 <= first <= MAX_PAGE:
            raise InvalidInput(f"must be between 1 and {MAX_PAGE}", field="first")
        column = SORT_COLUMNS[sort]
        where, params = self._where(flt)
        with self.store.reading() as sql:
            total = sql.execute(f"SELECT COUNT(*) AS n FROM {{t}}account_summary{where}", params).fetchone()["n"]  # noqa: S608
            page_where, page_params = where, list(params)
            if after:
                value, account_id = decode_cursor(after, sort)
                op = "<" if descending else ">"
                clause = f"({column} {op} ? OR ({column} = ? AND account_id {op} ?))"
                page_where = f"{where} AND {clause}" if where else f" WHERE {clause}"
                page_params += [value, value, account_id]
            direction = "DESC" if descending else "ASC"
            rows = sql.execute(
                f"{self.select}{page_where} ORDER BY {column} {direction}, account_id {direction} LIMIT ?",
                [*page_params, first + 1],
            ).fetchall()
        rows = [dict(r) for r in rows]
        has_next = len(rows) > first
        rows = rows[:first]
        cursors = [encode_cursor(sort, r[column], r["account_id"]) for r in rows]
        return Page(rows, cursors, has_next, total)

    @staticmethod
    def _where(flt: AccountFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if flt.segments:
            clauses.append(f"segment IN ({', '.join('?' for _ in flt.segments)})")
            params += flt.segments
        if flt.regions:
            clauses.append(f"region IN ({', '.join('?' for _ in flt.regions)})")
            params += flt.regions
        if flt.status:
            clauses.append("status = ?")
            params.append(flt.status)
        if flt.lead_rm_id:
            clauses.append("lead_rm_id = ?")
            params.append(flt.lead_rm_id)
        if flt.name_contains and any(ord(ch) < 32 for ch in flt.name_contains):
            clauses.append("1 = 0")  # names never hold control characters (and SQLite would cut the pattern at NUL)
        elif flt.name_contains:
            escaped = flt.name_contains.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("LOWER(name) LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
