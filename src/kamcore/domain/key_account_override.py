"""KeyAccountOverride: a manual decision to force an account into or out of the key set, until it expires.

One aggregate per account (its id derives from the account id), so its override history is one
short stream; the ranking applies the override in force at its as-of date.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.ids import natural_id
from kamcore.domain.values import KeyAccountTier, OverrideDecision


class KeyAccountOverride(KamAggregate):
    @classmethod
    def create_id(cls, account_id: UUID, **_: Any) -> UUID:
        return cls.id_for(account_id)

    @staticmethod
    def id_for(account_id: UUID) -> UUID:
        return natural_id("key-account-override", str(account_id))

    @event("Started")
    def __init__(self, account_id: UUID, envelope: AuditEnvelope) -> None:
        self.account_id = account_id
        self.current: str | None = None
        self.decision: OverrideDecision | None = None
        self.expires_on: date | None = None

    def override(
        self,
        *,
        decision: OverrideDecision | str,
        tier: KeyAccountTier | str | None,
        reason: str,
        expires_on: date,
        envelope: AuditEnvelope,
    ) -> str:
        """Force in (with a tier) or out; needs a reason and an expiry in the future. Replaces any current one."""
        checked = rules.member("decision", OverrideDecision, decision)
        if checked is OverrideDecision.FORCE_IN:
            if tier is None:
                raise InvalidInput("forcing an account in names its tier", field="tier")
            checked_tier: KeyAccountTier | None = rules.member("tier", KeyAccountTier, tier)
        elif tier is not None:
            raise InvalidInput("an account forced out has no tier", field="tier")
        else:
            checked_tier = None
        today = max(envelope.recorded_at.date(), envelope.business_date)
        rules.after("expires_on", expires_on, today, "today")
        override_id = f"override-{self.version + 1}"
        self._overridden(
            account_id=self.account_id,
            override_id=override_id,
            decision=checked,
            tier=checked_tier,
            reason=rules.text("reason", reason, max_length=rules.MAX_TEXT),
            effective_from=envelope.business_date,
            expires_on=expires_on,
            replaces_override_id=self.current,
            envelope=envelope,
        )
        return override_id

    def revoke(self, *, envelope: AuditEnvelope) -> None:
        if self.current is None or (self.expires_on is not None and self.expires_on <= envelope.business_date):
            raise Conflict("no override is in force", field="account_id", code="NO_OVERRIDE")
        if not envelope.reason:
            raise InvalidInput("revoking an override needs a reason", field="reason")
        self._revoked(
            account_id=self.account_id,
            override_id=self.current,
            revoked_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Overridden")
    def _overridden(
        self,
        account_id: UUID,
        override_id: str,
        decision: OverrideDecision,
        tier: KeyAccountTier | None,
        reason: str,
        effective_from: date,
        expires_on: date,
        replaces_override_id: str | None,
        envelope: AuditEnvelope,
    ) -> None:
        self.current = override_id
        self.decision = decision
        self.expires_on = expires_on

    @event("Revoked")
    def _revoked(self, account_id: UUID, override_id: str, revoked_on: date, envelope: AuditEnvelope) -> None:
        self.current = None
        self.decision = None
        self.expires_on = None
