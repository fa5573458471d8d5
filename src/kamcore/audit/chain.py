"""The chain keeper: follows the log like a projection and records each event's chain hash, exactly once.

It is a projection on purpose: the `ReadModelStore` commits a batch's chain rows, checkpoints and
tracking position in one transaction, and `ProjectionRunner` gives batching, resuming, waking and
status. It reads raw notifications and never deserialises, so it hashes the bytes as stored.
Unlike a read model it refuses to be rebuilt: re-chaining the current log would bless tampering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.persistence import Notification, Tracking

from kamcore.application.handling import CommandHandling
from kamcore.audit.canonical import GENESIS, RawEvent, chain_hashes
from kamcore.audit.checkpoints import (
    CHECKPOINTS_DDL,
    HEAD,
    PERIODIC,
    Checkpoint,
    save_checkpoint,
    sign_checkpoint,
)
from kamcore.audit.keys import SigningKey
from kamcore.audit.readers import ChainLink
from kamcore.projections.projection import Projection, SqlCursor, handles
from kamcore.projections.runner import TRANSIENT, Progress, ProjectionFailed, ProjectionRunner
from kamcore.projections.store import ReadModelStore
from kamcore.settings import Settings
from kamcore.storage.backend import Backend

INSERT_CHUNK = 300  # rows per multi-row INSERT: one round trip instead of one per event


@dataclass(frozen=True)
class NewEvents:
    """One batch for the chain keeper; `ends_catch_up` when it reaches the head of the log."""

    notifications: Sequence[Notification]
    ends_catch_up: bool


class ChainRebuildRefused(RuntimeError):
    pass


class ChainProjection(Projection):
    """Chain rows `(position, ordinal, hash)` and signed checkpoints, in the chain keeper's own store."""

    name = "audit_chain"
    tables = ("audit_chain", "audit_checkpoints")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}audit_chain (position BIGINT PRIMARY KEY, ordinal BIGINT NOT NULL,"
        " hash TEXT NOT NULL)",
        CHECKPOINTS_DDL,
    )

    def __init__(self, key_file: Path, checkpoint_interval: int) -> None:
        self.key_file = key_file
        self.checkpoint_interval = checkpoint_interval
        self._signing_key: SigningKey | None = None

    @property
    def topics(self) -> tuple[str, ...]:
        """No topic filter: the chain covers every stored event, whatever its type."""
        return ()

    @property
    def signing_key(self) -> SigningKey:
        """Loaded (or created) at the first checkpoint, so commands that only read never touch the key."""
        if self._signing_key is None:
            self._signing_key = SigningKey.load_or_create(self.key_file)
        return self._signing_key

    @handles(NewEvents)
    def chain(self, sql: SqlCursor, batch: NewEvents) -> None:
        last = last_link(sql)
        events: list[RawEvent] = [
            (n.id, n.originator_id.bytes, n.originator_version, n.topic, n.state)  # type: ignore[union-attr]
            for n in batch.notifications
        ]
        hashes = chain_hashes(bytes.fromhex(last.hash) if last else GENESIS, events)
        chained = last.ordinal if last else 0
        links = [
            ChainLink(event[0], chained + index, digest.hex())
            for index, (event, digest) in enumerate(zip(events, hashes, strict=True), 1)
        ]
        for start in range(0, len(links), INSERT_CHUNK):
            chunk = links[start : start + INSERT_CHUNK]
            values = ", ".join(["(?, ?, ?)"] * len(chunk))
            sql.execute(
                f"INSERT INTO {{t}}audit_chain (position, ordinal, hash) VALUES {values}",  # noqa: S608 - placeholders
                [value for link in chunk for value in (link.position, link.ordinal, link.hash)],
            )
        self._checkpoint(sql, links, batch.ends_catch_up)

    def _checkpoint(self, sql: SqlCursor, links: list[ChainLink], ends_catch_up: bool) -> None:
        for link in links:
            if link.ordinal % self.checkpoint_interval == 0:
                save_checkpoint(sql, self._sign(link, PERIODIC))
        if ends_catch_up and links and links[-1].ordinal % self.checkpoint_interval != 0:
            save_checkpoint(sql, self._sign(links[-1], HEAD))

    def _sign(self, link: ChainLink, kind: str) -> Checkpoint:
        return sign_checkpoint(self.signing_key, link.position, link.ordinal, link.hash, kind)


def last_link(sql: SqlCursor) -> ChainLink | None:
    """The newest chain row, read in the keeper's transaction so the next hash continues from it."""
    row = sql.execute("SELECT position, ordinal, hash FROM {t}audit_chain ORDER BY position DESC LIMIT 1").fetchone()
    return ChainLink(row["position"], row["ordinal"], row["hash"]) if row else None


class ChainKeeper(ProjectionRunner):
    """A `ProjectionRunner` whose batch is hashed in one piece: chaining has no per-event poison to isolate.

    No read waits for the chain, so under a stream of saves it chains what arrived in the last tenth of a
    second in one transaction rather than committing once per save beside every request.
    """

    coalesce = 0.1

    def _apply(self, notifications: list[Notification], reached: int) -> None:
        ends_catch_up = len(notifications) < self.batch_size or reached >= self.app.head_position()
        try:
            self.store.apply_batch([NewEvents(notifications, ends_catch_up)], Tracking(self.app.name, reached))  # type: ignore[list-item]
        except TRANSIENT:
            raise
        except Exception as error:
            first = notifications[0]
            raise ProjectionFailed(self.name, first.id, first.topic, error) from error

    def rebuild(self, progress: Progress | None = None, until: int | None = None) -> int:
        raise ChainRebuildRefused("the audit chain is never rebuilt: that would re-chain a possibly tampered log")


def open_chain_keeper(settings: Settings, backend: Backend, app: CommandHandling) -> ChainKeeper:
    projection = ChainProjection(settings.signing_key_path, settings.audit_checkpoint_interval)
    store = ReadModelStore(backend, projection)
    return ChainKeeper(app, store, batch_size=settings.projection_batch_size)
