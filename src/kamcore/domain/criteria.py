"""Key-account criteria as data: factors, eligibility, a selection rule, tiers and hysteresis.

The default version is `projections/key_accounts.toml` (at the repository root); later versions arrive
as Programme events whose `parameters` use the same fields. Parsing validates everything and names
the offending field, so a malformed version is refused when it is proposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kamcore.domain.errors import InvalidInput

FACTS = (
    "written_premium",
    "earned_premium",
    "commission",
    "incurred_claims",
    "profit_contribution",
    "premium_growth",
    "loss_ratio",
    "lines_held",
    "open_needs",
    "latest_nps",
    "latest_csat",
    "days_since_meeting",
)
SCALINGS = ("percentile", "banded", "linear")
RULES = ("top_n", "pareto", "score_threshold")


@dataclass(frozen=True)
class Factor:
    fact: str
    weight: Decimal
    scaling: str
    higher_is_better: bool
    bands: tuple[tuple[Decimal, Decimal], ...] = ()


@dataclass(frozen=True)
class Tier:
    name: str
    min_score: Decimal


@dataclass(frozen=True)
class Criteria:
    version: str
    name: str
    window_months: int
    expense_load: Decimal
    hysteresis: Decimal
    min_written_premium: Decimal | None
    max_loss_ratio: Decimal | None
    factors: tuple[Factor, ...]
    rule: str
    basis: str
    share: Decimal
    n: int
    threshold: Decimal
    tiers: tuple[Tier, ...]

    def tier_for(self, score: Decimal) -> str:
        return next(t.name for t in self.tiers if score >= t.min_score or t is self.tiers[-1])

    def tier_floor(self, name: str) -> Decimal:
        return next(t.min_score for t in self.tiers if t.name == name)

    def tier_rank(self, name: str) -> int:
        """0 is the highest tier."""
        return next(i for i, t in enumerate(self.tiers) if t.name == name)


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, float | bool):
        raise InvalidInput("write numbers as strings or integers (no floats)", field=field)
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{value!r} is not a number", field=field) from None
    if not result.is_finite():
        raise InvalidInput("must be finite", field=field)
    return result


def parse_criteria(document: dict[str, Any]) -> Criteria:
    """A validated `Criteria` from a TOML/JSON document (the TOML file or a Programme version's parameters)."""
    try:
        factors = tuple(_factor(f, i) for i, f in enumerate(document.get("factors") or ()))
        if not factors:
            raise InvalidInput("at least one factor is needed", field="factors")
        if sum(f.weight for f in factors) <= 0:
            raise InvalidInput("weights must add up to more than 0", field="factors")
        selection = document.get("selection") or {}
        rule = selection.get("rule", "pareto")
        if rule not in RULES:
            raise InvalidInput(f"{rule!r} is not one of {', '.join(RULES)}", field="selection.rule")
        basis = selection.get("basis", "written_premium")
        if basis not in ("written_premium", "profit_contribution"):
            raise InvalidInput("pareto basis is written_premium or profit_contribution", field="selection.basis")
        share = _decimal(selection.get("share", "0.8"), "selection.share")
        if not Decimal(0) < share <= 1:
            raise InvalidInput("must be in (0, 1]", field="selection.share")
        n = int(selection.get("n", 50))
        if n < 1:
            raise InvalidInput("must be at least 1", field="selection.n")
        tiers = tuple(
            Tier(str(t["name"]), _decimal(t["min_score"], f"tiers[{i}].min_score"))
            for i, t in enumerate(document.get("tiers") or ())
        )
        if not tiers or [t.min_score for t in tiers] != sorted((t.min_score for t in tiers), reverse=True):
            raise InvalidInput("tiers are needed, highest min_score first", field="tiers")
        eligibility = document.get("eligibility") or {}
        window = int(document.get("window_months", 12))
        if not 1 <= window <= 60:
            raise InvalidInput("must be 1-60", field="window_months")
        return Criteria(
            version=str(document.get("version") or "unnamed"),
            name=str(document.get("name") or ""),
            window_months=window,
            expense_load=_decimal(document.get("expense_load", "0"), "expense_load"),
            hysteresis=_decimal(document.get("hysteresis", "0"), "hysteresis"),
            min_written_premium=_optional(eligibility, "min_written_premium"),
            max_loss_ratio=_optional(eligibility, "max_loss_ratio"),
            factors=factors,
            rule=rule,
            basis=basis,
            share=share,
            n=n,
            threshold=_decimal(selection.get("threshold", "60"), "selection.threshold"),
            tiers=tiers,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"malformed criteria: {error}", field="parameters") from None


def _optional(section: dict[str, Any], key: str) -> Decimal | None:
    return _decimal(section[key], f"eligibility.{key}") if key in section else None


def _factor(raw: dict[str, Any], index: int) -> Factor:
    where = f"factors[{index}]"
    fact = raw.get("fact")
    if fact not in FACTS:
        raise InvalidInput(f"{fact!r} is not a known fact ({', '.join(FACTS)})", field=f"{where}.fact")
    scaling = raw.get("scaling", "percentile")
    if scaling not in SCALINGS:
        raise InvalidInput(f"{scaling!r} is not one of {', '.join(SCALINGS)}", field=f"{where}.scaling")
    direction = raw.get("direction", "higher")
    if direction not in ("higher", "lower"):
        raise InvalidInput("is higher or lower", field=f"{where}.direction")
    weight = _decimal(raw.get("weight", "1"), f"{where}.weight")
    if weight < 0:
        raise InvalidInput("must not be negative", field=f"{where}.weight")
    bands = tuple((_decimal(a, f"{where}.bands"), _decimal(b, f"{where}.bands")) for a, b in raw.get("bands") or ())
    if scaling == "banded" and not bands:
        raise InvalidInput("banded scaling needs bands", field=f"{where}.bands")
    return Factor(fact, weight, scaling, direction == "higher", tuple(sorted(bands)))
