"""Account-team commands: assign, release, hand over the lead."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain.account import Account
from kamcore.domain.account_team import AccountTeam
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import VersionConflict
from kamcore.domain.values import TeamRole


class TeamCommands(CommandHandling):
    def assign_relationship_manager(
        self,
        ctx: CommandContext,
        account_id: UUID,
        *,
        relationship_manager_id: str,
        role: TeamRole | str,
        effective_from: date | None = None,
        effective_to: date | None = None,
    ) -> CommandResult:
        """Put an RM on the account team; the team's first event forms it."""
        arguments = {
            "account_id": account_id,
            "relationship_manager_id": relationship_manager_id,
            "role": role,
            "effective_from": effective_from,
            "effective_to": effective_to,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[AccountTeam], dict[str, str]]:
            self.load(Account, account_id, field="account_id").ensure_open()
            team = self._team(ctx, account_id, envelope)
            assignment = team.assign(
                relationship_manager_id=relationship_manager_id,
                role=role,
                effective_from=effective_from or envelope.business_date,
                effective_to=effective_to,
                envelope=envelope,
            )
            return [team], {"assignment_id": assignment.assignment_id}

        return self.execute(ctx, "assign_relationship_manager", arguments, body)

    def release_relationship_manager(
        self, ctx: CommandContext, account_id: UUID, *, assignment_id: str, effective_to: date | None = None
    ) -> CommandResult:
        arguments = {"account_id": account_id, "assignment_id": assignment_id, "effective_to": effective_to}

        def body(envelope: AuditEnvelope) -> tuple[list[AccountTeam], dict[str, str]]:
            account = self.load(Account, account_id, field="account_id")
            team = self.load(
                AccountTeam, AccountTeam.id_for(account_id), field="account_id", expected_version=ctx.expected_version
            )
            team.release(
                assignment_id,
                effective_to=effective_to or envelope.business_date,
                account_closed=account.is_closed,
                envelope=envelope,
            )
            return [team], {"assignment_id": assignment_id}

        return self.execute(ctx, "release_relationship_manager", arguments, body)

    def hand_over_lead(
        self, ctx: CommandContext, account_id: UUID, *, relationship_manager_id: str, effective_date: date | None = None
    ) -> CommandResult:
        arguments = {
            "account_id": account_id,
            "relationship_manager_id": relationship_manager_id,
            "effective_date": effective_date,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[AccountTeam], dict[str, str]]:
            self.load(Account, account_id, field="account_id").ensure_open()
            team = self.load(
                AccountTeam, AccountTeam.id_for(account_id), field="account_id", expected_version=ctx.expected_version
            )
            assignment = team.hand_over_lead(
                relationship_manager_id=relationship_manager_id,
                effective_date=effective_date or envelope.business_date,
                envelope=envelope,
            )
            return [team], {"assignment_id": assignment.assignment_id}

        return self.execute(ctx, "hand_over_lead", arguments, body)

    def _team(self, ctx: CommandContext, account_id: UUID, envelope: AuditEnvelope) -> AccountTeam:
        existing = self.find(AccountTeam, AccountTeam.id_for(account_id))
        if existing is None:
            if ctx.expected_version:
                raise VersionConflict(ctx.expected_version, 0)
            return AccountTeam(account_id=account_id, envelope=envelope)
        return self.load(AccountTeam, existing.id, field="account_id", expected_version=ctx.expected_version)
