"""The checked events of an all-or-nothing import, kept on disk until the writing pass inserts them.

Without it the writing pass ran the domain a second time over every row, to rebuild the very events
the checking pass had built and thrown away. The checking pass now encodes its events batch by batch
into a temporary file (memory stays bounded) and the writing pass inserts those batches as they are.
The keys of sealed data subjects stay in memory, never in the file.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from types import TracebackType
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from kamcore.application.sealing import SubjectKeyChanges


class Spool:
    """Batches of stored events, in the order they were added."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by `close`, also on error
        self._keys: list[SubjectKeyChanges] = []
        self.events = 0

    def add(self, batch: list[StoredEvent], keys: SubjectKeyChanges) -> None:
        rows = [(s.originator_id.bytes, s.originator_version, s.topic, s.state) for s in batch]
        pickle.dump(rows, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._keys.append(keys)
        self.events += len(batch)

    def batches(self) -> Iterator[tuple[list[StoredEvent], SubjectKeyChanges]]:
        self._file.seek(0)
        for keys in self._keys:
            rows = pickle.load(self._file)  # noqa: S301 - our own file, written just before
            yield [StoredEvent(UUID(bytes=i), version, topic, state) for i, version, topic, state in rows], keys

    def close(self) -> None:
        self._file.close()
        self._keys.clear()

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
