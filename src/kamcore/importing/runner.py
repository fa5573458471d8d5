"""Running an import: read, check and apply every row, in one of two modes, through the batched writer.

`all-or-nothing` (default) first checks every row without writing (a dry pass over the files),
and writes only if no row is bad; `good-rows` writes the good rows and reports the bad ones.
Both stream the files, so memory stays bounded; a dry run stops after the checking pass.

The checking pass spools the events it built (`spool.py`), and the writing pass inserts them as they
are. It runs the domain again only when the spool cannot be trusted: the checking pass had to forget
aggregates (more than `MAX_TOUCHED`), or another writer changed an aggregate in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from enum import Enum
from pathlib import Path
from uuid import uuid4

from eventsourcing.persistence import RecordConflictError

from kamcore.application.handling import CommandHandling
from kamcore.domain.errors import KamError
from kamcore.importing.changes import apply_row, ids_needed
from kamcore.importing.reading import BadLine, Row, file_format, read_rows
from kamcore.importing.report import BadRow, ImportReport
from kamcore.importing.schemas import SCHEMAS, ImportKind, Record
from kamcore.importing.spool import Spool
from kamcore.importing.workspace import Envelopes, Workspace
from kamcore.importing.writer import DEFAULT_BATCH_EVENTS, BulkWriter

CHUNK_ROWS = 1_000

# (file name, bytes read, file size, phase: "checking" or "writing")
Progress = Callable[[str, int, int, str], None]


class ImportMode(Enum):
    ALL_OR_NOTHING = "all-or-nothing"
    GOOD_ROWS = "good-rows"


def import_files(
    app: CommandHandling,
    paths: Sequence[Path],
    kind: ImportKind,
    *,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    dry_run: bool = False,
    actor: str = "cli:import",
    batch_events: int = DEFAULT_BATCH_EVENTS,
    progress: Progress | None = None,
) -> ImportReport:
    """Import `paths` (CSV or JSON Lines, by extension) as records of `kind`; returns the report."""
    for path in paths:
        file_format(path)  # an unsupported extension fails before anything is read
    report = ImportReport(kind.value, mode.value, dry_run, files=[p.name for p in paths], correlation_id=str(uuid4()))
    started = time.perf_counter()
    spooled_written = 0  # events inserted from the spool before a conflict sent the import back to the domain
    if dry_run or mode is ImportMode.ALL_OR_NOTHING:
        with Spool() as spool:
            writer = _run_pass(
                app, paths, kind, report, actor, batch_events, progress, write=False, spool=None if dry_run else spool
            )
            if dry_run or report.bad_rows:
                report.seconds = time.perf_counter() - started
                if not dry_run:
                    report.imported = report.events_written = 0
                return report
            if writer.spool is not None:
                spooled_written, complete = _insert_spooled(app, spool, batch_events, paths, progress)
                if complete:
                    report.events_written = spooled_written
                    report.seconds = time.perf_counter() - started
                    return report
        report.rows_read = report.imported = report.unchanged = report.events_written = 0
    _run_pass(app, paths, kind, report, actor, batch_events, progress, write=True)
    report.events_written += spooled_written
    report.seconds = time.perf_counter() - started
    return report


def _insert_spooled(
    app: CommandHandling, spool: Spool, batch_events: int, paths: Sequence[Path], progress: Progress | None
) -> tuple[int, bool]:
    """Write what the checking pass built: (events written, complete).

    Not complete when a concurrent write conflicts: the domain must then decide again, in a writing
    pass that sees the batches already written as stored (their rows count as unchanged there).
    """
    writer = BulkWriter(app, batch_events=batch_events)
    try:
        writer.insert_spooled(spool)
    except RecordConflictError:
        return writer.events_written, False
    for path in paths:
        if progress is not None:
            size = path.stat().st_size
            progress(path.name, size, size, "writing")
    return writer.events_written, True


def _run_pass(
    app: CommandHandling,
    paths: Sequence[Path],
    kind: ImportKind,
    report: ImportReport,
    actor: str,
    batch_events: int,
    progress: Progress | None,
    *,
    write: bool,
    spool: Spool | None = None,
) -> BulkWriter:
    """One pass over the files; a checking pass (not `write`) encodes its events into `spool` if given."""
    schema = SCHEMAS[kind]
    columns = frozenset(schema.columns)
    writer = BulkWriter(app, batch_events=batch_events, dry_run=not write, spool=spool)
    workspace = Workspace(app, writer)
    phase = "writing" if write else "checking"
    for path in paths:
        envelopes = Envelopes(actor, report.correlation_id, f"import of {path.name} ({kind.value})")
        workspace.on_flush = [envelopes.refresh]
        size = path.stat().st_size

        def tick(done: int, name: str = path.name, size: int = size) -> None:
            if progress is not None:
                progress(name, done, size, phase)

        for chunk in _chunks(read_rows(path, columns, tick)):
            first_bad = len(report.bad_rows)  # reported in line order, whichever step found them
            parsed: list[tuple[Row, Record]] = []
            for item in chunk:
                report.rows_read += 1
                if isinstance(item, BadLine):
                    report.bad_rows.append(BadRow(item.file, item.line, item.field, item.message))
                    continue
                try:
                    parsed.append((item, schema.parse(item.values)))
                except KamError as error:
                    report.bad_rows.append(BadRow(item.file, item.line, error.field, error.message))
                except (ValueError, TypeError, ArithmeticError) as error:
                    report.bad_rows.append(BadRow(item.file, item.line, None, f"invalid value: {error}"))
            workspace.prefetch(i for _, record in parsed for i in ids_needed(record))
            for row, record in parsed:
                _apply(row, record, workspace, envelopes, report)
            report.bad_rows[first_bad:] = sorted(report.bad_rows[first_bad:], key=lambda bad: bad.line)
        tick(size)
    workspace.flush()
    report.events_written = writer.events_written
    return writer


def _chunks(items: Iterator[Row | BadLine]) -> Iterator[list[Row | BadLine]]:
    chunk: list[Row | BadLine] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _apply(row: Row, record: Record, workspace: Workspace, envelopes: Envelopes, report: ImportReport) -> None:
    try:
        events = apply_row(record, workspace, envelopes)
    except KamError as error:
        report.bad_rows.append(BadRow(row.file, row.line, error.field, error.message))
        return
    except (ValueError, TypeError, ArithmeticError) as error:
        report.bad_rows.append(BadRow(row.file, row.line, None, f"invalid value: {error}"))
        return
    if events:
        report.imported += 1
    else:
        report.unchanged += 1
