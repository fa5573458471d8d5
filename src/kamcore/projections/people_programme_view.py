"""Read side of people and the programme: RMs and teams, their records, process reviews, and the criteria
versions, service standards and KPI targets that the ranking and KPI read models keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kamcore.projections.listing import Listing, Where
from kamcore.projections.people_programme import RECORD_COLUMNS, REVIEW_COLUMNS, RM_COLUMNS
from kamcore.projections.store import ReadModelStore

CRITERIA_COLUMNS = (
    "version_id",
    "name",
    "parameters",
    "status",
    "effective_from",
    "proposed_at",
    "proposed_on",
    "decided_on",
)
STANDARD_COLUMNS = ("standard_id", "tier", "effective_from", "review_cadence_days", "required_roles")
TARGET_COLUMNS = ("target_id", "kpi_id", "scope", "scope_id", "period_start", "period_end", "deadline", "history")
TEAM_COLUMNS = ("team", "members", "active_members", "capacity")
TEAMS = (
    "(SELECT team, COUNT(*) AS members, SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active_members,"
    " SUM(CASE WHEN status = 'active' THEN capacity ELSE 0 END) AS capacity FROM {t}people_rm GROUP BY team) teams"
)


@dataclass(frozen=True)
class RelationshipManagerFilter:
    teams: tuple[str, ...] = ()
    status: str | None = None
    name_contains: str | None = None

    def where(self) -> Where:
        return Where().any_of("team", self.teams).equals("status", self.status).contains("name", self.name_contains)


@dataclass(frozen=True)
class ReviewFilter:
    programmes: tuple[str, ...] = ()
    status: str | None = None
    opened_from: date | None = None
    opened_to: date | None = None

    def where(self) -> Where:
        return (
            Where()
            .any_of("programme", self.programmes)
            .equals("status", self.status)
            .between("opened_on", self.opened_from, self.opened_to, field="filter.openedFrom")
        )


@dataclass(frozen=True)
class TargetFilter:
    kpi_ids: tuple[str, ...] = ()
    scope: str | None = None
    scope_ids: tuple[str, ...] = ()
    period_from: date | None = None
    period_to: date | None = None

    def where(self) -> Where:
        return (
            Where()
            .any_of("kpi_id", self.kpi_ids)
            .equals("scope", self.scope)
            .any_of("scope_id", self.scope_ids)
            .between("period_start", self.period_from, self.period_to, field="filter.periodFrom")
        )


class PeopleView:
    """Relationship managers, their teams and their development and compliance records."""

    def __init__(self, store: ReadModelStore) -> None:
        self.relationship_managers = Listing(
            "people_rm",
            RM_COLUMNS,
            "employee_id",
            {"name": "name", "employee_id": "employee_id", "team": "team", "registered_on": "registered_on"},
            store,
        )
        self.teams = Listing("teams", TEAM_COLUMNS, "team", {"team": "team"}, store, source=TEAMS)
        self.records = Listing("people_record", RECORD_COLUMNS, "record_id", {"occurred_on": "occurred_on"}, store)


class ProgrammeView:
    """The KAM programme's versions, standards, targets and reviews, each read where it is kept."""

    def __init__(self, reviews: ReadModelStore, ranking: ReadModelStore, kpis: ReadModelStore) -> None:
        self.reviews = Listing(
            "programme_review",
            REVIEW_COLUMNS,
            "review_id",
            {"opened_on": "opened_on", "period_start": "period_start"},
            reviews,
        )
        self.criteria = Listing(
            "ranking_criteria",
            CRITERIA_COLUMNS,
            "version_id",
            {"proposed_at": "proposed_at", "effective_from": "effective_from"},
            ranking,
        )
        self.standards = Listing(
            "ranking_service_standard",
            STANDARD_COLUMNS,
            "standard_id",
            {"effective_from": "effective_from", "tier": "tier"},
            ranking,
        )
        self.targets = Listing(
            "kpi_target",
            TARGET_COLUMNS,
            "target_id",
            {"period_start": "period_start", "deadline": "deadline", "kpi_id": "kpi_id"},
            kpis,
        )
