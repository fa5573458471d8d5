"""Plumbing shared by the domain mutations: payload bases, money input, ids of what a command touched.

`run_command` (in `commands`) authorises and runs a command; these helpers turn its outcome into a
payload without every area repeating the same four fields, and name the account a command touches
when the input only carries the id of something that belongs to it (a policy, a claim, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from strawberry import relay

from kamcore.api.commands import AccountRef, Command, CommandInput, Outcome, run_command
from kamcore.api.context import Info
from kamcore.api.errors import UserError
from kamcore.api.reads import node_uuid
from kamcore.application import CommandContext, CommandResult, KamApplication
from kamcore.domain.errors import InvalidInput, KamError
from kamcore.domain.values import Money, today


@strawberry.input(description="An amount of money: a decimal amount (never a float) in an ISO 4217 currency.")
class MoneyInput:
    amount: Decimal = strawberry.field(description='Decimal amount as a string, e.g. "1250.00" (at most 4 places).')
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. EUR.")


def money(value: MoneyInput | None, field: str, *, non_negative: bool = True) -> Money | None:
    """`Money.of` with the error naming the input field (`writtenPremium`, `writtenPremium.currency`)."""
    if value is None:
        return None
    try:
        return Money.of(value.amount, value.currency, field=field, non_negative=non_negative)
    except InvalidInput as error:
        if error.field == "currency":
            raise InvalidInput(error.message, field=f"{field}.currency") from None
        raise


def required_money(value: MoneyInput, field: str, *, non_negative: bool = True) -> Money:
    checked = money(value, field, non_negative=non_negative)
    assert checked is not None
    return checked


@strawberry.type(description="Common shape of every payload of a command that does not change an account.")
class CommandPayload:
    user_errors: list[UserError] = strawberry.field(description="Empty when the command was accepted.")
    position: int | None = strawberry.field(
        description="Event-log position of the write (on a replay, the log head); pass as minPosition to read it "
        "back. Null when the command was refused."
    )
    replayed: bool = strawberry.field(description="True when an idempotent retry returned the first result.")
    version: int | None = strawberry.field(
        description="New version of the changed aggregate, for expectedVersion; null when refused."
    )


class Done:
    """A command's outcome, ready to build a payload from: the common fields and the result's ids."""

    def __init__(self, outcome: Outcome) -> None:
        self.result = outcome.result
        self.common: dict[str, Any] = outcome.common

    @property
    def with_account(self) -> dict[str, Any]:
        """The common fields plus the account an `AccountPayload` reads back."""
        return {**self.common, "account_id": self.detail("account_id")}

    def detail(self, key: str) -> str | None:
        return self.result.detail.get(key) if self.result else None

    def id(self, type_name: str, key: str | None = None) -> relay.GlobalID | None:
        """Global id of the aggregate written (or of `detail[key]`); null when refused."""
        if self.result is None:
            return None
        raw = self.detail(key) if key else str(self.result.aggregate_id)
        return relay.GlobalID(type_name, raw) if raw else None


async def execute(info: Info, data: CommandInput, command: Command, account: AccountRef = None) -> Done:
    outcome = await run_command(info, data, command, account)
    return Done(outcome)


def uuid_of(global_id: relay.GlobalID | None, type_name: str, field: str) -> UUID | None:
    """The UUID in an optional global id; NotFound (a userError) when it names another type."""
    return node_uuid(global_id, type_name, field) if global_id is not None else None


def owner(app: KamApplication, cls: type, global_id: relay.GlobalID, field: str) -> Callable[[], UUID]:
    """The account that the aggregate named by `global_id` belongs to, for the relationship-manager check."""
    return lambda: app.load(cls, node_uuid(global_id, cls.__name__, field), field=field).account_id


def renamed(command: Command, **fields: str) -> Command:
    """Report errors the application names `old` against the API's input name (`old="new"`).

    For command arguments the API has to call differently, e.g. an endorsement's own effective date,
    which is not the command's business date (`CommandInput.effectiveDate`).
    """

    def run(ctx: CommandContext, account: UUID | None) -> CommandResult:
        try:
            return command(ctx, account)
        except KamError as error:
            if error.field in fields:
                error.field = fields[error.field]
            raise

    return run


def on_or_business_date(day: date | None, data: CommandInput) -> date:
    """`day` if given, else the command's business date (effectiveDate, else today in UTC)."""
    return day or data.effective_date or today()


def version_of(what: str) -> Any:
    """The `version` field of a payload, described for the aggregate it versions."""
    return strawberry.field(description=f"New version of {what}, for expectedVersion; null when refused.")
