"""Bulk import of accounts, policies and claims from CSV and JSON Lines (see docs/import.md).

reading (rows with file and line) -> schemas (typed values per kind) -> changes (row vs stored
aggregate -> domain calls) -> workspace (per-row units of work) -> writer (batched inserts)
-> report; `runner.import_files` puts them together.
"""

from kamcore.importing.report import BadRow, ImportReport
from kamcore.importing.runner import ImportMode, import_files
from kamcore.importing.schemas import ImportKind

__all__ = ["BadRow", "ImportKind", "ImportMode", "ImportReport", "import_files"]
