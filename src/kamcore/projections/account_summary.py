"""Account summary: one row per account with profile, team, lead RM and latest feedback signals."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from enum import Enum
from typing import Any

from kamcore.domain.account import Account
from kamcore.domain.account_team import AccountTeam, Assignment
from kamcore.domain.feedback import Complaint, Referral, SurveyResponse
from kamcore.domain.values import SurveyScale, TeamRole
from kamcore.projections.projection import Projection, SqlCursor, handles

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


def to_json(value: Any) -> str:
    def default(obj: Any) -> Any:
        if isinstance(obj, Enum):
            return obj.value
        if isinstance(obj, date):
            return obj.isoformat()
        raise TypeError(type(obj).__name__)

    return json.dumps(value, default=default, separators=(",", ":"), sort_keys=True)


def current_lead(team: list[dict[str, Any]]) -> str | None:
    """The lead whose assignment is open-ended, else the one that started last."""
    leads = [a for a in team if a["role"] == TeamRole.LEAD.value]
    leads.sort(key=lambda a: (a["effective_to"] is None, a["effective_from"]))
    return leads[-1]["relationship_manager_id"] if leads else None


class AccountSummaryProjection(Projection):
    name = "account_summary"
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

    # -- account ---------------------------------------------------------------------------------

    @handles(Account.Opened)
    def opened(self, sql: SqlCursor, e: Account.Opened) -> None:
        sql.execute(
            "INSERT INTO {t}account_summary (account_id, name, segment, region, industry, size, status,"
            " external_ref, version, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
            (
                str(e.originator_id),
                e.name,
                e.segment.value,
                e.region,
                e.industry,
                e.size.value if e.size else None,
                e.external_ref,
                e.originator_version,
                e.timestamp.isoformat(),
                e.timestamp.isoformat(),
            ),
        )

    @handles(Account.ProfileUpdated)
    def profile_updated(self, sql: SqlCursor, e: Account.ProfileUpdated) -> None:
        self._update_account(
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
        self._update_account(sql, e, context=to_json(asdict(e.context)))

    @handles(Account.NeedIdentified)
    def need_identified(self, sql: SqlCursor, e: Account.NeedIdentified) -> None:
        needs = self._json(sql, e.originator_id, "needs")
        needs.append(asdict(e.need))
        self._update_account(sql, e, needs=to_json(needs))

    @handles(Account.StakeholderAdded)
    def stakeholder_added(self, sql: SqlCursor, e: Account.StakeholderAdded) -> None:
        stakeholders = self._json(sql, e.originator_id, "stakeholders")
        stakeholders.append(asdict(e.stakeholder))
        self._update_account(sql, e, stakeholders=to_json(stakeholders))

    @handles(Account.StakeholderRemoved)
    def stakeholder_removed(self, sql: SqlCursor, e: Account.StakeholderRemoved) -> None:
        stakeholders = [
            s for s in self._json(sql, e.originator_id, "stakeholders") if s["stakeholder_id"] != e.stakeholder_id
        ]
        self._update_account(sql, e, stakeholders=to_json(stakeholders))

    @handles(Account.Closed)
    def closed(self, sql: SqlCursor, e: Account.Closed) -> None:
        self._update_account(sql, e, status="closed", closed_on=e.closed_on.isoformat())

    # -- team ------------------------------------------------------------------------------------

    @handles(AccountTeam.Formed)
    def team_formed(self, sql: SqlCursor, e: AccountTeam.Formed) -> None:
        self._update_team(sql, e, e.account_id, lambda team: team)

    @handles(AccountTeam.RelationshipManagerAssigned)
    def assigned(self, sql: SqlCursor, e: AccountTeam.RelationshipManagerAssigned) -> None:
        self._update_team(sql, e, e.account_id, lambda team: [*team, self._assignment(e.assignment)])

    @handles(AccountTeam.RelationshipManagerReleased)
    def released(self, sql: SqlCursor, e: AccountTeam.RelationshipManagerReleased) -> None:
        def release(team: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [
                {**a, "effective_to": e.effective_to.isoformat()} if a["assignment_id"] == e.assignment_id else a
                for a in team
            ]

        self._update_team(sql, e, e.account_id, release)

    @handles(AccountTeam.LeadHandedOver)
    def lead_handed_over(self, sql: SqlCursor, e: AccountTeam.LeadHandedOver) -> None:
        start = e.assignment.effective_from.isoformat()

        def hand_over(team: list[dict[str, Any]]) -> list[dict[str, Any]]:
            ended = [
                {**a, "effective_to": start} if a["assignment_id"] == e.previous_assignment_id else a for a in team
            ]
            return [*ended, self._assignment(e.assignment)]

        self._update_team(sql, e, e.account_id, hand_over)

    # -- feedback --------------------------------------------------------------------------------

    @handles(SurveyResponse.Recorded)
    def survey_recorded(self, sql: SqlCursor, e: SurveyResponse.Recorded) -> None:
        column = {SurveyScale.CSAT: "latest_csat", SurveyScale.NPS: "latest_nps"}.get(e.scale)
        if column is None:
            return
        on = e.responded_on.isoformat()
        sql.execute(
            f"UPDATE {{t}}account_summary SET {column} = ?, {column}_on = ?, updated_at = ?"  # noqa: S608
            f" WHERE account_id = ? AND ({column}_on IS NULL OR {column}_on <= ?)",
            (e.score, on, e.timestamp.isoformat(), str(e.account_id), on),
        )

    @handles(Complaint.Raised)
    def complaint_raised(self, sql: SqlCursor, e: Complaint.Raised) -> None:
        sql.execute(
            "UPDATE {t}account_summary SET open_complaints = open_complaints + 1,"
            " complaints = complaints + 1, updated_at = ? WHERE account_id = ?",
            (e.timestamp.isoformat(), str(e.account_id)),
        )

    @handles(Complaint.Resolved)
    def complaint_resolved(self, sql: SqlCursor, e: Complaint.Resolved) -> None:
        sql.execute(
            "UPDATE {t}account_summary SET open_complaints = open_complaints - 1, updated_at = ? WHERE account_id = ?",
            (e.timestamp.isoformat(), str(e.account_id)),
        )

    @handles(Referral.Given)
    def referral_given(self, sql: SqlCursor, e: Referral.Given) -> None:
        sql.execute(
            "UPDATE {t}account_summary SET referrals = referrals + 1, updated_at = ? WHERE account_id = ?",
            (e.timestamp.isoformat(), str(e.account_id)),
        )

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _assignment(assignment: Assignment) -> dict[str, Any]:
        return json.loads(to_json(asdict(assignment)))

    @staticmethod
    def _json(sql: SqlCursor, account_id: Any, column: str) -> list[dict[str, Any]]:
        row = sql.execute(
            f"SELECT {column} FROM {{t}}account_summary WHERE account_id = ?",  # noqa: S608
            (str(account_id),),
        ).fetchone()
        return json.loads(row[column]) if row else []

    @staticmethod
    def _update_account(sql: SqlCursor, e: Any, **columns: Any) -> None:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        sql.execute(
            f"UPDATE {{t}}account_summary SET {assignments}, version = ?, updated_at = ? WHERE account_id = ?",  # noqa: S608
            (*columns.values(), e.originator_version, e.timestamp.isoformat(), str(e.originator_id)),
        )

    def _update_team(self, sql: SqlCursor, e: Any, account_id: Any, change: Any) -> None:
        team = change(self._json(sql, account_id, "team"))
        sql.execute(
            "UPDATE {t}account_summary SET team = ?, lead_rm_id = ?, team_version = ?, updated_at = ?"
            " WHERE account_id = ?",
            (to_json(team), current_lead(team), e.originator_version, e.timestamp.isoformat(), str(account_id)),
        )
