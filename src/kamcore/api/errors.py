"""Errors as data: expected failures become `userErrors`; the unexpected is masked."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from eventsourcing.persistence import DatabaseError, InterfaceError
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.relay.types import GlobalIDValueError

from kamcore.domain.errors import KamError, StorageUnavailable


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
    ALREADY_ADOPTED = strawberry.enum_value("ALREADY_ADOPTED", description="The criteria version is already adopted.")
    ALREADY_COMPLETED = strawberry.enum_value("ALREADY_COMPLETED", description="The item is already completed.")
    ALREADY_ERASED = strawberry.enum_value(
        "ALREADY_ERASED",
        description="The contact's or feedback item's personal data is already erased; nothing is left to erase.",
    )
    ALREADY_CONCLUDED = strawberry.enum_value("ALREADY_CONCLUDED", description="It is already concluded.")
    ALREADY_DECIDED = strawberry.enum_value(
        "ALREADY_DECIDED", description="The recommendation or adjustment is already decided."
    )
    ALREADY_HELD = strawberry.enum_value(
        "ALREADY_HELD", description="The interaction is already held, or the product is already held in force."
    )
    ALREADY_LINKED = strawberry.enum_value(
        "ALREADY_LINKED", description="The recommendation is already linked to a policy."
    )
    ALREADY_RECOMMENDED = strawberry.enum_value(
        "ALREADY_RECOMMENDED", description="That product is already recommended for that need."
    )
    ALREADY_RENEWED = strawberry.enum_value("ALREADY_RENEWED", description="The policy term is already renewed.")
    ALREADY_REVOKED = strawberry.enum_value("ALREADY_REVOKED", description="The token or override is already revoked.")
    CLAIM_CLOSED = strawberry.enum_value("CLAIM_CLOSED", description="The claim is closed; reopen it first.")
    INVALID_STATE = strawberry.enum_value(
        "INVALID_STATE", description="The aggregate is not in a state that allows this command."
    )
    NEED_COVERED = strawberry.enum_value("NEED_COVERED", description="The need is already covered.")
    NOT_ACCEPTED = strawberry.enum_value("NOT_ACCEPTED", description="The recommendation was not accepted.")
    NOT_HELD = strawberry.enum_value("NOT_HELD", description="The interaction has not been held.")
    NOT_IN_FORCE = strawberry.enum_value("NOT_IN_FORCE", description="The policy is not in force.")
    NOT_PROPOSED = strawberry.enum_value("NOT_PROPOSED", description="The criteria version is not a proposal.")
    NOT_RUNNING = strawberry.enum_value("NOT_RUNNING", description="It is not running.")
    NOT_SEALED = strawberry.enum_value(
        "NOT_SEALED",
        description="The personal data was recorded before it was encrypted per data subject, so deleting a "
        "key cannot erase it.",
    )
    NO_OVERRIDE = strawberry.enum_value("NO_OVERRIDE", description="No override is in force.")
    NO_PERSONAL_DATA = strawberry.enum_value(
        "NO_PERSONAL_DATA", description="Nothing to erase: no person was recorded (an anonymous survey response)."
    )
    POLICY_NOT_BOUND = strawberry.enum_value("POLICY_NOT_BOUND", description="The policy was never bound.")
    PRODUCT_WITHDRAWN = strawberry.enum_value("PRODUCT_WITHDRAWN", description="The product is withdrawn from sale.")
    RELATIONSHIP_MANAGER_LEFT = strawberry.enum_value(
        "RELATIONSHIP_MANAGER_LEFT", description="The relationship manager has left."
    )
    REVIEW_CONCLUDED = strawberry.enum_value("REVIEW_CONCLUDED", description="The process review is concluded.")
    WITHDRAWN = strawberry.enum_value("WITHDRAWN", description="It is withdrawn.")


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
    """Hide internals (unexpected exceptions) but keep parse, validation and limit messages, and say which
    global id could not be resolved (a node id naming no type: the client's input, not an internal)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | GlobalIDValueError)


class MaskInternals(MaskErrors):
    """Masks unexpected errors; a read that lost its database says so with a code, and nothing internal.

    A client can retry a `STORAGE_UNAVAILABLE` read (the pool reconnects); an `INTERNAL_SERVER_ERROR`
    is a bug to report. Commands report a lost store through their own path (see `commands.py`).
    """

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask_error)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not isinstance(error.original_error, DatabaseError | InterfaceError):
            return super().anonymise_error(error)
        return GraphQLError(
            READ_STORE_UNAVAILABLE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": StorageUnavailable.code},
        )


READ_STORE_UNAVAILABLE = "the store could not be read (connection lost or database unavailable); retry"


def request_error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def bad_input(error: KamError) -> strawberry.exceptions.StrawberryGraphQLError:
    """A read refused for its arguments: a top-level error with the field (NOT_FOUND or BAD_USER_INPUT)."""
    return strawberry.exceptions.StrawberryGraphQLError(
        f"{error.field}: {error.message}" if error.field else error.message,
        extensions={"code": "NOT_FOUND" if error.code == "NOT_FOUND" else "BAD_USER_INPUT", "field": error.field},
    )


# Codes for refusals that graphql-core and strawberry's limiters report without one, by message.
MESSAGE_CODES = (
    ("GlobalID", "BAD_USER_INPUT"),
    ("exceeds maximum operation depth", "MAX_DEPTH_EXCEEDED"),
    ("aliases", "MAX_ALIASES_EXCEEDED"),
    ("token", "MAX_TOKENS_EXCEEDED"),
    ("Syntax Error", "GRAPHQL_PARSE_FAILED"),
    ("Unexpected error", "INTERNAL_SERVER_ERROR"),
)


def with_code(error: dict[str, Any]) -> dict[str, Any]:
    """A formatted error with `extensions.code` (validation failures and limits get one too)."""
    extensions = error.get("extensions") or {}
    if extensions.get("code"):
        return error
    message = str(error.get("message", ""))
    code = next((c for fragment, c in MESSAGE_CODES if fragment in message), "GRAPHQL_VALIDATION_FAILED")
    return {**error, "extensions": {**extensions, "code": code}}
