"""The KAM programme as read types: criteria versions, tier service standards, KPI targets, process reviews."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from kamcore.api import enums
from kamcore.api.auth import IsAuthenticated
from kamcore.api.connections import After, Connection, First, MinPosition, SortDirection, paged
from kamcore.api.context import Info
from kamcore.api.read_values import day, load_nodes, moment, values_of
from kamcore.domain import values
from kamcore.projections.listing import Where
from kamcore.projections.people_programme_view import ReviewFilter, TargetFilter


@strawberry.type(description="A version of what makes an account key; proposed, then adopted or rejected.")
class CriteriaVersion(relay.Node):
    criteria_key: relay.NodeID[str]
    version_id: str = strawberry.field(description="Id of the version (criteriaVersion in ranking queries).")
    name: str = strawberry.field(description="Name of the version.")
    status: enums.CriteriaStatus = strawberry.field(description="Proposed, adopted, rejected or superseded.")
    parameters: JSON = strawberry.field(description="The ranking's parameters (fields of key_accounts.toml).")
    effective_from: date = strawberry.field(description="First day it applies (once adopted).")
    proposed_at: datetime = strawberry.field(description="When it was proposed (recording time, UTC).")
    proposed_on: date = strawberry.field(description="Business date of the proposal.")
    decided_on: date | None = strawberry.field(
        description="Business date it was adopted or rejected; null while proposed."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CriteriaVersion:
        return cls(
            criteria_key=row["version_id"],
            version_id=row["version_id"],
            name=row["name"],
            status=values.CriteriaStatus(row["status"]),
            parameters=json.loads(row["parameters"]),
            effective_from=date.fromisoformat(row["effective_from"]),
            proposed_at=moment(row["proposed_at"]),
            proposed_on=date.fromisoformat(row["proposed_on"]),
            decided_on=day(row["decided_on"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[CriteriaVersion | None]:
        return await load_nodes(info.context.loaders.criteria_version, node_ids, cls.from_row)


@strawberry.type(description="What service key accounts of a tier are owed from a date on.")
class ServiceStandard(relay.Node):
    standard_key: relay.NodeID[str]
    tier: enums.KeyAccountTier = strawberry.field(description="The tier.")
    effective_from: date = strawberry.field(description="First day it applies; it rules until the tier's next one.")
    review_cadence_days: int = strawberry.field(description="Most days allowed between account reviews.")
    required_roles: list[enums.TeamRole] = strawberry.field(description="Roles every account team of the tier needs.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ServiceStandard:
        return cls(
            standard_key=row["standard_id"],
            tier=values.KeyAccountTier(row["tier"]),
            effective_from=date.fromisoformat(row["effective_from"]),
            review_cadence_days=row["review_cadence_days"],
            required_roles=[values.TeamRole(r) for r in json.loads(row["required_roles"])],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ServiceStandard | None]:
        return await load_nodes(info.context.loaders.service_standard, node_ids, cls.from_row)


@strawberry.type(description="A KPI target's value from a business date on (null: withdrawn).")
class TargetRevision:
    on: date = strawberry.field(description="Business date of the change.")
    value: Decimal | None = strawberry.field(description="Target value from then on; null once withdrawn.")


@strawberry.type(description="A SMART target for one KPI, scope and period, with a deadline and its revisions.")
class KpiTarget(relay.Node):
    target_id: relay.NodeID[str]
    kpi_id: str = strawberry.field(description="The KPI (id in projections/kpis.toml).")
    scope: enums.TargetScope = strawberry.field(description="Who the target is for.")
    scope_id: str | None = strawberry.field(description="Employee id or team name; null for the company.")
    period_start: date = strawberry.field(description="First day of the period.")
    period_end: date = strawberry.field(description="End of the period.")
    deadline: date = strawberry.field(description="Day the target is to be met by.")
    target_value: Decimal | None = strawberry.field(description="The value in force now; null once withdrawn.")
    withdrawn: bool = strawberry.field(description="True once withdrawn.")
    set_on: date = strawberry.field(description="Business date it was set.")
    history: list[TargetRevision] = strawberry.field(description="Every value it had, oldest first.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> KpiTarget:
        history = [
            TargetRevision(on=date.fromisoformat(on), value=Decimal(v) if v else None)
            for on, v in json.loads(row["history"])
        ]
        return cls(
            target_id=row["target_id"],
            kpi_id=row["kpi_id"],
            scope=values.TargetScope(row["scope"]),
            scope_id=row["scope_id"],
            period_start=date.fromisoformat(row["period_start"]),
            period_end=date.fromisoformat(row["period_end"]),
            deadline=date.fromisoformat(row["deadline"]),
            target_value=history[-1].value,
            withdrawn=history[-1].value is None,
            set_on=history[0].on,
            history=history,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[KpiTarget | None]:
        return await load_nodes(info.context.loaders.kpi_target, node_ids, cls.from_row)


@strawberry.type(description="What a process review found, measured against results, feedback or the market.")
class ReviewFinding:
    finding_id: str = strawberry.field(description="Id within the review, e.g. finding-2.")
    area: enums.FindingArea = strawberry.field(description="What it is measured against.")
    description: str = strawberry.field(description="The finding.")
    kpi_id: str | None = strawberry.field(description="The KPI it refers to, if any.")
    observed_value: Decimal | None = strawberry.field(description="The value observed, if given.")
    target_value: Decimal | None = strawberry.field(description="The value aimed at, if given.")
    recorded_on: date = strawberry.field(description="Business date it was recorded.")


@strawberry.type(description="A change a process review decided, and when it was implemented.")
class ReviewAdjustment:
    adjustment_id: str = strawberry.field(description="Id within the review, e.g. adjustment-3.")
    kind: enums.AdjustmentKind = strawberry.field(description="What is to change.")
    description: str = strawberry.field(description="The adjustment.")
    reference: str | None = strawberry.field(description="What it introduces (a criteria version id, ...), if given.")
    due_date: date = strawberry.field(description="Day it is due.")
    decided_on: date = strawberry.field(description="Business date it was decided.")
    implemented_on: date | None = strawberry.field(description="Business date it was implemented; null until then.")


@strawberry.type(description="A review of the KAM process itself: findings and the adjustments decided.")
class ProcessReview(relay.Node):
    review_id: relay.NodeID[str]
    programme: str = strawberry.field(description="Key of the programme reviewed.")
    title: str = strawberry.field(description="Title of the review.")
    status: enums.ProcessReviewStatus = strawberry.field(description="Open or concluded.")
    period_start: date = strawberry.field(description="First day of the period reviewed.")
    period_end: date = strawberry.field(description="End of the period reviewed.")
    opened_on: date = strawberry.field(description="Business date it was opened.")
    concluded_on: date | None = strawberry.field(description="Business date it was concluded; null while open.")
    summary: str | None = strawberry.field(description="Conclusion; null while open.")
    findings: list[ReviewFinding] = strawberry.field(description="Findings, in the order recorded.")
    adjustments: list[ReviewAdjustment] = strawberry.field(description="Adjustments, in the order decided.")
    version: int = strawberry.field(description="Process-review aggregate version, for expectedVersion.")
    updated_at: datetime = strawberry.field(description="When it last changed (recording time, UTC).")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ProcessReview:
        def decimal(value: str | None) -> Decimal | None:
            return Decimal(value) if value is not None else None

        return cls(
            review_id=row["review_id"],
            programme=row["programme"],
            title=row["title"],
            status=enums.ProcessReviewStatus(row["status"]),
            period_start=date.fromisoformat(row["period_start"]),
            period_end=date.fromisoformat(row["period_end"]),
            opened_on=date.fromisoformat(row["opened_on"]),
            concluded_on=day(row["concluded_on"]),
            summary=row["summary"],
            findings=[
                ReviewFinding(
                    finding_id=f["finding_id"],
                    area=values.FindingArea(f["area"]),
                    description=f["description"],
                    kpi_id=f["kpi_id"],
                    observed_value=decimal(f["observed_value"]),
                    target_value=decimal(f["target_value"]),
                    recorded_on=date.fromisoformat(f["recorded_on"]),
                )
                for f in json.loads(row["findings"])
            ],
            adjustments=[
                ReviewAdjustment(
                    adjustment_id=a["adjustment_id"],
                    kind=values.AdjustmentKind(a["kind"]),
                    description=a["description"],
                    reference=a["reference"],
                    due_date=date.fromisoformat(a["due_date"]),
                    decided_on=date.fromisoformat(a["decided_on"]),
                    implemented_on=day(a["implemented_on"]),
                )
                for a in json.loads(row["adjustments"])
            ],
            version=row["version"],
            updated_at=moment(row["updated_at"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ProcessReview | None]:
        return await load_nodes(info.context.loaders.process_review, node_ids, cls.from_row)


# -- filters and orders -----------------------------------------------------------------------------


@strawberry.input(description="Narrows the criteria versions list.")
class CriteriaVersionFilterInput:
    status: list[enums.CriteriaStatus] | None = strawberry.field(default=None, description="Any of these statuses.")


@strawberry.enum(description="Sort key of the criteria versions list.")
class CriteriaVersionSortField(Enum):
    PROPOSED_AT = strawberry.enum_value("proposed_at", description="By the time it was proposed.")
    EFFECTIVE_FROM = strawberry.enum_value("effective_from", description="By the first day it applies.")


@strawberry.input(description="Order of the criteria versions list; ties are broken by version id.")
class CriteriaVersionOrder:
    field: CriteriaVersionSortField = strawberry.field(
        default=CriteriaVersionSortField.PROPOSED_AT, description="Sort key; PROPOSED_AT by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="DESC (newest) by default.")


@strawberry.input(description="Narrows the service standards list.")
class ServiceStandardFilterInput:
    tier: list[enums.KeyAccountTier] | None = strawberry.field(default=None, description="Any of these tiers.")


@strawberry.enum(description="Sort key of the service standards list.")
class ServiceStandardSortField(Enum):
    EFFECTIVE_FROM = strawberry.enum_value("effective_from", description="By the first day it applies.")
    TIER = strawberry.enum_value("tier", description="By tier name.")


@strawberry.input(description="Order of the service standards list; ties are broken by id (tier and date).")
class ServiceStandardOrder:
    field: ServiceStandardSortField = strawberry.field(
        default=ServiceStandardSortField.EFFECTIVE_FROM, description="Sort key; EFFECTIVE_FROM by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="DESC (newest) by default.")


@strawberry.input(description="Narrows the KPI targets list; all given conditions must hold.")
class KpiTargetFilterInput:
    kpi_id: list[str] | None = strawberry.field(default=None, description="Any of these KPI ids.")
    scope: enums.TargetScope | None = strawberry.field(default=None, description="Only targets for this scope.")
    scope_id: list[str] | None = strawberry.field(default=None, description="Any of these employee ids or teams.")
    period_from: date | None = strawberry.field(
        default=None, description="Periods starting on or after this day; not after periodTo."
    )
    period_to: date | None = strawberry.field(default=None, description="Periods starting on or before this day.")

    def to_filter(self) -> TargetFilter:
        return TargetFilter(
            kpi_ids=tuple(self.kpi_id or ()),
            scope=self.scope.value if self.scope else None,
            scope_ids=tuple(self.scope_id or ()),
            period_from=self.period_from,
            period_to=self.period_to,
        )


@strawberry.enum(description="Sort key of the KPI targets list.")
class KpiTargetSortField(Enum):
    PERIOD_START = strawberry.enum_value("period_start", description="By the first day of the period.")
    DEADLINE = strawberry.enum_value("deadline", description="By deadline.")
    KPI_ID = strawberry.enum_value("kpi_id", description="By KPI id.")


@strawberry.input(description="Order of the KPI targets list; ties are broken by id.")
class KpiTargetOrder:
    field: KpiTargetSortField = strawberry.field(
        default=KpiTargetSortField.PERIOD_START, description="Sort key; PERIOD_START by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="DESC (newest) by default.")


@strawberry.input(description="Narrows the process reviews list; all given conditions must hold.")
class ProcessReviewFilterInput:
    programme: list[str] | None = strawberry.field(default=None, description="Any of these programme keys.")
    status: enums.ProcessReviewStatus | None = strawberry.field(default=None, description="Open or concluded.")
    opened_from: date | None = strawberry.field(
        default=None, description="Opened on or after this day; not after openedTo."
    )
    opened_to: date | None = strawberry.field(default=None, description="Opened on or before this day.")

    def to_filter(self) -> ReviewFilter:
        return ReviewFilter(
            programmes=tuple(self.programme or ()),
            status=self.status.value if self.status else None,
            opened_from=self.opened_from,
            opened_to=self.opened_to,
        )


@strawberry.enum(description="Sort key of the process reviews list.")
class ProcessReviewSortField(Enum):
    OPENED_ON = strawberry.enum_value("opened_on", description="By the date it was opened.")
    PERIOD_START = strawberry.enum_value("period_start", description="By the first day of the period reviewed.")


@strawberry.input(description="Order of the process reviews list; ties are broken by id.")
class ProcessReviewOrder:
    field: ProcessReviewSortField = strawberry.field(
        default=ProcessReviewSortField.OPENED_ON, description="Sort key; OPENED_ON by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="DESC (newest) by default.")


@strawberry.type
class ProgrammeQueries:
    @strawberry.field(
        description="Key-account criteria versions proposed so far (the built-in default of "
        "projections/key_accounts.toml rules until one is adopted and is not listed), keyset-paged.",
        permission_classes=[IsAuthenticated],
    )
    async def criteria_versions(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            CriteriaVersionFilterInput | None, strawberry.argument(description="Narrows the list; null = all.")
        ] = None,
        order_by: Annotated[
            CriteriaVersionOrder | None, strawberry.argument(description="Sort order; null = newest first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[CriteriaVersion]:
        order = order_by or CriteriaVersionOrder()
        statuses = values_of((filter or CriteriaVersionFilterInput()).status)
        return await paged(
            info,
            info.context.runtime.programme.criteria,
            lambda: Where().any_of("status", statuses),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=CriteriaVersion.from_row,
        )

    @strawberry.field(
        description="Service standards of the key-account tiers, every version, keyset-paged.",
        permission_classes=[IsAuthenticated],
    )
    async def service_standards(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            ServiceStandardFilterInput | None, strawberry.argument(description="Narrows the list; null = all.")
        ] = None,
        order_by: Annotated[
            ServiceStandardOrder | None, strawberry.argument(description="Sort order; null = newest first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[ServiceStandard]:
        order = order_by or ServiceStandardOrder()
        tiers = values_of((filter or ServiceStandardFilterInput()).tier)
        return await paged(
            info,
            info.context.runtime.programme.standards,
            lambda: Where().any_of("tier", tiers),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=ServiceStandard.from_row,
        )

    @strawberry.field(
        description="KPI targets (withdrawn ones included), keyset-paged, filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def kpi_targets(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            KpiTargetFilterInput | None, strawberry.argument(description="Narrows the list; null = all.")
        ] = None,
        order_by: Annotated[
            KpiTargetOrder | None, strawberry.argument(description="Sort order; null = latest period first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[KpiTarget]:
        order = order_by or KpiTargetOrder()
        return await paged(
            info,
            info.context.runtime.programme.targets,
            lambda: (filter or KpiTargetFilterInput()).to_filter().where(),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=KpiTarget.from_row,
        )

    @strawberry.field(
        description="Reviews of the KAM process, keyset-paged, filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def process_reviews(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            ProcessReviewFilterInput | None, strawberry.argument(description="Narrows the list; null = all.")
        ] = None,
        order_by: Annotated[
            ProcessReviewOrder | None, strawberry.argument(description="Sort order; null = newest first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[ProcessReview]:
        order = order_by or ProcessReviewOrder()
        return await paged(
            info,
            info.context.runtime.programme.reviews,
            lambda: (filter or ProcessReviewFilterInput()).to_filter().where(),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=ProcessReview.from_row,
        )
