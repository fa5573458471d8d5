"""Small, reusable input checks; each failure is an `InvalidInput` naming the field."""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import TypeVar

from kamcore.domain.errors import InvalidInput
from kamcore.domain.values import EXTERNAL_ID

E = TypeVar("E", bound=Enum)

MAX_NAME = 200
MAX_TEXT = 4000
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f]")  # below space, but for tab and newline


def text(field: str, value: str | None, *, max_length: int = MAX_NAME) -> str:
    """A required, trimmed, printable text of bounded length."""
    if value is None or not value.strip():
        raise InvalidInput("must not be empty", field=field)
    cleaned = value.strip()
    if len(cleaned) > max_length:
        raise InvalidInput(f"must be at most {max_length} characters", field=field)
    if CONTROL_CHARACTER.search(cleaned):
        raise InvalidInput("must not contain control characters", field=field)
    return cleaned


def optional_text(field: str, value: str | None, *, max_length: int = MAX_TEXT) -> str | None:
    if value is None or not value.strip():
        return None
    return text(field, value, max_length=max_length)


def text_list(field: str, values: list[str] | tuple[str, ...] | None, *, max_items: int = 50) -> tuple[str, ...]:
    items = tuple(text(f"{field}", v) for v in (values or ()))
    if len(items) > max_items:
        raise InvalidInput(f"must have at most {max_items} items", field=field)
    return items


def identifier(field: str, value: str | None) -> str:
    """An external identifier (employee number, PAS reference): short and URL-safe."""
    if value is None or not EXTERNAL_ID.match(value):
        raise InvalidInput("must be 1-64 letters, digits or . _ : @ - and start with a letter or digit", field=field)
    return value


def member(field: str, enum: type[E], value: E | str) -> E:
    if isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise InvalidInput(f"{value!r} is not one of: {allowed}", field=field) from None


def not_before(field: str, later: date | None, earlier: date, earlier_name: str) -> None:
    """`later` must not precede `earlier` (an end after its start)."""
    if later is not None and later < earlier:
        raise InvalidInput(f"must not be before {earlier_name} ({earlier.isoformat()})", field=field)


def after(field: str, later: date | None, earlier: date, earlier_name: str) -> None:
    """`later` must be strictly after `earlier` (a period must last at least a day)."""
    if later is not None and later <= earlier:
        raise InvalidInput(f"must be after {earlier_name} ({earlier.isoformat()})", field=field)
