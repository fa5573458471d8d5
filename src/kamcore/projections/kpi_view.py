"""KPI queries over the `kpi_measures` read model: grains, periods, as-of, targets, trend, comparison.

Fact measures are read as rows (filtered by period, `known_on <= as_of` and not void by then) and
counted once per (group, fact); an RM's scorecard reads them from the RM's per-month totals instead
(one query for all its periods) wherever those can answer as of the date asked. State
measures are computed from the state tables at the period's reference date. Ratios with a zero
denominator are None; numerator and denominator always come along.
At the tier grain an account's facts count for the tier it held at the end of the fact's month (as
ranked then), or for `non_key`; facts without an account (an RM's training, say) have no tier.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from kamcore.domain.errors import InvalidInput
from kamcore.projections.kpi_catalogue import Catalogue, Kpi, catalogue
from kamcore.projections.kpi_measures import NO_RM, lead_on, team_on
from kamcore.projections.store import ReadModelStore

GRAINS = ("rm", "team", "tier", "company")
NON_KEY = "non_key"
COMPANY = "company"
ASSESSMENT_RECENCY_DAYS = 365


# -- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """[start, end) with its kind; `previous()` is the same kind of period just before."""

    kind: str  # month | quarter | year | range
    start: date
    end: date

    @staticmethod
    def month(year: int, month: int) -> Period:
        start = date(year, month, 1)
        return Period("month", start, _add_months(start, 1))

    @staticmethod
    def quarter(year: int, quarter: int) -> Period:
        start = date(year, 3 * (quarter - 1) + 1, 1)
        return Period("quarter", start, _add_months(start, 3))

    @staticmethod
    def year(year: int) -> Period:
        return Period("year", date(year, 1, 1), date(year + 1, 1, 1))

    @staticmethod
    def range(first: date, last: date) -> Period:
        if last < first:
            raise InvalidInput("must not be before from", field="to")
        return Period("range", first, last + timedelta(days=1))

    @staticmethod
    def containing(kind: str, day: date) -> Period:
        if kind == "month":
            return Period.month(day.year, day.month)
        if kind == "quarter":
            return Period.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == "year":
            return Period.year(day.year)
        raise InvalidInput("must be MONTH, QUARTER or YEAR", field="kind")

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def months(self) -> int:
        """Calendar months the period touches (for per-month rates)."""
        return (self.last.year - self.start.year) * 12 + self.last.month - self.start.month + 1

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.last.isoformat()}"

    def shifted(self, n: int) -> Period:
        """The period `n` periods later (negative: earlier)."""
        if self.kind == "range":
            length = self.end - self.start
            return Period("range", self.start + length * n, self.end + length * n)
        step = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return Period(self.kind, _add_months(self.start, step * n), _add_months(self.end, step * n))

    def previous(self) -> Period:
        return self.shifted(-1)


def _add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


# -- results ---------------------------------------------------------------------------------


@dataclass
class Agg:
    n: int = 0
    d: int = 0
    values: list[int] = field(default_factory=list)
    value: float | None = None  # measures that compute their own value ("measured")
    extras: dict[str, float | None] = field(default_factory=dict)


@dataclass
class KpiResult:
    kpi: Kpi
    period: Period
    value: float | None
    numerator: float | None
    denominator: float | None
    extras: dict[str, float | None] = field(default_factory=dict)
    target: float | None = None
    variance: float | None = None
    variance_percent: float | None = None
    target_met: bool | None = None
    trend: list[KpiResult] = field(default_factory=list)


def _round(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _div(n: float, d: float, scale: int = 1) -> float | None:
    return None if not d else _round(Decimal(n) * scale / Decimal(d))


def _percentile(values: Sequence[int], q: float) -> float | None:
    """Nearest-rank percentile (P90 of 10 values is the 9th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(q * 100) * len(ordered) // 100))
    return float(ordered[rank - 1])


# -- the view --------------------------------------------------------------------------------


Scope = tuple[str, str]  # ("rm", employee id) or ("team", team id): the one group a scorecard reads
TierSource = Callable[[date], Mapping[str, str]]  # month end → {account id: tier} of the key accounts then


class Tiers:
    """Key-account tiers at month ends, looked up once per query (each month end is one ranking)."""

    def __init__(self, source: TierSource | None) -> None:
        self.source = source
        self._at: dict[date, Mapping[str, str]] = {}

    def of(self, account_id: str | None, day: date) -> str | None:
        if not account_id:
            return None
        end = min(_add_months(day.replace(day=1), 1) - timedelta(days=1), datetime.now(UTC).date())
        if end not in self._at:
            self._at[end] = self.source(end) if self.source else {}
        return self._at[end].get(account_id, NON_KEY)


class Totals:
    """One RM's fact measures summed per month over a span of months, read in one query (`kpi_rm_total`)."""

    def __init__(self, sql: Any, rm_id: str, span: Period) -> None:
        self.key = rm_id
        self.span = span
        self.totals = {
            (r["measure"], r["month"]): (r["num"], r["den"], r["facts"], r["settled_on"])
            for r in sql.execute(
                "SELECT measure, month, num, den, facts, settled_on FROM {t}kpi_rm_total"
                " WHERE rm_id = ? AND month >= ? AND month < ?",
                [rm_id, span.start.isoformat(), span.end.isoformat()],
            ).fetchall()
        }
        self._months_of: dict[Period, list[str]] = {}
        # A rebuild from zero derives the totals only once it has caught up: until then, the facts answer.
        self.settled = not sql.execute(
            "SELECT 1 FROM {t}read_model_rebuilding WHERE projection = ?", ["kpi_measures"]
        ).fetchall()

    def measure(self, name: str, period: Period, as_of: date) -> dict[str, Agg] | None:
        """The measure over the period as the facts would give it, or None when the totals cannot tell:
        the period is not whole months of the span, or some fact in it became known or void after `as_of`."""
        whole_months = period.start.day == 1 and period.end.day == 1
        if not self.settled or not whole_months or period.start < self.span.start or period.end > self.span.end:
            return None
        known = as_of.isoformat()
        agg, facts = Agg(), 0
        for month in self._months(period):
            total = self.totals.get((name, month))
            if total is None:
                continue
            num, den, count, settled_on = total
            if settled_on > known:
                return None
            agg.n, agg.d, facts = agg.n + num, agg.d + den, facts + count
        return {self.key: agg} if facts else {}

    def _months(self, period: Period) -> list[str]:
        """The months (ISO first days) of a period: worked out once per period, asked for by every measure."""
        if period not in self._months_of:
            self._months_of[period] = [_add_months(period.start, i).isoformat() for i in range(period.months)]
        return self._months_of[period]


# The RMs a scoped query needs: the one RM, or every RM ever in the team.
RMS_OF_SCOPE = {
    "rm": " WHERE rm_id = ?",
    "team": " WHERE rm_id IN (SELECT rm_id FROM {t}kpi_rm_team WHERE team = ?)",
}


class _State:
    """State tables loaded once per query (small: accounts, RMs, policies)."""

    def __init__(self, sql: Any, tiers: Tiers, scope: Scope | None = None, span: Period | None = None) -> None:
        """With a scope (one RM or one team), only its RMs and the accounts they ever led are loaded: the
        others cannot be attributed to it, and a book of 100k accounts would take seconds to load. With a
        span too, the scope's facts a state measure reads are read once for all the span's periods."""
        self.sql = sql
        self.tiers = tiers
        self.span = span
        rms_only = RMS_OF_SCOPE[scope[0]] if scope else ""
        self.rms = {
            r["rm_id"]: dict(r)
            for r in sql.execute("SELECT * FROM {t}kpi_rm" + rms_only, scope[1:] if scope else ()).fetchall()  # noqa: S608
        }
        for row in self.rms.values():
            row["teams"] = json.loads(row["teams"])
            row["tools"] = json.loads(row["tools"])
        only, params = "", []
        if scope is not None:
            params = list(self.rms)
            marks = ", ".join("?" for _ in params) or "NULL"
            only = f" account_id IN (SELECT account_id FROM {{t}}kpi_account_lead WHERE rm_id IN ({marks}))"  # noqa: S608
        self.scope = scope
        self.only_accounts, self.only_params = only, params  # reused by measures reading account rows
        # What does not depend on the period (a scorecard's trend reuses it), and rows read once for the span.
        self.memo: dict[str | tuple[Any, ...], Any] = {}
        self.accounts = {
            r["account_id"]: dict(r)
            for r in sql.execute(
                "SELECT * FROM {t}kpi_account" + (f" WHERE{only}" if only else ""),  # noqa: S608
                params,
            ).fetchall()
        }
        for row in self.accounts.values():
            row["assignments"] = json.loads(row["assignments"])
        self.policies = [
            dict(r)
            for r in sql.execute(
                "SELECT * FROM {t}kpi_policy WHERE bound_on IS NOT NULL" + self.and_only_accounts(),  # noqa: S608
                params,
            ).fetchall()
        ]
        self.by_account: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for p in self.policies:
            self.by_account[p["account_id"]].append(p)
        # Answers asked again and again over the periods and measures of one query.
        self._leads: dict[tuple[str, date], str] = {}
        self._active: dict[tuple[str, date, date], bool] = {}
        self._active_clients: dict[tuple[date, date], frozenset[str]] = {}

    def facts(self, view: KpiView, measure: str, period: Period, as_of: date) -> list[dict[str, Any]]:
        """`view.fact_rows` of the scope, from one read of the whole span when the period lies in it."""
        rows = self.rows_once(
            period, ("facts", measure, as_of), lambda p: view.fact_rows(self.sql, measure, p, as_of, self.scope)
        )
        if not self.spans(period):
            return rows  # read for this period alone
        start, end = period.start.isoformat(), period.end.isoformat()
        return [r for r in rows if start <= r["day"] < end]

    def spans(self, period: Period) -> bool:
        """Whether the period lies in the span of a scoped query, whose rows a measure may read once for all."""
        span = self.span
        return span is not None and self.scope is not None and span.start <= period.start and period.end <= span.end

    def rows_once(self, period: Period, key: tuple[Any, ...], read: Callable[[Period], list[Any]]) -> list[Any]:
        """`read(span)` once per query (its rows a superset for every period in the span), else `read(period)`.

        On PostgreSQL each statement is a round trip: a scorecard with three trend quarters read the same
        table four times."""
        if self.span is None or not self.spans(period):
            return read(period)
        if key not in self.memo:
            self.memo[key] = read(self.span)
        return self.memo[key]

    def and_only_accounts(self) -> str:
        """The SQL condition keeping a scoped query to the scope's accounts (its values are `only_params`)."""
        return f" AND{self.only_accounts}" if self.only_accounts else ""

    def lead(self, account_id: str, day: date) -> str:
        key = (account_id, day)
        if key not in self._leads:
            account = self.accounts.get(account_id)
            self._leads[key] = lead_on(account["assignments"], day.isoformat()) if account else NO_RM
        return self._leads[key]

    def group(self, rm_id: str, day: date, grain: str, account_id: str | None = None) -> str | None:
        """The group an RM's fact on `day` belongs to at `grain` (None: not counted at that grain)."""
        if grain == "company":
            return COMPANY
        if grain == "tier":
            return self.tiers.of(account_id, day)
        if rm_id == NO_RM:
            return None
        if grain == "rm":
            return rm_id
        rm = self.rms.get(rm_id)
        return team_on(rm["teams"], day.isoformat()) if rm and rm["teams"] else None

    def policy_end(self, p: dict[str, Any], as_of: str) -> str:
        if p["ended_on"] and (p["ended_known_on"] or p["ended_on"]) <= as_of:
            return min(p["ended_on"], p["expiry_date"])
        return p["expiry_date"]

    def in_force_on(self, p: dict[str, Any], day: str, as_of: str) -> bool:
        """Whether the policy is in force on the ISO `day` as known on the ISO `as_of`."""
        return p["bound_on"] <= as_of and p["inception_date"] <= day < self.policy_end(p, as_of)

    def active(self, account_id: str, day: date, as_of: date) -> bool:
        key = (account_id, day, as_of)
        if key not in self._active:
            self._active[key] = self._is_active(account_id, day.isoformat(), as_of.isoformat())
        return self._active[key]

    def _is_active(self, account_id: str, day: str, as_of: str) -> bool:
        account = self.accounts.get(account_id)
        closed = account.get("closed_on") if account else None
        if closed and closed <= min(day, as_of):
            return False
        return any(self.in_force_on(p, day, as_of) for p in self.by_account.get(account_id, ()))

    def active_clients(self, day: date, as_of: date) -> frozenset[str]:
        key = (day, as_of)
        if key not in self._active_clients:
            self._active_clients[key] = frozenset(a for a in self.by_account if self.active(a, day, as_of))
        return self._active_clients[key]


class _Lazy:
    """What one query loads at most once: the state tables (only if a state measure needs them), tiers and,
    for one RM with a span of months, the RM's fact totals over the span."""

    def __init__(self, sql: Any, tiers: Tiers, scope: Scope | None = None, span: Period | None = None) -> None:
        self.sql = sql
        self.tiers = tiers
        self.scope = scope
        self.span = span
        self._state: _State | None = None
        self._totals: Totals | None = None

    def __call__(self) -> _State:
        if self._state is None:
            self._state = _State(self.sql, self.tiers, self.scope, self.span)
        return self._state

    def summed(self, name: str, grain: str, period: Period, as_of: date) -> dict[str, Agg] | None:
        """The fact measure from the RM's totals, or None where only the facts can answer."""
        if self.scope is None or self.span is None or grain != "rm" or self.scope[0] != "rm":
            return None
        if self._totals is None:
            self._totals = Totals(self.sql, self.scope[1], self.span)
        return self._totals.measure(name, period, as_of)


class KpiView:
    def __init__(
        self,
        store: ReadModelStore,
        cat: Catalogue | None = None,
        tiers: TierSource | None = None,
        *,
        totals: bool = True,
    ) -> None:
        """`totals=False` reads every fact measure from the facts (the exact path the totals must agree with)."""
        self.store = store
        self.catalogue = cat or catalogue()
        self.tiers = tiers
        self.totals = totals
        # Measures whose KPIs need each fact's value (a median), which a total does not keep.
        self.distributions = frozenset(k.measure for k in self.catalogue.kpis if k.formula in ("median", "p90"))

    # -- measures --------------------------------------------------------------------------

    def fact_rows(
        self,
        sql: Any,
        measure: str,
        period: Period,
        as_of: date,
        scope: Scope | None = None,
        accounts_of: _State | None = None,
    ) -> list[dict[str, Any]]:
        """The measure's facts in the period known by `as_of`; with a scope only the scope's (by index), with
        `accounts_of` only those of the accounts a scoped state loaded."""
        known = as_of.isoformat()
        only = {"rm": " AND rm_id = ?", "team": " AND team = ?"}[scope[0]] if scope else ""
        if accounts_of is not None:
            only += accounts_of.and_only_accounts()
        return [
            dict(r)
            for r in sql.execute(
                "SELECT fact_key, rm_id, team, account_id, day, num, den FROM {t}kpi_fact"  # noqa: S608 - placeholders
                " WHERE measure = ? AND day >= ? AND day < ? AND known_on <= ? AND (void_on IS NULL OR void_on > ?)"
                + only,
                [
                    measure,
                    period.start.isoformat(),
                    period.end.isoformat(),
                    known,
                    known,
                    *(scope[1:] if scope else ()),
                    *(accounts_of.only_params if accounts_of else ()),
                ],
            ).fetchall()
        ]

    @staticmethod
    def group_rows(rows: Sequence[dict[str, Any]], grain: str, tiers: Tiers) -> dict[str, Agg]:
        seen: set[tuple[str, str]] = set()
        out: dict[str, Agg] = defaultdict(Agg)
        for r in rows:
            if grain == "company":
                g = COMPANY
            elif grain == "tier":
                g = tiers.of(r["account_id"], date.fromisoformat(r["day"]))
            elif grain == "rm":
                g = r["rm_id"] or None
            else:
                g = r["team"] or None
            if g is None or (g, r["fact_key"]) in seen:
                continue
            seen.add((g, r["fact_key"]))
            agg = out[g]
            agg.n += r["num"]
            agg.d += r["den"]
            if r["den"]:
                agg.values.append(r["num"])
        return out

    def measure(self, sql: Any, state: _Lazy, name: str, grain: str, period: Period, as_of: date) -> dict[str, Agg]:
        computed = STATE_MEASURES.get(name)
        if computed is not None:
            return computed(self, sql, state(), grain, period, as_of)
        summed = state.summed(name, grain, period, as_of) if name not in self.distributions else None
        if summed is not None:
            return summed
        return self.group_rows(self.fact_rows(sql, name, period, as_of, state.scope), grain, state.tiers)

    # -- KPIs ------------------------------------------------------------------------------

    def compute(
        self, sql: Any, state: _Lazy, kpi: Kpi, grain: str, period: Period, as_of: date
    ) -> dict[str, KpiResult]:
        """The KPI for every group of the grain that has data."""

        def get(name: str, p: Period = period) -> dict[str, Agg]:
            return self.measure(sql, state, name, grain, p, as_of)

        out: dict[str, KpiResult] = {}
        if kpi.formula == "target_attainment":
            return out
        if kpi.numerator and kpi.denominator:
            nums, dens = get(kpi.numerator), get(kpi.denominator)
            for g in set(nums) | set(dens):
                n, d = nums.get(g, Agg()).n, dens.get(g, Agg()).n
                out[g] = KpiResult(kpi, period, _div(n, d, kpi.scale), n, d)
            return out
        assert kpi.measure is not None
        aggs = get(kpi.measure)
        if kpi.formula == "change":
            before = get(kpi.measure, period.previous())
            for g in set(aggs) | set(before):
                now, prev = aggs.get(g, Agg()).n, before.get(g, Agg()).n
                out[g] = KpiResult(
                    kpi,
                    period,
                    _div(now - prev, prev, kpi.scale),
                    now - prev,
                    prev,
                    {"current": float(now), "previous": float(prev)},
                )
            return out
        for g, agg in aggs.items():
            out[g] = self._value(kpi, period, agg)
        return out

    @staticmethod
    def _value(kpi: Kpi, period: Period, agg: Agg) -> KpiResult:
        f = kpi.formula
        if f in ("ratio", "mean"):
            return KpiResult(kpi, period, _div(agg.n, agg.d, kpi.scale), agg.n, agg.d, agg.extras)
        if f in ("sum", "count"):
            value = _div(agg.n, 100) if kpi.unit in ("money", "hours") else float(agg.n)
            return KpiResult(kpi, period, value, agg.n, None, agg.extras)
        if f == "per_month":
            return KpiResult(kpi, period, _div(agg.n, period.months), agg.n, period.months, agg.extras)
        if f in ("median", "p90"):
            median = _round(statistics.median(agg.values)) if agg.values else None
            p90 = _percentile(agg.values, 0.9)
            extras = {**agg.extras, "closedClaims": float(len(agg.values)), "median": median, "p90": p90}
            return KpiResult(kpi, period, median if f == "median" else p90, sum(agg.values), len(agg.values), extras)
        return KpiResult(kpi, period, agg.value, agg.n, agg.d, agg.extras)  # measured

    def _empty(self, kpi: Kpi, period: Period) -> KpiResult:
        empty = self._value(kpi, period, Agg())
        if kpi.formula in ("ratio", "mean", "change", "measured", "target_attainment"):
            empty.numerator, empty.denominator = (0, 0) if kpi.formula != "measured" else (None, None)
        return empty

    # -- public queries --------------------------------------------------------------------

    def scorecard(
        self,
        grain: str,
        key: str | None,
        period: Period,
        as_of: date | None = None,
        trend: int = 0,
        kpi_ids: Sequence[str] | None = None,
    ) -> list[KpiResult]:
        as_of = as_of or datetime.now(UTC).date()
        g = COMPANY if grain == "company" else key
        if grain not in GRAINS or g is None:
            raise InvalidInput(f"grain must be one of {', '.join(GRAINS)} with a key", field="grain")
        kpis = [k for k in self.catalogue.kpis if kpi_ids is None or k.id in kpi_ids]
        # Every period the scorecard reads: its trend and, for "change" KPIs, the period before the earliest.
        span = Period("range", period.shifted(-trend - 1).start, period.end) if self.totals else None
        with self.store.reading() as sql:
            state = _Lazy(sql, Tiers(self.tiers), (grain, g) if grain in ("rm", "team") else None, span)

            def one(kpi: Kpi, p: Period) -> KpiResult:
                return self.compute(sql, state, kpi, grain, p, as_of).get(g) or self._empty(kpi, p)

            periods = [period.shifted(-i) for i in range(trend + 1)]
            results = []
            for kpi in kpis:
                result, *trend_results = [one(kpi, p) for p in periods]
                result.trend = trend_results
                results.append(result)
            targets = self._targets(sql, grain, g, period, as_of)
        for r in results:
            self._apply_target(r, targets.get(r.kpi.id))
        for r in results:
            if r.kpi.formula == "target_attainment":
                targeted = [x for x in results if x.target is not None and x.kpi.formula != "target_attainment"]
                met = sum(1 for x in targeted if x.target_met)
                r.value, r.numerator, r.denominator = _div(met, len(targeted), r.kpi.scale), met, len(targeted)
                self._apply_target(r, targets.get(r.kpi.id))
        return results

    def leaderboard(
        self, kpi_id: str, grain: str, period: Period, as_of: date | None = None, first: int = 10
    ) -> list[tuple[str, KpiResult]]:
        as_of = as_of or datetime.now(UTC).date()
        kpi = self.catalogue.kpi(kpi_id)
        with self.store.reading() as sql:
            state = _Lazy(sql, Tiers(self.tiers))

            results = self.compute(sql, state, kpi, grain, period, as_of)
        ranked = sorted(
            ((g, r) for g, r in results.items() if r.value is not None),
            key=lambda item: (-(item[1].value or 0) if kpi.higher_is_better else (item[1].value or 0), item[0]),
        )
        return ranked[:first]

    def comparison(
        self,
        kpi_ids: Sequence[str],
        grain: str,
        key: str | None,
        kind: str,
        pivot: date,
        before: int,
        after: int,
        as_of: date | None = None,
    ) -> dict[str, tuple[list[KpiResult], list[KpiResult]]]:
        """Each KPI over `before` periods ending before the pivot's period and `after` periods from it."""
        pivot_period = Period.containing(kind, pivot)
        out: dict[str, tuple[list[KpiResult], list[KpiResult]]] = {}
        for kpi_id in kpi_ids:
            self.catalogue.kpi(kpi_id)
        for kpi_id in kpi_ids:
            befores = [
                self.scorecard(grain, key, pivot_period.shifted(-i), as_of, kpi_ids=[kpi_id])[0]
                for i in range(before, 0, -1)
            ]
            afters = [
                self.scorecard(grain, key, pivot_period.shifted(i), as_of, kpi_ids=[kpi_id])[0] for i in range(after)
            ]
            out[kpi_id] = (befores, afters)
        return out

    # -- targets ---------------------------------------------------------------------------

    def _targets(self, sql: Any, grain: str, key: str, period: Period, as_of: date) -> dict[str, float]:
        scope = {"rm": "relationship_manager", "team": "team", "company": "company"}.get(grain)
        if scope is None:
            return {}
        rows = sql.execute(
            "SELECT kpi_id, scope_id, period_start, period_end, history FROM {t}kpi_target"
            " WHERE scope = ? AND period_start = ?",
            [scope, period.start.isoformat()],
        ).fetchall()
        out: dict[str, float] = {}
        for r in rows:
            if r["period_end"] not in (period.last.isoformat(), period.end.isoformat()):
                continue
            if scope != "company" and r["scope_id"] != key:
                continue
            in_force = [value for on, value in json.loads(r["history"]) if on <= as_of.isoformat()]
            if in_force and in_force[-1] is not None:
                out[r["kpi_id"]] = float(Decimal(in_force[-1]))
        return out

    @staticmethod
    def _apply_target(r: KpiResult, target: float | None) -> None:
        r.target = target
        if target is None or r.value is None:
            return
        r.variance = _round(Decimal(str(r.value)) - Decimal(str(target)))
        r.variance_percent = _div(Decimal(str(r.value)) * 100, Decimal(str(target))) if target else None
        r.target_met = r.value >= target if r.kpi.higher_is_better else r.value <= target


# -- state measures --------------------------------------------------------------------------


def _by_group(state: _State, grain: str, items: Sequence[tuple[str, date, int, int]]) -> dict[str, Agg]:
    """items: (account_id, attribution day, n, d) → per group of the lead RM on that day."""
    out: dict[str, Agg] = defaultdict(Agg)
    for account_id, day, n, d in items:
        g = state.group(state.lead(account_id, day), day, grain, account_id)
        if g is not None:
            out[g].n += n
            out[g].d += d
    return out


def _first_new_client(state: _State, as_of: date) -> dict[str, str]:
    """Each account's first new-client policy bound by `as_of` (the same for every period of a query)."""
    key = f"first_new_client {as_of}"
    if key not in state.memo:
        first: dict[str, str] = {}
        known = as_of.isoformat()
        for p in state.policies:
            if p["business_kind"] == "new_client" and p["bound_on"] <= known:
                a = p["account_id"]
                first[a] = min(first.get(a, p["bound_on"]), p["bound_on"])
        state.memo[key] = first
    return state.memo[key]


def _retention_items(
    state: _State, start: date, last: date, as_of: date, accounts: Callable[[str], bool] = lambda a: True
) -> list[tuple[str, date, int, int]]:
    first = _first_new_client(state, as_of)
    since, until = start.isoformat(), last.isoformat()
    items = []
    for a in sorted(state.active_clients(start, as_of)):
        if not accounts(a) or since <= first.get(a, "") <= until:
            continue
        items.append((a, start, 1 if state.active(a, last, as_of) else 0, 1))
    return items


def _last(period: Period, as_of: date) -> date:
    return min(period.last, as_of)


def m_retained(view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date) -> dict[str, Agg]:
    return _by_group(state, grain, _retention_items(state, period.start, _last(period, as_of), as_of))


def m_active(view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date) -> dict[str, Agg]:
    active = state.active_clients(period.start, as_of)
    return _by_group(state, grain, [(a, period.start, 1, 1) for a in sorted(active)])


def m_new_clients(view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date) -> dict[str, Agg]:
    start, end = period.start.isoformat(), period.end.isoformat()
    items = [
        (a, date.fromisoformat(on), 1, 0) for a, on in _first_new_client(state, as_of).items() if start <= on < end
    ]
    return _by_group(state, grain, items)


def m_client_referrals(
    view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date
) -> dict[str, Agg]:
    rows = [
        r
        for r in state.facts(view, "referrals", period, as_of)
        if r["account_id"] and state.active(r["account_id"], date.fromisoformat(r["day"]), as_of)
    ]
    return view.group_rows(rows, grain, state.tiers)


def m_adequate(view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date) -> dict[str, Agg]:
    day = _last(period, as_of)
    recency = timedelta(days=ASSESSMENT_RECENCY_DAYS)
    oldest = (day - recency).isoformat()

    def read(p: Period) -> list[Any]:  # a superset of each period's window: min(start, as_of) - recency < held_on
        return sql.execute(
            "SELECT policy_id, account_id, held_on, result FROM {t}kpi_assessment WHERE held_on <= ? AND held_on > ?"  # noqa: S608
            + state.and_only_accounts(),
            [_last(p, as_of).isoformat(), (min(p.start, as_of) - recency).isoformat(), *state.only_params],
        ).fetchall()

    # The latest assessment of each policy, and of each account as a whole (policy_id ""), in the window.
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for r in state.rows_once(period, ("assessments", as_of), read):
        if not oldest < r["held_on"] <= day.isoformat():
            continue
        key = (r["policy_id"], r["account_id"] if r["policy_id"] == "" else "")
        if key not in latest or r["held_on"] > latest[key][0]:
            latest[key] = (r["held_on"], r["result"])
    items, in_force = [], defaultdict(int)
    on, known = day.isoformat(), as_of.isoformat()
    for p in state.policies:
        if not state.in_force_on(p, on, known):
            continue
        g = state.group(state.lead(p["account_id"], day), day, grain, p["account_id"])
        if g is not None:
            in_force[g] += 1
        found = [x for x in (latest.get((p["policy_id"], "")), latest.get(("", p["account_id"]))) if x]
        if found:
            items.append((p["account_id"], day, 1 if max(found)[1] == "adequate" else 0, 1))
    out = _by_group(state, grain, items)
    for g, n in in_force.items():
        agg = out[g]
        agg.extras = {"inForcePolicies": float(n), "assessmentCoveragePercent": _div(agg.d, n, 100)}
    return out


def m_educated_renewals(
    view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date
) -> dict[str, Agg]:
    known = as_of.isoformat()
    if "educated" not in state.memo:  # each account's first education session: the same for every period
        state.memo["educated"] = {
            r["account_id"]: r["first_day"]
            for r in sql.execute(
                "SELECT account_id, MIN(day) AS first_day FROM {t}kpi_fact WHERE measure = 'education_sessions'"  # noqa: S608
                " AND account_id IS NOT NULL AND known_on <= ? AND (void_on IS NULL OR void_on > ?)"
                + state.and_only_accounts()
                + " GROUP BY account_id",
                [known, known, *state.only_params],
            ).fetchall()
        }
    educated: dict[str, str] = state.memo["educated"]
    items, every = [], []
    start, end = period.start.isoformat(), period.end.isoformat()
    for p in state.policies:
        expiry = p["expiry_date"]
        if not (start <= expiry < end):
            continue
        if state.policy_end(p, known) < expiry:  # cancelled or lapsed before its expiry: never due
            continue
        renewed = 1 if p["renewed_on"] and p["renewed_on"] <= known else 0
        day = min(date.fromisoformat(expiry) - timedelta(days=1), as_of)
        every.append((p["account_id"], day, renewed, 1))
        if educated.get(p["account_id"], "9999") < expiry:
            items.append((p["account_id"], day, renewed, 1))
    out = _by_group(state, grain, items)
    for g, agg in _by_group(state, grain, every).items():
        out[g].extras = {
            "allPoliciesDue": float(agg.d),
            "allPoliciesRenewed": float(agg.n),
            "policyRenewalRate": _div(agg.n, agg.d, 100),
        }
    return out


def m_tool_adoption(view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date) -> dict[str, Agg]:
    day = _last(period, as_of).isoformat()
    out: dict[str, Agg] = defaultdict(Agg)
    for rm_id, rm in state.rms.items():
        if not rm["registered_on"] or rm["registered_on"] > day or (rm["left_on"] and rm["left_on"] <= day):
            continue
        g = state.group(rm_id, date.fromisoformat(day), grain)
        if g is None:
            continue
        out[g].d += 1
        out[g].n += 1 if any(on <= day for _, on in rm["tools"]) else 0
    return out


def m_penetration(view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date) -> dict[str, Agg]:
    if grain != "company":
        return {}
    rows = sql.execute(
        "SELECT segment, region, as_of, penetration FROM {t}kpi_penetration WHERE known_on <= ? AND as_of <= ?"
        " ORDER BY segment, region, as_of",
        [as_of.isoformat(), _last(period, as_of).isoformat()],
    ).fetchall()
    series: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for r in rows:
        series[(r["segment"], r["region"])].append((r["as_of"], r["penetration"]))
    agg = Agg()
    for points in series.values():
        if len(points) >= 2 and points[-1][0] >= period.start.isoformat():
            agg.n += points[-1][1] - points[-2][1]
            agg.d += points[-2][1]
    return {COMPANY: agg} if agg.d or agg.n else {}


def _strategies(state: _State, as_of: date) -> list[dict[str, Any]]:
    """Retention strategies started by `as_of`, in order (all of them read once per query)."""
    if "strategies" not in state.memo:
        state.memo["strategies"] = [
            {**dict(r), "segments": json.loads(r["segments"])}
            for r in state.sql.execute("SELECT * FROM {t}kpi_strategy ORDER BY starts_on, strategy_id").fetchall()
        ]
    known = as_of.isoformat()
    return [s for s in state.memo["strategies"] if s["starts_on"] <= known]


def _targeted(state: _State, strategy: dict[str, Any]) -> Callable[[str], bool]:
    segments = set(strategy["segments"])
    return lambda a: not segments or (state.accounts.get(a) or {}).get("segment") in segments


def m_strategy_retention(
    view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date
) -> dict[str, Agg]:
    started = [
        s for s in _strategies(state, as_of) if period.start.isoformat() <= s["starts_on"] < period.end.isoformat()
    ]
    if not started:
        return {}
    strategy = started[-1]
    starts = date.fromisoformat(strategy["starts_on"])
    length = period.end - period.start
    after_last = min(starts + length - timedelta(days=1), as_of)
    if strategy["ends_on"]:
        after_last = min(after_last, date.fromisoformat(strategy["ends_on"]) - timedelta(days=1))
    targeted = _targeted(state, strategy)
    after = _by_group(state, grain, _retention_items(state, starts, after_last, as_of, targeted))
    before = _by_group(
        state, grain, _retention_items(state, starts - length, starts - timedelta(days=1), as_of, targeted)
    )
    out: dict[str, Agg] = {}
    for g in set(after) | set(before):
        a, b = after.get(g, Agg()), before.get(g, Agg())
        ra, rb = _div(a.n, a.d, 100), _div(b.n, b.d, 100)
        out[g] = Agg(
            n=a.n,
            d=a.d,
            value=None if ra is None or rb is None else _round(ra - rb),
            extras={
                "retentionAfter": ra,
                "retentionBefore": rb,
                "retainedBefore": float(b.n),
                "clientsBefore": float(b.d),
            },
        )
    return out


def m_strategy_csat(view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date) -> dict[str, Agg]:
    strategies = _strategies(state, as_of)
    if not strategies:  # no response can be after one
        return {}

    def after_strategy(r: dict[str, Any]) -> bool:
        return any(
            s["starts_on"] <= r["day"]
            and (not s["ends_on"] or r["day"] < s["ends_on"])
            and _targeted(state, s)(r["account_id"] or "")
            for s in strategies
        )

    return view.group_rows(
        [r for r in state.facts(view, "csat_responses", period, as_of) if after_strategy(r)],
        grain,
        state.tiers,
    )


def m_retained_referrals(
    view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date
) -> dict[str, Agg]:
    last = _last(period, as_of)
    strategies = [s for s in _strategies(state, last) if not s["ends_on"] or s["ends_on"] > period.start.isoformat()]
    if not strategies:
        return {}
    strategy = strategies[-1]
    retained = {a for a, _, n, _ in _retention_items(state, period.start, last, as_of, _targeted(state, strategy)) if n}
    referrals: dict[str, int] = defaultdict(int)
    for r in view.fact_rows(sql, "referrals", period, as_of, accounts_of=state):
        if r["account_id"] in retained and r["day"] >= strategy["starts_on"]:
            referrals[r["account_id"]] += r["num"]
    return _by_group(state, grain, [(a, period.start, referrals.get(a, 0), 1) for a in sorted(retained)])


def m_settlement(view: KpiView, sql: Any, state: _State, grain: str, period: Period, as_of: date) -> dict[str, Agg]:
    """Closed claims' report-to-close days; open claims (right-censored) reported next to them, never mixed in."""
    out = view.group_rows(state.facts(view, "settlement_days", period, as_of), grain, state.tiers)
    last = _last(period, as_of)

    def read(p: Period) -> list[Any]:  # claims open on `as_of` that were reported by the end of `p`
        return sql.execute(
            "SELECT account_id, reported_on FROM {t}kpi_claim"  # noqa: S608 - placeholders only
            " WHERE reported_on <= ? AND (closed_on IS NULL OR closed_on > ?)" + state.and_only_accounts(),
            [_last(p, as_of).isoformat(), as_of.isoformat(), *state.only_params],
        ).fetchall()

    ages: dict[str, list[int]] = defaultdict(list)
    for r in state.rows_once(period, ("open_claims", as_of), read):
        if r["reported_on"] > last.isoformat():
            continue
        g = state.group(state.lead(r["account_id"], last), last, grain, r["account_id"])
        if g is not None:
            ages[g].append((last - date.fromisoformat(r["reported_on"])).days)
    for g in set(out) | set(ages):
        agg = out[g] if g in out else out.setdefault(g, Agg())
        agg.extras = {
            "openClaims": float(len(ages.get(g, []))),
            "openClaimMedianAgeDays": _round(statistics.median(ages[g])) if ages.get(g) else None,
        }
    return out


STATE_MEASURES: dict[str, Callable[[KpiView, Any, _State, str, Period, date], dict[str, Agg]]] = {
    "active_clients": m_active,
    "retained_clients": m_retained,
    "client_referrals": m_client_referrals,
    "new_clients": m_new_clients,
    "adequate_coverage": m_adequate,
    "educated_renewals": m_educated_renewals,
    "tool_adoption": m_tool_adoption,
    "market_penetration": m_penetration,
    "strategy_retention": m_strategy_retention,
    "strategy_csat": m_strategy_csat,
    "retained_client_referrals": m_retained_referrals,
    "settlement_days": m_settlement,
}
FACT_MEASURES = frozenset(
    {
        "meetings_held",
        "csat_responses",
        "quote_conversion",
        "written_premium",
        "commission",
        "cross_sell_decisions",
        "risk_assessments",
        "incurred_claims",
        "earned_premium",
        "education_sessions",
        "benefits_understanding",
        "education_material_feedback",
        "competitor_analyses",
        "segments_identified",
        "initiatives_implemented",
        "employee_satisfaction",
        "training_completion",
        "team_goals",
        "compliance_audit_items",
        "compliance_trainings",
        "regulatory_violations",
        "documentation_checks",
        "digital_service_feedback",
        "hours_saved",
        "innovation_projects",
        "report_accuracy",
        "action_items",
        "decision_outcomes",
        "certifications",
        "workshops",
        "knowledge_sharing",
        "personalised_packages",
    }
)
KNOWN_MEASURES = FACT_MEASURES | frozenset(STATE_MEASURES)
