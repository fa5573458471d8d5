"""Errors as data: expected failures become `userErrors`; the unexpected is masked."""

from __future__ import annotations

from enum import Enum

import strawberry
from graphql import GraphQLError

from kamcore.domain.errors import KamError


@strawberry.enum(description="Why a command was refused.")
class UserErrorCode(Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    DUPLICATE = "DUPLICATE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    ACCOUNT_CLOSED = "ACCOUNT_CLOSED"
    LEAD_EXISTS = "LEAD_EXISTS"
    LEAD_REQUIRED = "LEAD_REQUIRED"
    NO_LEAD = "NO_LEAD"
    DUPLICATE_ASSIGNMENT = "DUPLICATE_ASSIGNMENT"
    ALREADY_RESOLVED = "ALREADY_RESOLVED"


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
