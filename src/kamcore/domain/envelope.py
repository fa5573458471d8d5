"""The audit envelope every event carries: who, on whose behalf, why, from where, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kamcore.domain.values import Source


@dataclass(frozen=True)
class AuditEnvelope:
    """Audit facts of one command, copied onto each event it produced.

    `recorded_at` is when the system learnt the fact (UTC); `effective_date` is the business
    date when it happened, if different (a meeting recorded today that was held last week).
    KPIs use the business date; "as known at" queries use `recorded_at`.
    """

    actor: str
    correlation_id: str
    causation_id: str
    source: Source
    recorded_at: datetime
    on_behalf_of: str | None = None
    reason: str | None = None
    effective_date: date | None = None

    @property
    def business_date(self) -> date:
        return self.effective_date or self.recorded_at.date()
