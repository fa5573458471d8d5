"""Errors as data: expected failures become `userErrors`; the unexpected is masked."""

from __future__ import annotations

from enum import Enum

import strawberry
from graphql import GraphQLError

from kamcore.domain.errors import KamError


@strawberry.enum(description="Why a command was refused.")
class UserErrorCode(Enum):
    INVALID_INPUT = strawberry.enum_value(
        "INVALID_INPUT",
        description="A value is malformed or breaks a rule (e.g. a score outside its scale, a bad date); see field.",
    )
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description="An id names nothing of the expected kind.")
    CONFLICT = strawberry.enum_value(
        "CONFLICT", description="The command clashes with the current state (also used for reasons not listed here)."
    )
    VERSION_CONFLICT = strawberry.enum_value(
        "VERSION_CONFLICT", description="expectedVersion is stale, or a concurrent write won; reload and retry."
    )
    DUPLICATE = strawberry.enum_value(
        "DUPLICATE", description="Something with the same unique key exists (e.g. an account with that externalRef)."
    )
    IDEMPOTENCY_KEY_REUSED = strawberry.enum_value(
        "IDEMPOTENCY_KEY_REUSED", description="The idempotencyKey was already used for a different command or input."
    )
    ACCOUNT_CLOSED = strawberry.enum_value(
        "ACCOUNT_CLOSED", description="The account is closed and accepts no new business."
    )
    LEAD_EXISTS = strawberry.enum_value(
        "LEAD_EXISTS",
        description="Another lead covers that period (or a later lead exists); hand over the lead instead.",
    )
    LEAD_REQUIRED = strawberry.enum_value(
        "LEAD_REQUIRED", description="The lead cannot be released while the account is open; hand over the lead."
    )
    NO_LEAD = strawberry.enum_value(
        "NO_LEAD", description="There is no lead on that date to hand over from; assign a lead first."
    )
    DUPLICATE_ASSIGNMENT = strawberry.enum_value(
        "DUPLICATE_ASSIGNMENT", description="The RM already holds that role over an overlapping period."
    )
    ALREADY_RESOLVED = strawberry.enum_value("ALREADY_RESOLVED", description="The complaint is already resolved.")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type(description="An expected failure a frontend can show next to the offending input field.")
class UserError:
    field: list[str] | None = strawberry.field(description='Path to the input field, e.g. ["input", "score"].')
    message: str = strawberry.field(description="Human-readable, safe to show to users.")
    code: UserErrorCode = strawberry.field(description="Machine-readable reason.")

    @classmethod
    def from_error(cls, error: KamError) -> UserError:
        code = UserErrorCode.__members__.get(error.code, UserErrorCode.CONFLICT)
        path = ["input", camel(error.field)] if error.field else None
        return cls(field=path, message=error.message, code=code)


def should_mask_error(error: GraphQLError) -> bool:
    """Hide internals (unexpected exceptions) but keep parse, validation and limit messages."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def request_error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})
