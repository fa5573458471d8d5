"""Key-account rankings from the ranking facts: current, as of a date, under a proposed criteria version.

Facts are summed over the criteria's window of business months in SQL; scoring runs in Python on
those sums (never on the event log). Scoring a large book takes seconds, so the newest ranking per
(date, version) is kept with the read-model position it includes: a reader that accepts that
position gets it at once while a background thread re-ranks the newer facts (stale-while-revalidate);
a reader that needs a newer position waits for the new ranking.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
import tomllib
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from kamcore.domain.criteria import Criteria, parse_criteria
from kamcore.domain.errors import InvalidInput, NotFound
from kamcore.projections.insurance_math import month_of, month_start
from kamcore.projections.ranking import AccountFacts, Override, Ranked, pareto_curve, rank_accounts
from kamcore.projections.store import ReadModelStore

log = logging.getLogger(__name__)

CACHE_ENTRIES = 16
# A ranking of this many accounts or more is moved out of the cyclic GC's reach once kept (see `_keep`).
FREEZE_FROM = int(os.environ.get("KAMCORE_RANKING_FREEZE_FROM", "5000"))
RankingKey = tuple[date, Criteria, bool]  # as of, criteria version, hysteresis
# Each account's money over a window of months: read from the by-month index alone (it covers these columns).
MONTH_SUMS = (
    "SELECT account_id, SUM(written) AS written, SUM(commission) AS commission, SUM(earned) AS earned,"
    " SUM(earned_commission) AS earned_commission, SUM(incurred) AS incurred FROM {t}ranking_month"
    " WHERE month >= ? AND month <= ? GROUP BY account_id"
)
WRITTEN_SUMS = (
    "SELECT account_id, SUM(written) AS written FROM {t}ranking_month"
    " WHERE month >= ? AND month <= ? GROUP BY account_id"
)
DEFAULT_CRITERIA_FILE = Path(__file__).resolve().parents[3] / "projections" / "key_accounts.toml"


def load_default_criteria(path: Path = DEFAULT_CRITERIA_FILE) -> Criteria:
    """The business's default criteria file; `KAMCORE_CRITERIA_FILE` points elsewhere."""
    with Path(os.environ.get("KAMCORE_CRITERIA_FILE", path)).open("rb") as handle:
        return parse_criteria(tomllib.load(handle))


def cents(minor_units: int | None) -> Decimal:
    """Integer minor units as a Decimal amount with two places (12000000 → 120000.00)."""
    return Decimal(minor_units or 0).scaleb(-2)


def window(as_of: date, months: int) -> tuple[str, str]:
    """First and last month (YYYY-MM) of `months` months ending with the month of `as_of`."""
    year, month = as_of.year, as_of.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}", month_of(as_of)


def previous_month_end(as_of: date) -> date:
    first = month_start(month_of(as_of))
    return date.fromordinal(first.toordinal() - 1)


@dataclass(frozen=True)
class Ranking:
    as_of: date
    criteria: Criteria
    accounts: list[Ranked]
    position: int = 0  # the read-model position the facts included

    @cached_property
    def key_set(self) -> list[Ranked]:
        """The key accounts in rank order, computed once per kept ranking: every read of the key set reuses it."""
        return sorted((r for r in self.accounts if r.key), key=lambda r: (r.rank is None, r.rank or 0))

    def key_accounts(self) -> list[Ranked]:
        return self.key_set

    @cached_property
    def by_account(self) -> dict[str, Ranked]:
        """Account id → its place: one account's ranking is a lookup, not a scan of the book."""
        return {r.account.account_id: r for r in self.accounts}

    def pareto(self, basis: str) -> list[tuple[int, Decimal, Decimal]]:
        """The Pareto curve of this ranking, sorted once per basis (100k accounts take ~0.5 s)."""
        curves = self.__dict__.setdefault("_pareto", {})
        if basis not in curves:
            curves[basis] = pareto_curve(self.accounts, basis)
        return curves[basis]

    @cached_property
    def tiers(self) -> dict[str, str]:
        """Account id → tier of every key account (the KPI tier grain groups by it)."""
        return {r.account.account_id: r.tier for r in self.key_set if r.tier}

    @cached_property
    def _shares(self) -> dict[str, Decimal | None]:
        shares: dict[str, Decimal | None] = {}
        for basis in ("written_premium", "profit_contribution"):
            total = sum((r.account.facts.get(basis) or Decimal(0) for r in self.accounts), Decimal(0))
            key = sum((r.account.facts.get(basis) or Decimal(0) for r in self.key_set), Decimal(0))
            shares[basis] = (key / total).quantize(Decimal("0.0001")) if total else None
        return shares

    def share(self, basis: str) -> Decimal | None:
        """Share of the basis (written premium or profit) held by the key set."""
        return self._shares[basis]


