"""The data-subject key table, kept by the event store's recorder in the events' own database and transactions.

A key is inserted in the transaction that inserts the first events sealed with it, and deleted in the
transaction that records the subject's erasure, so no committed event ever names a key that was never
stored, and an erasure is never recorded while its key survives. Both backends share this SQL text
(`?` placeholders, `{t}` table prefix) through their `Dialect`; only the binary column type differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from kamcore.application.sealing import SAVE_KEYWORD, SubjectKeyChanges
from kamcore.storage.backend import Dialect

SELECT_CHUNK = 500


def create_table_statement(dialect: Dialect, binary_type: str) -> str:
    return dialect.sql(
        f"CREATE TABLE IF NOT EXISTS {{t}}subject_keys (subject_id TEXT PRIMARY KEY, key {binary_type} NOT NULL,"
        " created_at TEXT NOT NULL)"
    )


def write_changes(cursor: Any, dialect: Dialect, save_kwargs: dict[str, Any]) -> None:
    """Apply the `subject_keys` changes passed to `Application.save`, if any, on the events' cursor."""
    changes: SubjectKeyChanges | None = save_kwargs.get(SAVE_KEYWORD)
    if not changes:
        return
    if changes.created:
        created_at = datetime.now(UTC).isoformat()
        cursor.executemany(
            dialect.sql("INSERT INTO {t}subject_keys (subject_id, key, created_at) VALUES (?, ?, ?)"),
            [(subject_id, key, created_at) for subject_id, key in changes.created.items()],
        )
    for subject_id in changes.erased:
        cursor.execute(dialect.sql("DELETE FROM {t}subject_keys WHERE subject_id = ?"), (subject_id,))


def select_keys(cursor: Any, dialect: Dialect, subject_ids: Sequence[str]) -> dict[str, bytes]:
    """subject id -> key for those that still exist, in chunks of bounded statement size."""
    found: dict[str, bytes] = {}
    wanted = list(dict.fromkeys(subject_ids))
    for start in range(0, len(wanted), SELECT_CHUNK):
        chunk = wanted[start : start + SELECT_CHUNK]
        marks = ", ".join("?" for _ in chunk)
        statement = f"SELECT subject_id, key FROM {{t}}subject_keys WHERE subject_id IN ({marks})"  # noqa: S608
        cursor.execute(dialect.sql(statement), tuple(chunk))
        found.update((row["subject_id"], bytes(row["key"])) for row in cursor.fetchall())
    return found
