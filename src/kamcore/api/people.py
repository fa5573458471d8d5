"""Relationship managers and their teams as read types, with development and compliance summaries and records.

Profiles are for every authenticated role; development and compliance figures feed KPIs and compliance
reporting, so, as with KPIs, a relationship manager reads only their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.auth import IsAuthenticated, Principal, forbidden
from kamcore.api.connections import After, Connection, First, Limit, MinPosition, SortDirection, paged, rows_of
from kamcore.api.context import Info
from kamcore.api.read_values import day, load_nodes, load_one, moment, values_of
from kamcore.api.reads import ensure_position
from kamcore.domain.access_token import Role
from kamcore.projections.listing import Where
from kamcore.projections.people_programme_view import RelationshipManagerFilter


def _may_read_records(info: Info, employee_id: str) -> None:
    principal = info.context.principal
    if (
        isinstance(principal, Principal)
        and principal.role is Role.RELATIONSHIP_MANAGER
        and principal.relationship_manager_id != employee_id
    ):
        raise forbidden("relationship managers may read only their own development and compliance records")


@strawberry.type(description="Counts and latest values of a relationship manager's professional development.")
class DevelopmentSummary:
    certifications: int = strawberry.field(description="Certifications obtained.")
    latest_certification: str | None = strawberry.field(description="The latest certification; null if none.")
    latest_certification_on: date | None = strawberry.field(description="When it was obtained; null if none.")
    workshops: int = strawberry.field(description="Workshops, seminars, conferences and webinars attended.")
    workshop_hours: Decimal = strawberry.field(description="Hours spent in them.")
    trainings_assigned: int = strawberry.field(description="Trainings assigned.")
    trainings_completed: int = strawberry.field(description="Trainings completed.")
    knowledge_shared: int = strawberry.field(description="Knowledge-sharing initiatives led.")


@strawberry.type(description="Counts and latest values of a relationship manager's compliance records.")
class ComplianceSummary:
    audits: int = strawberry.field(description="Compliance audits completed.")
    latest_audit_rating: enums.AuditRating | None = strawberry.field(description="Rating of the latest audit.")
    latest_audit_score: Decimal | None = strawberry.field(description="Score (percent) of the latest audit.")
    latest_audit_on: date | None = strawberry.field(description="Business date of the latest audit; null if none.")
    trainings: int = strawberry.field(description="Compliance training sessions attended.")
    training_hours: Decimal = strawberry.field(description="Hours of compliance training.")
    violations: int = strawberry.field(description="Regulatory violations reported.")
    latest_violation_on: date | None = strawberry.field(description="When the latest violation occurred.")
    policies_checked: int = strawberry.field(description="Policy files checked for documentation accuracy.")
    policies_accurate: int = strawberry.field(description="Of those, documented accurately.")


@strawberry.type(description="One development or compliance record; fields that do not apply to its kind are null.")
class PersonnelRecord:
    record_id: str = strawberry.field(description="Id of the record, unique across RMs.")
    kind: enums.PersonnelRecordKind = strawberry.field(description="What kind of record it is.")
    title: str = strawberry.field(
        description="Certification, event or training title; the auditor of an audit; the regulation breached."
    )
    occurred_on: date = strawberry.field(
        description="Business date: obtained, attended, assigned, audited, checked; when a violation occurred."
    )
    due_date: date | None = strawberry.field(description="For a training: the day it is due.")
    completed_on: date | None = strawberry.field(description="For a training: the day it was completed.")
    issuer: str | None = strawberry.field(description="For a certification: who issued it.")
    expires_on: date | None = strawberry.field(description="For a certification: when it expires.")
    learning_format: enums.LearningFormat | None = strawberry.field(description="For a workshop: its format.")
    hours: Decimal | None = strawberry.field(description="For a workshop or compliance training: hours.")
    rating: enums.AuditRating | None = strawberry.field(description="For a compliance audit: the rating.")
    score: Decimal | None = strawberry.field(description="For a compliance audit: the score in percent.")
    severity: enums.ViolationSeverity | None = strawberry.field(description="For a violation: how serious.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PersonnelRecord:
        d = json.loads(row["details"])
        return cls(
            record_id=row["record_id"],
            kind=enums.PersonnelRecordKind(row["kind"]),
            title=row["title"],
            occurred_on=date.fromisoformat(row["occurred_on"]),
            due_date=day(row["due_date"]),
            completed_on=day(row["completed_on"]),
            issuer=d.get("issuer"),
            expires_on=day(d.get("expires_on")),
            learning_format=enums.LearningFormat(d["learning_format"]) if d.get("learning_format") else None,
            hours=Decimal(d["hours"]) if d.get("hours") else None,
            rating=enums.AuditRating(d["rating"]) if d.get("rating") else None,
            score=Decimal(d["score"]) if d.get("score") else None,
            severity=enums.ViolationSeverity(d["severity"]) if d.get("severity") else None,
        )


@strawberry.type(description="A relationship manager: profile, team and capacity, with development and compliance.")
class RelationshipManager(relay.Node):
    rm_key: relay.NodeID[str]
    employee_id: str = strawberry.field(description="Employee id (relationshipManagerId in commands and KPIs).")
    name: str = strawberry.field(description="Full name.")
    team: str = strawberry.field(description="Team the RM belongs to now.")
    capacity: int = strawberry.field(description="How many key accounts the RM can serve.")
    status: enums.RelationshipManagerStatus = strawberry.field(description="Active, or left.")
    registered_on: date = strawberry.field(description="Business date of registration.")
    left_on: date | None = strawberry.field(description="Business date the RM left; null while active.")
    version: int = strawberry.field(description="RM aggregate version, for expectedVersion.")
    updated_at: datetime = strawberry.field(description="When the record last changed (recording time, UTC).")
    development_row: strawberry.Private[dict[str, Any]]
    compliance_row: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="Development counts (relationship managers: their own only, else FORBIDDEN).")
    def development(self, info: Info) -> DevelopmentSummary:
        _may_read_records(info, self.employee_id)
        d = self.development_row
        return DevelopmentSummary(
            certifications=d["certifications"],
            latest_certification=d["latest_certification"],
            latest_certification_on=day(d["latest_certification_on"]),
            workshops=d["workshops"],
            workshop_hours=Decimal(d["workshop_hours"]),
            trainings_assigned=d["trainings_assigned"],
            trainings_completed=d["trainings_completed"],
            knowledge_shared=d["knowledge_shared"],
        )

    @strawberry.field(description="Compliance counts (relationship managers: their own only, else FORBIDDEN).")
    def compliance(self, info: Info) -> ComplianceSummary:
        _may_read_records(info, self.employee_id)
        c = self.compliance_row
        return ComplianceSummary(
            audits=c["audits"],
            latest_audit_rating=enums.AuditRating(c["latest_audit_rating"]) if c["latest_audit_rating"] else None,
            latest_audit_score=Decimal(c["latest_audit_score"]) if c["latest_audit_score"] else None,
            latest_audit_on=day(c["latest_audit_on"]),
            trainings=c["trainings"],
            training_hours=Decimal(c["training_hours"]),
            violations=c["violations"],
            latest_violation_on=day(c["latest_violation_on"]),
            policies_checked=c["policies_checked"],
            policies_accurate=c["policies_accurate"],
        )

    @strawberry.field(
        description="Development and compliance records, newest first (relationship managers: their own only)."
    )
    async def records(
        self,
        info: Info,
        kind: Annotated[
            list[enums.PersonnelRecordKind] | None,
            strawberry.argument(description="Only these kinds; null or empty = every kind."),
        ] = None,
        first: Limit = 20,
    ) -> list[PersonnelRecord]:
        _may_read_records(info, self.employee_id)
        rows = await rows_of(
            info,
            "rm.records",
            info.context.runtime.people.records,
            "rm_id",
            self.employee_id,
            Where().any_of("kind", values_of(kind)),
            sort="occurred_on",
            descending=True,
            first=first,
        )
        return [PersonnelRecord.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RelationshipManager:
        return cls(
            rm_key=row["employee_id"],
            employee_id=row["employee_id"],
            name=row["name"],
            team=row["team"],
            capacity=row["capacity"],
            status=enums.RelationshipManagerStatus(row["status"]),
            registered_on=date.fromisoformat(row["registered_on"]),
            left_on=day(row["left_on"]),
            version=row["version"],
            updated_at=moment(row["updated_at"]),
            development_row=json.loads(row["development"]),
            compliance_row=json.loads(row["compliance"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[RelationshipManager | None]:
        return await load_nodes(info.context.loaders.relationship_manager, node_ids, cls.from_row)


@strawberry.type(description="A team of relationship managers (as named on their records).")
class Team(relay.Node):
    team_key: relay.NodeID[str]
    name: str = strawberry.field(description="The team's name.")
    members: int = strawberry.field(description="RMs whose current team it is (active or left).")
    active_members: int = strawberry.field(description="Active RMs in the team.")
    capacity: int = strawberry.field(description="Key accounts the team's active RMs can serve, together.")

    @strawberry.field(description="The team's relationship managers, by name.")
    async def relationship_managers(
        self,
        info: Info,
        status: Annotated[
            enums.RelationshipManagerStatus | None, strawberry.argument(description="Only RMs with this status.")
        ] = None,
        first: Limit = 50,
    ) -> list[RelationshipManager]:
        rows = await rows_of(
            info,
            "team.members",
            info.context.runtime.people.relationship_managers,
            "team",
            self.name,
            Where().equals("status", status.value if status else None),
            sort="name",
            descending=False,
            first=first,
        )
        return [RelationshipManager.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Team:
        return cls(
            team_key=row["team"],
            name=row["team"],
            members=row["members"],
            active_members=row["active_members"],
            capacity=row["capacity"],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Team | None]:
        return await load_nodes(info.context.loaders.team, node_ids, cls.from_row)


@strawberry.input(description="Narrows the relationship managers list; all given conditions must hold.")
class RelationshipManagerFilterInput:
    team: list[str] | None = strawberry.field(default=None, description="In any of these teams (exact names).")
    status: enums.RelationshipManagerStatus | None = strawberry.field(default=None, description="Active or left.")
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the name (at most 200 characters)."
    )

    def to_filter(self) -> RelationshipManagerFilter:
        return RelationshipManagerFilter(
            teams=tuple(self.team or ()),
            status=self.status.value if self.status else None,
            name_contains=self.name_contains,
        )


@strawberry.enum(description="Sort key of the relationship managers list.")
class RelationshipManagerSortField(Enum):
    NAME = strawberry.enum_value("name", description="By name.")
    EMPLOYEE_ID = strawberry.enum_value("employee_id", description="By employee id.")
    TEAM = strawberry.enum_value("team", description="By team name.")
    REGISTERED_ON = strawberry.enum_value("registered_on", description="By registration date.")


@strawberry.input(description="Order of the relationship managers list; ties are broken by employee id.")
class RelationshipManagerOrder:
    field: RelationshipManagerSortField = strawberry.field(
        default=RelationshipManagerSortField.NAME, description="Sort key; NAME by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="ASC by default.")


@strawberry.input(description="Narrows the teams list.")
class TeamFilterInput:
    name: list[str] | None = strawberry.field(default=None, description="Any of these team names (exact).")


@strawberry.enum(description="Sort key of the teams list.")
class TeamSortField(Enum):
    NAME = strawberry.enum_value("team", description="By team name.")


@strawberry.input(description="Order of the teams list.")
class TeamOrder:
    field: TeamSortField = strawberry.field(default=TeamSortField.NAME, description="Sort key; NAME by default.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="ASC by default.")


@strawberry.type
class PeopleQueries:
    @strawberry.field(
        description="One relationship manager by employee id (null if unknown).", permission_classes=[IsAuthenticated]
    )
    async def relationship_manager(
        self,
        info: Info,
        employee_id: Annotated[str, strawberry.argument(description="The RM's employee id.")],
        min_position: MinPosition = None,
    ) -> RelationshipManager | None:
        await ensure_position(info, min_position)
        return await load_one(
            info.context.loaders.relationship_manager,
            relay.GlobalID("RelationshipManager", employee_id),
            "RelationshipManager",
            RelationshipManager.from_row,
        )

    @strawberry.field(
        description="Relationship managers, keyset-paged (first at most 100), filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def relationship_managers(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            RelationshipManagerFilterInput | None,
            strawberry.argument(description="Conditions the RMs must meet; null = all."),
        ] = None,
        order_by: Annotated[
            RelationshipManagerOrder | None, strawberry.argument(description="Sort order; null = by name.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[RelationshipManager]:
        order = order_by or RelationshipManagerOrder()
        return await paged(
            info,
            info.context.runtime.people.relationship_managers,
            lambda: (filter or RelationshipManagerFilterInput()).to_filter().where(),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=RelationshipManager.from_row,
        )

    @strawberry.field(
        description="Teams of relationship managers with head counts and capacity, keyset-paged.",
        permission_classes=[IsAuthenticated],
    )
    async def relationship_manager_teams(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[TeamFilterInput | None, strawberry.argument(description="Narrows the teams.")] = None,
        order_by: Annotated[TeamOrder | None, strawberry.argument(description="Sort order; null = by name.")] = None,
        min_position: MinPosition = None,
    ) -> Connection[Team]:
        order = order_by or TeamOrder()
        return await paged(
            info,
            info.context.runtime.people.teams,
            lambda: Where().any_of("team", (filter or TeamFilterInput()).name),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=Team.from_row,
        )
