"""Ranking as a pure function: facts + criteria (+ previous tiers, overrides) → scores, key set, tiers, reasons.

Every account gets an explanation: the value, scaled value, weight and points of each factor
under the criteria version used, whether it was eligible, how it was selected, and its tier.

A kept ranking of 100k accounts lives in the server for minutes, and each full collection of the cyclic
garbage collector walks every tracked object in it (seconds per collection, paid by whichever request
triggers one). So a ranked account holds its factor scores and notes as plain tuples of atomic values,
which the collector stops tracking: two tracked objects per account (`Ranked` and its facts) instead of ~9.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from kamcore.domain.criteria import Criteria, Factor

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class AccountFacts(NamedTuple):
    account_id: str
    name: str
    segment: str
    region: str
    status: str
    lead_rm_id: str | None
    facts: Mapping[str, Decimal | None]


class Override(NamedTuple):
    decision: str  # force_in | force_out
    tier: str | None
    reason: str
    expires_on: str


class FactorScore(NamedTuple):
    fact: str
    value: Decimal | None
    scaled: Decimal
    weight: Decimal
    points: Decimal


@dataclass(slots=True)
class Ranked:
    account: AccountFacts
    score: Decimal = Decimal(0)
    scores: tuple[tuple[str, Decimal | None, Decimal, Decimal, Decimal], ...] = ()  # FactorScore fields, plain
    eligible: bool = True
    ineligible_reason: str | None = None
    rank: int | None = None
    key: bool = False
    tier: str | None = None
    selected_by: str | None = None  # rule | override
    override: Override | None = None
    notes: tuple[str, ...] = ()

    @property
    def breakdown(self) -> tuple[FactorScore, ...]:
        return tuple(FactorScore._make(s) for s in self.scores)


def _percentiles(values: list[Decimal]) -> tuple[list[Decimal], int]:
    return sorted(values), len(values)


def _scale(factor: Factor, value: Decimal | None, population: tuple[list[Decimal], int]) -> Decimal:
    """0..1, 1 best; a missing value scores 0."""
    if value is None:
        return Decimal(0)
    ordered, n = population
    if factor.scaling == "percentile":
        if n == 0:
            return Decimal(0)
        below, equal = bisect_left(ordered, value), bisect_right(ordered, value) - bisect_left(ordered, value)
        rank = (Decimal(below) + Decimal(equal) / 2) / n
        return rank if factor.higher_is_better else 1 - rank
    if factor.scaling == "linear":
        low, high = (ordered[0], ordered[-1]) if ordered else (value, value)
        if high == low:
            return Decimal(1)
        scaled = (value - low) / (high - low)
        return scaled if factor.higher_is_better else 1 - scaled
    if factor.higher_is_better:
        hits = [scaled for threshold, scaled in factor.bands if value >= threshold]
        return hits[-1] if hits else Decimal(0)
    hits = [scaled for threshold, scaled in factor.bands if value <= threshold]
    return hits[0] if hits else Decimal(0)


def _eligibility(account: AccountFacts, criteria: Criteria) -> str | None:
    facts = account.facts
    if account.status != "active":
        return "the account is closed"
    if criteria.min_written_premium is not None and (facts.get("written_premium") or 0) < criteria.min_written_premium:
        return f"written premium below {criteria.min_written_premium}"
    loss_ratio = facts.get("loss_ratio")
    if criteria.max_loss_ratio is not None and loss_ratio is not None and loss_ratio > criteria.max_loss_ratio:
        return f"loss ratio above {criteria.max_loss_ratio}"
    return None


def rank_accounts(
    accounts: Iterable[AccountFacts],
    criteria: Criteria,
    *,
    previous_tiers: Mapping[str, str] | None = None,
    overrides: Mapping[str, Override] | None = None,
) -> list[Ranked]:
    """Score eligible accounts, select the key set by the rule, tier it (with hysteresis), apply overrides."""
    ranked = [Ranked(a) for a in accounts]
    for r in ranked:
        r.ineligible_reason = _eligibility(r.account, criteria)
        r.eligible = r.ineligible_reason is None
    eligible = [r for r in ranked if r.eligible]
    populations = {
        f.fact: _percentiles([v for r in eligible if (v := r.account.facts.get(f.fact)) is not None])
        for f in criteria.factors
    }
    total_weight = sum(f.weight for f in criteria.factors)
    for r in eligible:
        scores = []
        for f in criteria.factors:
            value = r.account.facts.get(f.fact)
            scaled = _scale(f, value, populations[f.fact])
            points = (HUNDRED * f.weight * scaled / total_weight).quantize(CENT)
            scores.append((f.fact, value, scaled.quantize(Decimal("0.0001")), f.weight, points))
        r.scores = tuple(scores)
        r.score = sum((points for *_, points in scores), Decimal(0))
    eligible.sort(key=lambda r: (-r.score, r.account.account_id))
    for position, r in enumerate(eligible, start=1):
        r.rank = position
    for r in _select(eligible, criteria):
        r.key, r.selected_by = True, "rule"
    previous = previous_tiers or {}
    for r in eligible:
        if r.key:
            r.tier, note = _tier_with_hysteresis(criteria, r.score, previous.get(r.account.account_id))
            r.notes = (note,) if note else ()
    for r in ranked:
        override = (overrides or {}).get(r.account.account_id)
        if override is None:
            continue
        r.override = override
        r.selected_by = "override"
        if override.decision == "force_in":
            r.key, r.tier = True, override.tier
        else:
            r.key, r.tier = False, None
    return sorted(ranked, key=lambda r: (r.rank is None, r.rank or 0, r.account.account_id))


def _select(eligible: list[Ranked], criteria: Criteria) -> list[Ranked]:
    if criteria.rule == "top_n":
        return eligible[: criteria.n]
    if criteria.rule == "score_threshold":
        return [r for r in eligible if r.score >= criteria.threshold]
    by_basis = sorted(eligible, key=lambda r: (-(r.account.facts.get(criteria.basis) or 0), r.account.account_id))
    total = sum(max(r.account.facts.get(criteria.basis) or Decimal(0), Decimal(0)) for r in by_basis)
    chosen, running = [], Decimal(0)
    for r in by_basis:
        value = r.account.facts.get(criteria.basis) or Decimal(0)
        if total <= 0 or running >= criteria.share * total or value <= 0:
            break
        chosen.append(r)
        running += value
    return chosen


def _tier_with_hysteresis(criteria: Criteria, score: Decimal, previous: str | None) -> tuple[str, str | None]:
    """Change tier only when the score clears the boundary by the hysteresis margin: (tier, why it was kept)."""
    candidate = criteria.tier_for(score)
    if previous is None or previous == candidate or previous not in {t.name for t in criteria.tiers}:
        return candidate, None
    margin = criteria.hysteresis
    if criteria.tier_rank(candidate) < criteria.tier_rank(previous):  # moving up
        if score >= criteria.tier_floor(candidate) + margin:
            return candidate, None
        return previous, f"kept {previous}: score {score} does not clear {candidate} by the {margin}-point margin"
    if score < criteria.tier_floor(previous) - margin:
        return candidate, None
    return previous, f"kept {previous}: score {score} is within the {margin}-point margin of its floor"


def pareto_curve(ranked: Iterable[Ranked], basis: str) -> list[tuple[int, Decimal, Decimal]]:
    """(accounts, cumulative value, cumulative share) sorted by the basis, largest first."""
    values = sorted((max(r.account.facts.get(basis) or Decimal(0), Decimal(0)) for r in ranked), reverse=True)
    total = sum(values, Decimal(0))
    curve, running = [], Decimal(0)
    for n, value in enumerate(values, start=1):
        running += value
        curve.append((n, running, (running / total).quantize(Decimal("0.0001")) if total else Decimal(0)))
    return curve
