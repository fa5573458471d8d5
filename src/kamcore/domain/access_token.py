"""API access tokens: granted to a role, stored only as a hash, revocable; granting and revoking are events."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.ids import natural_id


class Role(Enum):
    """What a token may do; `relationship_manager` writes only to accounts on its holder's team."""

    ADMIN = "admin"
    MANAGER = "manager"
    RELATIONSHIP_MANAGER = "relationship_manager"
    AUDITOR = "auditor"
    SERVICE = "service"


class AccessToken(KamAggregate):
    """The aggregate id is derived from the secret's SHA-256, so authenticating is one keyed read."""

    @classmethod
    def create_id(cls, secret_hash: str, **_: Any) -> UUID:
        return cls.id_for(secret_hash)

    @staticmethod
    def id_for(secret_hash: str) -> UUID:
        return natural_id("access-token", secret_hash)

    @classmethod
    def grant(
        cls,
        *,
        secret_hash: str,
        name: str,
        role: Role | str,
        relationship_manager_id: str | None,
        expires_at: datetime | None,
        envelope: AuditEnvelope,
    ) -> AccessToken:
        checked_role = rules.member("role", Role, role)
        if checked_role is Role.RELATIONSHIP_MANAGER:
            rm_id = rules.identifier("relationship_manager_id", relationship_manager_id)
        elif relationship_manager_id is not None:
            raise InvalidInput("only relationship_manager tokens name an RM", field="relationship_manager_id")
        else:
            rm_id = None
        if expires_at is not None and expires_at <= envelope.recorded_at:
            raise InvalidInput("must be in the future", field="expires_at")
        return cls(
            secret_hash=secret_hash,
            name=rules.text("name", name, max_length=100),
            role=checked_role.value,
            relationship_manager_id=rm_id,
            expires_at=expires_at,
            envelope=envelope,
        )

    @event("Granted")
    def __init__(
        self,
        secret_hash: str,
        name: str,
        role: str,
        relationship_manager_id: str | None,
        expires_at: datetime | None,
        envelope: AuditEnvelope,
    ) -> None:
        self.secret_hash = secret_hash
        self.name = name
        self.role = Role(role)
        self.relationship_manager_id = relationship_manager_id
        self.expires_at = expires_at
        self.revoked_at: datetime | None = None

    def is_valid_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)

    def revoke(self, *, envelope: AuditEnvelope) -> None:
        if self.revoked_at is not None:
            raise Conflict("the token is already revoked", field="token_id", code="ALREADY_REVOKED")
        if not envelope.reason:
            raise InvalidInput("revoking a token needs a reason", field="reason")
        self._revoked(envelope=envelope)

    @event("Revoked")
    def _revoked(self, envelope: AuditEnvelope) -> None:
        self.revoked_at = envelope.recorded_at
