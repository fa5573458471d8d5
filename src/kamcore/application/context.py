"""Who is asking and how: the context a command runs in, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid4

from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import InvalidInput
from kamcore.domain.values import Source, utcnow

MAX_IDEMPOTENCY_KEY = 200


@dataclass(frozen=True)
class CommandContext:
    """Per-command audit and control data; the API, CLI and importer each build one."""

    actor: str
    source: Source = Source.API
    correlation_id: str = field(default_factory=lambda: str(uuid4()))
    causation_id: str | None = None
    on_behalf_of: str | None = None
    reason: str | None = None
    effective_date: date | None = None
    idempotency_key: str | None = None
    expected_version: int | None = None

    def __post_init__(self) -> None:
        if self.idempotency_key is not None and not 1 <= len(self.idempotency_key) <= MAX_IDEMPOTENCY_KEY:
            raise InvalidInput(f"must be 1-{MAX_IDEMPOTENCY_KEY} characters", field="idempotency_key")
        if self.expected_version is not None and self.expected_version < 0:
            raise InvalidInput("must be a version number (0: must not exist yet)", field="expected_version")
        if self.reason is not None and len(self.reason) > 2000:
            raise InvalidInput("must be at most 2000 characters", field="reason")
        if self.reason is not None and "\x00" in self.reason:  # no text column of PostgreSQL can hold it
            raise InvalidInput("must not contain NUL characters", field="reason")
        if self.effective_date is not None and self.effective_date > utcnow().date():
            raise InvalidInput("must not be in the future", field="effective_date")

    def envelope(self) -> AuditEnvelope:
        return AuditEnvelope(
            actor=self.actor,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id or self.correlation_id,
            source=self.source,
            recorded_at=utcnow(),
            on_behalf_of=self.on_behalf_of,
            reason=self.reason.strip() if self.reason and self.reason.strip() else None,
            effective_date=self.effective_date,
        )


@dataclass(frozen=True)
class CommandResult:
    """What a command wrote: the aggregate, its new version, and the log position to wait for."""

    aggregate_id: UUID
    version: int
    position: int
    replayed: bool = False
    detail: dict[str, str] = field(default_factory=dict)
