"""JSON transcodings for the domain's value types, so events store them losslessly."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Transcoding

from kamcore.domain import values
from kamcore.domain.account_team import Assignment
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.interaction import ActionItem
from kamcore.domain.process_review import Adjustment, Finding
from kamcore.domain.programme import CriteriaVersion, ServiceStandard

VALUE_CLASSES: tuple[type, ...] = (
    AuditEnvelope,
    values.Money,
    values.Stakeholder,
    values.Need,
    values.BusinessContext,
    Assignment,
    ActionItem,
    CriteriaVersion,
    ServiceStandard,
    Finding,
    Adjustment,
)
ENUM_CLASSES: tuple[type[Enum], ...] = tuple(
    obj for obj in vars(values).values() if isinstance(obj, type) and issubclass(obj, Enum) and obj is not Enum
)


CACHE_LIMIT = 50_000  # decoded values kept per transcoding; the cache starts afresh when full


class CachedDecoding(Transcoding):
    """Decoding of an immutable value type, remembered by its stored string.

    Account ids, dates and enum values repeat across thousands of events; building them again
    (`UUID()`, `Enum()` lookups) was a third of decoding a stored event. Immutable values can be shared.
    """

    def __init__(self) -> None:
        self._decoded: dict[str, Any] = {}

    def decode(self, data: str) -> Any:
        try:
            return self._decoded[data]
        except KeyError:
            if len(self._decoded) >= CACHE_LIMIT:
                self._decoded = {}
            value = self._decoded[data] = self.build(data)
            return value

    def build(self, data: str) -> Any:
        raise NotImplementedError


class DateAsISO(CachedDecoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def build(self, data: str) -> date:
        return date.fromisoformat(data)


class UUIDAsHex(CachedDecoding):
    """The library's `uuid_hex` (same stored form), with cached decoding."""

    type = UUID
    name = "uuid_hex"

    def encode(self, obj: UUID) -> str:
        return obj.hex

    def build(self, data: str) -> UUID:
        return UUID(data)


class EnumAsValue(CachedDecoding):
    """One per enum class; the stored name is the class name, so renaming a class needs an alias."""

    def __init__(self, enum: type[Enum]) -> None:
        super().__init__()
        self.type = enum
        self.name = f"enum_{enum.__name__}"

    def encode(self, obj: Enum) -> str:
        return obj.value

    def build(self, data: str) -> Enum:
        return self.type(data)


class DataclassAsDict(Transcoding):
    """A frozen value dataclass as a dict of its fields; JSON lists come back as tuples."""

    def __init__(self, cls: type) -> None:
        self.type = cls
        self.name = f"value_{cls.__name__}"
        self.field_names = tuple(f.name for f in dataclasses.fields(cls))
        self.stored_keys = frozenset(self.field_names)
        self.direct = not hasattr(cls, "__post_init__")

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self.field_names}

    def decode(self, data: dict[str, Any]) -> Any:
        """With every field stored, the value is filled in directly, as the library rebuilds events.

        A frozen dataclass's `__init__` sets each field through `object.__setattr__`: a sixth of decoding an
        event. Data stored before a field was added, or a class that checks itself in `__post_init__`, goes
        through `__init__`.
        """
        for key, item in data.items():
            if type(item) is list:
                data[key] = tuple(item)
        if not self.direct or data.keys() != self.stored_keys:
            return self.type(**data)
        value = object.__new__(self.type)
        value.__dict__.update(data)
        return value


class KamTranscoder(JSONTranscoder):
    """The library's JSON transcoder with a leaner per-object hook (it runs for every JSON object decoded)."""

    def __init__(self) -> None:
        super().__init__()
        # Event states are trees of values: the check for circular references (bookkeeping for every JSON object
        # and list) was ~15% of encoding and can find nothing. The bytes written are the same.
        self.encoder = json.JSONEncoder(
            default=self._encode_obj, separators=(",", ":"), ensure_ascii=False, check_circular=False
        )

    def _decode_obj(self, d: dict[str, Any]) -> Any:
        if len(d) == 2:
            name = d.get("_type_")
            if name is not None and "_data_" in d:
                try:
                    transcoding = self.names[name]
                except KeyError:
                    return super()._decode_obj(d)  # the library's error for an unknown type
                return transcoding.decode(d["_data_"])
        return d


def register_domain_transcodings(transcoder: JSONTranscoder, extra: Iterable[type] = ()) -> None:
    transcoder.register(UUIDAsHex())
    transcoder.register(DateAsISO())
    for enum in ENUM_CLASSES:
        transcoder.register(EnumAsValue(enum))
    for cls in (*VALUE_CLASSES, *extra):
        transcoder.register(DataclassAsDict(cls))
