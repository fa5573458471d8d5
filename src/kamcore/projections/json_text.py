"""JSON text for read-model columns, written by orjson (fast, exact) in one canonical form.

Compact, keys sorted, Decimal as a string (never a float), UUIDs, dates and enums as
`plain()` gives them. Rebuilding the event history spent more time encoding each event's data with
the standard library (via `plain()`) than anything else; orjson writes the same JSON values ~5× faster.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from kamcore.domain.events import IDENTITY_FIELDS

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(value: Any) -> str:
    return orjson.dumps(value, default=_default, option=_OPTIONS).decode()


def event_json(event: Any) -> str:
    """The event's own fields (what `event_data` gives) as JSON text, without building them as plain values."""
    return to_json({k: v for k, v in vars(event).items() if k not in IDENTITY_FIELDS})
