"""The batched writer: thousands of events per transaction, encoded without per-event overhead.

`app.save(*aggregates)` costs, per event, two runtime-`Protocol` isinstance checks and a JSON
encoding of the whole audit envelope through the transcoder's `default=` hook. Bulk writes share
one envelope object across many events, so the writer encodes each envelope once and splices its
bytes into every event that carries it. The stored bytes are exactly what `app.mapper` would
write (a test compares them), and the batch goes to `recorder.insert_events` in one transaction,
together with the keys of the data subjects sealed since the last batch (`keys.seal`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import uuid4

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import get_topic

from kamcore.application.sealing import SAVE_KEYWORD, SubjectKeyChanges
from kamcore.domain.envelope import AuditEnvelope
from kamcore.importing.spool import Spool

DEFAULT_BATCH_EVENTS = 5_000
# PostgreSQL: the library inserts in psycopg pipeline mode, which stalls (server waiting in
# ClientRead) when one statement carries several MB of events; 1,000 events per insert is safe.
MAX_POSTGRES_BATCH_EVENTS = 1_000


class BulkWriter:
    """Collects aggregates' pending events and inserts them in batches.

    `dry_run` only counts them, or, given a `spool`, encodes them into it for `insert_spooled` to write later.
    """

    def __init__(
        self,
        app: Application[Any],
        *,
        batch_events: int = DEFAULT_BATCH_EVENTS,
        dry_run: bool = False,
        spool: Spool | None = None,
    ):
        self.app = app
        on_postgres = isinstance(app.recorder, PostgresApplicationRecorder)
        self.batch_events = min(batch_events, MAX_POSTGRES_BATCH_EVENTS) if on_postgres else batch_events
        self.dry_run = dry_run
        self.spool = spool if dry_run else None
        # A key sealed now is written with the next batch: with its events, or (if the aggregate is added
        # after that batch) one batch early, which is harmless; never after an event that needs it.
        self.keys = SubjectKeyChanges()
        self.events_written = 0
        self._pending: list[Any] = []
        self._topics: dict[type, str] = {}
        self._envelopes: dict[int, tuple[AuditEnvelope, str]] = {}
        self._placeholder = f"\ue000{uuid4().hex}\ue000"
        self._quoted_placeholder = f'"{self._placeholder}"'
        mapper = app.mapper
        self._plain = mapper.compressor is None and mapper.cipher is None
        self._json = mapper.transcoder.encoder if hasattr(mapper.transcoder, "encoder") else None

    def add(self, aggregates: Iterable[Any]) -> int:
        """Take the pending events of `aggregates`; flush when a batch is full. Returns events taken."""
        taken = 0
        for aggregate in aggregates:
            events = aggregate.collect_events()
            taken += len(events)
            self._pending.extend(events)
        if len(self._pending) >= self.batch_events:
            self.flush()
        return taken

    def add_events(self, events: Iterable[Any]) -> None:
        self._pending.extend(events)
        if len(self._pending) >= self.batch_events:
            self.flush()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        """Write what is pending in one transaction (nothing in a dry run)."""
        if not self._pending:
            return
        events, self._pending = self._pending, []
        keys, self.keys = self.keys, SubjectKeyChanges()
        if not self.dry_run:
            self._insert([self.to_stored_event(e) for e in events], keys)
        elif self.spool is not None:
            self.spool.add([self.to_stored_event(e) for e in events], keys)
        self.events_written += len(events)
        self._envelopes.clear()

    def drop_spool(self) -> None:
        """The spooled events no longer describe the import exactly: `insert_spooled` must not be used."""
        self.spool = None

    def insert_spooled(self, spool: Spool) -> None:
        """Write the batches a checking pass spooled, one transaction each (this writer must not be a dry run).

        Raises the recorder's `RecordConflictError` if something else wrote to one of the aggregates meanwhile.
        """
        for batch, keys in spool.batches():
            self._insert(batch, keys)
            self.events_written += len(batch)

    def _insert(self, batch: list[StoredEvent], keys: SubjectKeyChanges) -> None:
        self.app.recorder.insert_events(batch, **{SAVE_KEYWORD: keys})

    def to_stored_event(self, event: Any) -> StoredEvent:
        """Like `app.mapper.to_stored_event`, with the shared envelope encoded once."""
        if not self._plain or self._json is None:
            return self.app.mapper.to_stored_event(event)
        cls = type(event)
        topic = self._topics.get(cls)
        if topic is None:
            topic = self._topics[cls] = get_topic(cls)
        state = dict(vars(event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        envelope = state.get("envelope")
        if type(envelope) is not AuditEnvelope:
            encoded = self._json.encode(state)
        else:
            state["envelope"] = self._placeholder
            encoded = self._json.encode(state).replace(self._quoted_placeholder, self._envelope_json(envelope), 1)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=encoded.encode("utf8"),
        )

    def _envelope_json(self, envelope: AuditEnvelope) -> str:
        cached = self._envelopes.get(id(envelope))
        if cached is None or cached[0] is not envelope:
            assert self._json is not None
            cached = self._envelopes[id(envelope)] = (envelope, self._json.encode(envelope))
        return cached[1]
