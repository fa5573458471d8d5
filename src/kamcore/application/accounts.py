"""Account commands: open, profile, business context, needs, stakeholders, close."""

from __future__ import annotations

from uuid import UUID

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.application.sealing import SubjectKeyChanges
from kamcore.domain.account import Account
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict
from kamcore.domain.ids import natural_id
from kamcore.domain.values import AccountSize, BusinessContext, NeedPriority, Segment, StakeholderRole


class AccountCommands(CommandHandling):
    def open_account(
        self,
        ctx: CommandContext,
        *,
        name: str,
        segment: Segment | str,
        region: str,
        industry: str | None = None,
        size: AccountSize | str | None = None,
        external_ref: str | None = None,
    ) -> CommandResult:
        arguments = {
            "name": name,
            "segment": segment,
            "region": region,
            "industry": industry,
            "size": size,
            "external_ref": external_ref,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Account], dict[str, str]]:
            if external_ref and self.find(Account, natural_id("account", external_ref)) is not None:
                raise Conflict(
                    f"an account with external reference {external_ref!r} exists",
                    field="external_ref",
                    code="DUPLICATE",
                )
            account = Account.open(
                name=name,
                segment=segment,
                region=region,
                industry=industry,
                size=size,
                external_ref=external_ref,
                envelope=envelope,
            )
            return [account], {}

        return self.execute(ctx, "open_account", arguments, body)

    def update_account_profile(
        self,
        ctx: CommandContext,
        account_id: UUID,
        *,
        name: str | None = None,
        segment: Segment | str | None = None,
        region: str | None = None,
        industry: str | None = None,
        size: AccountSize | str | None = None,
    ) -> CommandResult:
        arguments = {
            "account_id": account_id,
            "name": name,
            "segment": segment,
            "region": region,
            "industry": industry,
            "size": size,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Account], dict[str, str]]:
            account = self._account(ctx, account_id)
            account.update_profile(
                name=name, segment=segment, region=region, industry=industry, size=size, envelope=envelope
            )
            return [account], {}

        return self.execute(ctx, "update_account_profile", arguments, body)

    def record_business_context(self, ctx: CommandContext, account_id: UUID, context: BusinessContext) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Account], dict[str, str]]:
            account = self._account(ctx, account_id)
            account.record_business_context(context, envelope=envelope)
            return [account], {}

        return self.execute(ctx, "record_business_context", {"account_id": account_id, "context": context}, body)

    def identify_need(
        self,
        ctx: CommandContext,
        account_id: UUID,
        *,
        description: str,
        line_of_business: str | None = None,
        priority: NeedPriority | str = NeedPriority.MEDIUM,
    ) -> CommandResult:
        arguments = {
            "account_id": account_id,
            "description": description,
            "line_of_business": line_of_business,
            "priority": priority,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Account], dict[str, str]]:
            account = self._account(ctx, account_id)
            need = account.identify_need(
                description=description, line_of_business=line_of_business, priority=priority, envelope=envelope
            )
            return [account], {"need_id": need.need_id}

        return self.execute(ctx, "identify_need", arguments, body)

    def add_stakeholder(
        self,
        ctx: CommandContext,
        account_id: UUID,
        *,
        name: str,
        role: StakeholderRole | str,
        title: str | None = None,
        email: str | None = None,
    ) -> CommandResult:
        # The idempotency fingerprint stays in the log for good: a hash of a name or e-mail address would
        # outlive erasure (and addresses are guessable), so the personal values are left out of it.
        arguments = {"account_id": account_id, "role": role}
        keys = SubjectKeyChanges()

        def body(envelope: AuditEnvelope) -> tuple[list[Account], dict[str, str]]:
            account = self._account(ctx, account_id)
            stakeholder = account.add_stakeholder(
                name=name, role=role, title=title, email=email, seal=keys.seal, envelope=envelope
            )
            return [account], {"stakeholder_id": stakeholder.stakeholder_id}

        return self.execute(ctx, "add_stakeholder", arguments, body, keys)

    def remove_stakeholder(self, ctx: CommandContext, account_id: UUID, stakeholder_id: str) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Account], dict[str, str]]:
            account = self._account(ctx, account_id)
            account.remove_stakeholder(stakeholder_id, envelope=envelope)
            return [account], {}

        arguments = {"account_id": account_id, "stakeholder_id": stakeholder_id}
        return self.execute(ctx, "remove_stakeholder", arguments, body)

    def close_account(self, ctx: CommandContext, account_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Account], dict[str, str]]:
            account = self._account(ctx, account_id)
            account.close(envelope=envelope)
            return [account], {}

        return self.execute(ctx, "close_account", {"account_id": account_id}, body)

    def _account(self, ctx: CommandContext, account_id: UUID) -> Account:
        return self.load(Account, account_id, field="account_id", expected_version=ctx.expected_version)
