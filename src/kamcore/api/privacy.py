"""Personal-data erasure: the `eraseDataSubject` mutation (admins only)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from kamcore.api.accounts import AccountPayload
from kamcore.api.commands import CommandInput, run_command
from kamcore.api.context import Info
from kamcore.domain.personal_data import ERASED


@strawberry.input(
    description="The contact whose personal data to erase (right to erasure). reason is required; the erasure "
    "is recorded with it, never with the personal data."
)
class EraseDataSubjectInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account the contact belongs to.")
    stakeholder_id: str = strawberry.field(
        description="Id of the contact within the account (Stakeholder.stakeholderId); removed contacts can be "
        "erased too."
    )


@strawberry.type(description="Result of eraseDataSubject; the account field shows the contact erased.")
class EraseDataSubjectPayload(AccountPayload):
    subject_id: str | None = strawberry.field(
        description="The erased data subject, as named in the Account.DataSubjectErased event "
        "(account:<uuid>/stakeholder-N); null when refused."
    )


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        description="Erase a contact's personal data (name, title, e-mail) by deleting its encryption key and "
        "recording Account.DataSubjectErased. The event log is not rewritten, so the audit hash chain still "
        f'verifies; everywhere, history and time travel included, the fields then read "{ERASED}" or null. '
        "Admins only. Refusals: NOT_FOUND (account or contact), ALREADY_ERASED, INVALID_INPUT (no reason), "
        "NOT_SEALED (recorded before encryption existed)."
    )
    async def erase_data_subject(
        self,
        info: Info,
        input: Annotated[
            EraseDataSubjectInput, strawberry.argument(description="The account, the contact and the reason.")
        ],
    ) -> EraseDataSubjectPayload:
        app = info.context.runtime.app
        outcome = await run_command(
            info,
            input,
            lambda ctx, account: app.erase_data_subject(ctx, account, input.stakeholder_id),
            input.account_id,
        )
        result = outcome.result
        return EraseDataSubjectPayload.from_outcome(
            outcome, subject_id=result.detail.get("subject_id") if result else None
        )
