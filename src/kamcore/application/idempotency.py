"""Idempotency records: an aggregate per (actor, key), saved atomically with the command's events.

Because the record's id is derived from the key, two concurrent retries collide in the event
store (one wins, the other reads the winner's result): no lock table, same code on every backend.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.ids import natural_id


def fingerprint(command: str, arguments: dict[str, Any]) -> str:
    """A stable hash of a command and its arguments, to spot a key reused for different input."""
    canonical = json.dumps({"command": command, "arguments": arguments}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class CommandRecord(KamAggregate):
    """The first result of an idempotent command."""

    @classmethod
    def create_id(cls, actor: str, key: str, **_: Any) -> UUID:
        return cls.id_for(actor, key)

    @staticmethod
    def id_for(actor: str, key: str) -> UUID:
        return natural_id("idempotency", f"{actor}\x1f{key}")

    @event("Accepted")
    def __init__(
        self,
        actor: str,
        key: str,
        command: str,
        fingerprint: str,
        aggregate_id: UUID,
        aggregate_version: int,
        detail: dict[str, str],
        envelope: AuditEnvelope,
    ) -> None:
        self.actor = actor
        self.key = key
        self.command = command
        self.fingerprint = fingerprint
        self.aggregate_id = aggregate_id
        self.aggregate_version = aggregate_version
        self.detail = detail
