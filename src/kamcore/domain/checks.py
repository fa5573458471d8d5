"""Input checks for numbers, money, id lists and parameter documents; each failure names its field.

They complement `kamcore.domain.rules` (text, identifiers, enums, dates) for the sales, personnel
and programme aggregates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from kamcore.domain import rules
from kamcore.domain.errors import InvalidInput
from kamcore.domain.values import ISO_CURRENCY, Money

MAX_DOCUMENT_DEPTH = 6
MAX_DOCUMENT_ITEMS = 500


def money(field: str, value: Money | None, *, non_negative: bool = True, currency: str | None = None) -> Money:
    """Re-validate a `Money` (it may have been built without `Money.of`) and optionally pin its currency."""
    if not isinstance(value, Money):
        raise InvalidInput("must be an amount with a currency", field=field)
    if not ISO_CURRENCY.match(value.currency or ""):
        raise InvalidInput(f"{value.currency!r} is not an ISO 4217 currency code", field=f"{field}.currency")
    checked = Money.of(value.amount, value.currency, field=field, non_negative=non_negative)
    if currency is not None and checked.currency != currency:
        raise InvalidInput(f"must be in {currency}, like the rest of the record", field=f"{field}.currency")
    return checked


def decimal(field: str, value: object, *, low: Decimal | None = None, high: Decimal | None = None) -> Decimal:
    """A finite Decimal (never a float) inside [low, high] when bounds are given."""
    if isinstance(value, float | bool) or value is None:
        raise InvalidInput("must be a decimal string, integer or Decimal, not a float", field=field)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{value!r} is not a decimal number", field=field) from None
    if not number.is_finite():
        raise InvalidInput("must be finite", field=field)
    if low is not None and number < low:
        raise InvalidInput(f"must be at least {low}", field=field)
    if high is not None and number > high:
        raise InvalidInput(f"must be at most {high}", field=field)
    return number


def whole_number(field: str, value: object, *, low: int = 0, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("must be a whole number", field=field)
    if value < low:
        raise InvalidInput(f"must be at least {low}", field=field)
    if high is not None and value > high:
        raise InvalidInput(f"must be at most {high}", field=field)
    return value


def identifiers(field: str, values: Iterable[str] | None, *, max_items: int = 50) -> tuple[str, ...]:
    """Distinct external identifiers, in the order given."""
    items = tuple(dict.fromkeys(rules.identifier(field, v) for v in (values or ())))
    if len(items) > max_items:
        raise InvalidInput(f"must have at most {max_items} items", field=field)
    return items


def uuids(field: str, values: Iterable[UUID] | None, *, max_items: int = 100) -> tuple[UUID, ...]:
    items = tuple(dict.fromkeys(values or ()))
    if any(not isinstance(v, UUID) for v in items):
        raise InvalidInput("must be a list of ids", field=field)
    if len(items) > max_items:
        raise InvalidInput(f"must have at most {max_items} items", field=field)
    return items


def document(field: str, value: Mapping[str, Any] | None) -> dict[str, Any]:
    """A JSON-like mapping of named parameters: identifier keys; str, int, Decimal, bool, None, lists, mappings.

    Floats are refused (use Decimal, as for money); sequences are normalised to lists so the value
    is the same before and after a round trip through the event store.
    """
    if not isinstance(value, Mapping) or not value:
        raise InvalidInput("must be a non-empty mapping of named parameters", field=field)
    counter = [0]
    return _mapping(field, value, 1, counter)


def _mapping(field: str, value: Mapping[str, Any], depth: int, counter: list[int]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise InvalidInput("parameter names must be text", field=field)
        path = f"{field}.{key}"
        rules.identifier(path, key)
        checked[key] = _value(path, item, depth, counter)
    return checked


def _value(field: str, value: Any, depth: int, counter: list[int]) -> Any:
    counter[0] += 1
    if counter[0] > MAX_DOCUMENT_ITEMS:
        raise InvalidInput(f"must hold at most {MAX_DOCUMENT_ITEMS} values", field=field)
    if depth > MAX_DOCUMENT_DEPTH:
        raise InvalidInput(f"must nest at most {MAX_DOCUMENT_DEPTH} levels", field=field)
    if isinstance(value, float):
        raise InvalidInput("numbers must be integers or Decimal, not floats", field=field)
    if isinstance(value, Decimal):
        return decimal(field, value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return rules.text(field, value, max_length=rules.MAX_TEXT) if value.strip() else value
    if isinstance(value, Mapping):
        return _mapping(field, value, depth + 1, counter)
    if isinstance(value, list | tuple):
        return [_value(field, item, depth + 1, counter) for item in value]
    raise InvalidInput(f"{type(value).__name__} is not a parameter value", field=field)
