"""Command handling shared by every command: loading, idempotency, optimistic concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import DatabaseError, IntegrityError, InterfaceError, JSONTranscoder

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.idempotency import CommandRecord, fingerprint
from kamcore.application.sealing import SAVE_KEYWORD, SubjectKeyChanges
from kamcore.application.transcodings import KamTranscoder, register_domain_transcodings
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, NotFound, StorageUnavailable, VersionConflict

A = TypeVar("A", bound=Aggregate)

# What a command body returns: the aggregates to save (primary first) and extra result details.
Outcome = tuple[Sequence[Aggregate], dict[str, str]]


def fast_project(aggregate: Any, events: Any) -> Any:
    """`project_aggregate` without its runtime-Protocol assert, which costs ~60% of replay time."""
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class CommandHandling(Application[UUID]):
    """Loading, idempotency and optimistic concurrency shared by every command method."""

    name = "Kam"
    log_section_size = 1000

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env=env)
        self._save_listeners: list[Callable[[int], None]] = []
        self._listeners_lock = threading.Lock()

    def construct_transcoder(self) -> KamTranscoder:
        transcoder = KamTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder)

    def on_saved(self, listener: Callable[[int], None]) -> None:
        """Call `listener(position)` after every successful save in this process (wakes projections)."""
        with self._listeners_lock:
            self._save_listeners.append(listener)

    def head_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def load(self, cls: type[A], aggregate_id: UUID, *, field: str, expected_version: int | None = None) -> A:
        """The aggregate of type `cls`, or `NotFound`; a stale `expected_version` is a `VersionConflict`."""
        try:
            aggregate = self.repository.get(aggregate_id, projector_func=fast_project)
        except AggregateNotFoundError:
            raise NotFound(f"no {cls.__name__} with id {aggregate_id}", field=field) from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {cls.__name__} with id {aggregate_id}", field=field)
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionConflict(expected_version, aggregate.version)
        return aggregate

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            aggregate = self.repository.get(aggregate_id, projector_func=fast_project)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def execute(
        self,
        ctx: CommandContext,
        command: str,
        arguments: dict[str, Any],
        body: Callable[[AuditEnvelope], Outcome],
        keys: SubjectKeyChanges | None = None,
    ) -> CommandResult:
        """Run `body`, then save what it changed in one transaction, with its idempotency record.

        `body` validates and raises typed errors before anything is saved, so a failed command
        writes nothing. A retry with the same key returns the first result and writes nothing.
        Data-subject keys that `body` created or erased through `keys` commit with the events.
        A store that cannot be read or written is a typed `StorageUnavailable`, not a crash.
        """
        try:
            return self._execute(ctx, command, arguments, body, keys)
        except IntegrityError:
            raise
        except (DatabaseError, InterfaceError) as error:
            raise StorageUnavailable.from_error(error) from error

    def _execute(
        self,
        ctx: CommandContext,
        command: str,
        arguments: dict[str, Any],
        body: Callable[[AuditEnvelope], Outcome],
        keys: SubjectKeyChanges | None,
    ) -> CommandResult:
        record_id = CommandRecord.id_for(ctx.actor, ctx.idempotency_key) if ctx.idempotency_key else None
        print_ = fingerprint(command, arguments)
        if record_id is not None:
            previous = self._replay(record_id, print_)
            if previous is not None:
                return previous
        envelope = ctx.envelope()
        aggregates, detail = body(envelope)
        primary = aggregates[0]
        to_save: list[Aggregate] = list(aggregates)
        if record_id is not None and ctx.idempotency_key is not None:
            to_save.append(
                CommandRecord(
                    actor=ctx.actor,
                    key=ctx.idempotency_key,
                    command=command,
                    fingerprint=print_,
                    aggregate_id=primary.id,
                    aggregate_version=primary.version,
                    detail=detail,
                    envelope=envelope,
                )
            )
        try:
            recordings = self.save(*to_save, **({SAVE_KEYWORD: keys} if keys else {}))
        except IntegrityError:
            if self._was_saved(primary, envelope):  # the commit went through; only its acknowledgement was lost
                position = self.head_position()
                self._notify_saved(position)
                return CommandResult(primary.id, primary.version, position, detail=detail)
            if record_id is not None:
                previous = self._replay(record_id, print_)
                if previous is not None:
                    return previous
            raise VersionConflict(ctx.expected_version, None) from None
        position = recordings[-1].notification.id
        self._notify_saved(position)
        return CommandResult(primary.id, primary.version, position, detail=detail)

    def _was_saved(self, primary: Aggregate, envelope: AuditEnvelope) -> bool:
        """True when the event stored at the version we tried to write is ours (same audit envelope).

        The library retries an insert whose connection failed; if the first attempt had committed, the
        retry hits the unique (aggregate, version) key although nothing conflicted.
        """
        stored = list(self.events.get(primary.id, gt=primary.version - 1, lte=primary.version))
        return bool(stored) and getattr(stored[-1], "envelope", None) == envelope

    def _replay(self, record_id: UUID, print_: str) -> CommandResult | None:
        record = self.find(CommandRecord, record_id)
        if record is None:
            return None
        if record.fingerprint != print_:
            raise Conflict(
                "this idempotency key was already used for a different command or input",
                field="idempotency_key",
                code="IDEMPOTENCY_KEY_REUSED",
            )
        return CommandResult(
            record.aggregate_id,
            record.aggregate_version,
            self.head_position(),
            replayed=True,
            detail=dict(record.detail),
        )

    def _notify_saved(self, position: int) -> None:
        with self._listeners_lock:
            listeners = list(self._save_listeners)
        for listener in listeners:
            listener(position)
