"""Policy commands: quote, bind, decline, expire, endorse, cancel, lapse and renew."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from kamcore.application import lookups
from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict
from kamcore.domain.policy import Policy
from kamcore.domain.values import BusinessKind, Initiator, Money


class PolicyCommands(CommandHandling):
    def issue_quote(
        self,
        ctx: CommandContext,
        account_id: UUID,
        *,
        product_code: str,
        business_kind: BusinessKind | str,
        written_premium: Money,
        commission: Money,
        sum_insured: Money,
        inception_date: date,
        expiry_date: date,
        renews_policy_id: UUID | None = None,
        policy_number: str | None = None,
        retention_strategy_id: UUID | None = None,
        personalised_package: bool = False,
    ) -> CommandResult:
        """New business needs an open account; a renewal quote names the bound policy it renews."""
        arguments = {
            "account_id": account_id,
            "product_code": product_code,
            "business_kind": business_kind,
            "written_premium": written_premium,
            "commission": commission,
            "sum_insured": sum_insured,
            "inception_date": inception_date,
            "expiry_date": expiry_date,
            "renews_policy_id": renews_policy_id,
            "policy_number": policy_number,
            "retention_strategy_id": retention_strategy_id,
            "personalised_package": personalised_package,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Policy], dict[str, str]]:
            lookups.open_account(self, account_id)
            self._ensure_new_policy_number(policy_number)
            renews = lookups.policy(self, renews_policy_id, field="renews_policy_id") if renews_policy_id else None
            quote = Policy.issue_quote(
                account_id=account_id,
                product=lookups.product(self, product_code),
                business_kind=business_kind,
                written_premium=written_premium,
                commission=commission,
                sum_insured=sum_insured,
                inception_date=inception_date,
                expiry_date=expiry_date,
                renews=renews,
                policy_number=policy_number,
                retention_strategy_id=lookups.running_strategy(self, retention_strategy_id, envelope.business_date),
                personalised_package=personalised_package,
                envelope=envelope,
            )
            return [quote], {"account_id": str(account_id)}

        return self.execute(ctx, "issue_quote", arguments, body)

    def bind_policy(
        self,
        ctx: CommandContext,
        policy_id: UUID,
        *,
        written_premium: Money | None = None,
        commission: Money | None = None,
    ) -> CommandResult:
        """Binding a renewal quote also records `Renewed` on the term it continues, in the same transaction."""
        arguments = {"policy_id": policy_id, "written_premium": written_premium, "commission": commission}

        def body(envelope: AuditEnvelope) -> tuple[list[Policy], dict[str, str]]:
            quote = lookups.policy(self, policy_id, expected_version=ctx.expected_version)
            lookups.open_account(self, quote.account_id)
            quote.bind(written_premium=written_premium, commission=commission, envelope=envelope)
            if quote.renews_policy_id is None:
                return [quote], {"account_id": str(quote.account_id)}
            previous = lookups.policy(self, quote.renews_policy_id, field="renews_policy_id")
            previous.mark_renewed(quote, envelope=envelope)
            return [quote, previous], {"account_id": str(quote.account_id), "renews_policy_id": str(previous.id)}

        return self.execute(ctx, "bind_policy", arguments, body)

    def renew_policy(
        self,
        ctx: CommandContext,
        policy_id: UUID,
        *,
        written_premium: Money,
        commission: Money,
        expiry_date: date,
        inception_date: date | None = None,
        sum_insured: Money | None = None,
        policy_number: str | None = None,
        retention_strategy_id: UUID | None = None,
        personalised_package: bool = False,
    ) -> CommandResult:
        """Quote and bind the next term in one step (as policy systems report renewals); returns the new term."""
        arguments = {
            "policy_id": policy_id,
            "written_premium": written_premium,
            "commission": commission,
            "expiry_date": expiry_date,
            "inception_date": inception_date,
            "sum_insured": sum_insured,
            "policy_number": policy_number,
            "retention_strategy_id": retention_strategy_id,
            "personalised_package": personalised_package,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Policy], dict[str, str]]:
            previous = lookups.policy(self, policy_id, expected_version=ctx.expected_version)
            lookups.open_account(self, previous.account_id)
            self._ensure_new_policy_number(policy_number)
            renewal = Policy.issue_quote(
                account_id=previous.account_id,
                product=lookups.product(self, previous.product_code),
                business_kind=BusinessKind.RENEWAL,
                written_premium=written_premium,
                commission=commission,
                sum_insured=sum_insured or previous.sum_insured,
                inception_date=inception_date or previous.expiry_date,
                expiry_date=expiry_date,
                renews=previous,
                policy_number=policy_number,
                retention_strategy_id=lookups.running_strategy(self, retention_strategy_id, envelope.business_date),
                personalised_package=personalised_package,
                envelope=envelope,
            )
            renewal.bind(envelope=envelope)
            previous.mark_renewed(renewal, envelope=envelope)
            return [renewal, previous], {"account_id": str(previous.account_id), "renews_policy_id": str(previous.id)}

        return self.execute(ctx, "renew_policy", arguments, body)

    def decline_quote(self, ctx: CommandContext, policy_id: UUID, *, declined_by: Initiator | str) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Policy], dict[str, str]]:
            quote = lookups.policy(self, policy_id, expected_version=ctx.expected_version)
            quote.decline_quote(declined_by=declined_by, envelope=envelope)
            return [quote], {"account_id": str(quote.account_id)}

        return self.execute(ctx, "decline_quote", {"policy_id": policy_id, "declined_by": declined_by}, body)

    def expire_quote(self, ctx: CommandContext, policy_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Policy], dict[str, str]]:
            quote = lookups.policy(self, policy_id, expected_version=ctx.expected_version)
            quote.expire_quote(envelope=envelope)
            return [quote], {"account_id": str(quote.account_id)}

        return self.execute(ctx, "expire_quote", {"policy_id": policy_id}, body)

    def endorse_policy(
        self,
        ctx: CommandContext,
        policy_id: UUID,
        *,
        effective_date: date,
        premium_change: Money,
        description: str,
        commission_change: Money | None = None,
        sum_insured: Money | None = None,
    ) -> CommandResult:
        arguments = {
            "policy_id": policy_id,
            "effective_date": effective_date,
            "premium_change": premium_change,
            "description": description,
            "commission_change": commission_change,
            "sum_insured": sum_insured,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Policy], dict[str, str]]:
            bound = lookups.policy(self, policy_id, expected_version=ctx.expected_version)
            endorsement_id = bound.endorse(
                effective_date=effective_date,
                premium_change=premium_change,
                commission_change=commission_change,
                sum_insured=sum_insured,
                description=description,
                envelope=envelope,
            )
            return [bound], {"account_id": str(bound.account_id), "endorsement_id": endorsement_id}

        return self.execute(ctx, "endorse_policy", arguments, body)

    def cancel_policy(
        self,
        ctx: CommandContext,
        policy_id: UUID,
        *,
        initiated_by: Initiator | str,
        effective_date: date,
        return_premium: Money | None = None,
        return_commission: Money | None = None,
    ) -> CommandResult:
        """Accepted on closed accounts too: ending cover is not new business."""
        arguments = {
            "policy_id": policy_id,
            "initiated_by": initiated_by,
            "effective_date": effective_date,
            "return_premium": return_premium,
            "return_commission": return_commission,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[Policy], dict[str, str]]:
            bound = lookups.policy(self, policy_id, expected_version=ctx.expected_version)
            bound.cancel(
                initiated_by=initiated_by,
                effective_date=effective_date,
                return_premium=return_premium,
                return_commission=return_commission,
                envelope=envelope,
            )
            return [bound], {"account_id": str(bound.account_id)}

        return self.execute(ctx, "cancel_policy", arguments, body)

    def lapse_policy(
        self, ctx: CommandContext, policy_id: UUID, *, initiated_by: Initiator | str, effective_date: date
    ) -> CommandResult:
        arguments = {"policy_id": policy_id, "initiated_by": initiated_by, "effective_date": effective_date}

        def body(envelope: AuditEnvelope) -> tuple[list[Policy], dict[str, str]]:
            bound = lookups.policy(self, policy_id, expected_version=ctx.expected_version)
            bound.lapse(initiated_by=initiated_by, effective_date=effective_date, envelope=envelope)
            return [bound], {"account_id": str(bound.account_id)}

        return self.execute(ctx, "lapse_policy", arguments, body)

    def _ensure_new_policy_number(self, policy_number: str | None) -> None:
        if policy_number and self.find(Policy, Policy.id_for(policy_number)) is not None:
            raise Conflict(f"policy {policy_number!r} exists", field="policy_number", code="DUPLICATE")
