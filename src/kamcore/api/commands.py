"""Shared mutation plumbing: the common input fields, the command context, errors as data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import strawberry
from starlette.concurrency import run_in_threadpool

from kamcore.api.context import Info
from kamcore.api.errors import UserError
from kamcore.application import CommandContext, CommandResult
from kamcore.domain.errors import KamError
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


async def run_command(info: Info, data: CommandInput, command: Callable[[CommandContext], CommandResult]) -> Outcome:
    """Build the command context from the request and input, run the command off the event loop."""
    ctx = info.context
    try:
        command_context = CommandContext(
            actor=ctx.principal.actor,
            source=Source.API,
            correlation_id=ctx.correlation_id,
            causation_id=ctx.correlation_id,
            reason=data.reason,
            effective_date=data.effective_date,
            idempotency_key=data.idempotency_key,
            expected_version=data.expected_version,
        )
        result = await run_in_threadpool(command, command_context)
    except KamError as error:
        return Outcome(None, [UserError.from_error(error)])
    return Outcome(result, [])
