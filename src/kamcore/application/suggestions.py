"""Product suggestions: match an account's open needs with products on sale and rank them. Pure: no I/O.

The read side (`kamcore.projections.suggestions_view`) gathers the inputs from the read models; the
API shows the result and turns a suggestion into a recommendation through `make_recommendation`.

Matching rule (one need, one product), on normalised text (case-folded, every run of characters
other than letters and digits read as one space):

* **keyword** — a phrase the product lists in `needs_covered` occurs as whole words in the need's
  description, or equals the need's line of business (`"fire"` matches "Fire cover for the plant";
  it does not match "firewall");
* **line** — the need's line of business equals the product's line of business.

A need matches a product when either holds. Need ids are not matched: they are per account
(`need-3`), so a catalogue cannot name them.

A need is **open** unless it is covered: it has an accepted recommendation (for any product), or
the account holds in force a product that the matching rule pairs with it. A recommendation made
and not yet decided, or declined, for a (need, product) pair takes that pair out: the product is
not suggested again for that need (other products still are).

Scoring: each open need weighs by priority (HIGH 3, MEDIUM 2, LOW 1). A product's coverage is the
weight of the open needs it matches over the weight of all open needs (0..1); its segment fit is 1
when it targets the account's segment, else 0. Score = 0.7 x coverage + 0.3 x segment fit, exact
(fractions), shown rounded to 4 places. The catalogue has no size bands, so size does not score.
Order: score, then coverage, then product code (ascending) — deterministic for equal scores.

Eligible: the account is open; the product is on sale, not held in force by the account, and
matches at least one open need. The kind of sale it would be: NEW_CLIENT when the account never
held a policy, UP_SELL when it holds the product's line in force, else CROSS_SELL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from fractions import Fraction

from kamcore.domain.errors import Conflict, InvalidInput, NotFound
from kamcore.domain.rules import MAX_TEXT
from kamcore.domain.values import NeedPriority, RecommendationKind, RecommendationStatus

PRIORITY_WEIGHT = {NeedPriority.HIGH: 3, NeedPriority.MEDIUM: 2, NeedPriority.LOW: 1}
COVERAGE_WEIGHT = Fraction(7, 10)
SEGMENT_WEIGHT = Fraction(3, 10)
SCORE_PLACES = 4

_NOT_A_WORD = re.compile(r"[\W_]+")  # any run of characters other than letters and digits


def normalise(text: str | None) -> str:
    """Case-folded words separated by single spaces ("Business-Interruption " -> "business interruption")."""
    return _NOT_A_WORD.sub(" ", (text or "").casefold()).strip()


class SegmentRule(Enum):
    TARGETED = "targeted"  # the product targets the account's segment
    NOT_TARGETED = "not_targeted"  # it does not: still suggested, ranked lower


# -- inputs (as the read models hold them) ---------------------------------------------------------


@dataclass(frozen=True)
class CatalogueProduct:
    code: str
    name: str
    line_of_business: str
    target_segments: tuple[str, ...]
    needs_covered: tuple[str, ...]
    on_sale: bool = True


@dataclass(frozen=True)
class AccountNeed:
    need_id: str
    description: str
    line_of_business: str | None = None
    priority: NeedPriority = NeedPriority.MEDIUM

    @property
    def weight(self) -> int:
        return PRIORITY_WEIGHT[self.priority]


@dataclass(frozen=True)
class AccountProfile:
    account_id: str
    segment: str
    needs: tuple[AccountNeed, ...]
    is_open: bool = True
    size: str | None = None


@dataclass(frozen=True)
class Holding:
    """A bound policy term of the account; it is in force until cancelled, lapsed or past its expiry."""

    product_code: str
    line_of_business: str
    ended: bool = False  # cancelled or lapsed
    expiry_date: date | None = None  # exclusive; None = no end known

    def in_force_on(self, day: date) -> bool:
        return not self.ended and (self.expiry_date is None or day < self.expiry_date)


@dataclass(frozen=True)
class PastRecommendation:
    need_id: str
    product_code: str
    status: RecommendationStatus


# -- outputs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedMatch:
    """Why one need matches one product: the keywords found and whether the lines are equal."""

    need: AccountNeed
    keywords: tuple[str, ...]
    line: bool

    def describe(self) -> str:
        rules = [f"keyword '{k}'" for k in self.keywords] + (["its line"] if self.line else [])
        return f"{self.need.need_id} '{self.need.description}' ({self.need.priority.value}, by {' and '.join(rules)})"


@dataclass(frozen=True)
class Suggestion:
    product: CatalogueProduct
    score: Fraction
    coverage: Fraction
    open_need_weight: int
    covered: tuple[NeedMatch, ...]
    segment: str
    segment_rule: SegmentRule
    kind: RecommendationKind

    @property
    def display_score(self) -> float:
        return round(float(self.score), SCORE_PLACES)

    @property
    def covered_need_ids(self) -> tuple[str, ...]:
        return tuple(m.need.need_id for m in self.covered)

    @property
    def explanation(self) -> str:
        """One sentence a relationship manager can read out (and the recommendation's rationale)."""
        weight = sum(m.need.weight for m in self.covered)
        needs = "; ".join(m.describe() for m in self.covered)
        if self.segment_rule is SegmentRule.TARGETED:
            segment = f"targets the {self.segment} segment"
        else:
            segment = f"does not target the {self.segment} segment (targets {', '.join(self.product.target_segments)})"
        return (
            f"{self.product.code} covers {len(self.covered)} open need(s) worth {weight} of {self.open_need_weight} "
            f"priority points: {needs}; it {segment}."
        )

    @property
    def rationale(self) -> str:
        """The explanation, cut to what a recommendation's rationale may hold."""
        text = self.explanation
        return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "\u2026"


# -- the rules -------------------------------------------------------------------------------------


def match(need: AccountNeed, product: CatalogueProduct) -> NeedMatch | None:
    """The matching rule (see the module docstring); None when the need and the product do not match."""
    description = f" {normalise(need.description)} "
    need_line = normalise(need.line_of_business)
    keywords = tuple(
        keyword
        for keyword in product.needs_covered
        if (phrase := normalise(keyword)) and (f" {phrase} " in description or phrase == need_line)
    )
    line = bool(need_line) and need_line == normalise(product.line_of_business)
    return NeedMatch(need, keywords, line) if keywords or line else None


def open_needs(
    account: AccountProfile,
    products: Iterable[CatalogueProduct],
    holdings: Iterable[Holding],
    recommendations: Iterable[PastRecommendation],
    on: date,
) -> tuple[AccountNeed, ...]:
    """Needs not covered by an accepted recommendation or by a product held in force that matches them."""
    by_code = {p.code: p for p in products}
    held = [by_code[h.product_code] for h in holdings if h.in_force_on(on) and h.product_code in by_code]
    accepted = {r.need_id for r in recommendations if r.status is RecommendationStatus.ACCEPTED}
    return tuple(
        need
        for need in account.needs
        if need.need_id not in accepted and not any(match(need, product) for product in held)
    )


def suggest(
    account: AccountProfile,
    products: Sequence[CatalogueProduct],
    holdings: Sequence[Holding],
    recommendations: Sequence[PastRecommendation],
    on: date,
) -> list[Suggestion]:
    """Every eligible product, best first (see the module docstring for the rules)."""
    if not account.is_open:
        return []
    needs = open_needs(account, products, holdings, recommendations, on)
    total = sum(n.weight for n in needs)
    if total == 0:
        return []
    in_force = [h for h in holdings if h.in_force_on(on)]
    held_codes = {h.product_code for h in in_force}
    held_lines = {normalise(h.line_of_business) for h in in_force}
    taken = {(r.need_id, r.product_code) for r in recommendations if r.status is not RecommendationStatus.ACCEPTED}
    suggestions = []
    for product in products:
        if not product.on_sale or product.code in held_codes:
            continue
        covered = tuple(
            m for need in needs if (need.need_id, product.code) not in taken and (m := match(need, product))
        )
        if not covered:
            continue
        coverage = Fraction(sum(m.need.weight for m in covered), total)
        targeted = account.segment in product.target_segments
        if not holdings:
            kind = RecommendationKind.NEW_CLIENT
        elif normalise(product.line_of_business) in held_lines:
            kind = RecommendationKind.UP_SELL
        else:
            kind = RecommendationKind.CROSS_SELL
        suggestions.append(
            Suggestion(
                product=product,
                score=COVERAGE_WEIGHT * coverage + (SEGMENT_WEIGHT if targeted else 0),
                coverage=coverage,
                open_need_weight=total,
                covered=covered,
                segment=account.segment,
                segment_rule=SegmentRule.TARGETED if targeted else SegmentRule.NOT_TARGETED,
                kind=kind,
            )
        )
    suggestions.sort(key=lambda s: (-s.score, -s.coverage, s.product.code))
    return suggestions


def suggestion_for(
    account: AccountProfile,
    products: Sequence[CatalogueProduct],
    holdings: Sequence[Holding],
    recommendations: Sequence[PastRecommendation],
    on: date,
    *,
    product_code: str,
    need_id: str,
) -> Suggestion:
    """The suggestion of `product_code` that covers `need_id`, or the typed error saying why there is none."""
    if not account.is_open:
        raise Conflict(f"account {account.account_id} is closed", field="account_id", code="ACCOUNT_CLOSED")
    need = next((n for n in account.needs if n.need_id == need_id), None)
    if need is None:
        raise NotFound(f"no need {need_id!r} on this account", field="need_id")
    product = next((p for p in products if p.code == product_code), None)
    if product is None:
        raise NotFound(f"no product {product_code!r} in the catalogue", field="product_code")
    if not product.on_sale:
        raise Conflict(f"product {product_code} is withdrawn", field="product_code", code="PRODUCT_WITHDRAWN")
    if any(h.product_code == product_code and h.in_force_on(on) for h in holdings):
        raise Conflict(f"the account already holds {product_code}", field="product_code", code="ALREADY_HELD")
    if need not in open_needs(account, products, holdings, recommendations, on):
        raise Conflict(
            f"need {need_id} is already covered (accepted recommendation or a product held)",
            field="need_id",
            code="NEED_COVERED",
        )
    for r in recommendations:
        if (r.need_id, r.product_code) == (need_id, product_code):
            raise Conflict(
                f"{product_code} was already recommended for {need_id} ({r.status.value})",
                field="product_code",
                code="ALREADY_RECOMMENDED",
            )
    if match(need, product) is None:
        raise InvalidInput(f"{product_code} does not cover need {need_id}", field="product_code")
    return next(s for s in suggest(account, products, holdings, recommendations, on) if s.product.code == product_code)
