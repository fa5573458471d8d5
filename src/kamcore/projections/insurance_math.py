"""Pure insurance arithmetic shared by read models: money in minor units, written vs earned premium, incurred claims.

Amounts are integers in minor units (cents) so SQL can SUM them exactly on either backend.
Earned premium is pro rata by day over the part of the term a premium transaction covers; its
monthly split is exact (the parts always add up to the transaction, largest remainders first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from uuid import UUID

from kamcore.domain.claim import Claim
from kamcore.domain.policy import Policy
from kamcore.domain.values import Money

MINOR = Decimal(100)


def minor(money: Money) -> int:
    """Money as integer cents (banker's rounding below a cent)."""
    return int((money.amount * MINOR).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def earned_by_month(amount: int, start: date, end: date) -> dict[str, int]:
    """Split `amount` over [start, end) pro rata by day into calendar months; the parts sum to `amount`."""
    days = (end - start).days
    if days <= 0 or amount == 0:
        return {month_of(start): amount} if amount else {}
    shares: list[tuple[str, int]] = []
    day = start
    while day < end:
        until = min(next_month(day), end)
        shares.append((month_of(day), (until - day).days))
        day = until
    sign = -1 if amount < 0 else 1
    total = abs(amount)
    parts = {month: total * n // days for month, n in shares}
    remainders = sorted(shares, key=lambda share: (-(total * share[1] % days), share[0]))
    for month, _ in remainders[: total - sum(parts.values())]:
        parts[month] += 1
    return {month: sign * value for month, value in parts.items() if value}


@dataclass(frozen=True)
class PremiumMovement:
    """A written premium (and commission) change on a business date, earned over [earn_from, earn_to)."""

    account_id: UUID
    policy_id: UUID
    currency: str
    written_on: date
    written: int
    commission: int
    earn_from: date
    earn_to: date


def premium_movement(event: Any) -> PremiumMovement | None:
    """Bound adds the premium, an endorsement its change, a cancellation returns the unearned part."""
    if isinstance(event, Policy.Bound):
        return PremiumMovement(
            event.account_id,
            event.originator_id,
            event.written_premium.currency,
            event.bound_on,
            minor(event.written_premium),
            minor(event.commission),
            event.inception_date,
            event.expiry_date,
        )
    if isinstance(event, Policy.Endorsed):
        return PremiumMovement(
            event.account_id,
            event.originator_id,
            event.premium_change.currency,
            event.effective_date,
            minor(event.premium_change),
            minor(event.commission_change),
            event.effective_date,
            event.expiry_date,
        )
    if isinstance(event, Policy.Cancelled):
        return PremiumMovement(
            event.account_id,
            event.originator_id,
            event.return_premium.currency,
            event.effective_date,
            -minor(event.return_premium),
            -minor(event.return_commission),
            event.effective_date,
            event.expiry_date,
        )
    return None


@dataclass(frozen=True)
class IncurredChange:
    """Incurred claims move by payments plus reserve changes, dated by the claim event's business date."""

    account_id: UUID
    claim_id: UUID
    on: date
    paid: int
    reserve_after: int | None  # None: unchanged


def incurred_change(event: Any) -> IncurredChange | None:
    """What a claim event does to paid and outstanding reserve (the caller keeps the previous reserve)."""
    if isinstance(event, Claim.Reserved):
        return IncurredChange(event.account_id, event.originator_id, event.reserved_on, 0, minor(event.reserve))
    if isinstance(event, Claim.Paid):
        return IncurredChange(
            event.account_id, event.originator_id, event.paid_on, minor(event.amount), minor(event.outstanding_reserve)
        )
    if isinstance(event, Claim.Closed):
        return IncurredChange(event.account_id, event.originator_id, event.closed_on, 0, 0)
    return None
