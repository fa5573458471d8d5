"""Facts about any domain event: which account it belongs to, and its own data as plain JSON values."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from kamcore.domain.account import Account

IDENTITY_FIELDS = frozenset({"envelope", "originator_id", "originator_version", "timestamp", "originator_topic"})


def account_of(event: Any) -> UUID | None:
    """An Account event belongs to its own aggregate; any other event names its account, or has none."""
    if isinstance(event, Account.Event):
        return event.originator_id
    account_id = getattr(event, "account_id", None)
    return account_id if isinstance(account_id, UUID) else None


def plain(value: Any) -> Any:
    """A value as JSON-ready data: Decimal as a string (never a float), dates ISO, enums by value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def event_data(event: Any) -> dict[str, Any]:
    """The event's own fields, without identity and envelope (those have their own columns)."""
    return {k: plain(v) for k, v in vars(event).items() if k not in IDENTITY_FIELDS}
