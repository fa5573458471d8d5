"""Customer feedback: survey responses on a fixed scale, complaints with a lifecycle, referrals."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.values import SurveyScale, SurveySubject


class SurveyResponse(KamAggregate):
    """One answer to a CSAT, NPS or rating question, dated by its business date."""

    @classmethod
    def record(
        cls,
        *,
        account_id: UUID,
        scale: SurveyScale | str,
        subject: SurveySubject | str,
        score: int,
        respondent: str | None = None,
        comment: str | None = None,
        envelope: AuditEnvelope,
    ) -> SurveyResponse:
        checked_scale = rules.member("scale", SurveyScale, scale)
        if isinstance(score, bool) or not isinstance(score, int):
            raise InvalidInput("must be a whole number", field="score")
        low, high = checked_scale.bounds
        if not low <= score <= high:
            raise InvalidInput(f"{checked_scale.name} scores run from {low} to {high}", field="score")
        return cls(
            account_id=account_id,
            scale=checked_scale,
            subject=rules.member("subject", SurveySubject, subject),
            score=score,
            respondent=rules.optional_text("respondent", respondent, max_length=200),
            comment=rules.optional_text("comment", comment),
            responded_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Recorded")
    def __init__(
        self,
        account_id: UUID,
        scale: SurveyScale,
        subject: SurveySubject,
        score: int,
        respondent: str | None,
        comment: str | None,
        responded_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.account_id = account_id
        self.scale = scale
        self.subject = subject
        self.score = score
        self.respondent = respondent
        self.comment = comment
        self.responded_on = responded_on


class Complaint(KamAggregate):
    """A complaint raised by the customer; resolved at most once, never before it was raised."""

    @classmethod
    def raise_(cls, *, account_id: UUID, category: str, description: str, envelope: AuditEnvelope) -> Complaint:
        return cls(
            account_id=account_id,
            category=rules.text("category", category, max_length=100),
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            raised_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Raised")
    def __init__(
        self, account_id: UUID, category: str, description: str, raised_on: date, envelope: AuditEnvelope
    ) -> None:
        self.account_id = account_id
        self.category = category
        self.description = description
        self.raised_on = raised_on
        self.resolved_on: date | None = None
        self.resolution: str | None = None

    def resolve(self, *, resolution: str, envelope: AuditEnvelope) -> None:
        if self.resolved_on is not None:
            raise Conflict("the complaint is already resolved", field="complaint_id", code="ALREADY_RESOLVED")
        resolved_on = envelope.business_date
        rules.not_before("effective_date", resolved_on, self.raised_on, "the date it was raised")
        self._resolved(
            account_id=self.account_id,
            resolution=rules.text("resolution", resolution, max_length=rules.MAX_TEXT),
            resolved_on=resolved_on,
            envelope=envelope,
        )

    @event("Resolved")
    def _resolved(self, account_id: UUID, resolution: str, resolved_on: date, envelope: AuditEnvelope) -> None:
        self.resolution = resolution
        self.resolved_on = resolved_on


class Referral(KamAggregate):
    """A prospect the customer referred to us."""

    @classmethod
    def give(cls, *, account_id: UUID, referred_party: str, note: str | None, envelope: AuditEnvelope) -> Referral:
        return cls(
            account_id=account_id,
            referred_party=rules.text("referred_party", referred_party),
            note=rules.optional_text("note", note),
            referred_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Given")
    def __init__(
        self, account_id: UUID, referred_party: str, note: str | None, referred_on: date, envelope: AuditEnvelope
    ) -> None:
        self.account_id = account_id
        self.referred_party = referred_party
        self.note = note
        self.referred_on = referred_on
