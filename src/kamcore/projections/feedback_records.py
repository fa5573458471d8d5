"""Feedback records: every survey response, complaint and referral one by one, as frontends list them.

The account summary keeps only the signals (latest CSAT and NPS, complaint and referral counts); this read
model keeps the items behind them, so a complaint can be found, listed and followed to its resolution.
Respondents and referred parties name people: they are kept as stored, sealed per item, and opened by
readers with the item's key (`kamcore.application.revealing`); an erasure only moves the item's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kamcore.domain.feedback import Complaint, Referral, SurveyResponse
from kamcore.projections.projection import Projection, SqlCursor, change_row, handles
from kamcore.projections.rows import Table

SURVEY_COLUMNS = (
    "response_id",
    "account_id",
    "scale",
    "subject",
    "score",
    "respondent",
    "comment",
    "responded_on",
    "version",
    "updated_at",
)
COMPLAINT_COLUMNS = (
    "complaint_id",
    "account_id",
    "category",
    "description",
    "status",
    "raised_on",
    "resolved_on",
    "resolution",
    "version",
    "updated_at",
)
REFERRAL_COLUMNS = ("referral_id", "account_id", "referred_party", "note", "referred_on", "version", "updated_at")
SURVEYS = Table("feedback_survey", ("response_id",), SURVEY_COLUMNS)
COMPLAINTS = Table("feedback_complaint", ("complaint_id",), COMPLAINT_COLUMNS)
REFERRALS = Table("feedback_referral", ("referral_id",), REFERRAL_COLUMNS)

# Complaint statuses as the read model names them: the domain knows a complaint by its resolution date.
OPEN, RESOLVED = "open", "resolved"


class FeedbackRecordsProjection(Projection):
    name = "feedback_records"
    rebuild_cost = 5
    schema_version = 1
    tables = ("feedback_survey", "feedback_complaint", "feedback_referral")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}feedback_survey ("
        " response_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, scale TEXT NOT NULL, subject TEXT NOT NULL,"
        " score INTEGER NOT NULL, respondent TEXT, comment TEXT, responded_on TEXT NOT NULL,"
        " version INTEGER NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS feedback_survey_by_account ON {t}feedback_survey (account_id, responded_on)",
        "CREATE INDEX IF NOT EXISTS feedback_survey_by_responded ON {t}feedback_survey (responded_on, response_id)",
        "CREATE TABLE IF NOT EXISTS {t}feedback_complaint ("
        " complaint_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, category TEXT NOT NULL, description TEXT NOT NULL,"
        " status TEXT NOT NULL, raised_on TEXT NOT NULL, resolved_on TEXT, resolution TEXT,"
        " version INTEGER NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS feedback_complaint_by_account ON {t}feedback_complaint (account_id, raised_on)",
        "CREATE INDEX IF NOT EXISTS feedback_complaint_by_raised ON {t}feedback_complaint (raised_on, complaint_id)",
        "CREATE INDEX IF NOT EXISTS feedback_complaint_by_status ON {t}feedback_complaint (status, raised_on)",
        "CREATE TABLE IF NOT EXISTS {t}feedback_referral ("
        " referral_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, referred_party TEXT NOT NULL, note TEXT,"
        " referred_on TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS feedback_referral_by_account ON {t}feedback_referral (account_id, referred_on)",
        "CREATE INDEX IF NOT EXISTS feedback_referral_by_referred ON {t}feedback_referral (referred_on, referral_id)",
    )

    def prefetch(self, sql: SqlCursor, events: Sequence[Any]) -> None:
        """Only a resolution or an erasure changes a row; every other event adds one."""
        for table, changing in (
            (COMPLAINTS, Complaint.Resolved),
            (SURVEYS, SurveyResponse.PersonalDataErased),
            (REFERRALS, Referral.PersonalDataErased),
        ):
            sql.rows.prefetch(table, [(str(e.originator_id),) for e in events if isinstance(e, changing)])

    @handles(SurveyResponse.Recorded)
    def survey_recorded(self, sql: SqlCursor, e: SurveyResponse.Recorded) -> None:
        sql.rows.put(
            SURVEYS,
            {
                "response_id": str(e.originator_id),
                "account_id": str(e.account_id),
                "scale": e.scale.value,
                "subject": e.subject.value,
                "score": e.score,
                "respondent": e.respondent,
                "comment": e.comment,
                "responded_on": e.responded_on.isoformat(),
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )

    @handles(SurveyResponse.PersonalDataErased)
    def survey_erased(self, sql: SqlCursor, e: SurveyResponse.PersonalDataErased) -> None:
        """The row keeps the sealed respondent (unreadable once the key is gone); only its version moves."""
        change_row(sql, SURVEYS, e)

    @handles(Complaint.Raised)
    def complaint_raised(self, sql: SqlCursor, e: Complaint.Raised) -> None:
        sql.rows.put(
            COMPLAINTS,
            {
                "complaint_id": str(e.originator_id),
                "account_id": str(e.account_id),
                "category": e.category,
                "description": e.description,
                "status": OPEN,
                "raised_on": e.raised_on.isoformat(),
                "resolved_on": None,
                "resolution": None,
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )

    @handles(Complaint.Resolved)
    def complaint_resolved(self, sql: SqlCursor, e: Complaint.Resolved) -> None:
        on = e.resolved_on.isoformat()
        change_row(sql, COMPLAINTS, e, status=RESOLVED, resolved_on=on, resolution=e.resolution)

    @handles(Referral.Given)
    def referral_given(self, sql: SqlCursor, e: Referral.Given) -> None:
        sql.rows.put(
            REFERRALS,
            {
                "referral_id": str(e.originator_id),
                "account_id": str(e.account_id),
                "referred_party": e.referred_party,
                "note": e.note,
                "referred_on": e.referred_on.isoformat(),
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )

    @handles(Referral.PersonalDataErased)
    def referral_erased(self, sql: SqlCursor, e: Referral.PersonalDataErased) -> None:
        """The row keeps the sealed referred party (unreadable once the key is gone); only its version moves."""
        change_row(sql, REFERRALS, e)
