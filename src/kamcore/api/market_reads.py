"""Market research as read types: one interface, a node type per kind of record, and one list of them all.

The ids the market mutations return (analysisId, measurementId, initiativeId) resolve through `node`; a
frontend lists the records side by side and asks for the fields of each kind with inline fragments.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.auth import IsAuthenticated
from kamcore.api.connections import After, Connection, First, MinPosition, SortDirection, listed
from kamcore.api.context import Info
from kamcore.api.read_values import day, load_nodes, moment, values_of
from kamcore.domain import values
from kamcore.projections import market_research as kinds
from kamcore.projections.market_research_view import MarketResearchFilter


@strawberry.interface(description="A market-research record: what every kind shares.")
class MarketResearchRecord(relay.Node):
    record_id: relay.NodeID[str]
    kind: enums.MarketResearchKind = strawberry.field(
        description="Kind of record; names its node type (COMPETITOR_ANALYSIS: CompetitorAnalysis, ...)."
    )
    segment: enums.Segment | None = strawberry.field(
        description="Segment it is about: the one analysed, the existing one closest to a new segment, the one "
        "measured or targeted; null = all or none."
    )
    region: str | None = strawberry.field(description="Region it is about; null = any (always null for analyses).")
    dated_on: date = strawberry.field(
        description="Its business date: an analysis's publication, a segment's identification, the day penetration "
        "figures refer to (asOf), an initiative's proposal."
    )
    version: int = strawberry.field(
        description="Aggregate version of the record (expectedVersion when implementing or abandoning an initiative)."
    )
    updated_at: datetime = strawberry.field(description="When it last changed (recording time, UTC).")

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[MarketResearchRecord | None]:
        """A global id names one kind: a CompetitorAnalysis id never resolves to an initiative's row."""
        return await load_nodes(
            info.context.loaders.market_research,
            node_ids,
            lambda row: record(row) if KINDS[row["kind"]] is cls else None,
        )


@strawberry.type(description="A competitor analysis report.")
class CompetitorAnalysis(MarketResearchRecord):
    title: str = strawberry.field(description="Title of the report.")
    author_id: str = strawberry.field(description="Employee id of the author.")
    competitors: list[str] = strawberry.field(description="Competitors analysed.")
    summary: str = strawberry.field(description="Findings.")


@strawberry.type(description="A new market segment identified; its code is unique.")
class MarketSegment(MarketResearchRecord):
    code: str = strawberry.field(description="Unique code of the segment (the code identifyMarketSegment returned).")
    name: str = strawberry.field(description="Name of the segment.")
    description: str = strawberry.field(description="What characterises it.")
    identified_by: str = strawberry.field(description="Employee id of who identified it.")


@strawberry.type(description="How much of a segment in a region we serve, as of datedOn.")
class MarketPenetration(MarketResearchRecord):
    clients_served: int = strawberry.field(description="Clients we serve there.")
    addressable_clients: int = strawberry.field(description="Clients there in total.")
    penetration: Decimal = strawberry.field(description="clientsServed ÷ addressableClients, to six decimals.")
    source: str = strawberry.field(description="Where the figures come from.")


@strawberry.type(
    description="An initiative to expand into a segment or region: proposed, then implemented or abandoned."
)
class ExpansionInitiative(MarketResearchRecord):
    title: str = strawberry.field(description="Title of the initiative.")
    owner_id: str = strawberry.field(description="Employee id of the owner.")
    target_date: date = strawberry.field(description="Day it should be implemented by.")
    status: enums.ExpansionInitiativeStatus = strawberry.field(description="Proposed, implemented or abandoned.")
    closed_on: date | None = strawberry.field(
        description="Business date it was implemented or abandoned; null while proposed."
    )
    abandoned_because: str | None = strawberry.field(description="Why it was abandoned; null unless abandoned.")


