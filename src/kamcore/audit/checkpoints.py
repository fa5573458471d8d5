"""Signed checkpoints: (position, count, chain hash, time) under Ed25519, so a rewritten chain cannot pass.

Hash rows alone do not stop someone who can write to the database: they could alter an event and
recompute every later hash. A checkpoint's signature needs the private key, which the database
never holds. Periodic checkpoints (every N chained events) are kept for ever; the checkpoint
written at the end of a catch-up is kept only until the next one, because a later checkpoint
attests the whole prefix anyway and one row per write would make verification slow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from kamcore.audit.canonical import checkpoint_message
from kamcore.audit.keys import SigningKey, signature_is_valid
from kamcore.projections.projection import SqlCursor

PERIODIC = "periodic"
HEAD = "head"  # the end of the latest catch-up

CHECKPOINTS_DDL = (
    "CREATE TABLE IF NOT EXISTS {t}audit_checkpoints ("
    " position BIGINT PRIMARY KEY, event_count BIGINT NOT NULL, hash TEXT NOT NULL, signed_at TEXT NOT NULL,"
    " public_key TEXT NOT NULL, signature TEXT NOT NULL, kind TEXT NOT NULL)"
)


@dataclass(frozen=True)
class Checkpoint:
    position: int
    count: int
    hash: str
    signed_at: str
    public_key: str
    signature: str
    kind: str

    @property
    def message(self) -> bytes:
        return checkpoint_message(self.position, self.count, self.hash, self.signed_at)

    def is_authentic(self) -> bool:
        """The signature is valid for this content under `public_key` (whether that key is trusted is the caller's)."""
        return signature_is_valid(self.public_key, self.message, self.signature)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def sign_checkpoint(key: SigningKey, position: int, count: int, hash_hex: str, kind: str) -> Checkpoint:
    signed_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    signature = key.sign(checkpoint_message(position, count, hash_hex, signed_at)).hex()
    return Checkpoint(position, count, hash_hex, signed_at, key.public_key_hex, signature, kind)


def save_checkpoint(sql: SqlCursor, checkpoint: Checkpoint) -> None:
    if checkpoint.kind == HEAD:
        sql.execute("DELETE FROM {t}audit_checkpoints WHERE kind = ?", (HEAD,))
    sql.execute(
        "INSERT INTO {t}audit_checkpoints (position, event_count, hash, signed_at, public_key, signature, kind)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            checkpoint.position,
            checkpoint.count,
            checkpoint.hash,
            checkpoint.signed_at,
            checkpoint.public_key,
            checkpoint.signature,
            checkpoint.kind,
        ),
    )
