"""Ranking facts: what the key-account criteria need per account, kept by business date.

Per account and calendar month: written and earned premium, commission and incurred claims (in
minor units); per policy: its term and line (for lines held on a date); per account: profile and
relationship signals; plus criteria versions and overrides from the Programme. Ranking reads
only these tables, never the event log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from kamcore.domain.account import Account
from kamcore.domain.account_team import AccountTeam
from kamcore.domain.claim import Claim
from kamcore.domain.events import account_of
from kamcore.domain.feedback import SurveyResponse
from kamcore.domain.interaction import Interaction
from kamcore.domain.key_account_override import KeyAccountOverride
from kamcore.domain.policy import Policy
from kamcore.domain.programme import Programme
from kamcore.domain.values import InteractionKind, SurveyScale, TeamRole
from kamcore.projections.insurance_math import earned_by_month, incurred_change, month_of, premium_movement
from kamcore.projections.json_text import to_json
from kamcore.projections.projection import Projection, SqlCursor, handles
from kamcore.projections.rows import Table

MONTHS = Table(
    "ranking_month",
    ("account_id", "month"),
    ("account_id", "month", "written", "commission", "earned", "earned_commission", "incurred"),
)
ACCOUNTS = Table(
    "ranking_account",
    ("account_id",),
    (
        "account_id",
        "name",
        "segment",
        "region",
        "status",
        "lead_rm_id",
        "needs",
        "latest_nps",
        "latest_nps_on",
        "latest_csat",
        "latest_csat_on",
        "last_meeting_on",
        "currency",
    ),
)
POLICIES = Table(
    "ranking_policy",
    ("policy_id",),
    ("policy_id", "account_id", "line_of_business", "inception_date", "expiry_date", "ended_on"),
)
CLAIMS = Table("ranking_claim", ("claim_id",), ("claim_id", "account_id", "reserve"))
SERVICE = Table("ranking_service", ("account_id",), ("account_id", "last_review_on", "assignments"))
MEETING_KINDS = (InteractionKind.MEETING, InteractionKind.ACCOUNT_REVIEW)


class RankingFactsProjection(Projection):
    name = "ranking_facts"
    rebuild_cost = 22
    # 2: criteria versions keep their proposal and decision dates; standards have an id
    # 3: the by-month index of ranking_month covers the sums a ranking reads (no table lookup per row)
    schema_version = 3
    tables = (
        "ranking_month",
        "ranking_account",
        "ranking_policy",
        "ranking_claim",
        "ranking_override",
        "ranking_criteria",
        "ranking_service",
        "ranking_service_standard",
    )
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}ranking_month (account_id TEXT NOT NULL, month TEXT NOT NULL,"
        " written BIGINT NOT NULL DEFAULT 0, commission BIGINT NOT NULL DEFAULT 0, earned BIGINT NOT NULL DEFAULT 0,"
        " earned_commission BIGINT NOT NULL DEFAULT 0, incurred BIGINT NOT NULL DEFAULT 0,"
        " PRIMARY KEY (account_id, month))",
        "CREATE INDEX IF NOT EXISTS ranking_month_by_month ON {t}ranking_month"
        " (month, account_id, written, commission, earned, earned_commission, incurred)",
        "CREATE TABLE IF NOT EXISTS {t}ranking_account (account_id TEXT PRIMARY KEY, name TEXT NOT NULL,"
        " segment TEXT NOT NULL, region TEXT NOT NULL, status TEXT NOT NULL, lead_rm_id TEXT,"
        " needs INTEGER NOT NULL DEFAULT 0, latest_nps INTEGER, latest_nps_on TEXT, latest_csat INTEGER,"
        " latest_csat_on TEXT, last_meeting_on TEXT, currency TEXT)",
        "CREATE TABLE IF NOT EXISTS {t}ranking_policy (policy_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,"
        " line_of_business TEXT NOT NULL, inception_date TEXT NOT NULL, expiry_date TEXT NOT NULL, ended_on TEXT)",
        "CREATE INDEX IF NOT EXISTS ranking_policy_by_account ON {t}ranking_policy (account_id)",
        "CREATE TABLE IF NOT EXISTS {t}ranking_claim (claim_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,"
        " reserve BIGINT NOT NULL DEFAULT 0)",
        "CREATE TABLE IF NOT EXISTS {t}ranking_override (override_id TEXT NOT NULL, account_id TEXT NOT NULL,"
        " decision TEXT NOT NULL, tier TEXT, reason TEXT NOT NULL, effective_from TEXT NOT NULL,"
        " expires_on TEXT NOT NULL, revoked_on TEXT, PRIMARY KEY (account_id, override_id))",
        "CREATE TABLE IF NOT EXISTS {t}ranking_criteria (version_id TEXT PRIMARY KEY, name TEXT NOT NULL,"
        " parameters TEXT NOT NULL, status TEXT NOT NULL, effective_from TEXT NOT NULL, proposed_at TEXT NOT NULL,"
        " proposed_on TEXT NOT NULL, decided_on TEXT)",
        "CREATE TABLE IF NOT EXISTS {t}ranking_service (account_id TEXT PRIMARY KEY, last_review_on TEXT,"
        " assignments TEXT NOT NULL DEFAULT '[]')",
        "CREATE TABLE IF NOT EXISTS {t}ranking_service_standard (standard_id TEXT NOT NULL UNIQUE,"
        " tier TEXT NOT NULL, effective_from TEXT NOT NULL, review_cadence_days INTEGER NOT NULL,"
        " required_roles TEXT NOT NULL, PRIMARY KEY (tier, effective_from))",
    )

    def prefetch(self, sql: SqlCursor, events: Sequence[Any]) -> None:
        accounts = {str(a) for e in events if (a := account_of(e)) is not None}
        sql.rows.prefetch(ACCOUNTS, [(a,) for a in accounts])
        sql.rows.prefetch_all(MONTHS, "account_id", accounts)

    # -- account profile and signals ---------------------------------------------------------------

    @handles(Account.Opened)
    def opened(self, sql: SqlCursor, e: Account.Opened) -> None:
        sql.rows.put(
            ACCOUNTS,
            {
                "account_id": str(e.originator_id),
                "name": e.name,
                "segment": e.segment.value,
                "region": e.region,
                "status": "active",
                "lead_rm_id": None,
                "needs": 0,
                "latest_nps": None,
                "latest_nps_on": None,
                "latest_csat": None,
                "latest_csat_on": None,
                "last_meeting_on": None,
                "currency": None,
            },
        )

    @handles(Account.ProfileUpdated)
    def profile_updated(self, sql: SqlCursor, e: Account.ProfileUpdated) -> None:
        self._account(sql, str(e.originator_id), name=e.name, segment=e.segment.value, region=e.region)

    @handles(Account.Closed)
    def closed(self, sql: SqlCursor, e: Account.Closed) -> None:
        self._account(sql, str(e.originator_id), status="closed")

    @handles(Account.NeedIdentified)
    def need_identified(self, sql: SqlCursor, e: Account.NeedIdentified) -> None:
        row = sql.rows.get(ACCOUNTS, str(e.originator_id))
        if row is not None:
            sql.rows.put(ACCOUNTS, {**row, "needs": row["needs"] + 1})

    @handles(AccountTeam.RelationshipManagerAssigned, AccountTeam.LeadHandedOver)
    def lead_changed(self, sql: SqlCursor, e: Any) -> None:
        if e.assignment.role is TeamRole.LEAD:
            self._account(sql, str(e.account_id), lead_rm_id=e.assignment.relationship_manager_id)
        a = e.assignment
        new = {
            "id": a.assignment_id,
            "role": a.role.value,
            "from": a.effective_from.isoformat(),
            "to": a.effective_to.isoformat() if a.effective_to else None,
        }
        previous = getattr(e, "previous_assignment_id", None)
        self._service_assignments(
            sql,
            str(e.account_id),
            lambda team: [*({**x, "to": new["from"]} if x["id"] == previous else x for x in team), new],
        )

    @handles(SurveyResponse.Recorded)
    def survey(self, sql: SqlCursor, e: SurveyResponse.Recorded) -> None:
        column = {SurveyScale.NPS: "latest_nps", SurveyScale.CSAT: "latest_csat"}.get(e.scale)
        row = sql.rows.get(ACCOUNTS, str(e.account_id))
        if (
            column
            and row is not None
            and (row[f"{column}_on"] is None or row[f"{column}_on"] <= e.responded_on.isoformat())
        ):
            sql.rows.put(ACCOUNTS, {**row, column: e.score, f"{column}_on": e.responded_on.isoformat()})

    @handles(Interaction.Held)
    def interaction_held(self, sql: SqlCursor, e: Interaction.Held) -> None:
        row = sql.rows.get(ACCOUNTS, str(e.account_id))
        held = e.held_on.isoformat()
        if e.kind in MEETING_KINDS and row is not None and (row["last_meeting_on"] or "") < held:
            sql.rows.put(ACCOUNTS, {**row, "last_meeting_on": held})
        if e.kind is InteractionKind.ACCOUNT_REVIEW:
            service = sql.rows.get(SERVICE, str(e.account_id)) or {
                "account_id": str(e.account_id),
                "last_review_on": None,
                "assignments": "[]",
            }
            if (service["last_review_on"] or "") < held:
                sql.rows.put(SERVICE, {**service, "last_review_on": held})

    # -- premium, policies, claims -----------------------------------------------------------------

    @handles(Policy.Bound, Policy.Endorsed, Policy.Cancelled)
    def premium(self, sql: SqlCursor, e: Any) -> None:
        movement = premium_movement(e)
        if movement is None:
            return
        account = str(movement.account_id)
        self._add(sql, account, month_of(movement.written_on), written=movement.written, commission=movement.commission)
        for month, part in earned_by_month(movement.written, movement.earn_from, movement.earn_to).items():
            self._add(sql, account, month, earned=part)
        for month, part in earned_by_month(movement.commission, movement.earn_from, movement.earn_to).items():
            self._add(sql, account, month, earned_commission=part)
        row = sql.rows.get(ACCOUNTS, account)
        if row is not None and row["currency"] is None:
            sql.rows.put(ACCOUNTS, {**row, "currency": movement.currency})
        if isinstance(e, Policy.Bound):
            sql.rows.put(
                POLICIES,
                {
                    "policy_id": str(e.originator_id),
                    "account_id": account,
                    "line_of_business": e.line_of_business,
                    "inception_date": e.inception_date.isoformat(),
                    "expiry_date": e.expiry_date.isoformat(),
                    "ended_on": None,
                },
            )
        elif isinstance(e, Policy.Cancelled):
            self._end_policy(sql, str(e.originator_id), e.effective_date.isoformat())

    @handles(Policy.Lapsed)
    def lapsed(self, sql: SqlCursor, e: Policy.Lapsed) -> None:
        self._end_policy(sql, str(e.originator_id), e.effective_date.isoformat())

    @handles(Claim.Reported)
    def claim_reported(self, sql: SqlCursor, e: Claim.Reported) -> None:
        sql.rows.put(CLAIMS, {"claim_id": str(e.originator_id), "account_id": str(e.account_id), "reserve": 0})

    @handles(Claim.Reserved, Claim.Paid, Claim.Closed)
    def claim_moved(self, sql: SqlCursor, e: Any) -> None:
        change = incurred_change(e)
        claim = sql.rows.get(CLAIMS, str(e.originator_id))
        if change is None or claim is None:
            return
        reserve_after = claim["reserve"] if change.reserve_after is None else change.reserve_after
        self._add(
            sql, str(change.account_id), month_of(change.on), incurred=change.paid + reserve_after - claim["reserve"]
        )
        sql.rows.put(CLAIMS, {**claim, "reserve": reserve_after})

    # -- programme: overrides and criteria versions ------------------------------------------------

    @handles(KeyAccountOverride.Overridden)
    def overridden(self, sql: SqlCursor, e: KeyAccountOverride.Overridden) -> None:
        if e.replaces_override_id:
            sql.execute(
                "UPDATE {t}ranking_override SET revoked_on = ? WHERE account_id = ? AND override_id = ?",
                (e.effective_from.isoformat(), str(e.account_id), e.replaces_override_id),
            )
        sql.execute(
            "INSERT INTO {t}ranking_override (override_id, account_id, decision, tier, reason, effective_from,"
            " expires_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                e.override_id,
                str(e.account_id),
                e.decision.value,
                e.tier.value if e.tier else None,
                e.reason,
                e.effective_from.isoformat(),
                e.expires_on.isoformat(),
            ),
        )

    @handles(KeyAccountOverride.Revoked)
    def override_revoked(self, sql: SqlCursor, e: KeyAccountOverride.Revoked) -> None:
        sql.execute(
            "UPDATE {t}ranking_override SET revoked_on = ? WHERE account_id = ? AND override_id = ?",
            (e.revoked_on.isoformat(), str(e.account_id), e.override_id),
        )

    @handles(Programme.CriteriaProposed)
    def criteria_proposed(self, sql: SqlCursor, e: Programme.CriteriaProposed) -> None:
        sql.execute(
            "INSERT INTO {t}ranking_criteria (version_id, name, parameters, status, effective_from,"
            " proposed_at, proposed_on) VALUES (?, ?, ?, 'proposed', ?, ?, ?)",
            (
                e.criteria.version_id,
                e.criteria.name,
                to_json(e.criteria.parameters),
                e.criteria.effective_from.isoformat(),
                e.envelope.recorded_at.isoformat(),
                e.envelope.business_date.isoformat(),
            ),
        )

    @handles(Programme.CriteriaAdopted)
    def criteria_adopted(self, sql: SqlCursor, e: Programme.CriteriaAdopted) -> None:
        if e.superseded_version_id:  # still rules the dates before the new version's effective date
            sql.execute(
                "UPDATE {t}ranking_criteria SET status = 'superseded' WHERE version_id = ?", (e.superseded_version_id,)
            )
        sql.execute(
            "UPDATE {t}ranking_criteria SET status = 'adopted', effective_from = ?, decided_on = ?"
            " WHERE version_id = ?",
            (e.effective_from.isoformat(), e.adopted_on.isoformat(), e.version_id),
        )

    @handles(Programme.CriteriaRejected)
    def criteria_rejected(self, sql: SqlCursor, e: Programme.CriteriaRejected) -> None:
        sql.execute(
            "UPDATE {t}ranking_criteria SET status = 'rejected', decided_on = ? WHERE version_id = ?",
            (e.envelope.business_date.isoformat(), e.version_id),
        )

    # -- service standards: what each tier is owed, and what each account gets ----------------------

    @handles(Programme.ServiceStandardSet)
    def service_standard_set(self, sql: SqlCursor, e: Programme.ServiceStandardSet) -> None:
        standard = e.standard
        sql.execute(
            "INSERT INTO {t}ranking_service_standard (standard_id, tier, effective_from, review_cadence_days,"
            " required_roles) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tier, effective_from) DO UPDATE SET"
            " review_cadence_days = excluded.review_cadence_days, required_roles = excluded.required_roles",
            (
                f"{standard.tier.value}|{standard.effective_from.isoformat()}",
                standard.tier.value,
                standard.effective_from.isoformat(),
                standard.review_cadence_days,
                to_json([role.value for role in standard.required_roles]),
            ),
        )

    @handles(AccountTeam.RelationshipManagerReleased)
    def released(self, sql: SqlCursor, e: AccountTeam.RelationshipManagerReleased) -> None:
        self._service_assignments(
            sql,
            str(e.account_id),
            lambda team: [{**a, "to": e.effective_to.isoformat()} if a["id"] == e.assignment_id else a for a in team],
        )

    def _service_assignments(self, sql: SqlCursor, account_id: str, change: Any) -> None:
        row = sql.rows.get(SERVICE, account_id) or {
            "account_id": account_id,
            "last_review_on": None,
            "assignments": "[]",
        }
        sql.rows.put(SERVICE, {**row, "assignments": to_json(change(json.loads(row["assignments"])))})

    # -- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _account(sql: SqlCursor, account_id: str, **changes: Any) -> None:
        row = sql.rows.get(ACCOUNTS, account_id)
        if row is not None:
            sql.rows.put(ACCOUNTS, {**row, **changes})

    @staticmethod
    def _add(sql: SqlCursor, account_id: str, month: str, **amounts: int) -> None:
        row = sql.rows.get(MONTHS, account_id, month) or {
            "account_id": account_id,
            "month": month,
            "written": 0,
            "commission": 0,
            "earned": 0,
            "earned_commission": 0,
            "incurred": 0,
        }
        sql.rows.put(MONTHS, {**row, **{k: row[k] + v for k, v in amounts.items()}})

    @staticmethod
    def _end_policy(sql: SqlCursor, policy_id: str, ended_on: str) -> None:
        row = sql.rows.get(POLICIES, policy_id)
        if row is not None:
            sql.rows.put(POLICIES, {**row, "ended_on": ended_on})