KINDS: dict[str, type[MarketResearchRecord]] = {
    kinds.COMPETITOR_ANALYSIS: CompetitorAnalysis,
    kinds.MARKET_SEGMENT: MarketSegment,
    kinds.MARKET_PENETRATION: MarketPenetration,
    kinds.EXPANSION_INITIATIVE: ExpansionInitiative,
}
# What each kind reads from its row beyond the shared fields (`details` is the kind's own JSON).
OWN_FIELDS: dict[str, Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]] = {
    kinds.COMPETITOR_ANALYSIS: lambda row, d: {
        "title": d["title"],
        "author_id": row["employee_id"],
        "competitors": d["competitors"],
        "summary": d["summary"],
    },
    kinds.MARKET_SEGMENT: lambda row, d: {
        "code": d["code"],
        "name": d["name"],
        "description": d["description"],
        "identified_by": row["employee_id"],
    },
    kinds.MARKET_PENETRATION: lambda _, d: {
        "clients_served": d["clients_served"],
        "addressable_clients": d["addressable_clients"],
        "penetration": Decimal(d["penetration"]),
        "source": d["source"],
    },
    kinds.EXPANSION_INITIATIVE: lambda row, d: {
        "title": d["title"],
        "owner_id": row["employee_id"],
        "target_date": date.fromisoformat(d["target_date"]),
        "status": enums.ExpansionInitiativeStatus(row["status"]),
        "closed_on": day(row["closed_on"]),
        "abandoned_because": d["abandoned_because"],
    },
}


def record(row: dict[str, Any]) -> MarketResearchRecord:
    """The node type of the row's kind, built from the shared columns and the kind's own fields."""
    kind = row["kind"]
    return KINDS[kind](
        record_id=row["record_id"],
        kind=enums.MarketResearchKind(kind),
        segment=values.Segment(row["segment"]) if row["segment"] else None,
        region=row["region"],
        dated_on=date.fromisoformat(row["dated_on"]),
        version=row["version"],
        updated_at=moment(row["updated_at"]),
        **OWN_FIELDS[kind](row, json.loads(row["details"])),
    )


@strawberry.input(description="Narrows the market-research list; all given conditions must hold.")
class MarketResearchFilterInput:
    kind: list[enums.MarketResearchKind] | None = strawberry.field(default=None, description="Any of these kinds.")
    segment: list[enums.Segment] | None = strawberry.field(
        default=None, description="About any of these segments (see MarketResearchRecord.segment)."
    )
    region: list[str] | None = strawberry.field(default=None, description="About any of these regions (exact).")
    employee_id: list[str] | None = strawberry.field(
        default=None, description="Authored, identified or owned by any of these employees (employee ids)."
    )
    status: list[enums.ExpansionInitiativeStatus] | None = strawberry.field(
        default=None, description="Initiatives in any of these statuses (other kinds have none, so are left out)."
    )
    dated_from: date | None = strawberry.field(
        default=None, description="Dated on or after this day; not after datedTo."
    )
    dated_to: date | None = strawberry.field(default=None, description="Dated on or before this day.")

    def to_filter(self) -> MarketResearchFilter:
        return MarketResearchFilter(
            kinds=values_of(self.kind),
            segments=values_of(self.segment),
            regions=tuple(self.region or ()),
            employee_ids=tuple(self.employee_id or ()),
            statuses=values_of(self.status),
            dated_from=self.dated_from,
            dated_to=self.dated_to,
        )


@strawberry.enum(description="Sort key of the market-research list.")
class MarketResearchSortField(Enum):
    DATED_ON = strawberry.enum_value("dated_on", description="By business date (see MarketResearchRecord.datedOn).")


@strawberry.input(description="Order of the market-research list; ties are broken by id.")
class MarketResearchOrder:
    field: MarketResearchSortField = strawberry.field(
        default=MarketResearchSortField.DATED_ON, description="Sort key; DATED_ON by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="DESC (newest) by default.")


@strawberry.type
class MarketQueries:
    @strawberry.field(
        description="Competitor analyses, new segments, penetration figures and expansion initiatives in one list, "
        "keyset-paged (first at most 100), filtered and ordered; ask for each kind's fields with "
        "`... on CompetitorAnalysis { ... }`.",
        permission_classes=[IsAuthenticated],
    )
    async def market_research(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            MarketResearchFilterInput | None,
            strawberry.argument(description="Conditions the records must meet; null = all."),
        ] = None,
        order_by: Annotated[
            MarketResearchOrder | None, strawberry.argument(description="Sort order; null = newest first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[MarketResearchRecord]:
        return await listed(
            info,
            info.context.runtime.market.records,
            filter or MarketResearchFilterInput(),
            order_by or MarketResearchOrder(),
            first=first,
            after=after,
            min_position=min_position,
            convert=record,
        )


MARKET_RESEARCH_TYPES = tuple(KINDS.values())
