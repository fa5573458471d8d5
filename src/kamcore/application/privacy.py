"""Data-subject commands and reads: erasing a contact's personal data, and the keys readers open it with."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.application.sealing import SubjectKeyChanges, SubjectKeyRecorder, is_sealed
from kamcore.domain.account import Account
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict


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
            if not is_sealed(stakeholder.name):
                raise Conflict(
                    f"{stakeholder_id} was recorded before personal data was sealed: it is stored in plain text "
                    "in the event log, and deleting a key cannot erase it",
                    field="stakeholder_id",
                    code="NOT_SEALED",
                )
            subject_id = account.erase_data_subject(stakeholder_id, envelope=envelope)
            keys.erase(subject_id)
            return [account], {"subject_id": subject_id}

        arguments = {"account_id": account_id, "stakeholder_id": stakeholder_id}
        return self.execute(ctx, "erase_data_subject", arguments, body, keys)

    def subject_keys(self, subject_ids: Collection[str]) -> dict[str, bytes]:
        """The keys of these data subjects that still exist (an erased subject has none)."""
        recorder = self.recorder
        if not isinstance(recorder, SubjectKeyRecorder):
            raise TypeError(f"{type(recorder).__name__} keeps no data-subject keys; configure a kamcore backend")
        return recorder.select_subject_keys(list(subject_ids)) if subject_ids else {}
