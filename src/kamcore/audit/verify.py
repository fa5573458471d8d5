"""`kamcore audit verify`: recompute the chain from the stored bytes and name the first position that is wrong.

It walks the event log and the chain rows side by side, batch by batch (memory stays bounded),
and checks, in log order: every chained position has its event and no event sits in the chained
range without a chain row (deleted, inserted); each recomputed hash equals the stored one
(altered, reordered); chain ordinals have no holes (an event deleted together with its chain
row); and every checkpoint is signed by a trusted key over the recomputed hash and count (a
chain rewritten by someone without the key). Events after the keeper's position are reported as
not yet chained, which is not a failure.

A large log is verified in segments side by side, in processes forked from a process with no other
thread: each segment is walked from the stored chain row before it. When every segment is clean the
whole chain is (each segment starts where the clean one before it ended, so one walk would have
computed the same hashes); anything else discards the segments' results and one walk from the start
decides, so every problem is found and named exactly as by that walk.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import multiprocessing
import os
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any
from uuid import UUID

from kamcore.audit.canonical import (
    ENCODING_VERSION,
    GENESIS,
    HEADER,
    RawEvent,
    canonical_bytes,
    chain_hashes,
    link_hash,
)
from kamcore.audit.chain import ChainProjection
from kamcore.audit.checkpoints import Checkpoint
from kamcore.audit.keys import local_public_keys
from kamcore.audit.prefetch import prefetched
from kamcore.audit.readers import ChainLink, ChainReader, EventLogReader, LinkRow, StoredRow, coerced

if TYPE_CHECKING:
    from kamcore.runtime import Runtime

BATCH_SIZE = 2_000  # measured: larger batches fall out of the CPU caches and verify slower
PARALLEL_FROM = 50_000  # chained positions from which segments are verified in processes side by side
MAX_WORKERS = 8

# Fresh read-only connections to the log and the chain (a forked process must not use its parent's).
OpenReaders = Callable[[], tuple[EventLogReader, ChainReader]]


@dataclass(frozen=True)
class Problem:
    position: int
    kind: str  # altered, reordered, deleted, inserted, chain, checkpoint
    detail: str

    def __str__(self) -> str:
        return f"position {self.position}: {self.kind}: {self.detail}"


@dataclass
class VerificationReport:
    chained_position: int = 0
    events_verified: int = 0
    checkpoints_verified: int = 0
    not_yet_chained: int = 0
    workers: int = 1  # processes whose segments verified the chain (1: one walk from the start)
    last_hash: str = GENESIS.hex()
    problem: Problem | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def events_per_second(self) -> float:
        return self.events_verified / self.seconds if self.seconds > 0 else 0.0


def describe(event: RawEvent) -> str:
    position, originator_id, version, topic, _ = event
    aggregate = UUID(bytes=originator_id) if len(originator_id) == 16 else originator_id.hex()
    return f"event at position {position} (aggregate {aggregate} version {version}, {topic})"


class ChainVerifier:
    """One verification run: the log, the chain rows and the position the chain keeper has recorded."""

    def __init__(
        self,
        log: EventLogReader,
        chain: ChainReader,
        chained_position: int,
        trusted_keys: set[str],
        *,
        batch_size: int = BATCH_SIZE,
        open_readers: OpenReaders | None = None,
        workers: int = 1,
        parallel_from: int = PARALLEL_FROM,
    ) -> None:
        self.log = log
        self.chain = chain
        self.chained_position = chained_position
        self.trusted_keys = trusted_keys
        self.batch_size = batch_size
        self.open_readers = open_readers
        self.workers = workers if open_readers is not None and chained_position >= parallel_from else 1

    def run(self) -> VerificationReport:
        started = time.perf_counter()
        report = VerificationReport(chained_position=self.chained_position)
        checkpoints = self.chain.checkpoints(last=report.chained_position)
        clean = self._in_segments(checkpoints) if self.workers > 1 and can_fork() else None
        if clean is not None:
            report.events_verified, report.checkpoints_verified, report.last_hash = clean
            report.workers = self.workers
        else:
            ahead = self.log.connection.reads_ahead
            with (
                prefetched(self.log.stored_batches(0, self.chained_position, self.batch_size), enabled=ahead) as events,
                prefetched(self.chain.rows(0, self.chained_position, self.batch_size), enabled=ahead) as links,
            ):
                report.problem = self._walk(events, links, list(reversed(checkpoints)), report)
        if report.ok:
            report.problem = self._check_tail(checkpoints, report)
        report.not_yet_chained = self.log.count(report.chained_position)
        signed_up_to = max((c.position for c in checkpoints), default=0)
        if report.ok and signed_up_to < report.chained_position:
            report.warnings.append(
                f"positions after {signed_up_to} are chained but not yet covered by a signed checkpoint"
            )
        report.seconds = time.perf_counter() - started
        return report

    def _in_segments(self, checkpoints: list[Checkpoint]) -> tuple[int, int, str] | None:
        """(events, checkpoints, last hash) when every segment verifies clean in its own process, else None."""
        bounds = [self.chained_position * i // self.workers for i in range(self.workers + 1)]
        context = multiprocessing.get_context("fork")
        processes, results = [], []
        for after, until in itertools.pairwise(bounds):
            receiver, sender = context.Pipe(duplex=False)
            last = until == self.chained_position
            process = context.Process(target=self._segment_into, args=(sender, after, until, checkpoints, last))
            process.start()
            sender.close()
            processes.append((process, receiver))
        try:
            for _, receiver in processes:
                try:
                    results.append(receiver.recv())
                except EOFError:  # the process died
                    results.append(None)
                if results[-1] is None:
                    break
        finally:
            for process, receiver in processes:
                if process.is_alive() and len(results) < len(processes):
                    process.terminate()
                process.join()
                receiver.close()
        if len(results) < len(processes) or None in results:
            return None
        return sum(r[0] for r in results), sum(r[1] for r in results), results[-1][2]

    def _segment_into(
        self, sender: Connection, after: int, until: int, checkpoints: list[Checkpoint], last: bool
    ) -> None:
        """In a forked process: send what `_segment` finds (None for anything unexpected: one walk will decide)."""
        try:
            result = self._segment(after, until, checkpoints, last)
        except Exception:  # noqa: BLE001 - reported as not clean; the walk from the start names the problem
            result = None
        sender.send(result)
        sender.close()

    def _segment(
        self, after: int, until: int, checkpoints: list[Checkpoint], last: bool
    ) -> tuple[int, int, str] | None:
        """Walk the events and chain rows with after < position <= until from the stored chain row before them:
        (events, checkpoints verified, last hash) if clean, None if not. A checkpoint of the segment that no
        verified event reached makes it not clean, unless the segment is the last (one walk leaves it too)."""
        assert self.open_readers is not None
        log, chain = self.open_readers()
        try:
            start = chain.link_before(after + 1)
            previous, count = (bytes.fromhex(start.hash), start.ordinal) if start else (GENESIS, 0)
            report = VerificationReport(until, count, last_hash=start.hash if start else GENESIS.hex())
            pending = list(reversed([c for c in checkpoints if after < c.position <= until]))
            walker = ChainVerifier(log, chain, self.chained_position, self.trusted_keys, batch_size=self.batch_size)
            events = log.stored_batches(after, until, self.batch_size)
            problem = walker._walk(events, chain.rows(after, until, self.batch_size), pending, report, previous, count)
            if problem is not None or (pending and not last):
                return None
            return report.events_verified - count, report.checkpoints_verified, report.last_hash
        finally:
            log.close()
            chain.close()

    def _walk(
        self,
        events: Iterator[list[StoredRow]],
        links: Iterator[list[LinkRow]],
        pending: list[Checkpoint],
        report: VerificationReport,
        previous: bytes = GENESIS,
        count: int = 0,
    ) -> Problem | None:
        """Events and chain rows side by side from (`previous` hash, `count` events); `pending` checkpoints, newest
        first, are checked (and popped) as verified events reach them."""
        decode = self.log.table.decode_id or bytes
        event_batch: list[StoredRow] = []
        link_batch: list[LinkRow] = []
        while True:
            if not event_batch:
                event_batch = next(events, [])
            if not link_batch:
                link_batch = next(links, [])
            if not event_batch and not link_batch:
                return None
            if not link_batch:
                return Problem(event_batch[0][0], "inserted", f"{self._describe(event_batch[0])} is not in the chain")
            if not event_batch:
                return deleted(link_batch[0])
            n = min(len(event_batch), len(link_batch))
            aligned = aligned_length(event_batch, link_batch, n)
            try:
                hashes = stored_chain_hashes(previous, event_batch[:aligned], decode)
            except (AttributeError, TypeError, ValueError, struct.error):  # a row broken by hand, e.g. a NULL topic
                hashes = chain_hashes(previous, [self.log.raw_event(row) for row in event_batch[:aligned]])
            good = matching_length(hashes, link_batch, count)
            if good:
                report.events_verified, report.last_hash = count + good, link_batch[good - 1][2]
            problem = self._check_checkpoints(pending, event_batch[:good], hashes, count, report)
            if problem:
                return problem
            if good < aligned:
                return self._mismatch(self._exact(event_batch[good]), ChainLink._make(link_batch[good]), count + good)
            if aligned < n:
                event, link = event_batch[aligned], link_batch[aligned]
                if event[0] < link[0]:
                    return Problem(
                        event[0], "inserted", f"{self._describe(event)} lies in the chained range but is not chained"
                    )
                return deleted(link)
            if aligned:
                previous, count = hashes[aligned - 1], count + aligned
            event_batch, link_batch = event_batch[aligned:], link_batch[aligned:]

    def _exact(self, row: StoredRow) -> RawEvent:
        """The event of a row that shows a problem, read again as stored (a topic of another type included),
        as well-typed values (a row broken by hand, e.g. a NULL topic, as the chain hashes it)."""
        event = self.log.event_at(row[0])
        return coerced(event, None) if event is not None else self.log.raw_event(row)

    def _describe(self, row: StoredRow) -> str:
        return describe(self._exact(row))

    def _check_checkpoints(
        self,
        pending: list[Checkpoint],
        events: list[StoredRow],
        hashes: list[bytes],
        count: int,
        report: VerificationReport,
    ) -> Problem | None:
        """Checkpoints (in `pending`, newest first) that fall within `events`, whose hashes are already verified."""
        if not events:
            return None
        if not pending or pending[-1].position > events[-1][0]:
            return None
        positions = [e[0] for e in events]
        while pending and pending[-1].position <= events[-1][0]:
            checkpoint = pending.pop()
            index = bisect.bisect_left(positions, checkpoint.position)
            if index == len(positions) or positions[index] != checkpoint.position:
                return Problem(checkpoint.position, "checkpoint", "a checkpoint names a position that holds no event")
            problem = self._check_checkpoint(checkpoint, hashes[index].hex(), count + index + 1)
            if problem:
                return problem
            report.checkpoints_verified += 1
        return None

    def _check_checkpoint(self, checkpoint: Checkpoint, expected_hash: str, expected_count: int) -> Problem | None:
        where = f"checkpoint signed at {checkpoint.signed_at}"
        if checkpoint.public_key not in self.trusted_keys:
            return Problem(checkpoint.position, "checkpoint", f"{where} is signed by an untrusted key")
        if not checkpoint.is_authentic():
            return Problem(checkpoint.position, "checkpoint", f"{where}: the signature does not match its content")
        if checkpoint.hash != expected_hash or checkpoint.count != expected_count:
            return Problem(
                checkpoint.position,
                "checkpoint",
                f"{where} attests {checkpoint.count} events with hash {checkpoint.hash[:16]}…, the log gives "
                f"{expected_count} with {expected_hash[:16]}… (events and chain rows were rewritten)",
            )
        return None

    def _mismatch(self, event: RawEvent, link: ChainLink, count: int) -> Problem:
        if link.ordinal != count + 1:
            return Problem(
                link.position,
                "deleted",
                f"the chain skips from ordinal {count} to {link.ordinal}: events were removed before this position "
                "together with their chain rows",
            )
        moved_from = self._chained_elsewhere(event, link)
        if moved_from is not None:
            return Problem(
                event[0],
                "reordered",
                f"{describe(event)} holds the content that was chained at position {moved_from}",
            )
        return Problem(
            event[0], "altered", f"{describe(event)} differs from what was chained (its stored bytes were changed)"
        )

    def _chained_elsewhere(self, event: RawEvent, link: ChainLink) -> int | None:
        """The later position whose chain link this event's content satisfies (a reorder), streamed once."""
        _, originator_id, version, topic, state = event
        previous = bytes.fromhex(link.hash)
        for batch in self.chain.batches(link.position, self.chained_position, self.batch_size):
            for candidate in batch:
                moved = link_hash(previous, canonical_bytes(candidate.position, originator_id, version, topic, state))
                if moved.hex() == candidate.hash:
                    return candidate.position
                previous = bytes.fromhex(candidate.hash)
        return None

    def _check_tail(self, checkpoints: list[Checkpoint], report: VerificationReport) -> Problem | None:
        last = self.chain.last_position(until=report.chained_position)
        if report.chained_position != last:
            return Problem(
                report.chained_position,
                "deleted",
                f"the chain keeper reached position {report.chained_position} but the chain and the log end at "
                f"{last}: the newest events were removed together with their chain rows",
            )
        for checkpoint in checkpoints:
            if checkpoint.position > last:
                return Problem(checkpoint.position, "checkpoint", "a checkpoint names a position beyond the chain")
        return None


