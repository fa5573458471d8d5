"""Reading sealed personal data back: plain where the subject's key exists, erased where it is gone.

Every reader that shows personal data (account summary, feedback items, history, time travel, live events) goes through
here, with one key lookup for everything it is about to show. Only the declared personal fields are
opened (`PERSONAL_FIELDS`), so free text that merely looks like a token is shown as typed; a value
there without the token prefix was stored before sealing existed and reads as plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from kamcore.application.sealing import is_sealed, subject_of, unseal
from kamcore.domain.personal_data import ERASED, PERSONAL_FIELDS, STAKEHOLDER_PERSONAL_FIELDS, erased_stakeholder

# subject ids -> the keys that still exist (erased subjects are simply absent)
KeyLookup = Callable[[Collection[str]], Mapping[str, bytes]]

PERSONAL_PATHS = {event: tuple(tuple(path.split(".")) for path in paths) for event, paths in PERSONAL_FIELDS.items()}


def lookup_keys(subjects: Iterable[str], lookup: KeyLookup) -> Mapping[str, bytes]:
    wanted = set(subjects)
    return lookup(wanted) if wanted else {}


# -- events (history, live events) ------------------------------------------------------------------


def event_subjects(event_type: str, data: Mapping[str, Any]) -> set[str]:
    """The data subjects whose sealed values an event's data holds; `event_type` as in `Account.StakeholderAdded`."""
    return {subject_of(v) for path in PERSONAL_PATHS.get(event_type, ()) if is_sealed(v := _at(data, path))}


def reveal_event(event_type: str, data: dict[str, Any], keys: Mapping[str, bytes]) -> dict[str, Any]:
    """The event's data with its personal fields opened, or `ERASED` where the key is gone."""
    for path in PERSONAL_PATHS.get(event_type, ()):
        value = _at(data, path)
        if is_sealed(value):
            plain = unseal(value, keys)
            data = _with(data, path, ERASED if plain is None else plain)
    return data


def reveal_events(events: Sequence[tuple[str, dict[str, Any]]], lookup: KeyLookup) -> list[dict[str, Any]]:
    """(event type, data) pairs revealed with one key lookup."""
    keys = lookup_keys((s for event_type, data in events for s in event_subjects(event_type, data)), lookup)
    return [reveal_event(event_type, data, keys) for event_type, data in events]


def _at(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for name in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def _with(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    head, *rest = path
    return {**data, head: _with(data[head], tuple(rest), value) if rest else value}


# -- free text naming a person (feedback items) ----------------------------------------------------


def reveal_text(stored: str | None, keys: Mapping[str, bytes]) -> tuple[str | None, bool]:
    """(plain text, False); (`ERASED`, True) once the key is gone; unsealed older text reads as stored."""
    if not is_sealed(stored):
        return stored, False
    plain = unseal(stored, keys)  # type: ignore[arg-type]  # is_sealed: a str
    return (ERASED, True) if plain is None else (plain, False)


# -- contacts in the account summary -----------------------------------------------------------------


def stakeholder_subjects(stakeholders: Iterable[Mapping[str, Any]]) -> set[str]:
    return {subject_of(s[f]) for s in stakeholders for f in STAKEHOLDER_PERSONAL_FIELDS if is_sealed(s.get(f))}


def reveal_stakeholder(stakeholder: Mapping[str, Any], keys: Mapping[str, bytes]) -> dict[str, Any]:
    """A contact with readable personal fields and `erased` set; erased as a whole if any field is unreadable."""
    personal = {f: stakeholder.get(f) for f in STAKEHOLDER_PERSONAL_FIELDS}
    opened = {f: unseal(v, keys) if is_sealed(v) else v for f, v in personal.items()}
    lost = any(is_sealed(personal[f]) and opened[f] is None for f in personal)
    if stakeholder.get("erased") or lost:
        return erased_stakeholder(dict(stakeholder))
    return {**stakeholder, **opened, "erased": False}


def reveal_stakeholders(stakeholders: list[dict[str, Any]], lookup: KeyLookup) -> list[dict[str, Any]]:
    keys = lookup_keys(stakeholder_subjects(stakeholders), lookup)
    return [reveal_stakeholder(s, keys) for s in stakeholders]
