"""Interaction commands: schedule, hold, cancel, record a past one, and action items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from uuid import UUID

from kamcore.application import lookups
from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain import checks
from kamcore.domain.account import Account
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import InvalidInput
from kamcore.domain.interaction import Interaction
from kamcore.domain.values import CoverageResult, InteractionKind


def _ensure_stakeholders(account: Account, stakeholder_ids: Iterable[str] | None) -> None:
    unknown = sorted(set(stakeholder_ids or ()) - set(account.stakeholders))
    if unknown:
        raise InvalidInput(f"not stakeholders of this account: {', '.join(unknown)}", field="stakeholder_ids")


class InteractionCommands(CommandHandling):
    def schedule_interaction(
        self,
        ctx: CommandContext,
        account_id: UUID,
        *,
        kind: InteractionKind | str,
        subject: str,
        scheduled_for: date,
        relationship_manager_ids: Sequence[str],
        stakeholder_ids: Sequence[str] = (),
    ) -> CommandResult:
        """Planning new work with a customer needs an open account; stakeholders must be the account's."""
        arguments = {
            "account_id": account_id,
            "kind": kind,
            "subject": subject,
            "scheduled_for": scheduled_for,
            "relationship_manager_ids": list(relationship_manager_ids),
            "stakeholder_ids": list(stakeholder_ids),
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Interaction], dict[str, str]]:
            interaction = self._scheduled(
                account_id, kind, subject, scheduled_for, relationship_manager_ids, stakeholder_ids, envelope
            )
            return [interaction], {"account_id": str(account_id)}

        return self.execute(ctx, "schedule_interaction", arguments, body)

    def hold_interaction(
        self,
        ctx: CommandContext,
        interaction_id: UUID,
        *,
        outcome: str,
        relationship_manager_ids: Sequence[str] | None = None,
        stakeholder_ids: Sequence[str] | None = None,
        coverage_result: CoverageResult | str | None = None,
        policy_ids: Sequence[UUID] = (),
    ) -> CommandResult:
        """The business date (`ctx.effective_date`, else today) is the day it was held."""
        arguments = {
            "interaction_id": interaction_id,
            "outcome": outcome,
            "relationship_manager_ids": list(relationship_manager_ids)
            if relationship_manager_ids is not None
            else None,
            "stakeholder_ids": list(stakeholder_ids) if stakeholder_ids is not None else None,
            "coverage_result": coverage_result,
            "policy_ids": list(policy_ids),
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Interaction], dict[str, str]]:
            interaction = self._interaction(ctx, interaction_id)
            self._hold(
                interaction, outcome, relationship_manager_ids, stakeholder_ids, coverage_result, policy_ids, envelope
            )
            return [interaction], {"account_id": str(interaction.account_id)}

        return self.execute(ctx, "hold_interaction", arguments, body)

    def record_interaction(
        self,
        ctx: CommandContext,
        account_id: UUID,
        *,
        kind: InteractionKind | str,
        subject: str,
        outcome: str,
        relationship_manager_ids: Sequence[str],
        stakeholder_ids: Sequence[str] = (),
        coverage_result: CoverageResult | str | None = None,
        policy_ids: Sequence[UUID] = (),
    ) -> CommandResult:
        """A past interaction (imports, backdated notes): scheduled and held on its business date."""
        arguments = {
            "account_id": account_id,
            "kind": kind,
            "subject": subject,
            "outcome": outcome,
            "relationship_manager_ids": list(relationship_manager_ids),
            "stakeholder_ids": list(stakeholder_ids),
            "coverage_result": coverage_result,
            "policy_ids": list(policy_ids),
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Interaction], dict[str, str]]:
            interaction = self._scheduled(
                account_id, kind, subject, envelope.business_date, relationship_manager_ids, stakeholder_ids, envelope
            )
            self._hold(interaction, outcome, None, None, coverage_result, policy_ids, envelope)
            return [interaction], {"account_id": str(account_id)}

        return self.execute(ctx, "record_interaction", arguments, body)

    def cancel_interaction(self, ctx: CommandContext, interaction_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Interaction], dict[str, str]]:
            interaction = self._interaction(ctx, interaction_id)
            interaction.cancel(envelope=envelope)
            return [interaction], {"account_id": str(interaction.account_id)}

        return self.execute(ctx, "cancel_interaction", {"interaction_id": interaction_id}, body)

    def add_action_item(
        self, ctx: CommandContext, interaction_id: UUID, *, description: str, owner_id: str, due_date: date
    ) -> CommandResult:
        arguments = {
            "interaction_id": interaction_id,
            "description": description,
            "owner_id": owner_id,
            "due_date": due_date,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Interaction], dict[str, str]]:
            interaction = self._interaction(ctx, interaction_id)
            item = interaction.add_action_item(
                description=description, owner_id=owner_id, due_date=due_date, envelope=envelope
            )
            return [interaction], {"account_id": str(interaction.account_id), "item_id": item.item_id}

        return self.execute(ctx, "add_action_item", arguments, body)

    def complete_action_item(self, ctx: CommandContext, interaction_id: UUID, *, item_id: str) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Interaction], dict[str, str]]:
            interaction = self._interaction(ctx, interaction_id)
            interaction.complete_action_item(item_id, envelope=envelope)
            return [interaction], {"account_id": str(interaction.account_id), "item_id": item_id}

        arguments = {"interaction_id": interaction_id, "item_id": item_id}
        return self.execute(ctx, "complete_action_item", arguments, body)

    def _interaction(self, ctx: CommandContext, interaction_id: UUID) -> Interaction:
        return self.load(Interaction, interaction_id, field="interaction_id", expected_version=ctx.expected_version)

    def _scheduled(
        self,
        account_id: UUID,
        kind: InteractionKind | str,
        subject: str,
        scheduled_for: date,
        relationship_manager_ids: Sequence[str],
        stakeholder_ids: Sequence[str],
        envelope: AuditEnvelope,
    ) -> Interaction:
        account = lookups.open_account(self, account_id)
        interaction = Interaction.schedule(
            account_id=account_id,
            kind=kind,
            subject=subject,
            scheduled_for=scheduled_for,
            relationship_manager_ids=relationship_manager_ids,
            stakeholder_ids=stakeholder_ids,
            envelope=envelope,
        )
        _ensure_stakeholders(account, stakeholder_ids)
        return interaction

    def _hold(
        self,
        interaction: Interaction,
        outcome: str,
        relationship_manager_ids: Sequence[str] | None,
        stakeholder_ids: Sequence[str] | None,
        coverage_result: CoverageResult | str | None,
        policy_ids: Sequence[UUID],
        envelope: AuditEnvelope,
    ) -> None:
        _ensure_stakeholders(lookups.account(self, interaction.account_id), stakeholder_ids)
        for policy_id in checks.uuids("policy_ids", policy_ids):
            if lookups.policy(self, policy_id, field="policy_ids").account_id != interaction.account_id:
                raise InvalidInput("an assessed policy belongs to another account", field="policy_ids")
        interaction.hold(
            outcome=outcome,
            relationship_manager_ids=relationship_manager_ids,
            stakeholder_ids=stakeholder_ids,
            coverage_result=coverage_result,
            policy_ids=policy_ids,
            envelope=envelope,
        )
