"""A batch's unit of work: rows are read once, changed in memory, and written back once per table.

One SQL round trip per event caps a projection at a few thousand events/s on PostgreSQL; loading
the rows a batch touches in one query and upserting the changed ones with one `executemany`
keeps the cost per batch, not per event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import Any

PREFETCH_CHUNK = 500


@dataclass(frozen=True)
class Table:
    """A read-model table: its name, primary-key columns and every column, in DDL order."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]

    @cached_property
    def key_of(self) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        """A row's key tuple (itemgetter: a row is keyed per put, in the hottest loop of a rebuild)."""
        return _tuple_getter(self.key)

    @cached_property
    def values_of(self) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        """A complete row's values in column order (rows missing a column go through `dict.get`)."""
        return _tuple_getter(self.columns)

    def upsert_sql(self) -> str:
        marks = ", ".join("?" for _ in self.columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in self.columns if c not in self.key)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"  # a key-only table: a set of keys
        return (
            f"INSERT INTO {{t}}{self.name} ({', '.join(self.columns)}) VALUES ({marks})"  # noqa: S608
            f" ON CONFLICT ({', '.join(self.key)}) {action}"
        )


def _tuple_getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    if len(names) == 1:
        only = names[0]
        return lambda row: (row[only],)
    return itemgetter(*names)  # type: ignore[return-value]


class RowStore:
    """Cached rows by (table, key) for one batch; `flush()` upserts the changed ones."""

    def __init__(self, cursor: Any, dialect: Any) -> None:
        self._cursor = cursor
        self._dialect = dialect
        self._rows: dict[str, dict[tuple[Any, ...], dict[str, Any] | None]] = {}
        self._dirty: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self._tables: dict[str, Table] = {}
        self._complete: dict[str, set[Any]] = {}  # table -> leading-key values whose rows are all cached
        self._written: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}  # every put, kept after flushes

    def prefetch(self, table: Table, keys: Iterable[tuple[Any, ...]]) -> None:
        """Load many rows in few queries (single-column keys); absent keys are remembered as absent."""
        cache = self._rows.setdefault(table.name, {})
        wanted = [k for k in dict.fromkeys(keys) if k not in cache]
        if len(table.key) != 1:
            return
        for i in range(0, len(wanted), PREFETCH_CHUNK):
            chunk = wanted[i : i + PREFETCH_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            statement = (
                f"SELECT {', '.join(table.columns)} FROM {{t}}{table.name}"  # noqa: S608
                f" WHERE {table.key[0]} IN ({marks})"
            )
            self._cursor.execute(self._dialect.sql(statement), tuple(k[0] for k in chunk))
            found = {table.key_of(row): dict(row) for row in self._cursor.fetchall()}
            for key in chunk:
                cache[key] = found.get(key)

    def prefetch_all(self, table: Table, column: str, values: Iterable[Any]) -> None:
        """Load every row whose leading key `column` is in `values` (e.g. all months of some accounts)."""
        if column != table.key[0]:
            raise ValueError(f"{column} is not the leading key column of {table.name}")
        cache = self._rows.setdefault(table.name, {})
        complete = self._complete.setdefault(table.name, set())
        wanted = [v for v in dict.fromkeys(values) if v not in complete]
        for i in range(0, len(wanted), PREFETCH_CHUNK):
            chunk = wanted[i : i + PREFETCH_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            statement = (
                f"SELECT {', '.join(table.columns)} FROM {{t}}{table.name}"  # noqa: S608
                f" WHERE {column} IN ({marks})"
            )
            self._cursor.execute(self._dialect.sql(statement), tuple(chunk))
            for row in self._cursor.fetchall():
                cache.setdefault(table.key_of(row), dict(row))
            complete.update(chunk)

    def get(self, table: Table, *key: Any) -> dict[str, Any] | None:
        cache = self._rows.setdefault(table.name, {})
        if key not in cache and key[0] in self._complete.get(table.name, ()):
            return None
        if key not in cache:
            where = " AND ".join(f"{c} = ?" for c in table.key)
            statement = f"SELECT {', '.join(table.columns)} FROM {{t}}{table.name} WHERE {where}"  # noqa: S608
            self._cursor.execute(self._dialect.sql(statement), key)
            row = self._cursor.fetchone()
            cache[key] = dict(row) if row else None
        row = cache[key]
        return dict(row) if row is not None else None

    def put(self, table: Table, row: dict[str, Any]) -> None:
        key = table.key_of(row)
        self._tables[table.name] = table
        self._rows.setdefault(table.name, {})[key] = row
        self._dirty.setdefault(table.name, {})[key] = row
        self._written.setdefault(table.name, {})[key] = row

    def written(self, table: Table) -> list[dict[str, Any]]:
        """The rows of `table` put in this unit of work, flushed or not (what a derived table must follow)."""
        return list(self._written.get(table.name, {}).values())

    def flush(self) -> None:
        for name, rows in self._dirty.items():
            table = self._tables[name]
            if rows:
                self._cursor.executemany(self._dialect.sql(table.upsert_sql()), _values(table, rows.values()))
        self._dirty.clear()


def _values(table: Table, rows: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    values_of = table.values_of
    try:
        return [values_of(row) for row in rows]
    except KeyError:  # a row without some column: that column is NULL
        return [tuple(row.get(c) for c in table.columns) for row in rows]