class RankingView:
    def __init__(self, store: ReadModelStore, app_name: str = "Kam") -> None:
        self.store = store
        self.app_name = app_name
        self.default = load_default_criteria()
        self._cache: OrderedDict[RankingKey, tuple[int, Ranking]] = OrderedDict()
        self._lock = threading.Lock()
        self._refreshing: set[RankingKey] = set()
        self._refresher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ranking-refresh")
        self._warming: Future[None] | None = None

    def close(self) -> None:
        self._refresher.shutdown(wait=False, cancel_futures=True)

    def warm(self, as_of: date) -> None:
        """Rank `as_of` in the background (at start-up) so the first reader does not wait for it."""
        self._warming = self._refresh((as_of, self.criteria_in_force(as_of), True))

    @property
    def warm_done(self) -> bool:
        """Whether the start-up ranking is kept (or failed, or was never asked for): the server is at full speed."""
        return self._warming is None or self._warming.done()

    # -- criteria -------------------------------------------------------------------------------

    def criteria_in_force(self, on: date) -> Criteria:
        with self.store.reading() as sql:
            row = sql.execute(
                "SELECT version_id, parameters FROM {t}ranking_criteria WHERE status IN ('adopted', 'superseded')"
                " AND effective_from <= ? ORDER BY effective_from DESC, proposed_at DESC LIMIT 1",
                (on.isoformat(),),
            ).fetchone()
        return parse_criteria({**json.loads(row["parameters"]), "version": row["version_id"]}) if row else self.default

    def criteria_version(self, version_id: str) -> Criteria:
        if version_id == self.default.version:
            return self.default
        with self.store.reading() as sql:
            row = sql.execute(
                "SELECT parameters FROM {t}ranking_criteria WHERE version_id = ?", (version_id,)
            ).fetchone()
        if row is None:
            raise NotFound(f"no criteria version {version_id!r}", field="criteria_version")
        return parse_criteria({**json.loads(row["parameters"]), "version": version_id})

    def criteria_versions(self) -> list[dict[str, Any]]:
        with self.store.reading() as sql:
            rows = [
                dict(r)
                for r in sql.execute(
                    "SELECT version_id, name, status, effective_from, proposed_at"
                    " FROM {t}ranking_criteria ORDER BY proposed_at"
                ).fetchall()
            ]
        return [
            {
                "version_id": self.default.version,
                "name": self.default.name,
                "status": "default",
                "effective_from": None,
                "proposed_at": None,
            },
            *rows,
        ]

    # -- rankings --------------------------------------------------------------------------------

    def ranking(
        self,
        as_of: date,
        criteria: Criteria | None = None,
        *,
        hysteresis: bool = True,
        at_least: int | None = None,
    ) -> Ranking:
        """The ranking of `as_of` under `criteria` (default: the version in force then).

        `at_least=None` asks for the read model's current position; `at_least=n` accepts any kept
        ranking that includes position n, and refreshes it in the background when newer facts exist.
        """
        key: RankingKey = (as_of, criteria or self.criteria_in_force(as_of), hysteresis)
        position = self.store.position(self.app_name)
        with self._lock:
            kept = self._cache.get(key)
            if kept is not None:
                self._cache.move_to_end(key)
        if kept is not None and (kept[0] >= position or (at_least is not None and kept[0] >= at_least)):
            if kept[0] < position:
                self._refresh(key)
            return kept[1]
        return self._compute(key, position)

    def _refresh(self, key: RankingKey) -> Future[None] | None:
        with self._lock:
            if key in self._refreshing:
                return None
            self._refreshing.add(key)

        def run() -> None:
            try:
                self._compute(key, self.store.position(self.app_name))
            except Exception:
                log.exception("ranking refresh failed for %s", key[:1])
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        try:
            return self._refresher.submit(run)
        except RuntimeError:  # shut down: nobody will read the result
            with self._lock:
                self._refreshing.discard(key)
            return None

    def _compute(self, key: RankingKey, position: int) -> Ranking:
        """Rank from the facts; `position` was read before the facts, so the ranking includes at least it."""
        as_of, chosen, hysteresis = key
        previous = None
        if hysteresis and chosen.hysteresis > 0:
            before = self.ranking(previous_month_end(as_of), chosen, hysteresis=False)
            previous = {r.account.account_id: r.tier for r in before.accounts if r.tier}
        result = Ranking(
            as_of,
            chosen,
            rank_accounts(
                self._facts(as_of, chosen), chosen, previous_tiers=previous, overrides=self._overrides(as_of)
            ),
            position,
        )
        with self._lock:
            kept = self._cache.get(key)
            if kept is None or kept[0] <= position:
                self._cache[key] = (position, result)
                self._cache.move_to_end(key)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        if len(result.accounts) >= FREEZE_FROM:
            _freeze_long_lived()
        return result

    def account(self, ranking: Ranking, account_id: str) -> Ranked:
        found = ranking.by_account.get(account_id)
        if found is None:
            raise NotFound(f"no ranked account {account_id}", field="account_id")
        return found

    def simulate(self, version_id: str, as_of: date, at_least: int | None = None) -> dict[str, Any]:
        """Which accounts a proposed version would add to or drop from the key set, and the shares it would hold."""
        current = self.ranking(as_of, at_least=at_least)
        proposed = self.ranking(as_of, self.criteria_version(version_id), at_least=at_least)
        now = {r.account.account_id for r in current.key_accounts()}
        then = {r.account.account_id for r in proposed.key_accounts()}
        entering, leaving = then - now, now - then  # once: inside the filters they were rebuilt per account
        return {
            "current": current,
            "proposed": proposed,
            "entering": [r for r in proposed.accounts if r.account.account_id in entering],
            "leaving": [r for r in current.accounts if r.account.account_id in leaving],
        }

    def pareto(self, as_of: date, basis: str, at_least: int | None = None) -> list[tuple[int, Decimal, Decimal]]:
        if basis not in ("written_premium", "profit_contribution"):
            raise InvalidInput("is written_premium or profit_contribution", field="basis")
        return self.ranking(as_of, at_least=at_least).pareto(basis)

    def tier_history(
        self, account_id: str, month_ends: list[date], at_least: int | None = None
    ) -> list[tuple[date, str | None, bool]]:
        """(month end, tier, key) for one account at each month end."""
        out = []
        for day in month_ends:
            ranked = self.ranking(day, at_least=at_least).by_account.get(account_id)
            out.append((day, ranked.tier if ranked else None, bool(ranked and ranked.key)))
        return out

    # -- facts -----------------------------------------------------------------------------------

    def _facts(self, as_of: date, criteria: Criteria) -> list[AccountFacts]:
        first, last = window(as_of, criteria.window_months)
        prev_first, prev_last = window(previous_month_end(month_start(first)), criteria.window_months)
        day = as_of.isoformat()
        with self.store.reading() as sql:
            sums = {r["account_id"]: dict(r) for r in sql.execute(MONTH_SUMS, (first, last)).fetchall()}
            before = {
                r["account_id"]: r["written"] for r in sql.execute(WRITTEN_SUMS, (prev_first, prev_last)).fetchall()
            }
            lines = {
                r["account_id"]: r["n"]
                for r in sql.execute(
                    "SELECT account_id, COUNT(DISTINCT line_of_business) AS n FROM {t}ranking_policy"
                    " WHERE inception_date <= ? AND expiry_date > ? AND (ended_on IS NULL OR ended_on > ?)"
                    " GROUP BY account_id",
                    (day, day, day),
                ).fetchall()
            }
            profiles = sql.execute("SELECT * FROM {t}ranking_account").fetchall()
        load = criteria.expense_load
        out = []
        for p in profiles:
            s = sums.get(p["account_id"], {})
            written, earned = cents(s.get("written")), cents(s.get("earned"))
            incurred, commission = cents(s.get("incurred")), cents(s.get("earned_commission"))
            prior = cents(before.get(p["account_id"]))
            meeting = p["last_meeting_on"]
            out.append(
                AccountFacts(
                    p["account_id"],
                    p["name"],
                    p["segment"],
                    p["region"],
                    p["status"],
                    p["lead_rm_id"],
                    {
                        "written_premium": written,
                        "earned_premium": earned,
                        "commission": cents(s.get("commission")),
                        "incurred_claims": incurred,
                        "profit_contribution": (earned - incurred - commission - load * earned).quantize(
                            Decimal("0.01")
                        ),
                        "premium_growth": ((written / prior) - 1).quantize(Decimal("0.0001")) if prior > 0 else None,
                        "loss_ratio": (incurred / earned).quantize(Decimal("0.0001")) if earned > 0 else None,
                        "lines_held": Decimal(lines.get(p["account_id"], 0)),
                        "open_needs": Decimal(p["needs"]),
                        "latest_nps": Decimal(p["latest_nps"]) if p["latest_nps"] is not None else None,
                        "latest_csat": Decimal(p["latest_csat"]) if p["latest_csat"] is not None else None,
                        "days_since_meeting": Decimal((as_of - date.fromisoformat(meeting)).days)
                        if meeting and meeting <= day
                        else None,
                    },
                )
            )
        return out

    def _overrides(self, as_of: date) -> dict[str, Override]:
        day = as_of.isoformat()
        with self.store.reading() as sql:
            rows = sql.execute(
                "SELECT account_id, decision, tier, reason, expires_on FROM {t}ranking_override"
                " WHERE effective_from <= ? AND expires_on > ? AND (revoked_on IS NULL OR revoked_on > ?)"
                " ORDER BY effective_from",
                (day, day, day),
            ).fetchall()
        return {r["account_id"]: Override(r["decision"], r["tier"], r["reason"], r["expires_on"]) for r in rows}


