"""KPI scorecards, leaderboards and the KAM effectiveness review (before/after comparison).

Any authenticated role may read KPIs; a relationship manager reads only their own RM-grain
numbers (their scorecard, and comparisons of themselves): anything else is FORBIDDEN for them.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from kamcore.api.auth import IsAuthenticated, Principal, forbidden, unauthenticated
from kamcore.api.context import Info
from kamcore.api.errors import bad_input
from kamcore.domain.access_token import Role
from kamcore.domain.errors import InvalidInput
from kamcore.projections.kpi_view import COMPANY, KpiResult, KpiView, Period

MAX_TREND = 12
MAX_COMPARISON_PERIODS = 12


@strawberry.enum(description="Kind of reporting period.")
class PeriodKind(Enum):
    MONTH = strawberry.enum_value("month", description="A calendar month (year + number 1-12).")
    QUARTER = strawberry.enum_value("quarter", description="A calendar quarter (year + number 1-4).")
    YEAR = strawberry.enum_value("year", description="A calendar year (year).")
    RANGE = strawberry.enum_value("range", description="Any date range (from + to, both inclusive).")


@strawberry.enum(description="Who a KPI is computed for.")
class KpiGrain(Enum):
    RELATIONSHIP_MANAGER = strawberry.enum_value("rm", description="One relationship manager (employee id).")
    TEAM = strawberry.enum_value("team", description="One team (team id, membership at each fact's date).")
    TIER = strawberry.enum_value(
        "tier",
        description="A key-account tier (strategic, development, …, or non_key): an account's facts count for the "
        "tier it held at the end of the fact's month, as ranked then.",
    )
    COMPANY = strawberry.enum_value("company", description="The whole company.")


@strawberry.enum(description="Whether a larger value of the KPI is better.")
class KpiDirection(Enum):
    HIGHER_IS_BETTER = strawberry.enum_value("higher", description="Larger is better.")
    LOWER_IS_BETTER = strawberry.enum_value("lower", description="Smaller is better (e.g. loss ratio, violations).")


@strawberry.input(description="A reporting period: kind plus year/number, or from/to for RANGE.")
class PeriodInput:
    kind: PeriodKind = strawberry.field(description="Month, quarter, year or an arbitrary date range.")
    year: int | None = strawberry.field(default=None, description="Calendar year (MONTH, QUARTER, YEAR).")
    number: int | None = strawberry.field(default=None, description="Month 1-12 or quarter 1-4 (MONTH, QUARTER).")
    from_: date | None = strawberry.field(default=None, name="from", description="First day (RANGE), inclusive.")
    to: date | None = strawberry.field(default=None, description="Last day (RANGE), inclusive.")

    def to_period(self) -> Period:
        if self.kind is PeriodKind.RANGE:
            if self.from_ is None or self.to is None:
                raise InvalidInput("a RANGE needs from and to", field="period")
            return Period.range(self.from_, self.to)
        if self.year is None or not 1900 <= self.year <= 9998:
            raise InvalidInput("needs a year between 1900 and 9998", field="period.year")
        if self.kind is PeriodKind.YEAR:
            return Period.year(self.year)
        limit = 12 if self.kind is PeriodKind.MONTH else 4
        if self.number is None or not 1 <= self.number <= limit:
            raise InvalidInput(f"needs a number between 1 and {limit}", field="period.number")
        return (
            Period.month(self.year, self.number)
            if self.kind is PeriodKind.MONTH
            else Period.quarter(self.year, self.number)
        )


@strawberry.type(description="An extra figure reported next to a KPI (e.g. P90, open claims, assessment coverage).")
class KpiDetail:
    name: str = strawberry.field(description="What the figure is, e.g. p90, openClaims, inForcePolicies.")
    value: float | None = strawberry.field(description="The figure; null when it has no defined value.")


@strawberry.type(description="A KPI's value in one earlier period (trend).")
class KpiTrendPoint:
    period: str = strawberry.field(description="The period label, e.g. 2024-03, 2024-Q1, 2024.")
    value: float | None = strawberry.field(description="The KPI value then; null for a ratio with a zero denominator.")
    numerator: float | None = strawberry.field(description="The numerator (or total) then.")
    denominator: float | None = strawberry.field(description="The denominator then; null for sums and counts.")


@strawberry.type(description="One KPI for one subject and period, with its parts, target and trend.")
class KpiValue:
    kpi_id: str = strawberry.field(description="The KPI id from projections/kpis.toml.")
    name: str = strawberry.field(description="The KPI's name.")
    unit: str = strawberry.field(
        description="percent, count, count_per_month, score, money (major units), days, hours, per_100 or points."
    )
    direction: KpiDirection = strawberry.field(description="Whether higher or lower is better.")
    formula: str = strawberry.field(
        description="How the value is formed: ratio, mean, sum, count, per_month, median, ..."
    )
    basis: str = strawberry.field(description="What is counted: client, policy, premium, response, count, ...")
    period: str = strawberry.field(description="The period label.")
    value: float | None = strawberry.field(description="The KPI value; null for a ratio with a zero denominator.")
    numerator: float | None = strawberry.field(
        description="Numerator (or total); money in minor units, hours in hundredths."
    )
    denominator: float | None = strawberry.field(description="Denominator; null for sums and counts.")
    details: list[KpiDetail] = strawberry.field(description="Extra figures reported next to the value.")
    target: float | None = strawberry.field(description="The target in force for this subject and period, if any.")
    variance: float | None = strawberry.field(description="value − target; null without a target or value.")
    percent_of_target: float | None = strawberry.field(description="value ÷ target × 100; null without a target.")
    target_met: bool | None = strawberry.field(description="Whether the value meets the target, given the direction.")
    trend: list[KpiTrendPoint] = strawberry.field(description="The same KPI in the previous periods, newest first.")

    @classmethod
    def of(cls, r: KpiResult) -> KpiValue:
        return cls(
            kpi_id=r.kpi.id,
            name=r.kpi.name,
            unit=r.kpi.unit,
            direction=KpiDirection(r.kpi.direction),
            formula=r.kpi.formula,
            basis=r.kpi.basis,
            period=r.period.label,
            value=r.value,
            numerator=r.numerator,
            denominator=r.denominator,
            details=[KpiDetail(name=k, value=v) for k, v in r.extras.items()],
            target=r.target,
            variance=r.variance,
            percent_of_target=r.variance_percent,
            target_met=r.target_met,
            trend=[
                KpiTrendPoint(period=t.period.label, value=t.value, numerator=t.numerator, denominator=t.denominator)
                for t in r.trend
            ],
        )


@strawberry.type(description="The KPIs of one key result area.")
class KraScorecard:
    kra: int = strawberry.field(description="KRA number (1-10; 11 = retention strategy).")
    name: str = strawberry.field(description="KRA name.")
    kpis: list[KpiValue] = strawberry.field(description="The KRA's KPIs in catalogue order.")


@strawberry.type(description="Every KPI of the catalogue for one subject and period, grouped by KRA.")
class Scorecard:
    grain: KpiGrain = strawberry.field(description="Who the scorecard is for.")
    subject: str = strawberry.field(description="RM employee id, team id, tier, or 'company'.")
    period: str = strawberry.field(description="The period label.")
    as_of: date = strawberry.field(description="Only facts with a business date on or before this date count.")
    kras: list[KraScorecard] = strawberry.field(description="KPIs grouped by key result area.")


@strawberry.type(description="One place in a KPI leaderboard.")
class LeaderboardEntry:
    rank: int = strawberry.field(description="1 = best given the KPI's direction.")
    subject: str = strawberry.field(description="RM employee id, team id, tier or 'company'.")
    kpi: KpiValue = strawberry.field(description="The KPI for this subject.")


@strawberry.type(description="A KPI before and after a pivot date (KAM effectiveness review).")
class KpiComparison:
    kpi_id: str = strawberry.field(description="The KPI id.")
    before: list[KpiValue] = strawberry.field(description="The periods before the pivot's period, oldest first.")
    after: list[KpiValue] = strawberry.field(description="The pivot's period and the ones after it, oldest first.")
    mean_before: float | None = strawberry.field(description="Mean of the non-null values before; null if none.")
    mean_after: float | None = strawberry.field(description="Mean of the non-null values after; null if none.")
    change: float | None = strawberry.field(description="meanAfter − meanBefore; null unless both exist.")


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 4) if present else None


def _principal(info: Info) -> Principal:
    principal = info.context.principal
    if not isinstance(principal, Principal):
        raise principal if principal is not None else unauthenticated("send Authorization: Bearer <token>")
    return principal


def may_read(info: Info, grain: KpiGrain, subject: str | None) -> None:
    principal = _principal(info)
    if principal.role is Role.RELATIONSHIP_MANAGER and (
        grain is not KpiGrain.RELATIONSHIP_MANAGER or subject != principal.relationship_manager_id
    ):
        raise forbidden("relationship managers may read only their own KPIs")


def kpi_view(info: Info) -> KpiView:
    """Tiers come from a ranking that includes every position the operation was asked to read."""
    runtime, context = info.context.runtime, info.context
    return KpiView(
        runtime.stores["kpi_measures"],
        tiers=lambda day: runtime.rankings.ranking(day, at_least=context.read_position).tiers,
    )


async def _scorecard(
    info: Info, grain: KpiGrain, subject: str | None, period: PeriodInput, as_of: date | None, trend: int
) -> Scorecard:
    may_read(info, grain, subject)
    if not 0 <= trend <= MAX_TREND:
        raise bad_input(InvalidInput(f"must be between 0 and {MAX_TREND}", field="trendPeriods"))
    view = kpi_view(info)
    try:
        p = period.to_period()
        results = await run_in_threadpool(view.scorecard, grain.value, subject, p, as_of, trend)
    except InvalidInput as error:
        raise bad_input(error) from None
    kras = []
    for number, name in sorted(view.catalogue.kras.items()):
        kpis = [KpiValue.of(r) for r in results if r.kpi.kra == number]
        if kpis:
            kras.append(KraScorecard(kra=number, name=name, kpis=kpis))
    return Scorecard(
        grain=grain,
        subject=subject or COMPANY,
        period=p.label,
        as_of=as_of or date.today(),
        kras=kras,
    )


def _check_leaderboard(view: KpiView, kpi_id: str, first: int) -> None:
    if not 1 <= first <= 100:
        raise InvalidInput("must be between 1 and 100", field="first")
    if kpi_id not in {k.id for k in view.catalogue.kpis}:
        raise InvalidInput(f"no KPI {kpi_id!r} in the catalogue", field="kpiId")


def _check_comparison(
    view: KpiView, kpi_ids: list[str], period_kind: PeriodKind, periods_before: int, periods_after: int
) -> None:
    if not (1 <= periods_before <= MAX_COMPARISON_PERIODS and 1 <= periods_after <= MAX_COMPARISON_PERIODS):
        raise InvalidInput(f"periods must be between 1 and {MAX_COMPARISON_PERIODS}", field="periodsBefore")
    if not kpi_ids or len(kpi_ids) > len(view.catalogue.kpis):
        raise InvalidInput("name 1 to 44 KPI ids", field="kpiIds")
    if period_kind is PeriodKind.RANGE:
        raise InvalidInput("must be MONTH, QUARTER or YEAR", field="periodKind")
    known = {k.id for k in view.catalogue.kpis}
    unknown = [k for k in kpi_ids if k not in known]
    if unknown:
        raise InvalidInput(f"not in the catalogue: {', '.join(unknown)}", field="kpiIds")


PeriodArg = Annotated[PeriodInput, strawberry.argument(description="The reporting period.")]
AsOfArg = Annotated[
    date | None,
    strawberry.argument(description="Only facts with a business date on or before this date count; null = today."),
]
TrendArg = Annotated[
    int, strawberry.argument(description=f"How many previous periods to include as trend (0-{MAX_TREND}).")
]


@strawberry.type
class KpiQueries:
    @strawberry.field(
        description="Every KPI for one relationship manager and period, grouped by KRA "
        "(relationship managers: their own only).",
        permission_classes=[IsAuthenticated],
    )
    async def scorecard(
        self,
        info: Info,
        relationship_manager_id: Annotated[str, strawberry.argument(description="The RM's employee id.")],
        period: PeriodArg,
        as_of: AsOfArg = None,
        trend_periods: TrendArg = 3,
    ) -> Scorecard:
        return await _scorecard(
            info, KpiGrain.RELATIONSHIP_MANAGER, relationship_manager_id, period, as_of, trend_periods
        )

    @strawberry.field(
        description="Every KPI for one team and period, grouped by KRA.", permission_classes=[IsAuthenticated]
    )
    async def team_scorecard(
        self,
        info: Info,
        team: Annotated[str, strawberry.argument(description="The team id (as on RelationshipManager records).")],
        period: PeriodArg,
        as_of: AsOfArg = None,
        trend_periods: TrendArg = 3,
    ) -> Scorecard:
        return await _scorecard(info, KpiGrain.TEAM, team, period, as_of, trend_periods)

    @strawberry.field(
        description="Every KPI for the whole company, grouped by KRA.", permission_classes=[IsAuthenticated]
    )
    async def company_scorecard(
        self, info: Info, period: PeriodArg, as_of: AsOfArg = None, trend_periods: TrendArg = 3
    ) -> Scorecard:
        return await _scorecard(info, KpiGrain.COMPANY, None, period, as_of, trend_periods)

    @strawberry.field(
        description="Subjects ranked by one KPI (best first given its direction; null values left out).",
        permission_classes=[IsAuthenticated],
    )
    async def kpi_leaderboard(
        self,
        info: Info,
        kpi_id: Annotated[str, strawberry.argument(description="The KPI id from the catalogue.")],
        period: PeriodArg,
        first: Annotated[int, strawberry.argument(description="How many places, 1-100.")] = 10,
        grain: Annotated[
            KpiGrain, strawberry.argument(description="Rank relationship managers (default), teams or tiers.")
        ] = KpiGrain.RELATIONSHIP_MANAGER,
        as_of: AsOfArg = None,
    ) -> list[LeaderboardEntry]:
        may_read(info, KpiGrain.COMPANY, None)
        view = kpi_view(info)
        try:
            _check_leaderboard(view, kpi_id, first)
            ranked = await run_in_threadpool(view.leaderboard, kpi_id, grain.value, period.to_period(), as_of, first)
        except InvalidInput as error:
            raise bad_input(error) from None
        return [LeaderboardEntry(rank=i + 1, subject=s, kpi=KpiValue.of(r)) for i, (s, r) in enumerate(ranked)]

    @strawberry.field(
        description="KAM effectiveness review: KPIs in the periods before and after a pivot date "
        "(e.g. when KAM started for these accounts).",
        permission_classes=[IsAuthenticated],
    )
    async def kpi_comparison(
        self,
        info: Info,
        kpi_ids: Annotated[list[str], strawberry.argument(description="KPI ids to compare (at most 44).")],
        pivot_date: Annotated[date, strawberry.argument(description="The date the comparison pivots on.")],
        period_kind: Annotated[
            PeriodKind, strawberry.argument(description="MONTH, QUARTER or YEAR: the length of each compared period.")
        ] = PeriodKind.QUARTER,
        periods_before: Annotated[int, strawberry.argument(description="Periods before the pivot's period, 1-12.")] = 2,
        periods_after: Annotated[int, strawberry.argument(description="Periods from the pivot's period on, 1-12.")] = 2,
        grain: Annotated[KpiGrain, strawberry.argument(description="Who is compared.")] = KpiGrain.COMPANY,
        subject: Annotated[
            str | None, strawberry.argument(description="RM employee id, team id or tier; null for the company.")
        ] = None,
        as_of: AsOfArg = None,
    ) -> list[KpiComparison]:
        may_read(info, grain, subject)
        view = kpi_view(info)
        try:
            _check_comparison(view, kpi_ids, period_kind, periods_before, periods_after)
            compared = await run_in_threadpool(
                view.comparison,
                kpi_ids,
                grain.value,
                subject,
                period_kind.value,
                pivot_date,
                periods_before,
                periods_after,
                as_of,
            )
        except InvalidInput as error:
            raise bad_input(error) from None
        out = []
        for kpi_id, (before, after) in compared.items():
            mb, ma = _mean([r.value for r in before]), _mean([r.value for r in after])
            out.append(
                KpiComparison(
                    kpi_id=kpi_id,
                    before=[KpiValue.of(r) for r in before],
                    after=[KpiValue.of(r) for r in after],
                    mean_before=mb,
                    mean_after=ma,
                    change=round(ma - mb, 4) if ma is not None and mb is not None else None,
                )
            )
        return out
