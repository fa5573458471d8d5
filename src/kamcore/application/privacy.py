"""Data-subject commands and reads: erasing a contact's or a feedback item's personal data, and the keys to read it."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.application.sealing import SubjectKeyChanges, SubjectKeyRecorder, is_sealed
from kamcore.domain.account import Account
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict
from kamcore.domain.feedback import PersonalFeedback


class PrivacyCommands(CommandHandling):
    def erase_data_subject(self, ctx: CommandContext, account_id: UUID, stakeholder_id: str) -> CommandResult:
        """Delete the contact's key and record `Account.DataSubjectErased`, in one transaction.

        The log keeps the ciphertext, so the hash chain and signed checkpoints still verify; without the
        key nothing can read it again. Works on removed contacts and closed accounts too.
        """
        keys = SubjectKeyChanges()

        def body(envelope: AuditEnvelope) -> tuple[list[Account], dict[str, str]]:
            account = self.load(Account, account_id, field="account_id", expected_version=ctx.expected_version)
            stakeholder = account.data_subject(stakeholder_id)
            _ensure_sealed(stakeholder.name, stakeholder_id, "stakeholder_id")
            subject_id = account.erase_data_subject(stakeholder_id, envelope=envelope)
            keys.erase(subject_id)
            return [account], {"subject_id": subject_id}

        arguments = {"account_id": account_id, "stakeholder_id": stakeholder_id}
        return self.execute(ctx, "erase_data_subject", arguments, body, keys)

    def erase_feedback_personal_data(self, ctx: CommandContext, feedback_id: UUID) -> CommandResult:
        """Delete a survey response's or referral's key and record its `PersonalDataErased`, in one transaction.

        As for contacts, the log keeps the ciphertext (the hash chain still verifies) and the key is gone.
        """
        keys = SubjectKeyChanges()

        def body(envelope: AuditEnvelope) -> tuple[list[PersonalFeedback], dict[str, str]]:
            item = self.load(PersonalFeedback, feedback_id, field="feedback_id", expected_version=ctx.expected_version)
            _ensure_sealed(item.personal_value, f"{type(item).__name__} {feedback_id}", "feedback_id")
            subject_id = item.erase_personal_data(envelope=envelope)
            keys.erase(subject_id)
            return [item], {"subject_id": subject_id, "account_id": str(item.account_id)}

        return self.execute(ctx, "erase_feedback_personal_data", {"feedback_id": feedback_id}, body, keys)

    def subject_keys(self, subject_ids: Collection[str]) -> dict[str, bytes]:
        """The keys of these data subjects that still exist (an erased subject has none)."""
        recorder = self.recorder
        if not isinstance(recorder, SubjectKeyRecorder):
            raise TypeError(f"{type(recorder).__name__} keeps no data-subject keys; configure a kamcore backend")
        return recorder.select_subject_keys(list(subject_ids)) if subject_ids else {}


def _ensure_sealed(value: str | None, what: str, field: str) -> None:
    """Only a sealed value can be erased by deleting its key; plain text (or none at all) cannot."""
    if value is None:
        raise Conflict(f"{what} records no personal data to erase", field=field, code="NO_PERSONAL_DATA")
    if not is_sealed(value):
        raise Conflict(
            f"{what} was recorded before personal data was sealed: it is stored in plain text "
            "in the event log, and deleting a key cannot erase it",
            field=field,
            code="NOT_SEALED",
        )