def stored_chain_hashes(
    previous: bytes, rows: Iterable[StoredRow], decode_id: Callable[[Any], bytes] = bytes
) -> list[bytes]:
    """`chain_hashes` of rows as `EventLogReader.stored_batches` reads them: the same canonical bytes, hashed
    straight from the stored values (topic already UTF-8, id turned into its 16 bytes by `decode_id`).

    No `RawEvent` is built per row and no topic is decoded and encoded again: this is verification's hot loop.
    """
    sha256 = hashlib.sha256
    pack = HEADER.pack
    hashes = []
    append = hashes.append
    for position, originator_id, version, topic, state in rows:  # a NULL topic raises: the caller coerces the rows
        header = pack(ENCODING_VERSION, position, decode_id(originator_id), version, len(topic), len(state))  # type: ignore[arg-type]
        previous = sha256(b"".join((previous, header, topic, state))).digest()  # type: ignore[arg-type]
        append(previous)
    return hashes


def can_fork() -> bool:
    """Forking is safe only where no other thread may hold a lock the child would need."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def aligned_length(events: list[StoredRow], links: list[LinkRow], n: int) -> int:
    """How many of the first `n` events and chain rows have the same positions."""
    if [e[0] for e in events[:n]] == [link[0] for link in links[:n]]:
        return n
    return next(i for i in range(n) if events[i][0] != links[i][0])


def matching_length(hashes: list[bytes], links: list[LinkRow], count: int) -> int:
    """How many recomputed hashes (and ordinals) match the stored chain rows, from the start."""
    n = len(hashes)
    recomputed = list(map(bytes.hex, hashes))
    stored = [link[2] for link in links[:n]]
    ordinals = [link[1] for link in links[:n]]
    if recomputed == stored and ordinals == list(range(count + 1, count + n + 1)):
        return n
    return next(i for i in range(n) if recomputed[i] != stored[i] or ordinals[i] != count + i + 1)


def deleted(link: LinkRow) -> Problem:
    return Problem(link[0], "deleted", f"the event chained at position {link[0]} is missing from the log")


def verify_runtime(
    runtime: Runtime,
    trusted_keys: set[str] | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> VerificationReport:
    """Verify the runtime's store; without explicit keys, trust the local signing key (if one exists).

    `workers` processes (default: one per CPU, at most `MAX_WORKERS`) verify segments side by side when the
    log reaches `parallel_from` positions and this process has no other thread; else one walk does it all.
    """
    keys = trusted_keys if trusted_keys is not None else local_public_keys(runtime.settings.signing_key_path)
    chained_position = runtime.chain_keeper.store.position(runtime.app.name)

    def open_readers() -> tuple[EventLogReader, ChainReader]:
        return EventLogReader.open(runtime.backend, runtime.app), ChainReader.open(
            runtime.backend, ChainProjection.name
        )

    log, chain = open_readers()
    with log, chain:
        return ChainVerifier(
            log,
            chain,
            chained_position,
            keys,
            batch_size=batch_size,
            open_readers=open_readers,
            workers=min(os.cpu_count() or 1, MAX_WORKERS) if workers is None else workers,
            parallel_from=parallel_from,
        ).run()
