"""Product: the catalogue entry that quotes, policies and recommendations name by its code."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.ids import natural_id
from kamcore.domain.values import Segment


def _segments(values: Iterable[Segment | str] | None) -> tuple[Segment, ...]:
    segments = tuple(dict.fromkeys(rules.member("target_segments", Segment, v) for v in (values or ())))
    if not segments:
        raise InvalidInput("a product targets at least one segment", field="target_segments")
    return segments


class Product(KamAggregate):
    """Identified by its code (a natural key), so launching a code twice collides."""

    @classmethod
    def create_id(cls, code: str, **_: Any) -> UUID:
        return cls.id_for(code)

    @staticmethod
    def id_for(code: str) -> UUID:
        return natural_id("product", code)

    @classmethod
    def launch(
        cls,
        *,
        code: str,
        name: str,
        line_of_business: str,
        target_segments: Iterable[Segment | str],
        needs_covered: Iterable[str] = (),
        envelope: AuditEnvelope,
    ) -> Product:
        return cls(
            code=rules.identifier("code", code),
            name=rules.text("name", name),
            line_of_business=rules.text("line_of_business", line_of_business, max_length=100),
            target_segments=_segments(target_segments),
            needs_covered=rules.text_list("needs_covered", tuple(needs_covered)),
            launched_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Launched")
    def __init__(
        self,
        code: str,
        name: str,
        line_of_business: str,
        target_segments: tuple[Segment, ...],
        needs_covered: tuple[str, ...],
        launched_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.code = code
        self.name = name
        self.line_of_business = line_of_business
        self.target_segments = tuple(target_segments)
        self.needs_covered = tuple(needs_covered)
        self.launched_on = launched_on
        self.withdrawn_on: date | None = None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    def ensure_on_sale(self) -> None:
        """A withdrawn product is sold to no one new (renewals of existing business are the caller's call)."""
        if self.is_withdrawn:
            raise Conflict(f"product {self.code} is withdrawn", field="product_code", code="PRODUCT_WITHDRAWN")

    def revise(
        self,
        *,
        name: str | None = None,
        target_segments: Iterable[Segment | str] | None = None,
        needs_covered: Iterable[str] | None = None,
        envelope: AuditEnvelope,
    ) -> None:
        """Change the offer; the event carries the whole resulting entry. The line of business is fixed."""
        self.ensure_on_sale()
        self._revised(
            code=self.code,
            name=rules.text("name", name) if name is not None else self.name,
            target_segments=_segments(target_segments) if target_segments is not None else self.target_segments,
            needs_covered=rules.text_list("needs_covered", tuple(needs_covered))
            if needs_covered is not None
            else self.needs_covered,
            envelope=envelope,
        )

    def withdraw(self, *, envelope: AuditEnvelope) -> None:
        self.ensure_on_sale()
        if not envelope.reason:
            raise InvalidInput("withdrawing a product needs a reason", field="reason")
        rules.not_before("effective_date", envelope.business_date, self.launched_on, "the launch date")
        self._withdrawn(code=self.code, withdrawn_on=envelope.business_date, envelope=envelope)

    @event("Revised")
    def _revised(
        self,
        code: str,
        name: str,
        target_segments: tuple[Segment, ...],
        needs_covered: tuple[str, ...],
        envelope: AuditEnvelope,
    ) -> None:
        self.name = name
        self.target_segments = tuple(target_segments)
        self.needs_covered = tuple(needs_covered)

    @event("Withdrawn")
    def _withdrawn(self, code: str, withdrawn_on: date, envelope: AuditEnvelope) -> None:
        self.withdrawn_on = withdrawn_on
