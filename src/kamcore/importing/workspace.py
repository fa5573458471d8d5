"""The import's view of the event store: aggregates touched by earlier rows, and per-row units of work.

A row may change several aggregates (binding a renewal also marks the renewed term). Each row runs
in a `Unit`: it works on private copies, and only when every domain call succeeded are the new
events handed to the writer and the copies become the current state — a bad row leaves nothing
behind. Aggregates a run touches stay in memory until their events are flushed (bounded).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from kamcore.application.context import CommandContext
from kamcore.application.handling import CommandHandling, fast_project
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import InvalidInput
from kamcore.domain.values import Source, today
from kamcore.importing.copying import copy_for_update
from kamcore.importing.loading import can_load_many, load_many
from kamcore.importing.writer import BulkWriter

A = TypeVar("A", bound=Aggregate)

MAX_TOUCHED = 50_000  # aggregates kept between flushes (checking passes: the most recent; then no spool)
MAX_REFERENCES = 100_000  # read-only lookups (accounts for policies, policies for claims) cached


class Envelopes:
    """One audit envelope per business date (and per batch, so `recorded_at` stays current)."""

    def __init__(self, actor: str, correlation_id: str, reason: str, source: Source = Source.IMPORT) -> None:
        self.actor = actor
        self.source = source
        self.correlation_id = correlation_id
        self.reason = reason
        self._by_date: dict[date | None, AuditEnvelope] = {}

    def on(self, day: date | None, field: str) -> AuditEnvelope:
        """The envelope for facts of business date `day` (None: today); a future date is refused."""
        if day == today():
            day = None
        envelope = self._by_date.get(day)
        if envelope is None:
            try:
                context = CommandContext(
                    actor=self.actor,
                    source=self.source,
                    correlation_id=self.correlation_id,
                    reason=self.reason,
                    effective_date=day,
                )
            except InvalidInput as error:
                raise InvalidInput(error.message, field=field) from None
            envelope = self._by_date[day] = context.envelope()
        return envelope

    def refresh(self) -> None:
        self._by_date.clear()


class Workspace:
    def __init__(self, app: CommandHandling, writer: BulkWriter) -> None:
        self.app = app
        self.writer = writer
        self._touched: OrderedDict[UUID, Aggregate] = OrderedDict()
        self._references: OrderedDict[UUID, Aggregate | None] = OrderedDict()
        self._prefetched: dict[UUID, Aggregate | None] = {}
        self._bulk = can_load_many(app)
        self.on_flush: list[Callable[[], None]] = []

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """Read-only: the current state (this run's, else the store's). Do not mutate the result."""
        found = self._touched.get(aggregate_id)
        if found is None:
            if aggregate_id in self._references:
                found = self._references[aggregate_id]
            else:
                found = self._load(aggregate_id)
                self._references[aggregate_id] = found
                if len(self._references) > MAX_REFERENCES:
                    self._references.popitem(last=False)
        return found if isinstance(found, cls) else None

    def unit(self) -> Unit:
        return Unit(self)

    def prefetch(self, ids: Iterable[UUID]) -> None:
        """Load, in one query, what the next rows will ask for (replaces the previous prefetch)."""
        if not self._bulk:
            return
        wanted = [i for i in ids if i not in self._touched and i not in self._references]
        self._prefetched = load_many(self.app, wanted)

    def _load(self, aggregate_id: UUID) -> Aggregate | None:
        if aggregate_id in self._prefetched:
            return self._prefetched.pop(aggregate_id)
        try:
            return self.app.repository.get(aggregate_id, projector_func=fast_project)
        except AggregateNotFoundError:
            return None

    def writable(self, aggregate_id: UUID) -> Aggregate | None:
        self._references.pop(aggregate_id, None)
        current = self._touched.get(aggregate_id)
        return copy_for_update(current) if current is not None else self._load(aggregate_id)

    def commit_unit(self, aggregates: dict[UUID, Aggregate]) -> int:
        events: list[Any] = []
        for aggregate_id, aggregate in aggregates.items():
            produced = aggregate.collect_events()
            if produced:
                events.extend(produced)
                self._touched[aggregate_id] = aggregate
                self._touched.move_to_end(aggregate_id)
        if not events:
            return 0
        self.writer.add_events(events)
        if self.writer.pending == 0:
            self._flushed()
        if len(self._touched) > MAX_TOUCHED:
            if self.writer.dry_run:
                self.writer.drop_spool()  # a forgotten aggregate would be read from the store again, without its events
                while len(self._touched) > MAX_TOUCHED:
                    self._touched.popitem(last=False)
            else:
                self.flush()
        return len(events)

    def flush(self) -> None:
        self.writer.flush()
        self._touched.clear()
        self._flushed()

    def _flushed(self) -> None:
        for callback in self.on_flush:
            callback()


class Unit:
    """The aggregates one row reads for update and creates; `commit` hands their events to the writer."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._aggregates: dict[UUID, Aggregate] = {}

    def get(self, cls: type[A], aggregate_id: UUID) -> A | None:
        if aggregate_id not in self._aggregates:
            found = self.workspace.writable(aggregate_id)
            if found is None:
                return None
            self._aggregates[aggregate_id] = found
        found = self._aggregates[aggregate_id]
        return found if isinstance(found, cls) else None

    def add(self, aggregate: A) -> A:
        self._aggregates[aggregate.id] = aggregate
        return aggregate

    def commit(self) -> int:
        """Events produced by the row (0: the row matched what is stored)."""
        return self.workspace.commit_unit(self._aggregates)
