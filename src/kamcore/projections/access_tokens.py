"""Access tokens as operators list them: who holds which role since when, and what was revoked (no secrets)."""

from __future__ import annotations

from typing import Any

from kamcore.domain.access_token import AccessToken
from kamcore.projections.projection import Projection, SqlCursor, handles
from kamcore.projections.store import ReadModelStore


class AccessTokensProjection(Projection):
    name = "access_tokens"
    tables = ("access_tokens",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}access_tokens ("
        " token_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, relationship_manager_id TEXT,"
        " granted_at TEXT NOT NULL, granted_by TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, revoked_by TEXT)",
    )

    @handles(AccessToken.Granted)
    def granted(self, sql: SqlCursor, e: AccessToken.Granted) -> None:
        sql.execute(
            "INSERT INTO {t}access_tokens (token_id, name, role, relationship_manager_id, granted_at, granted_by,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                str(e.originator_id),
                e.name,
                e.role,
                e.relationship_manager_id,
                e.timestamp.isoformat(),
                e.envelope.actor,
                e.expires_at.isoformat() if e.expires_at else None,
            ),
        )

    @handles(AccessToken.Revoked)
    def revoked(self, sql: SqlCursor, e: AccessToken.Revoked) -> None:
        sql.execute(
            "UPDATE {t}access_tokens SET revoked_at = ?, revoked_by = ? WHERE token_id = ?",
            (e.timestamp.isoformat(), e.envelope.actor, str(e.originator_id)),
        )


def list_tokens(store: ReadModelStore) -> list[dict[str, Any]]:
    with store.reading() as sql:
        return [dict(r) for r in sql.execute("SELECT * FROM {t}access_tokens ORDER BY granted_at").fetchall()]
