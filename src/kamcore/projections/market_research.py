"""Market research: competitor analyses, new segments, penetration figures and expansion initiatives, one list.

The four are small records read side by side (what do we know about the SME market?), so they share one
table: what lists filter and sort by has a column (kind, segment, region, employee, date, status); what
only one kind has is kept as JSON in `details`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from kamcore.domain.events import plain
from kamcore.domain.market_research import (
    CompetitorAnalysis,
    ExpansionInitiative,
    MarketPenetration,
    MarketSegmentFinding,
)
from kamcore.domain.values import Segment
from kamcore.projections.account_summary import to_json
from kamcore.projections.projection import Projection, SqlCursor, change_row, handles
from kamcore.projections.rows import Table

RESEARCH_COLUMNS = (
    "record_id",
    "kind",
    "segment",
    "region",
    "employee_id",
    "dated_on",
    "status",
    "closed_on",
    "details",
    "version",
    "updated_at",
)
RESEARCH = Table("market_research", ("record_id",), RESEARCH_COLUMNS)

# Kinds of record, and the statuses an expansion initiative moves through (the other kinds have none).
COMPETITOR_ANALYSIS, MARKET_SEGMENT, MARKET_PENETRATION, EXPANSION_INITIATIVE = (
    "competitor_analysis",
    "market_segment",
    "market_penetration",
    "expansion_initiative",
)
PROPOSED, IMPLEMENTED, ABANDONED = "proposed", "implemented", "abandoned"


class MarketResearchProjection(Projection):
    name = "market_research"
    schema_version = 1
    tables = ("market_research",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}market_research ("
        " record_id TEXT PRIMARY KEY, kind TEXT NOT NULL, segment TEXT, region TEXT, employee_id TEXT,"
        " dated_on TEXT NOT NULL, status TEXT, closed_on TEXT, details TEXT NOT NULL,"
        " version INTEGER NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS market_research_by_date ON {t}market_research (dated_on, record_id)",
        "CREATE INDEX IF NOT EXISTS market_research_by_kind ON {t}market_research (kind, dated_on)",
    )

    def prefetch(self, sql: SqlCursor, events: Sequence[Any]) -> None:
        """Only closing an initiative changes a row; every other event adds one."""
        closing = [e for e in events if isinstance(e, ExpansionInitiative.Implemented | ExpansionInitiative.Abandoned)]
        sql.rows.prefetch(RESEARCH, [(str(e.originator_id),) for e in closing])

    @handles(CompetitorAnalysis.Published)
    def analysis_published(self, sql: SqlCursor, e: CompetitorAnalysis.Published) -> None:
        details = {"title": e.title, "competitors": list(e.competitors), "summary": e.summary}
        self._add(sql, e, COMPETITOR_ANALYSIS, e.segment, None, e.author_id, e.published_on, details)

    @handles(MarketSegmentFinding.Identified)
    def segment_identified(self, sql: SqlCursor, e: MarketSegmentFinding.Identified) -> None:
        details = {"code": e.code, "name": e.name, "description": e.description}
        self._add(sql, e, MARKET_SEGMENT, e.closest_segment, e.region, e.identified_by, e.identified_on, details)

    @handles(MarketPenetration.Measured)
    def penetration_measured(self, sql: SqlCursor, e: MarketPenetration.Measured) -> None:
        details = {
            "clients_served": e.clients_served,
            "addressable_clients": e.addressable_clients,
            "penetration": str(e.penetration),
            "source": e.source,
        }
        self._add(sql, e, MARKET_PENETRATION, e.segment, e.region, None, e.as_of, details)

    @handles(ExpansionInitiative.Proposed)
    def initiative_proposed(self, sql: SqlCursor, e: ExpansionInitiative.Proposed) -> None:
        details = {"title": e.title, "target_date": e.target_date.isoformat(), "abandoned_because": None}
        self._add(sql, e, EXPANSION_INITIATIVE, e.segment, e.region, e.owner_id, e.proposed_on, details, PROPOSED)

    @handles(ExpansionInitiative.Implemented)
    def initiative_implemented(self, sql: SqlCursor, e: ExpansionInitiative.Implemented) -> None:
        change_row(sql, RESEARCH, e, status=IMPLEMENTED, closed_on=e.implemented_on.isoformat())

    @handles(ExpansionInitiative.Abandoned)
    def initiative_abandoned(self, sql: SqlCursor, e: ExpansionInitiative.Abandoned) -> None:
        """The domain demands a reason to abandon; it travels in the audit envelope."""
        change_row(
            sql,
            RESEARCH,
            e,
            lambda row: {"details": to_json({**json.loads(row["details"]), "abandoned_because": e.envelope.reason})},
            status=ABANDONED,
            closed_on=e.abandoned_on.isoformat(),
        )

    @staticmethod
    def _add(
        sql: SqlCursor,
        e: Any,
        kind: str,
        segment: Segment | None,
        region: str | None,
        employee_id: str | None,
        dated_on: date,
        details: dict[str, Any],
        status: str | None = None,
    ) -> None:
        sql.rows.put(
            RESEARCH,
            {
                "record_id": str(e.originator_id),
                "kind": kind,
                "segment": plain(segment),
                "region": region,
                "employee_id": employee_id,
                "dated_on": dated_on.isoformat(),
                "status": status,
                "closed_on": None,
                "details": to_json(details),
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )
