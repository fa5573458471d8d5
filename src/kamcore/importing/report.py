"""What an import did: counts, every bad row (file, line, field, reason), and the speed."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class BadRow:
    file: str
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field or '-'}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    mode: str
    dry_run: bool
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    imported: int = 0  # rows that produced events (new or changed records)
    unchanged: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    events_written: int = 0  # in a dry run: the events the import would write
    seconds: float = 0.0
    correlation_id: str = ""

    @property
    def bad(self) -> int:
        return len(self.bad_rows)

    @property
    def events_per_second(self) -> float:
        return self.events_written / self.seconds if self.seconds > 0 else 0.0

    @property
    def outcome(self) -> str:
        if self.dry_run:
            return "dry run: nothing written"
        if self.mode == "all-or-nothing" and self.bad_rows:
            return "all-or-nothing: bad rows found, nothing imported"
        return f"{self.mode}: imported"

    def render(self, console: Console, *, max_bad_rows: int = 200) -> None:
        if self.bad_rows:
            bad = Table("file", "line", "field", "reason", title=f"{self.bad} bad row(s)")
            for row in self.bad_rows[:max_bad_rows]:
                bad.add_row(row.file, str(row.line), row.field or "", row.message)
            console.print(bad)
            if self.bad > max_bad_rows:
                console.print(f"… and {self.bad - max_bad_rows} more bad rows")
        summary = Table("import", self.kind, title=self.outcome)
        summary.add_row("mode", self.mode + (" (dry run)" if self.dry_run else ""))
        summary.add_row("files", ", ".join(self.files))
        summary.add_row("rows read", f"{self.rows_read:,}")
        summary.add_row("imported", f"{self.imported:,}")
        summary.add_row("unchanged", f"{self.unchanged:,}")
        summary.add_row("bad", f"{self.bad:,}")
        summary.add_row("events " + ("to write" if self.dry_run else "written"), f"{self.events_written:,}")
        summary.add_row("seconds", f"{self.seconds:.2f}")
        summary.add_row("events/s", f"{self.events_per_second:,.0f}")
        summary.add_row("correlation id", self.correlation_id)
        console.print(summary)
