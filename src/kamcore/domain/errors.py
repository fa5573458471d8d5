"""Typed domain errors: every expected failure names its kind, a code and the offending field."""

from __future__ import annotations


class KamError(Exception):
    """Base of every expected failure; the API turns these into `userErrors`."""

    code = "ERROR"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidInput(KamError):
    """A value is malformed or breaks a rule of its own (a score outside its scale, a bad date)."""

    code = "INVALID_INPUT"


class NotFound(KamError):
    """An id names nothing of the expected kind."""

    code = "NOT_FOUND"


class Conflict(KamError):
    """The command clashes with current state (stale version, closed account, duplicate)."""

    code = "CONFLICT"


class VersionConflict(Conflict):
    """Optimistic concurrency: the aggregate moved on since the client read it."""

    code = "VERSION_CONFLICT"

    def __init__(self, expected: int | None, actual: int | None, *, field: str = "expected_version") -> None:
        detail = f"expected version {expected}, found {actual}" if expected is not None else "a concurrent write won"
        super().__init__(f"Version conflict: {detail}; reload and retry", field=field)
        self.expected = expected
        self.actual = actual


class StorageUnavailable(KamError):
    """The event store refused or lost the write (disk full, read-only, unreachable): a fault, not bad input.

    Disk-full and read-only refusals wrote nothing; after a lost connection the outcome is unknown,
    so the message tells the client to retry with the same idempotency key.
    """

    code = "STORAGE_UNAVAILABLE"

    @classmethod
    def from_error(cls, error: BaseException) -> StorageUnavailable:
        text = str(error).lower()
        if "full" in text:
            return cls("the event store is full (no space left); nothing was written")
        if "readonly" in text or "read-only" in text or "read only" in text:
            return cls("the event store is read-only; nothing was written")
        return cls(
            "the event store could not be reached; the write may not have completed: "
            "retry with the same idempotency key"
        )
