"""Customer feedback item by item as read types: survey responses, complaints and referrals, and their lists.

`Account.feedback` gives the signals; these give the items behind them. Like the other account records they
are readable by every authenticated role. Respondents and referred parties name people: they are stored
sealed per item like contacts' personal data, opened here with the item's key, and read "[erased]" once
eraseFeedbackPersonalData deleted it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.auth import IsAuthenticated
from kamcore.api.connections import After, Connection, First, MinPosition, SortDirection, listed
from kamcore.api.context import Info
from kamcore.api.read_values import day, load_nodes, moment, uuids, values_of
from kamcore.api.revealed import revealed_text
from kamcore.api.sales import AccountType, load_account
from kamcore.domain import values
from kamcore.domain.personal_data import ERASED
from kamcore.projections.feedback_records_view import ComplaintFilter, ReferralFilter, SurveyResponseFilter

ACCOUNT_ID = "Global id of the account the feedback came from."
VERSION = "Aggregate version of the item, for expectedVersion."
UPDATED_AT = "When the item last changed (recording time, UTC)."
ACCOUNTS = "Items of any of these accounts; null or empty = any account."
NEWEST_FIRST = "DESC (newest) by default."
ERASED_FIELD = (
    "True once the personal data of this item is erased (eraseFeedbackPersonalData): its key is deleted, so "
    f'{{}} reads "{ERASED}" everywhere, history included.'
)


@strawberry.type(description="One answer to a CSAT, NPS or rating question, dated by the day the customer answered.")
class SurveyResponse(relay.Node):
    response_id: relay.NodeID[str]
    account_id: relay.GlobalID = strawberry.field(description=ACCOUNT_ID)
    scale: enums.SurveyScale = strawberry.field(description="Survey instrument the score is on.")
    subject: enums.SurveySubject = strawberry.field(description="What the answer rates.")
    score: int = strawberry.field(description="The score, inside the scale: CSAT 1-5, NPS 0-10, RATING_5 1-5.")
    stored_respondent: strawberry.Private[str | None]
    comment: str | None = strawberry.field(description="The customer's comment; null if none.")
    responded_on: date = strawberry.field(description="Business date the customer answered.")
    version: int = strawberry.field(description=VERSION)
    updated_at: datetime = strawberry.field(description=UPDATED_AT)

    @strawberry.field(
        description=f'Who answered, as recorded (free text); null if anonymous or unknown; "{ERASED}" once erased.'
    )
    async def respondent(self, info: Info) -> str | None:
        return (await revealed_text(info, self.stored_respondent))[0]

    @strawberry.field(description=ERASED_FIELD.format("respondent"))
    async def erased(self, info: Info) -> bool:
        return (await revealed_text(info, self.stored_respondent))[1]

    @strawberry.field(description="The account that answered.")
    async def account(self, info: Info) -> AccountType | None:
        return await load_account(info, self.account_id.node_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SurveyResponse:
        return cls(
            response_id=row["response_id"],
            account_id=relay.GlobalID("Account", row["account_id"]),
            scale=values.SurveyScale(row["scale"]),
            subject=values.SurveySubject(row["subject"]),
            score=row["score"],
            stored_respondent=row["respondent"],
            comment=row["comment"],
            responded_on=date.fromisoformat(row["responded_on"]),
            version=row["version"],
            updated_at=moment(row["updated_at"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[SurveyResponse | None]:
        return await load_nodes(info.context.loaders.survey_response, node_ids, cls.from_row)


@strawberry.type(description="A complaint raised by the customer, open until it is resolved (at most once).")
class Complaint(relay.Node):
    complaint_id: relay.NodeID[str]
    account_id: relay.GlobalID = strawberry.field(description=ACCOUNT_ID)
    category: str = strawberry.field(description="Kind of complaint, as recorded.")
    description: str = strawberry.field(description="What the customer complains about.")
    status: enums.ComplaintStatus = strawberry.field(description="Open, or resolved once resolveComplaint ran.")
    raised_on: date = strawberry.field(description="Business date it was raised.")
    resolved_on: date | None = strawberry.field(description="Business date it was resolved; null while open.")
    resolution: str | None = strawberry.field(description="How it was resolved; null while open.")
    version: int = strawberry.field(description=VERSION + " Pass it to resolveComplaint.")
    updated_at: datetime = strawberry.field(description=UPDATED_AT)

    @strawberry.field(description="The account that complained.")
    async def account(self, info: Info) -> AccountType | None:
        return await load_account(info, self.account_id.node_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Complaint:
        return cls(
            complaint_id=row["complaint_id"],
            account_id=relay.GlobalID("Account", row["account_id"]),
            category=row["category"],
            description=row["description"],
            status=enums.ComplaintStatus(row["status"]),
            raised_on=date.fromisoformat(row["raised_on"]),
            resolved_on=day(row["resolved_on"]),
            resolution=row["resolution"],
            version=row["version"],
            updated_at=moment(row["updated_at"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Complaint | None]:
        return await load_nodes(info.context.loaders.complaint, node_ids, cls.from_row)


@strawberry.type(description="A prospect the customer referred to us.")
class Referral(relay.Node):
    referral_id: relay.NodeID[str]
    account_id: relay.GlobalID = strawberry.field(description=ACCOUNT_ID)
    stored_referred_party: strawberry.Private[str]
    note: str | None = strawberry.field(description="Note on the referral; null if none.")
    referred_on: date = strawberry.field(description="Business date the referral was given.")
    version: int = strawberry.field(description=VERSION)
    updated_at: datetime = strawberry.field(description=UPDATED_AT)

    @strawberry.field(description=f'Who was referred, as recorded (free text); "{ERASED}" once erased.')
    async def referred_party(self, info: Info) -> str:
        return (await revealed_text(info, self.stored_referred_party))[0] or ERASED

    @strawberry.field(description=ERASED_FIELD.format("referredParty"))
    async def erased(self, info: Info) -> bool:
        return (await revealed_text(info, self.stored_referred_party))[1]

    @strawberry.field(description="The account that gave the referral.")
    async def account(self, info: Info) -> AccountType | None:
        return await load_account(info, self.account_id.node_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Referral:
        return cls(
            referral_id=row["referral_id"],
            account_id=relay.GlobalID("Account", row["account_id"]),
            stored_referred_party=row["referred_party"],
            note=row["note"],
            referred_on=date.fromisoformat(row["referred_on"]),
            version=row["version"],
            updated_at=moment(row["updated_at"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Referral | None]:
        return await load_nodes(info.context.loaders.referral, node_ids, cls.from_row)


# -- filters and orders -----------------------------------------------------------------------------


def _accounts(ids: list[relay.GlobalID] | None) -> tuple[str, ...]:
    return uuids(ids, "Account", "filter.accountId")


@strawberry.input(description="Narrows the survey responses list; all given conditions must hold.")
class SurveyResponseFilterInput:
    account_id: list[relay.GlobalID] | None = strawberry.field(default=None, description=ACCOUNTS)
    scale: list[enums.SurveyScale] | None = strawberry.field(default=None, description="Any of these scales.")
    subject: list[enums.SurveySubject] | None = strawberry.field(default=None, description="Any of these subjects.")
    score_at_least: int | None = strawberry.field(
        default=None, description="Score at least this (e.g. 9 for NPS promoters); not above scoreAtMost."
    )
    score_at_most: int | None = strawberry.field(
        default=None, description="Score at most this (e.g. 6 for NPS detractors)."
    )
    responded_from: date | None = strawberry.field(
        default=None, description="Answered on or after this day; not after respondedTo."
    )
    responded_to: date | None = strawberry.field(default=None, description="Answered on or before this day.")

    def to_filter(self) -> SurveyResponseFilter:
        return SurveyResponseFilter(
            account_ids=_accounts(self.account_id),
            scales=values_of(self.scale),
            subjects=values_of(self.subject),
            score_at_least=self.score_at_least,
            score_at_most=self.score_at_most,
            responded_from=self.responded_from,
            responded_to=self.responded_to,
        )


@strawberry.enum(description="Sort key of the survey responses list.")
class SurveyResponseSortField(Enum):
    RESPONDED_ON = strawberry.enum_value("responded_on", description="By the day the customer answered.")
    SCORE = strawberry.enum_value("score", description="By score (scales are not converted into each other).")


@strawberry.input(description="Order of the survey responses list; ties are broken by id.")
class SurveyResponseOrder:
    field: SurveyResponseSortField = strawberry.field(
        default=SurveyResponseSortField.RESPONDED_ON, description="Sort key; RESPONDED_ON by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description=NEWEST_FIRST)


@strawberry.input(description="Narrows the complaints list; all given conditions must hold.")
class ComplaintFilterInput:
    account_id: list[relay.GlobalID] | None = strawberry.field(default=None, description=ACCOUNTS)
    status: list[enums.ComplaintStatus] | None = strawberry.field(default=None, description="Any of these statuses.")
    category: list[str] | None = strawberry.field(default=None, description="Any of these categories (exact).")
    raised_from: date | None = strawberry.field(
        default=None, description="Raised on or after this day; not after raisedTo."
    )
    raised_to: date | None = strawberry.field(default=None, description="Raised on or before this day.")

    def to_filter(self) -> ComplaintFilter:
        return ComplaintFilter(
            account_ids=_accounts(self.account_id),
            statuses=values_of(self.status),
            categories=tuple(self.category or ()),
            raised_from=self.raised_from,
            raised_to=self.raised_to,
        )


@strawberry.enum(description="Sort key of the complaints list.")
class ComplaintSortField(Enum):
    RAISED_ON = strawberry.enum_value("raised_on", description="By the day it was raised.")


@strawberry.input(description="Order of the complaints list; ties are broken by id.")
class ComplaintOrder:
    field: ComplaintSortField = strawberry.field(
        default=ComplaintSortField.RAISED_ON, description="Sort key; RAISED_ON by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description=NEWEST_FIRST)


@strawberry.input(description="Narrows the referrals list; all given conditions must hold.")
class ReferralFilterInput:
    account_id: list[relay.GlobalID] | None = strawberry.field(default=None, description=ACCOUNTS)
    referred_from: date | None = strawberry.field(
        default=None, description="Given on or after this day; not after referredTo."
    )
    referred_to: date | None = strawberry.field(default=None, description="Given on or before this day.")

    def to_filter(self) -> ReferralFilter:
        return ReferralFilter(
            account_ids=_accounts(self.account_id), referred_from=self.referred_from, referred_to=self.referred_to
        )


@strawberry.enum(description="Sort key of the referrals list.")
class ReferralSortField(Enum):
    REFERRED_ON = strawberry.enum_value("referred_on", description="By the day it was given.")


@strawberry.input(description="Order of the referrals list; ties are broken by id.")
class ReferralOrder:
    field: ReferralSortField = strawberry.field(
        default=ReferralSortField.REFERRED_ON, description="Sort key; REFERRED_ON by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description=NEWEST_FIRST)


# -- queries --------------------------------------------------------------------------------------


@strawberry.type
class FeedbackQueries:
    @strawberry.field(
        description="Survey responses, keyset-paged (first at most 100), filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def survey_responses(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            SurveyResponseFilterInput | None,
            strawberry.argument(description="Conditions the responses must meet; null = all."),
        ] = None,
        order_by: Annotated[
            SurveyResponseOrder | None, strawberry.argument(description="Sort order; null = newest answer first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[SurveyResponse]:
        return await listed(
            info,
            info.context.runtime.feedback.survey_responses,
            filter or SurveyResponseFilterInput(),
            order_by or SurveyResponseOrder(),
            first=first,
            after=after,
            min_position=min_position,
            convert=SurveyResponse.from_row,
        )

    @strawberry.field(
        description="Complaints, open and resolved, keyset-paged (first at most 100), filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def complaints(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            ComplaintFilterInput | None,
            strawberry.argument(description="Conditions the complaints must meet; null = all."),
        ] = None,
        order_by: Annotated[
            ComplaintOrder | None, strawberry.argument(description="Sort order; null = newest raised first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[Complaint]:
        return await listed(
            info,
            info.context.runtime.feedback.complaints,
            filter or ComplaintFilterInput(),
            order_by or ComplaintOrder(),
            first=first,
            after=after,
            min_position=min_position,
            convert=Complaint.from_row,
        )

    @strawberry.field(
        description="Referrals, keyset-paged (first at most 100), filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def referrals(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            ReferralFilterInput | None,
            strawberry.argument(description="Conditions the referrals must meet; null = all."),
        ] = None,
        order_by: Annotated[
            ReferralOrder | None, strawberry.argument(description="Sort order; null = newest first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[Referral]:
        return await listed(
            info,
            info.context.runtime.feedback.referrals,
            filter or ReferralFilterInput(),
            order_by or ReferralOrder(),
            first=first,
            after=after,
            min_position=min_position,
            convert=Referral.from_row,
        )
