"""JSON transcodings for the domain's value types, so events store them losslessly."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any

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


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EnumAsValue(Transcoding):
    """One per enum class; the stored name is the class name, so renaming a class needs an alias."""

    def __init__(self, enum: type[Enum]) -> None:
        self.type = enum
        self.name = f"enum_{enum.__name__}"

    def encode(self, obj: Enum) -> str:
        return obj.value

    def decode(self, data: str) -> Enum:
        return self.type(data)


class DataclassAsDict(Transcoding):
    """A frozen value dataclass as a dict of its fields; JSON lists come back as tuples."""

    def __init__(self, cls: type) -> None:
        self.type = cls
        self.name = f"value_{cls.__name__}"
        self.field_names = tuple(f.name for f in dataclasses.fields(cls))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self.field_names}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


def register_domain_transcodings(transcoder: JSONTranscoder, extra: Iterable[type] = ()) -> None:
    transcoder.register(DateAsISO())
    for enum in ENUM_CLASSES:
        transcoder.register(EnumAsValue(enum))
    for cls in (*VALUE_CLASSES, *extra):
        transcoder.register(DataclassAsDict(cls))
