"""Granting and revoking API tokens; the secret is returned once and only its hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from uuid import UUID

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain.access_token import AccessToken, Role
from kamcore.domain.audit_access import AuditAccess
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import InvalidInput

TOKEN_PREFIX = "kam_"  # noqa: S105 - a prefix that makes leaked tokens greppable, not a secret


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccessCommands(CommandHandling):
    def grant_token(
        self,
        ctx: CommandContext,
        *,
        name: str,
        role: Role | str,
        relationship_manager_id: str | None = None,
        expires_at: datetime | None = None,
    ) -> tuple[CommandResult, str]:
        """Returns the result and the secret, which is shown once and never stored (so no idempotent replay)."""
        if ctx.idempotency_key is not None:
            raise InvalidInput("a token grant cannot be replayed: its secret is never stored", field="idempotency_key")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        secret_hash = hash_secret(secret)

        def body(envelope: AuditEnvelope) -> tuple[list[AccessToken], dict[str, str]]:
            token = AccessToken.grant(
                secret_hash=secret_hash,
                name=name,
                role=role,
                relationship_manager_id=relationship_manager_id,
                expires_at=expires_at,
                envelope=envelope,
            )
            return [token], {}

        arguments = {
            "name": name,
            "role": role,
            "relationship_manager_id": relationship_manager_id,
            "expires_at": expires_at,
        }
        return self.execute(ctx, "grant_token", arguments, body), secret

    def revoke_token(self, ctx: CommandContext, token_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[AccessToken], dict[str, str]]:
            token = self.load(AccessToken, token_id, field="token_id", expected_version=ctx.expected_version)
            token.revoke(envelope=envelope)
            return [token], {}

        return self.execute(ctx, "revoke_token", {"token_id": token_id}, body)

    def record_audit_access(self, ctx: CommandContext, *, what: str, subject: str) -> CommandResult:
        """Every read of history, time travel or export leaves an event naming who looked at what."""

        def body(envelope: AuditEnvelope) -> tuple[list[AuditAccess], dict[str, str]]:
            return [AuditAccess.record(what=what, subject=subject, envelope=envelope)], {}

        return self.execute(ctx, "record_audit_access", {"what": what, "subject": subject}, body)

    def token_for_secret(self, secret: str) -> AccessToken | None:
        """The token a bearer secret names, valid or not (callers check `is_valid_at`)."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            return None
        return self.find(AccessToken, AccessToken.id_for(hash_secret(secret)))