def _freeze_long_lived() -> None:
    """Collect garbage, then move what survives out of the cyclic GC's reach (`gc.freeze`).

    Kept rankings of a large book are millions of long-lived objects: every full collection walked them
    all (about 2 s at 100k accounts) and, as they count towards the collector's threshold, one came every
    few dozen requests that build large responses. Frozen, they are freed by reference counting when
    evicted (a ranking holds no reference cycle); collecting first means no garbage cycle is frozen.
    """
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class ServiceGap:
    """A key account whose tier's service standard it does not get."""

    ranked: Ranked
    review_cadence_days: int
    last_review_on: date | None
    problems: tuple[str, ...]


def service_gaps(view: RankingView, as_of: date, at_least: int | None = None) -> list[ServiceGap]:
    """Key accounts missing their tier's review cadence, a lead, or required team roles on `as_of`."""
    day = as_of.isoformat()
    with view.store.reading() as sql:
        standards: dict[str, dict[str, Any]] = {}
        for row in sql.execute(
            "SELECT tier, review_cadence_days, required_roles FROM {t}ranking_service_standard"
            " WHERE effective_from <= ? ORDER BY effective_from",
            (day,),
        ).fetchall():
            standards[row["tier"]] = dict(row)  # the latest effective standard per tier wins
        service = {r["account_id"]: dict(r) for r in sql.execute("SELECT * FROM {t}ranking_service").fetchall()}
    gaps = []
    for ranked in view.ranking(as_of, at_least=at_least).key_accounts():
        standard = standards.get(ranked.tier or "")
        if standard is None:
            continue
        row = service.get(ranked.account.account_id, {"last_review_on": None, "assignments": "[]"})
        roles = {
            a["role"] for a in json.loads(row["assignments"]) if a["from"] <= day and (a["to"] is None or day < a["to"])
        }
        last = date.fromisoformat(row["last_review_on"]) if row["last_review_on"] else None
        problems = []
        if last is None or (as_of - last).days > standard["review_cadence_days"]:
            problems.append(f"no account review in the last {standard['review_cadence_days']} days")
        if "lead" not in roles:
            problems.append("no lead relationship manager")
        missing = [r for r in json.loads(standard["required_roles"]) if r not in roles and r != "lead"]
        if missing:
            problems.append(f"missing team roles: {', '.join(missing)}")
        if problems:
            gaps.append(ServiceGap(ranked, standard["review_cadence_days"], last, tuple(problems)))
    return gaps
