"""Read side of the feedback records: survey responses, complaints and referrals by id, in pages, per account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kamcore.projections.feedback_records import COMPLAINT_COLUMNS, REFERRAL_COLUMNS, SURVEY_COLUMNS
from kamcore.projections.listing import Listing, Where
from kamcore.projections.store import ReadModelStore


@dataclass(frozen=True)
class SurveyResponseFilter:
    account_ids: tuple[str, ...] = ()
    scales: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    score_at_least: int | None = None
    score_at_most: int | None = None
    responded_from: date | None = None
    responded_to: date | None = None

    def where(self) -> Where:
        return (
            Where()
            .any_of("account_id", self.account_ids)
            .any_of("scale", self.scales)
            .any_of("subject", self.subjects)
            .between("score", self.score_at_least, self.score_at_most, field="filter.scoreAtLeast")
            .between("responded_on", self.responded_from, self.responded_to, field="filter.respondedFrom")
        )


@dataclass(frozen=True)
class ComplaintFilter:
    account_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    raised_from: date | None = None
    raised_to: date | None = None

    def where(self) -> Where:
        return (
            Where()
            .any_of("account_id", self.account_ids)
            .any_of("status", self.statuses)
            .any_of("category", self.categories)
            .between("raised_on", self.raised_from, self.raised_to, field="filter.raisedFrom")
        )


@dataclass(frozen=True)
class ReferralFilter:
    account_ids: tuple[str, ...] = ()
    referred_from: date | None = None
    referred_to: date | None = None

    def where(self) -> Where:
        return (
            Where()
            .any_of("account_id", self.account_ids)
            .between("referred_on", self.referred_from, self.referred_to, field="filter.referredFrom")
        )


class FeedbackRecordsView:
    """Survey responses, complaints and referrals as lists read them."""

    def __init__(self, store: ReadModelStore) -> None:
        self.survey_responses = Listing(
            "feedback_survey",
            SURVEY_COLUMNS,
            "response_id",
            {"responded_on": "responded_on", "score": "score"},
            store,
        )
        self.complaints = Listing(
            "feedback_complaint", COMPLAINT_COLUMNS, "complaint_id", {"raised_on": "raised_on"}, store
        )
        self.referrals = Listing(
            "feedback_referral", REFERRAL_COLUMNS, "referral_id", {"referred_on": "referred_on"}, store
        )
