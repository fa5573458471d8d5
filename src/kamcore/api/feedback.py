"""Feedback mutations: survey responses, complaints, referrals."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.accounts import AccountPayload
from kamcore.api.commands import AccountRef, Command, CommandInput, run_command
from kamcore.api.context import Info
from kamcore.api.reads import node_uuid
from kamcore.domain import values
from kamcore.domain.feedback import Complaint


@strawberry.input(description="A survey answer; effectiveDate is the day the customer answered.")
class RecordFeedbackInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    scale: enums.SurveyScale = strawberry.field(description="Survey instrument the score is on.")
    score: int = strawberry.field(description="Whole number inside the scale: CSAT 1-5, NPS 0-10, RATING_5 1-5.")
    subject: enums.SurveySubject = strawberry.field(
        default=values.SurveySubject.OVERALL_SERVICE, description="What the answer rates; OVERALL_SERVICE by default."
    )
    respondent: str | None = strawberry.field(
        default=None, description="Who answered (at most 200 characters); null if anonymous or unknown."
    )
    comment: str | None = strawberry.field(default=None, description="Free-text comment (at most 4000 characters).")


@strawberry.input(description="A complaint; effectiveDate is the day it was raised.")
class RaiseComplaintInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    category: str = strawberry.field(description="Kind of complaint (1-100 characters).")
    description: str = strawberry.field(description="What the customer complains about (at most 4000 characters).")


@strawberry.input(description="expectedVersion refers to the complaint.")
class ResolveComplaintInput(CommandInput):
    complaint_id: relay.GlobalID = strawberry.field(
        description="Global id of the complaint (the feedbackId returned by raiseComplaint)."
    )
    resolution: str = strawberry.field(description="How the complaint was resolved (at most 4000 characters).")


@strawberry.input(description="A referral; effectiveDate is the day it was given.")
class RecordReferralInput(CommandInput):
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account that gave the referral.")
    referred_party: str = strawberry.field(description="Who was referred (1-200 characters).")
    note: str | None = strawberry.field(default=None, description="Free-text note (at most 4000 characters).")


@strawberry.type(description="The account after feedback was recorded, and the id of the feedback item.")
class FeedbackPayload(AccountPayload):
    feedback_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the survey response, complaint or referral; null when refused."
    )


async def feedback_payload(
    info: Info, data: CommandInput, command: Command, kind: str, account: AccountRef
) -> FeedbackPayload:
    outcome = await run_command(info, data, command, account)
    result = outcome.result
    return FeedbackPayload.from_outcome(
        outcome,
        account_id=result.detail.get("account_id") if result else None,
        feedback_id=relay.GlobalID(kind, str(result.aggregate_id)) if result else None,
    )


@strawberry.type
class FeedbackMutations:
    @strawberry.mutation(description="Record a CSAT, NPS or rating answer from the customer.")
    async def record_feedback(
        self,
        info: Info,
        input: Annotated[
            RecordFeedbackInput, strawberry.argument(description="The account, the scale, the score and what it rates.")
        ],
    ) -> FeedbackPayload:
        app = info.context.runtime.app
        return await feedback_payload(
            info,
            input,
            lambda ctx, account: app.record_survey_response(
                ctx,
                account,
                scale=input.scale,
                score=input.score,
                subject=input.subject,
                respondent=input.respondent,
                comment=input.comment,
            ),
            "SurveyResponse",
            input.account_id,
        )

    @strawberry.mutation(description="Record a complaint raised by the customer.")
    async def raise_complaint(
        self,
        info: Info,
        input: Annotated[RaiseComplaintInput, strawberry.argument(description="The account and the complaint.")],
    ) -> FeedbackPayload:
        app = info.context.runtime.app
        return await feedback_payload(
            info,
            input,
            lambda ctx, account: app.raise_complaint(
                ctx, account, category=input.category, description=input.description
            ),
            "Complaint",
            input.account_id,
        )

    @strawberry.mutation(description="Resolve an open complaint (not before the day it was raised).")
    async def resolve_complaint(
        self,
        info: Info,
        input: Annotated[ResolveComplaintInput, strawberry.argument(description="The complaint and its resolution.")],
    ) -> FeedbackPayload:
        app = info.context.runtime.app
        complaint_id = lambda: node_uuid(input.complaint_id, "Complaint", "complaint_id")  # noqa: E731
        return await feedback_payload(
            info,
            input,
            lambda ctx, _: app.resolve_complaint(ctx, complaint_id(), resolution=input.resolution),
            "Complaint",
            lambda: app.load(Complaint, complaint_id(), field="complaint_id").account_id,
        )

    @strawberry.mutation(description="Record a prospect the customer referred to us.")
    async def record_referral(
        self,
        info: Info,
        input: Annotated[RecordReferralInput, strawberry.argument(description="The account and who it referred.")],
    ) -> FeedbackPayload:
        app = info.context.runtime.app
        return await feedback_payload(
            info,
            input,
            lambda ctx, account: app.record_referral(
                ctx, account, referred_party=input.referred_party, note=input.note
            ),
            "Referral",
            input.account_id,
        )
