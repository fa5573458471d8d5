"""Shared mutation plumbing: common input fields, authorisation, the command context, errors as data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import relay

from kamcore.api.auth import authorize_mutation, check_role
from kamcore.api.context import Info
from kamcore.api.errors import UserError, request_error
from kamcore.api.reads import node_uuid
from kamcore.application import CommandContext, CommandResult
from kamcore.domain.errors import KamError, StorageUnavailable
from kamcore.domain.values import Source


@strawberry.input(description="Fields every command input accepts.")
class CommandInput:
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse the command unless the aggregate is still at this version."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Retrying with the same key returns the first result and writes nothing."
    )
    reason: str | None = strawberry.field(default=None, description="Why, for the audit trail.")
    effective_date: date | None = strawberry.field(
        default=None, description="Business date when it happened, if not today (backdating is audited)."
    )


@dataclass
class Outcome:
    result: CommandResult | None
    user_errors: list[UserError]

    @property
    def common(self) -> dict[str, Any]:
        """The fields every command payload carries (null where the command was refused)."""
        result = self.result
        return {
            "user_errors": self.user_errors,
            "position": result.position if result else None,
            "replayed": bool(result and result.replayed),
            "version": result.version if result else None,
        }


# The account a mutation touches: a global id from the input, or a lookup (e.g. a complaint's account).
AccountRef = relay.GlobalID | Callable[[], UUID] | None
Command = Callable[[CommandContext, UUID | None], CommandResult]


async def run_command(info: Info, data: CommandInput, command: Command, account: AccountRef = None) -> Outcome:
    """Authorise, build the command context from the request and input, run the command off the event loop.

    Authentication and role failures are top-level errors (UNAUTHENTICATED / FORBIDDEN); everything the
    user can fix comes back as `userErrors`.
    """
    ctx = info.context
    app = ctx.runtime.app
    mutation = info.field_name
    principal = check_role(ctx.principal, mutation)

    def run() -> CommandResult:
        account_id = (
            node_uuid(account, "Account", "account_id")
            if isinstance(account, relay.GlobalID)
            else (account() if account else None)
        )
        authorize_mutation(app, principal, account_id)
        command_context = CommandContext(
            actor=principal.actor,
            source=Source.API,
            correlation_id=ctx.correlation_id,
            causation_id=ctx.correlation_id,
            reason=data.reason,
            effective_date=data.effective_date,
            idempotency_key=data.idempotency_key,
            expected_version=data.expected_version,
        )
        return command(command_context, account_id)

    try:
        result = await run_in_threadpool(run)
    except StorageUnavailable as error:  # a fault of the service, not of the input: a top-level error
        raise request_error(error.message, error.code) from None
    except KamError as error:
        return Outcome(None, [UserError.from_error(error)])
    return Outcome(result, [])
