"""Account summary: one row per account with profile, team, lead RM and latest feedback signals.

Contacts' personal fields are kept as stored: sealed tokens, opened by readers with the subject's key
(`kamcore.application.revealing`), so rows stay a pure function of the events and a rebuild equals the
live model. An erasure blanks the contact for good.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from kamcore.domain.account import Account
from kamcore.domain.account_team import AccountTeam, Assignment
from kamcore.domain.events import plain
from kamcore.domain.feedback import Complaint, Referral, SurveyResponse
from kamcore.domain.personal_data import erased_stakeholder
from kamcore.domain.values import SurveyScale, TeamRole
from kamcore.projections.json_text import to_json
from kamcore.projections.projection import Projection, SqlCursor, handles
from kamcore.projections.rows import Table

COLUMNS = (
    "account_id",
    "name",
    "segment",
    "region",
    "industry",
    "size",
    "status",
    "external_ref",
    "version",
    "team_version",
    "lead_rm_id",
    "team",
    "context",
    "stakeholders",
    "needs",
    "latest_csat",
    "latest_csat_on",
    "latest_nps",
    "latest_nps_on",
    "open_complaints",
    "complaints",
    "referrals",
    "opened_at",
    "updated_at",
    "closed_on",
)


def current_lead(team: list[dict[str, Any]]) -> str | None:
    """The lead whose assignment is open-ended, else the one that started last."""
    leads = [a for a in team if a["role"] == TeamRole.LEAD.value]
    leads.sort(key=lambda a: (a["effective_to"] is None, a["effective_from"]))
    return leads[-1]["relationship_manager_id"] if leads else None


ACCOUNTS = Table("account_summary", ("account_id",), COLUMNS)
DEFAULTS: dict[str, Any] = {
    "team_version": 0,
    "lead_rm_id": None,
    "team": "[]",
    "context": "{}",
    "stakeholders": "[]",
    "needs": "[]",
    "latest_csat": None,
    "latest_csat_on": None,
    "latest_nps": None,
    "latest_nps_on": None,
    "open_complaints": 0,
    "complaints": 0,
    "referrals": 0,
    "closed_on": None,
}


def account_key(event: Any) -> str:
    """Account events are keyed by their own id; every other event names its account."""
    return str(event.originator_id if isinstance(event, Account.Event) else event.account_id)


class AccountSummaryProjection(Projection):
    name = "account_summary"
    rebuild_cost = 9
    tables = ("account_summary",)
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}account_summary ("
        " account_id TEXT PRIMARY KEY, name TEXT NOT NULL, segment TEXT NOT NULL, region TEXT NOT NULL,"
        " industry TEXT, size TEXT, status TEXT NOT NULL, external_ref TEXT, version INTEGER NOT NULL,"
        " team_version INTEGER NOT NULL DEFAULT 0, lead_rm_id TEXT, team TEXT NOT NULL DEFAULT '[]',"
        " context TEXT NOT NULL DEFAULT '{}', stakeholders TEXT NOT NULL DEFAULT '[]',"
        " needs TEXT NOT NULL DEFAULT '[]', latest_csat INTEGER, latest_csat_on TEXT, latest_nps INTEGER,"
        " latest_nps_on TEXT, open_complaints INTEGER NOT NULL DEFAULT 0,"
        " complaints INTEGER NOT NULL DEFAULT 0, referrals INTEGER NOT NULL DEFAULT 0,"
        " opened_at TEXT NOT NULL, updated_at TEXT NOT NULL, closed_on TEXT)",
        "CREATE INDEX IF NOT EXISTS account_summary_by_name ON {t}account_summary (name, account_id)",
        "CREATE INDEX IF NOT EXISTS account_summary_by_opened ON {t}account_summary (opened_at, account_id)",
        "CREATE INDEX IF NOT EXISTS account_summary_by_lead ON {t}account_summary (lead_rm_id)",
        "CREATE INDEX IF NOT EXISTS account_summary_by_segment ON {t}account_summary (segment, region)",
    )

    def prefetch(self, sql: SqlCursor, events: Sequence[Any]) -> None:
        sql.rows.prefetch(ACCOUNTS, [(account_key(e),) for e in events if not isinstance(e, Account.Opened)])

    # -- account ---------------------------------------------------------------------------------

    @handles(Account.Opened)
    def opened(self, sql: SqlCursor, e: Account.Opened) -> None:
        sql.rows.put(
            ACCOUNTS,
            {
                **DEFAULTS,
                "account_id": str(e.originator_id),
                "name": e.name,
                "segment": e.segment.value,
                "region": e.region,
                "industry": e.industry,
                "size": e.size.value if e.size else None,
                "status": "active",
                "external_ref": e.external_ref,
                "version": e.originator_version,
                "opened_at": e.timestamp.isoformat(),
                "updated_at": e.timestamp.isoformat(),
            },
        )

    @handles(Account.ProfileUpdated)
    def profile_updated(self, sql: SqlCursor, e: Account.ProfileUpdated) -> None:
        self._change(
            sql,
            e,
            name=e.name,
            segment=e.segment.value,
            region=e.region,
            industry=e.industry,
            size=e.size.value if e.size else None,
        )

    @handles(Account.BusinessContextRecorded)
    def context_recorded(self, sql: SqlCursor, e: Account.BusinessContextRecorded) -> None:
        self._change(sql, e, context=to_json(plain(e.context)))

    @handles(Account.NeedIdentified)
    def need_identified(self, sql: SqlCursor, e: Account.NeedIdentified) -> None:
        self._change_list(sql, e, "needs", lambda needs: [*needs, plain(e.need)])

    @handles(Account.StakeholderAdded)
    def stakeholder_added(self, sql: SqlCursor, e: Account.StakeholderAdded) -> None:
        self._change_list(sql, e, "stakeholders", lambda people: [*people, plain(e.stakeholder)])

    @handles(Account.StakeholderRemoved)
    def stakeholder_removed(self, sql: SqlCursor, e: Account.StakeholderRemoved) -> None:
        self._change_list(
            sql, e, "stakeholders", lambda people: [s for s in people if s["stakeholder_id"] != e.stakeholder_id]
        )

    @handles(Account.DataSubjectErased)
    def data_subject_erased(self, sql: SqlCursor, e: Account.DataSubjectErased) -> None:
        self._change_list(
            sql,
            e,
            "stakeholders",
            lambda people: [erased_stakeholder(s) if s["stakeholder_id"] == e.stakeholder_id else s for s in people],
        )

    @handles(Account.Closed)
    def closed(self, sql: SqlCursor, e: Account.Closed) -> None:
        self._change(sql, e, status="closed", closed_on=e.closed_on.isoformat())

    # -- team ------------------------------------------------------------------------------------

    @handles(AccountTeam.Formed)
    def team_formed(self, sql: SqlCursor, e: AccountTeam.Formed) -> None:
        self._change_team(sql, e, lambda team: team)

    @handles(AccountTeam.RelationshipManagerAssigned)
    def assigned(self, sql: SqlCursor, e: AccountTeam.RelationshipManagerAssigned) -> None:
        self._change_team(sql, e, lambda team: [*team, self._assignment(e.assignment)])

    @handles(AccountTeam.RelationshipManagerReleased)
    def released(self, sql: SqlCursor, e: AccountTeam.RelationshipManagerReleased) -> None:
        end = e.effective_to.isoformat()
        self._change_team(
            sql,
            e,
            lambda team: [{**a, "effective_to": end} if a["assignment_id"] == e.assignment_id else a for a in team],
        )

    @handles(AccountTeam.LeadHandedOver)
    def lead_handed_over(self, sql: SqlCursor, e: AccountTeam.LeadHandedOver) -> None:
        start = e.assignment.effective_from.isoformat()

        def hand_over(team: list[dict[str, Any]]) -> list[dict[str, Any]]:
            ended = [
                {**a, "effective_to": start} if a["assignment_id"] == e.previous_assignment_id else a for a in team
            ]
            return [*ended, self._assignment(e.assignment)]

        self._change_team(sql, e, hand_over)

    # -- feedback --------------------------------------------------------------------------------

    @handles(SurveyResponse.Recorded)
    def survey_recorded(self, sql: SqlCursor, e: SurveyResponse.Recorded) -> None:
        column = {SurveyScale.CSAT: "latest_csat", SurveyScale.NPS: "latest_nps"}.get(e.scale)
        row = sql.rows.get(ACCOUNTS, account_key(e))
        if column is None or row is None:
            return
        on = e.responded_on.isoformat()
        if row[f"{column}_on"] is None or row[f"{column}_on"] <= on:
            self._put(sql, row, e, **{column: e.score, f"{column}_on": on})

    @handles(Complaint.Raised)
    def complaint_raised(self, sql: SqlCursor, e: Complaint.Raised) -> None:
        row = sql.rows.get(ACCOUNTS, account_key(e))
        if row is not None:
            self._put(sql, row, e, open_complaints=row["open_complaints"] + 1, complaints=row["complaints"] + 1)

    @handles(Complaint.Resolved)
    def complaint_resolved(self, sql: SqlCursor, e: Complaint.Resolved) -> None:
        row = sql.rows.get(ACCOUNTS, account_key(e))
        if row is not None:
            self._put(sql, row, e, open_complaints=row["open_complaints"] - 1)

    @handles(Referral.Given)
    def referral_given(self, sql: SqlCursor, e: Referral.Given) -> None:
        row = sql.rows.get(ACCOUNTS, account_key(e))
        if row is not None:
            self._put(sql, row, e, referrals=row["referrals"] + 1)

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _assignment(assignment: Assignment) -> dict[str, Any]:
        return plain(assignment)

    @staticmethod
    def _put(sql: SqlCursor, row: dict[str, Any], e: Any, **changes: Any) -> None:
        sql.rows.put(ACCOUNTS, {**row, **changes, "updated_at": e.timestamp.isoformat()})

    def _change(self, sql: SqlCursor, e: Any, **changes: Any) -> None:
        """Apply an Account event's changes; the row's version follows the aggregate's."""
        row = sql.rows.get(ACCOUNTS, account_key(e))
        if row is not None:
            self._put(sql, row, e, **changes, version=e.originator_version)

    def _change_list(self, sql: SqlCursor, e: Any, column: str, change: Any) -> None:
        row = sql.rows.get(ACCOUNTS, account_key(e))
        if row is not None:
            self._put(sql, row, e, **{column: to_json(change(json.loads(row[column])))}, version=e.originator_version)

    def _change_team(self, sql: SqlCursor, e: Any, change: Any) -> None:
        row = sql.rows.get(ACCOUNTS, account_key(e))
        if row is not None:
            team = change(json.loads(row["team"]))
            self._put(sql, row, e, team=to_json(team), lead_rm_id=current_lead(team), team_version=e.originator_version)
