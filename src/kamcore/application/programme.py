"""Programme commands: key-account criteria, service standards, tools, KPI targets and key-account overrides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from kamcore.application import lookups
from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain.criteria import parse_criteria
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, VersionConflict
from kamcore.domain.key_account_override import KeyAccountOverride
from kamcore.domain.kpi_target import KpiTarget
from kamcore.domain.programme import DEFAULT_PROGRAMME, Programme
from kamcore.domain.values import KeyAccountTier, OverrideDecision, TargetScope, TeamRole


class ProgrammeCommands(CommandHandling):
    """The programme is started by its first command, as an account team is formed by its first assignment."""

    def propose_criteria(
        self,
        ctx: CommandContext,
        *,
        version_id: str,
        name: str,
        parameters: Mapping[str, Any],
        effective_from: date,
        programme: str = DEFAULT_PROGRAMME,
    ) -> CommandResult:
        arguments = {
            "version_id": version_id,
            "name": name,
            "parameters": parameters,
            "effective_from": effective_from,
            "programme": programme,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Programme], dict[str, str]]:
            found = self._programme(ctx, programme, envelope)
            criteria = found.propose_criteria(
                version_id=version_id,
                name=name,
                parameters=parameters,
                effective_from=effective_from,
                envelope=envelope,
            )
            parse_criteria({**parameters, "version": version_id})  # refuse what the ranking could not use
            return [found], {"version_id": criteria.version_id}

        return self.execute(ctx, "propose_criteria", arguments, body)

    def adopt_criteria(
        self, ctx: CommandContext, version_id: str, *, programme: str = DEFAULT_PROGRAMME
    ) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Programme], dict[str, str]]:
            found = self._existing_programme(ctx, programme)
            found.adopt_criteria(version_id, envelope=envelope)
            return [found], {"version_id": version_id}

        return self.execute(ctx, "adopt_criteria", {"version_id": version_id, "programme": programme}, body)

    def reject_criteria(
        self, ctx: CommandContext, version_id: str, *, programme: str = DEFAULT_PROGRAMME
    ) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Programme], dict[str, str]]:
            found = self._existing_programme(ctx, programme)
            found.reject_criteria(version_id, envelope=envelope)
            return [found], {"version_id": version_id}

        return self.execute(ctx, "reject_criteria", {"version_id": version_id, "programme": programme}, body)

    def set_service_standard(
        self,
        ctx: CommandContext,
        *,
        tier: KeyAccountTier | str,
        review_cadence_days: int,
        required_roles: Sequence[TeamRole | str],
        effective_from: date | None = None,
        programme: str = DEFAULT_PROGRAMME,
    ) -> CommandResult:
        arguments = {
            "tier": tier,
            "review_cadence_days": review_cadence_days,
            "required_roles": list(required_roles),
            "effective_from": effective_from,
            "programme": programme,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Programme], dict[str, str]]:
            found = self._programme(ctx, programme, envelope)
            standard = found.set_service_standard(
                tier=tier,
                review_cadence_days=review_cadence_days,
                required_roles=required_roles,
                effective_from=effective_from or envelope.business_date,
                envelope=envelope,
            )
            return [found], {"tier": standard.tier.value}

        return self.execute(ctx, "set_service_standard", arguments, body)

    def introduce_tool(
        self, ctx: CommandContext, *, tool_id: str, name: str, programme: str = DEFAULT_PROGRAMME
    ) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Programme], dict[str, str]]:
            found = self._programme(ctx, programme, envelope)
            found.introduce_tool(tool_id=tool_id, name=name, envelope=envelope)
            return [found], {"tool_id": tool_id}

        return self.execute(ctx, "introduce_tool", {"tool_id": tool_id, "name": name, "programme": programme}, body)

    # -- KPI targets ------------------------------------------------------------------------

    def set_kpi_target(
        self,
        ctx: CommandContext,
        *,
        kpi_id: str,
        scope: TargetScope | str,
        scope_id: str | None,
        period_start: date,
        period_end: date,
        target_value: object,
        deadline: date,
    ) -> CommandResult:
        arguments = {
            "kpi_id": kpi_id,
            "scope": scope,
            "scope_id": scope_id,
            "period_start": period_start,
            "period_end": period_end,
            "target_value": target_value,
            "deadline": deadline,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[KpiTarget], dict[str, str]]:
            target = KpiTarget.set_target(
                kpi_id=kpi_id,
                scope=scope,
                scope_id=scope_id,
                period_start=period_start,
                period_end=period_end,
                target_value=target_value,
                deadline=deadline,
                envelope=envelope,
            )
            if self.find(KpiTarget, target.id) is not None:
                raise Conflict("that target is already set; revise it", field="kpi_id", code="DUPLICATE")
            return [target], {"kpi_id": target.kpi_id}

        return self.execute(ctx, "set_kpi_target", arguments, body)

    def revise_kpi_target(
        self, ctx: CommandContext, target_id: UUID, *, target_value: object, deadline: date | None = None
    ) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[KpiTarget], dict[str, str]]:
            target = self._target(ctx, target_id)
            target.revise(target_value=target_value, deadline=deadline, envelope=envelope)
            return [target], {"kpi_id": target.kpi_id}

        arguments = {"target_id": target_id, "target_value": target_value, "deadline": deadline}
        return self.execute(ctx, "revise_kpi_target", arguments, body)

    def withdraw_kpi_target(self, ctx: CommandContext, target_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[KpiTarget], dict[str, str]]:
            target = self._target(ctx, target_id)
            target.withdraw(envelope=envelope)
            return [target], {"kpi_id": target.kpi_id}

        return self.execute(ctx, "withdraw_kpi_target", {"target_id": target_id}, body)

    # -- key-account overrides --------------------------------------------------------------

    def override_key_account(
        self,
        ctx: CommandContext,
        account_id: UUID,
        *,
        decision: OverrideDecision | str,
        reason: str,
        expires_on: date,
        tier: KeyAccountTier | str | None = None,
    ) -> CommandResult:
        """Forcing a closed account into the key set is refused; forcing it out is allowed."""
        arguments = {
            "account_id": account_id,
            "decision": decision,
            "reason": reason,
            "expires_on": expires_on,
            "tier": tier,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[KeyAccountOverride], dict[str, str]]:
            account = lookups.account(self, account_id)
            if decision in (OverrideDecision.FORCE_IN, OverrideDecision.FORCE_IN.value):
                account.ensure_open()
            overrides = self._overrides(ctx, account_id, envelope)
            override_id = overrides.override(
                decision=decision, tier=tier, reason=reason, expires_on=expires_on, envelope=envelope
            )
            return [overrides], {"account_id": str(account_id), "override_id": override_id}

        return self.execute(ctx, "override_key_account", arguments, body)

    def revoke_key_account_override(self, ctx: CommandContext, account_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[KeyAccountOverride], dict[str, str]]:
            lookups.account(self, account_id)
            overrides = self.load(
                KeyAccountOverride,
                KeyAccountOverride.id_for(account_id),
                field="account_id",
                expected_version=ctx.expected_version,
            )
            overrides.revoke(envelope=envelope)
            return [overrides], {"account_id": str(account_id)}

        return self.execute(ctx, "revoke_key_account_override", {"account_id": account_id}, body)

    # -- loading ----------------------------------------------------------------------------

    def _programme(self, ctx: CommandContext, key: str, envelope: AuditEnvelope) -> Programme:
        existing = self.find(Programme, Programme.id_for(key))
        if existing is None:
            if ctx.expected_version:
                raise VersionConflict(ctx.expected_version, 0)
            return Programme.start(key=key, name=f"KAM programme {key}", envelope=envelope)
        return self._existing_programme(ctx, key)

    def _existing_programme(self, ctx: CommandContext, key: str) -> Programme:
        return self.load(Programme, Programme.id_for(key), field="programme", expected_version=ctx.expected_version)

    def _target(self, ctx: CommandContext, target_id: UUID) -> KpiTarget:
        return self.load(KpiTarget, target_id, field="target_id", expected_version=ctx.expected_version)

    def _overrides(self, ctx: CommandContext, account_id: UUID, envelope: AuditEnvelope) -> KeyAccountOverride:
        existing = self.find(KeyAccountOverride, KeyAccountOverride.id_for(account_id))
        if existing is None:
            if ctx.expected_version:
                raise VersionConflict(ctx.expected_version, 0)
            return KeyAccountOverride(account_id=account_id, envelope=envelope)
        return self.load(KeyAccountOverride, existing.id, field="account_id", expected_version=ctx.expected_version)
