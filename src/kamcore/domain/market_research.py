"""Market research records: competitor analyses, new segments, market penetration, expansion initiatives.

Each record is its own small aggregate; `author_id` / `owner_id` is the RM or analyst it counts for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import checks, rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.ids import natural_id
from kamcore.domain.values import Segment


def _segment(value: Segment | str | None) -> Segment | None:
    return rules.member("segment", Segment, value) if value is not None else None


class CompetitorAnalysis(KamAggregate):
    """A competitor analysis report (KRA 5: reports per period)."""

    @classmethod
    def publish(
        cls,
        *,
        author_id: str,
        title: str,
        competitors: Iterable[str],
        summary: str,
        segment: Segment | str | None = None,
        envelope: AuditEnvelope,
    ) -> CompetitorAnalysis:
        names = rules.text_list("competitors", tuple(competitors))
        if not names:
            raise InvalidInput("an analysis names at least one competitor", field="competitors")
        return cls(
            author_id=rules.identifier("author_id", author_id),
            title=rules.text("title", title),
            competitors=names,
            summary=rules.text("summary", summary, max_length=rules.MAX_TEXT),
            segment=_segment(segment),
            published_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Published")
    def __init__(
        self,
        author_id: str,
        title: str,
        competitors: tuple[str, ...],
        summary: str,
        segment: Segment | None,
        published_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.author_id = author_id
        self.title = title
        self.competitors = tuple(competitors)
        self.summary = summary
        self.segment = segment
        self.published_on = published_on


class MarketSegmentFinding(KamAggregate):
    """A new market segment identified; keyed by its code so the same segment is counted once."""

    @classmethod
    def create_id(cls, code: str, **_: Any) -> UUID:
        return cls.id_for(code)

    @staticmethod
    def id_for(code: str) -> UUID:
        return natural_id("market-segment", code.lower())

    @classmethod
    def identify(
        cls,
        *,
        code: str,
        name: str,
        description: str,
        identified_by: str,
        closest_segment: Segment | str | None = None,
        region: str | None = None,
        envelope: AuditEnvelope,
    ) -> MarketSegmentFinding:
        return cls(
            code=rules.identifier("code", code),
            name=rules.text("name", name),
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            identified_by=rules.identifier("identified_by", identified_by),
            closest_segment=rules.member("closest_segment", Segment, closest_segment)
            if closest_segment is not None
            else None,
            region=rules.optional_text("region", region, max_length=100),
            identified_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Identified")
    def __init__(
        self,
        code: str,
        name: str,
        description: str,
        identified_by: str,
        closest_segment: Segment | None,
        region: str | None,
        identified_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.code = code
        self.name = name
        self.description = description
        self.identified_by = identified_by
        self.closest_segment = closest_segment
        self.region = region
        self.identified_on = identified_on


class MarketPenetration(KamAggregate):
    """Clients served ÷ addressable clients in a segment and region at a date; growth compares two of them."""

    @classmethod
    def measure(
        cls,
        *,
        segment: Segment | str,
        region: str,
        as_of: date,
        clients_served: int,
        addressable_clients: int,
        source: str,
        envelope: AuditEnvelope,
    ) -> MarketPenetration:
        addressable = checks.whole_number("addressable_clients", addressable_clients, low=1, high=10**9)
        served = checks.whole_number("clients_served", clients_served, high=addressable)
        if as_of > envelope.business_date:
            raise InvalidInput("a measurement is not dated in the future", field="as_of")
        return cls(
            segment=rules.member("segment", Segment, segment),
            region=rules.text("region", region, max_length=100),
            as_of=as_of,
            clients_served=served,
            addressable_clients=addressable,
            penetration=(Decimal(served) / Decimal(addressable)).quantize(Decimal("0.000001")),
            source=rules.text("source", source),
            envelope=envelope,
        )

    @event("Measured")
    def __init__(
        self,
        segment: Segment,
        region: str,
        as_of: date,
        clients_served: int,
        addressable_clients: int,
        penetration: Decimal,
        source: str,
        envelope: AuditEnvelope,
    ) -> None:
        self.segment = segment
        self.region = region
        self.as_of = as_of
        self.clients_served = clients_served
        self.addressable_clients = addressable_clients
        self.penetration = penetration
        self.source = source


class ExpansionInitiative(KamAggregate):
    """A market-share expansion initiative: proposed, then implemented or abandoned."""

    @classmethod
    def propose(
        cls,
        *,
        title: str,
        owner_id: str,
        target_date: date,
        segment: Segment | str | None = None,
        region: str | None = None,
        envelope: AuditEnvelope,
    ) -> ExpansionInitiative:
        rules.not_before("target_date", target_date, envelope.business_date, "the proposal date")
        return cls(
            title=rules.text("title", title),
            owner_id=rules.identifier("owner_id", owner_id),
            target_date=target_date,
            segment=_segment(segment),
            region=rules.optional_text("region", region, max_length=100),
            proposed_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Proposed")
    def __init__(
        self,
        title: str,
        owner_id: str,
        target_date: date,
        segment: Segment | None,
        region: str | None,
        proposed_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.title = title
        self.owner_id = owner_id
        self.target_date = target_date
        self.segment = segment
        self.region = region
        self.proposed_on = proposed_on
        self.closed_on: date | None = None

    def implement(self, *, envelope: AuditEnvelope) -> None:
        on = self._closing_date(envelope)
        self._implemented(owner_id=self.owner_id, target_date=self.target_date, implemented_on=on, envelope=envelope)

    def abandon(self, *, envelope: AuditEnvelope) -> None:
        if not envelope.reason:
            raise InvalidInput("abandoning an initiative needs a reason", field="reason")
        on = self._closing_date(envelope)
        self._abandoned(owner_id=self.owner_id, abandoned_on=on, envelope=envelope)

    def _closing_date(self, envelope: AuditEnvelope) -> date:
        if self.closed_on is not None:
            raise Conflict("the initiative is already closed", field="initiative_id", code="INVALID_STATE")
        on = envelope.business_date
        rules.not_before("effective_date", on, self.proposed_on, "the proposal date")
        return on

    @event("Implemented")
    def _implemented(self, owner_id: str, target_date: date, implemented_on: date, envelope: AuditEnvelope) -> None:
        self.closed_on = implemented_on

    @event("Abandoned")
    def _abandoned(self, owner_id: str, abandoned_on: date, envelope: AuditEnvelope) -> None:
        self.closed_on = abandoned_on
