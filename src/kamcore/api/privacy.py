"""Personal-data erasure: the `eraseDataSubject` and `eraseFeedbackPersonalData` mutations (admins only)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry
from strawberry import relay

from kamcore.api.accounts import AccountPayload
from kamcore.api.commands import CommandInput, run_command
from kamcore.api.context import Info
from kamcore.api.feedback import FeedbackPayload
from kamcore.api.reads import node_uuid
from kamcore.domain.errors import NotFound
from kamcore.domain.feedback import PersonalFeedback
from kamcore.domain.personal_data import ERASED

PERSONAL_FEEDBACK_TYPES = ("SurveyResponse", "Referral")  # the feedback read types whose text names a person


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


@strawberry.input(
    description="The survey response or referral whose personal data (respondent or referred party) to erase. "
    "reason is required; expectedVersion refers to the feedback item."
)
class EraseFeedbackPersonalDataInput(CommandInput):
    feedback_id: relay.GlobalID = strawberry.field(
        description="Global id of the survey response or referral (the feedbackId recordFeedback or recordReferral "
        "returned)."
    )


@strawberry.type(description="Result of eraseFeedbackPersonalData; the feedback item now reads erased.")
class EraseFeedbackPersonalDataPayload(FeedbackPayload):
    subject_id: str | None = strawberry.field(
        description="The erased data subject, as named in the item's PersonalDataErased event (feedback:<uuid>); "
        "null when refused."
    )


def feedback_uuid(feedback_id: relay.GlobalID) -> UUID:
    """The UUID of a survey response or referral id, else `NotFound` naming feedback_id."""
    if feedback_id.type_name not in PERSONAL_FEEDBACK_TYPES:
        raise NotFound(f"{feedback_id} is not a survey response or referral id", field="feedback_id")
    return node_uuid(feedback_id, feedback_id.type_name, "feedback_id")


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

    @strawberry.mutation(
        description="Erase the person a survey response (respondent) or referral (referred party) names, by "
        "deleting the item's encryption key and recording SurveyResponse.PersonalDataErased or "
        "Referral.PersonalDataErased. The event log is not rewritten, so the audit hash chain still verifies; "
        f'everywhere, history included, the field then reads "{ERASED}" and erased is true. Admins only. '
        "Refusals: NOT_FOUND (no such survey response or referral), ALREADY_ERASED, INVALID_INPUT (no reason), "
        "NOT_SEALED (recorded before encryption existed), NO_PERSONAL_DATA (no respondent recorded)."
    )
    async def erase_feedback_personal_data(
        self,
        info: Info,
        input: Annotated[
            EraseFeedbackPersonalDataInput, strawberry.argument(description="The feedback item and the reason.")
        ],
    ) -> EraseFeedbackPersonalDataPayload:
        app = info.context.runtime.app
        outcome = await run_command(
            info,
            input,
            lambda ctx, _: app.erase_feedback_personal_data(ctx, feedback_uuid(input.feedback_id)),
            lambda: app.load(PersonalFeedback, feedback_uuid(input.feedback_id), field="feedback_id").account_id,
        )
        result = outcome.result
        return EraseFeedbackPersonalDataPayload.from_outcome(
            outcome,
            account_id=result.detail.get("account_id") if result else None,
            feedback_id=input.feedback_id if result else None,
            subject_id=result.detail.get("subject_id") if result else None,
        )
