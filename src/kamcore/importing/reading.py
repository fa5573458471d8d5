"""Streaming rows out of CSV and JSON Lines files, each with its file and line number.

A file is read in binary, one physical line at a time (bounded length), so a bad line — invalid
UTF-8, broken JSON, a wrong column count, an oversized line — becomes a `BadLine` the caller
reports, never an exception that stops the import. Memory stays bounded whatever the file size.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

MAX_LINE_BYTES = 1 << 20  # one record (CSV: with its quoted line breaks) is at most 1 MiB
CSV_SUFFIXES = frozenset({".csv"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})


@dataclass(frozen=True)
class Row:
    """One record: column name -> raw value (CSV: text; JSON Lines: any JSON scalar)."""

    file: str
    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class BadLine:
    """A record that could not even be read; `field` names the column when one is to blame."""

    file: str
    line: int
    field: str | None
    message: str


class UnsupportedFile(ValueError):
    """The file's extension names no supported format."""


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    raise UnsupportedFile(f"{path.name}: use .csv, .jsonl or .ndjson")


def read_rows(
    path: Path, columns: frozenset[str], progress: Callable[[int], None] | None = None
) -> Iterator[Row | BadLine]:
    """Yield every record of `path` in order; `progress(bytes_read)` is called now and then."""
    reader = _csv_rows if file_format(path) == "csv" else _jsonl_rows
    with path.open("rb") as stream:
        yield from reader(path.name, stream, columns, progress)


def _physical_lines(stream: BinaryIO, progress: Callable[[int], None] | None) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; bytes is None for a line longer than MAX_LINE_BYTES (skipped)."""
    number, done = 0, 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        done += len(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the oversized line
                raw = stream.readline(MAX_LINE_BYTES)
                done += len(raw)
            yield number, None
        else:
            yield number, raw
        if progress is not None and number % 1000 == 0:
            progress(done)
    # unreachable


def _decode(raw: bytes, first: bool) -> str:
    text = raw.decode("utf-8")
    if first and text.startswith("\ufeff"):
        text = text[1:]
    return text.rstrip("\r\n")


def _oversized(name: str, line: int) -> BadLine:
    return BadLine(name, line, None, f"line longer than {MAX_LINE_BYTES} bytes")


def _csv_rows(
    name: str, stream: BinaryIO, columns: frozenset[str], progress: Callable[[int], None] | None
) -> Iterator[Row | BadLine]:
    header: list[str] | None = None
    pending: list[str] = []  # physical lines of a record whose quoted field spans lines
    start = 0
    for number, raw in _physical_lines(stream, progress):
        if raw is None:
            pending = []
            yield _oversized(name, number)
            continue
        try:
            text = _decode(raw, number == 1)
        except UnicodeDecodeError as error:
            pending = []
            yield BadLine(name, number, None, f"not valid UTF-8 ({error.reason} at byte {error.start})")
            continue
        if not pending:
            start = number
        pending.append(text)
        record = "\n".join(pending)
        if record.count('"') % 2:  # an open quoted field continues on the next line
            if len(record) > MAX_LINE_BYTES:
                pending = []
                yield _oversized(name, start)
            continue
        pending = []
        if not record.strip():
            continue
        try:
            fields = next(csv.reader([record], strict=True))
        except csv.Error as error:
            yield BadLine(name, start, None, f"malformed CSV: {error}")
            continue
        if header is None:
            header = [f.strip() for f in fields]
            problem = _header_problem(header, columns)
            if problem is not None:
                yield BadLine(name, start, problem[0], problem[1])
                return
            continue
        if len(fields) != len(header):
            yield BadLine(name, start, None, f"expected {len(header)} columns, found {len(fields)}")
            continue
        yield Row(name, start, dict(zip(header, fields, strict=True)))
    if pending:
        yield BadLine(name, start, None, "malformed CSV: unterminated quoted field at end of file")


def _header_problem(header: list[str], columns: frozenset[str]) -> tuple[str | None, str] | None:
    unknown = [c for c in header if c not in columns]
    if unknown:
        return unknown[0], f"unknown column {unknown[0]!r} in the header; known: {', '.join(sorted(columns))}"
    duplicates = sorted({c for c in header if header.count(c) > 1})
    if duplicates:
        return duplicates[0], f"column {duplicates[0]!r} appears twice in the header"
    return None


def _jsonl_rows(
    name: str, stream: BinaryIO, columns: frozenset[str], progress: Callable[[int], None] | None
) -> Iterator[Row | BadLine]:
    for number, raw in _physical_lines(stream, progress):
        if raw is None:
            yield _oversized(name, number)
            continue
        try:
            text = _decode(raw, number == 1)
        except UnicodeDecodeError as error:
            yield BadLine(name, number, None, f"not valid UTF-8 ({error.reason} at byte {error.start})")
            continue
        if not text.strip():
            continue
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            yield BadLine(name, number, None, f"malformed JSON: {error.msg} (column {error.colno})")
            continue
        except RecursionError:
            yield BadLine(name, number, None, "malformed JSON: nested too deeply")
            continue
        if not isinstance(values, dict):
            yield BadLine(name, number, None, "each line must be one JSON object")
            continue
        unknown = sorted(k for k in values if k not in columns)
        if unknown:
            yield BadLine(name, number, unknown[0], f"unknown field {unknown[0]!r}")
            continue
        nested = sorted(k for k, v in values.items() if isinstance(v, dict | list))
        if nested:
            yield BadLine(name, number, nested[0], "must be a single value, not an object or a list")
            continue
        yield Row(name, number, values)
