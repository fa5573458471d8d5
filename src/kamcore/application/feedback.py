"""Feedback commands: survey responses, complaints, referrals."""

from __future__ import annotations

from uuid import UUID

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.application.sealing import SubjectKeyChanges
from kamcore.domain.account import Account
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.feedback import Complaint, Referral, SurveyResponse
from kamcore.domain.values import SurveyScale, SurveySubject


class FeedbackCommands(CommandHandling):
    """Feedback is accepted for closed accounts too: an exit survey or a late complaint is still a fact."""

    def record_survey_response(
        self,
        ctx: CommandContext,
        account_id: UUID,
        *,
        scale: SurveyScale | str,
        score: int,
        subject: SurveySubject | str = SurveySubject.OVERALL_SERVICE,
        respondent: str | None = None,
        comment: str | None = None,
    ) -> CommandResult:
        # As for contacts: the idempotency fingerprint outlives erasure, so the respondent is left out of it.
        arguments = {"account_id": account_id, "scale": scale, "score": score, "subject": subject, "comment": comment}

        keys = SubjectKeyChanges()

        def body(envelope: AuditEnvelope) -> tuple[list[SurveyResponse], dict[str, str]]:
            self.load(Account, account_id, field="account_id")
            response = SurveyResponse.record(
                account_id=account_id,
                scale=scale,
                subject=subject,
                score=score,
                respondent=respondent,
                comment=comment,
                seal=keys.seal,
                envelope=envelope,
            )
            return [response], {"account_id": str(account_id)}

        return self.execute(ctx, "record_survey_response", arguments, body, keys)

    def raise_complaint(
        self, ctx: CommandContext, account_id: UUID, *, category: str, description: str
    ) -> CommandResult:
        arguments = {"account_id": account_id, "category": category, "description": description}

        def body(envelope: AuditEnvelope) -> tuple[list[Complaint], dict[str, str]]:
            self.load(Account, account_id, field="account_id")
            return [
                Complaint.raise_(account_id=account_id, category=category, description=description, envelope=envelope)
            ], {"account_id": str(account_id)}

        return self.execute(ctx, "raise_complaint", arguments, body)

    def resolve_complaint(self, ctx: CommandContext, complaint_id: UUID, *, resolution: str) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[Complaint], dict[str, str]]:
            complaint = self.load(Complaint, complaint_id, field="complaint_id", expected_version=ctx.expected_version)
            complaint.resolve(resolution=resolution, envelope=envelope)
            return [complaint], {"account_id": str(complaint.account_id)}

        arguments = {"complaint_id": complaint_id, "resolution": resolution}
        return self.execute(ctx, "resolve_complaint", arguments, body)

    def record_referral(
        self, ctx: CommandContext, account_id: UUID, *, referred_party: str, note: str | None = None
    ) -> CommandResult:
        arguments = {"account_id": account_id, "note": note}  # no referred party: see record_survey_response
        keys = SubjectKeyChanges()

        def body(envelope: AuditEnvelope) -> tuple[list[Referral], dict[str, str]]:
            self.load(Account, account_id, field="account_id")
            referral = Referral.give(
                account_id=account_id, referred_party=referred_party, note=note, seal=keys.seal, envelope=envelope
            )
            return [referral], {"account_id": str(account_id)}

        return self.execute(ctx, "record_referral", arguments, body, keys)
