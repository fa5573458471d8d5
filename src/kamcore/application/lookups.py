"""Loading the aggregates that commands check against (accounts, products, policies, strategies).

Plain functions rather than mixin methods, so the command mixins of `KamApplication` cannot
shadow each other's helpers.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from kamcore.application.handling import CommandHandling
from kamcore.domain.account import Account
from kamcore.domain.errors import InvalidInput
from kamcore.domain.policy import Policy
from kamcore.domain.product import Product
from kamcore.domain.retention_strategy import RetentionStrategy


def account(app: CommandHandling, account_id: UUID) -> Account:
    return app.load(Account, account_id, field="account_id")


def open_account(app: CommandHandling, account_id: UUID) -> Account:
    """The account, which must be open: a closed account accepts no new business."""
    found = account(app, account_id)
    found.ensure_open()
    return found


def product(app: CommandHandling, code: str, *, field: str = "product_code") -> Product:
    if not code:
        raise InvalidInput("must name a product", field=field)
    return app.load(Product, Product.id_for(code), field=field)


def policy(
    app: CommandHandling, policy_id: UUID, *, field: str = "policy_id", expected_version: int | None = None
) -> Policy:
    return app.load(Policy, policy_id, field=field, expected_version=expected_version)


def running_strategy(app: CommandHandling, strategy_id: UUID | None, day: date) -> UUID | None:
    """A retention strategy business is tagged with must exist and run on `day`."""
    if strategy_id is None:
        return None
    strategy = app.load(RetentionStrategy, strategy_id, field="retention_strategy_id")
    strategy.ensure_running_on(day)
    return strategy_id
