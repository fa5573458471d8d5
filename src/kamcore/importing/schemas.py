"""One row schema per import kind: the columns, and how raw values become typed domain inputs.

Parsing here is only about representation (text, ISO dates, decimal strings with a currency);
every business rule — allowed segments, identifiers, non-negative money, dates in order, states
— is left to the domain aggregates, which raise `InvalidInput` / `Conflict` naming the field.
Docs for the columns: docs/import.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar

from kamcore.domain import rules
from kamcore.domain.errors import InvalidInput
from kamcore.domain.values import Money


class ImportKind(Enum):
    ACCOUNTS = "accounts"
    POLICIES = "policies"
    CLAIMS = "claims"


class Fields:
    """Typed access to one row's raw values; each failure is an `InvalidInput` naming the column."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InvalidInput("must be text", field=name)
        cleaned = str(value).strip()
        return cleaned or None

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise InvalidInput("is required", field=name)
        return value

    def key(self, name: str) -> str:
        """A natural key from the source system (checked by the domain's identifier rule)."""
        return rules.identifier(name, self.required(name))

    def date(self, name: str) -> date | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"{value!r} is not an ISO date (YYYY-MM-DD)", field=name) from None

    def required_date(self, name: str) -> date:
        value = self.date(name)
        if value is None:
            raise InvalidInput("is required (YYYY-MM-DD)", field=name)
        return value

    def money(self, name: str, currency: str, *, default: Decimal | None = None) -> Money | None:
        """A decimal string in `currency`; JSON numbers with a fraction (floats) are refused by `Money.of`."""
        raw = self.values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return Money(default, currency) if default is not None else None
        return Money.of(raw.strip() if isinstance(raw, str) else raw, currency, field=name)

    def required_money(self, name: str, currency: str) -> Money:
        value = self.money(name, currency)
        if value is None:
            raise InvalidInput("is required (a decimal string such as 1250.00)", field=name)
        return value


@dataclass(frozen=True)
class AccountRecord:
    external_ref: str
    name: str
    segment: str
    region: str
    industry: str | None
    size: str | None
    as_of: date | None

    columns: ClassVar[tuple[str, ...]] = ("external_ref", "name", "segment", "region", "industry", "size", "as_of")

    @property
    def key(self) -> str:
        return self.external_ref

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> AccountRecord:
        f = Fields(values)
        return cls(
            external_ref=f.key("external_ref"),
            name=f.required("name"),
            segment=f.required("segment"),
            region=f.required("region"),
            industry=f.text("industry"),
            size=f.text("size"),
            as_of=f.date("as_of"),
        )


@dataclass(frozen=True)
class PolicyRecord:
    policy_number: str
    account_ref: str
    product_code: str
    business_kind: str
    renews_policy_number: str | None
    currency: str
    written_premium: Money
    commission: Money
    sum_insured: Money
    inception_date: date
    expiry_date: date
    quoted_on: date
    status: str
    bound_on: date | None
    ended_on: date | None
    ended_by: str | None
    return_premium: Money | None
    return_commission: Money | None
    endorsed_on: date | None

    columns: ClassVar[tuple[str, ...]] = (
        "policy_number",
        "account_ref",
        "product_code",
        "business_kind",
        "renews_policy_number",
        "currency",
        "written_premium",
        "commission",
        "sum_insured",
        "inception_date",
        "expiry_date",
        "quoted_on",
        "status",
        "bound_on",
        "ended_on",
        "ended_by",
        "return_premium",
        "return_commission",
        "endorsed_on",
    )

    @property
    def key(self) -> str:
        return self.policy_number

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> PolicyRecord:
        f = Fields(values)
        currency = f.required("currency")
        renews = f.text("renews_policy_number")
        return cls(
            policy_number=f.key("policy_number"),
            account_ref=f.key("account_ref"),
            product_code=f.required("product_code"),
            business_kind=f.required("business_kind"),
            renews_policy_number=rules.identifier("renews_policy_number", renews) if renews else None,
            currency=currency,
            written_premium=f.required_money("written_premium", currency),
            commission=f.money("commission", currency, default=Decimal(0)) or Money(Decimal(0), currency),
            sum_insured=f.required_money("sum_insured", currency),
            inception_date=f.required_date("inception_date"),
            expiry_date=f.required_date("expiry_date"),
            quoted_on=f.required_date("quoted_on"),
            status=f.required("status"),
            bound_on=f.date("bound_on"),
            ended_on=f.date("ended_on"),
            ended_by=f.text("ended_by"),
            return_premium=f.money("return_premium", currency),
            return_commission=f.money("return_commission", currency),
            endorsed_on=f.date("endorsed_on"),
        )


@dataclass(frozen=True)
class ClaimRecord:
    claim_number: str
    policy_number: str
    loss_date: date
    reported_on: date
    description: str
    currency: str
    reserve: Money
    paid_to_date: Money
    valued_on: date | None
    status: str
    closed_on: date | None
    reopened_on: date | None

    columns: ClassVar[tuple[str, ...]] = (
        "claim_number",
        "policy_number",
        "loss_date",
        "reported_on",
        "description",
        "currency",
        "reserve",
        "paid_to_date",
        "valued_on",
        "status",
        "closed_on",
        "reopened_on",
    )

    @property
    def key(self) -> str:
        return self.claim_number

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> ClaimRecord:
        f = Fields(values)
        currency = f.required("currency")
        status = f.required("status")
        if status not in ("open", "closed"):
            raise InvalidInput(f"{status!r} is not one of: open, closed", field="status")
        return cls(
            claim_number=f.key("claim_number"),
            policy_number=f.key("policy_number"),
            loss_date=f.required_date("loss_date"),
            reported_on=f.required_date("reported_on"),
            description=f.required("description"),
            currency=currency,
            reserve=f.money("reserve", currency, default=Decimal(0)) or Money(Decimal(0), currency),
            paid_to_date=f.money("paid_to_date", currency, default=Decimal(0)) or Money(Decimal(0), currency),
            valued_on=f.date("valued_on"),
            status=status,
            closed_on=f.date("closed_on"),
            reopened_on=f.date("reopened_on"),
        )


Record = AccountRecord | PolicyRecord | ClaimRecord

SCHEMAS: dict[ImportKind, type[AccountRecord] | type[PolicyRecord] | type[ClaimRecord]] = {
    ImportKind.ACCOUNTS: AccountRecord,
    ImportKind.POLICIES: PolicyRecord,
    ImportKind.CLAIMS: ClaimRecord,
}
