"""Customer feedback: survey responses on a fixed scale, complaints with a lifecycle, referrals."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.personal_data import Sealer, feedback_subject
from kamcore.domain.values import SurveyScale, SurveySubject


class PersonalFeedback(KamAggregate):
    """A feedback item whose free text names a person: sealed under the item's own data subject, erasable.

    The erasure event is declared on each subclass (not here) so its topic names the item's type.
    """

    personal_data_erased = False  # set by the subclass's PersonalDataErased event

    @property
    def personal_value(self) -> str | None:
        """The stored (normally sealed) text naming the person; None when none was recorded."""
        raise NotImplementedError

    @property
    def subject_id(self) -> str:
        return feedback_subject(self.id)

    def erase_personal_data(self, *, envelope: AuditEnvelope) -> str:
        """Record that the named person's key goes (returns the subject); the event never names the person."""
        subject_id = self._check_erasable(envelope)
        self._personal_data_erased(subject_id=subject_id, envelope=envelope)
        return subject_id

    def _personal_data_erased(self, subject_id: str, envelope: AuditEnvelope) -> None:
        raise NotImplementedError  # each subclass declares it as its own event

    def _check_erasable(self, envelope: AuditEnvelope) -> str:
        """Refuses a second erasure and an erasure without a reason."""
        if self.personal_data_erased:
            raise Conflict(
                f"the personal data of {type(self).__name__} {self.id} is already erased",
                field="feedback_id",
                code="ALREADY_ERASED",
            )
        if not envelope.reason:
            raise InvalidInput("erasing personal data needs a reason", field="reason")
        return self.subject_id


def _sealed(seal: Sealer, feedback_id: UUID, value: str | None) -> str | None:
    return seal(feedback_subject(feedback_id), value) if value is not None else None


class SurveyResponse(PersonalFeedback):
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
        seal: Sealer,
        envelope: AuditEnvelope,
    ) -> SurveyResponse:
        """The respondent is checked in plain text, then stored sealed under the response's own subject."""
        checked_scale = rules.member("scale", SurveyScale, scale)
        if isinstance(score, bool) or not isinstance(score, int):
            raise InvalidInput("must be a whole number", field="score")
        low, high = checked_scale.bounds
        if not low <= score <= high:
            raise InvalidInput(f"{checked_scale.name} scores run from {low} to {high}", field="score")
        checked_subject = rules.member("subject", SurveySubject, subject)
        checked_respondent = rules.optional_text("respondent", respondent, max_length=200)
        checked_comment = rules.optional_text("comment", comment)
        response_id = cls.create_id()
        return cls(
            id=response_id,
            account_id=account_id,
            scale=checked_scale,
            subject=checked_subject,
            score=score,
            respondent=_sealed(seal, response_id, checked_respondent),
            comment=checked_comment,
            responded_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Recorded")
    def __init__(
        self,
        id: UUID,
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

    @property
    def personal_value(self) -> str | None:
        return self.respondent

    @event("PersonalDataErased")
    def _personal_data_erased(self, subject_id: str, envelope: AuditEnvelope) -> None:
        self.personal_data_erased = True


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


class Referral(PersonalFeedback):
    """A prospect the customer referred to us."""

    @classmethod
    def give(
        cls, *, account_id: UUID, referred_party: str, note: str | None, seal: Sealer, envelope: AuditEnvelope
    ) -> Referral:
        """The referred party is checked in plain text, then stored sealed under the referral's own subject."""
        checked_party = rules.text("referred_party", referred_party)
        checked_note = rules.optional_text("note", note)
        referral_id = cls.create_id()
        return cls(
            id=referral_id,
            account_id=account_id,
            referred_party=_sealed(seal, referral_id, checked_party),
            note=checked_note,
            referred_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Given")
    def __init__(
        self,
        id: UUID,
        account_id: UUID,
        referred_party: str,
        note: str | None,
        referred_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.account_id = account_id
        self.referred_party = referred_party
        self.note = note
        self.referred_on = referred_on

    @property
    def personal_value(self) -> str | None:
        return self.referred_party

    @event("PersonalDataErased")
    def _personal_data_erased(self, subject_id: str, envelope: AuditEnvelope) -> None:
        self.personal_data_erased = True
