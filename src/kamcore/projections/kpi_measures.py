"""KPI measures: dated facts attributed to the RM assigned at the event's business date, plus small state tables.

`kpi_fact` holds one row per (fact, RM): `fact_key` names the thing counted (a meeting, a premium
movement, the numerator or the denominator part of a ratio), so a meeting attended by three RMs
counts once per RM and once for their team. `day` is the business date the fact belongs to (the
period filter), `known_on` the business date from which it is true (the as-of filter; e.g. a quote
bound later), `void_on` when a later event withdrew it (a reopened claim, a corrected report).
Attribution is frozen at projection time: a later reassignment never moves past facts.

`kpi_rm_total` sums each RM's facts per (month, measure): what they add up to now, so an RM's
scorecard reads a quarter's fact measures in one query. Each batch recomputes the totals its facts
touched, from the facts (a voided or rewritten fact included). A total answers only as of a date
from `settled_on` on (the latest `known_on` or `void_on` of its facts); before it, the facts do.
Teams have none: a team's month of facts is large and touched by nearly every batch, so keeping it
this way would reread it per batch; a team's scorecard reads its facts by the (team, measure, day) index.

State tables answer the state-based KPIs at query time: account teams (assignment history) and
closing, RM team history and tools, policy terms, claims, coverage assessments, KPI targets,
market penetration measurements and retention strategies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from kamcore.domain.account import Account
from kamcore.domain.account_team import AccountTeam
from kamcore.domain.claim import Claim
from kamcore.domain.feedback import Referral, SurveyResponse
from kamcore.domain.interaction import Interaction
from kamcore.domain.kpi_target import KpiTarget
from kamcore.domain.management_decision import ManagementDecision
from kamcore.domain.market_research import (
    CompetitorAnalysis,
    ExpansionInitiative,
    MarketPenetration,
    MarketSegmentFinding,
)
from kamcore.domain.policy import Policy
from kamcore.domain.process_review import ProcessReview
from kamcore.domain.recommendation import Recommendation
from kamcore.domain.relationship_manager import RelationshipManager
from kamcore.domain.retention_strategy import RetentionStrategy
from kamcore.domain.values import (
    BusinessKind,
    DecisionImpact,
    InnovationOutcome,
    InteractionKind,
    RecommendationKind,
    SurveyScale,
    SurveySubject,
    TeamRole,
)
from kamcore.projections.insurance_math import (
    earned_by_month,
    incurred_change,
    month_start,
    next_month,
    premium_movement,
)
from kamcore.projections.projection import Projection, SqlCursor, handles
from kamcore.projections.rows import Table

NO_RM = ""  # facts no RM earned (company-level records): counted for the company grain only

FACTS = Table(
    "kpi_fact",
    ("fact_key", "rm_id"),
    ("fact_key", "rm_id", "measure", "team", "account_id", "day", "known_on", "void_on", "num", "den"),
)
ACCOUNTS = Table("kpi_account", ("account_id",), ("account_id", "segment", "closed_on", "assignments"))
# Every (RM, account) the RM ever led: an RM's scorecard loads only these accounts' state.
LEADS = Table("kpi_account_lead", ("rm_id", "account_id"), ("rm_id", "account_id"))
RMS = Table("kpi_rm", ("rm_id",), ("rm_id", "registered_on", "left_on", "teams", "tools"))
# Every team an RM was ever in: a team's scorecard loads only these RMs' state.
RM_TEAMS = Table("kpi_rm_team", ("team", "rm_id"), ("team", "rm_id"))
POLICIES = Table(
    "kpi_policy",
    ("policy_id",),
    (
        "policy_id",
        "account_id",
        "business_kind",
        "quoted_on",
        "quote_rms",
        "bound_on",
        "inception_date",
        "expiry_date",
        "ended_on",
        "ended_known_on",
        "renewed_on",
    ),
)
CLAIMS = Table(
    "kpi_claim", ("claim_id",), ("claim_id", "account_id", "reported_on", "closed_on", "reserve", "close_facts")
)
ASSESSMENTS = Table(
    "kpi_assessment",
    ("interaction_id", "policy_id"),
    ("interaction_id", "policy_id", "account_id", "held_on", "result"),
)
TARGETS = Table(
    "kpi_target",
    ("target_id",),
    ("target_id", "kpi_id", "scope", "scope_id", "period_start", "period_end", "deadline", "history"),
)
PENETRATION = Table(
    "kpi_penetration", ("segment", "region", "as_of"), ("segment", "region", "as_of", "known_on", "penetration")
)
STRATEGIES = Table("kpi_strategy", ("strategy_id",), ("strategy_id", "starts_on", "ends_on", "segments"))
REPORTS = Table("kpi_report", ("rm_id", "report_id"), ("rm_id", "report_id", "month"))

# The totals of a group of facts (voided ones leave the sums but settle the total at their void_on).
TOTAL_OF_FACTS = (
    "INSERT INTO {t}kpi_rm_total (rm_id, month, measure, num, den, facts, settled_on)"
    " SELECT rm_id, %s, measure, SUM(CASE WHEN void_on IS NULL THEN num ELSE 0 END),"
    " SUM(CASE WHEN void_on IS NULL THEN den ELSE 0 END), SUM(CASE WHEN void_on IS NULL THEN 1 ELSE 0 END),"
    " CASE WHEN MAX(void_on) > MAX(known_on) THEN MAX(void_on) ELSE MAX(known_on) END FROM {t}kpi_fact"
)
# One RM's facts of one measure in one month (the months a batch touched).
RECOMPUTE_RM_TOTAL = (
    TOTAL_OF_FACTS % "?" + " WHERE rm_id = ? AND measure = ? AND day >= ? AND day < ? GROUP BY rm_id, measure"
    " ON CONFLICT (rm_id, month, measure) DO UPDATE SET num = excluded.num, den = excluded.den,"
    " facts = excluded.facts, settled_on = excluded.settled_on"
)
# Every total at once (the end of a rebuild from zero).
MONTH_OF_DAY = "substr(day, 1, 7) || '-01'"
DERIVE_RM_TOTALS = TOTAL_OF_FACTS % MONTH_OF_DAY + f" WHERE rm_id <> ? GROUP BY rm_id, {MONTH_OF_DAY}, measure"

MEETING_KINDS = (InteractionKind.MEETING, InteractionKind.ACCOUNT_REVIEW)
SUBJECT_MEASURES = {
    SurveySubject.BENEFITS_UNDERSTANDING: "benefits_understanding",
    SurveySubject.EDUCATION_MATERIAL: "education_material_feedback",
    SurveySubject.DIGITAL_SERVICE: "digital_service_feedback",
}


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def lead_on(assignments: Sequence[dict[str, Any]], day: str) -> str:
    """The lead RM whose assignment covers `day` (ISO), else NO_RM."""
    for a in assignments:
        if (
            a["role"] == TeamRole.LEAD.value
            and a["effective_from"] <= day
            and (a["effective_to"] is None or day < a["effective_to"])
        ):
            return a["relationship_manager_id"]
    return NO_RM


def month_bounds(day: str) -> tuple[str, str]:
    """The month (first day, first day of the next month; ISO) holding the ISO `day`."""
    start = month_start(day)
    return start.isoformat(), next_month(start).isoformat()


def team_on(teams: Sequence[Sequence[str]], day: str) -> str:
    """The team an RM was in on `day`, from [[from, team], ...] in order; the first team before registration."""
    current = teams[0][1] if teams else NO_RM
    for since, team in teams:
        if since <= day:
            current = team
    return current


class KpiMeasuresProjection(Projection):
    name = "kpi_measures"
    rebuild_cost = 53
    schema_version = 4  # 2: KPI targets keep their deadline; 3: kpi_account_lead; 4: kpi_rm_total, kpi_rm_team
    tables = (
        "kpi_fact",
        "kpi_rm_total",
        "kpi_account",
        "kpi_account_lead",
        "kpi_rm",
        "kpi_rm_team",
        "kpi_policy",
        "kpi_claim",
        "kpi_assessment",
        "kpi_target",
        "kpi_penetration",
        "kpi_strategy",
        "kpi_report",
    )
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}kpi_fact (fact_key TEXT NOT NULL, rm_id TEXT NOT NULL, measure TEXT NOT NULL,"
        " team TEXT NOT NULL, account_id TEXT, day TEXT NOT NULL, known_on TEXT NOT NULL, void_on TEXT,"
        " num BIGINT NOT NULL, den BIGINT NOT NULL, PRIMARY KEY (fact_key, rm_id))",
        "CREATE INDEX IF NOT EXISTS kpi_fact_by_measure ON {t}kpi_fact (measure, day)",
        "CREATE INDEX IF NOT EXISTS kpi_fact_by_rm ON {t}kpi_fact (rm_id, measure, day)",
        "CREATE INDEX IF NOT EXISTS kpi_fact_by_account ON {t}kpi_fact (account_id, measure)",
        "CREATE INDEX IF NOT EXISTS kpi_fact_by_team ON {t}kpi_fact (team, measure, day)",
        "CREATE TABLE IF NOT EXISTS {t}kpi_rm_total (rm_id TEXT NOT NULL, month TEXT NOT NULL, measure TEXT NOT NULL,"
        " num BIGINT NOT NULL, den BIGINT NOT NULL, facts BIGINT NOT NULL, settled_on TEXT NOT NULL,"
        " PRIMARY KEY (rm_id, month, measure))",
        "CREATE TABLE IF NOT EXISTS {t}kpi_account (account_id TEXT PRIMARY KEY, segment TEXT, closed_on TEXT,"
        " assignments TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t}kpi_account_lead (rm_id TEXT NOT NULL, account_id TEXT NOT NULL,"
        " PRIMARY KEY (rm_id, account_id))",
        "CREATE TABLE IF NOT EXISTS {t}kpi_rm (rm_id TEXT PRIMARY KEY, registered_on TEXT, left_on TEXT,"
        " teams TEXT NOT NULL, tools TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t}kpi_rm_team (team TEXT NOT NULL, rm_id TEXT NOT NULL,"
        " PRIMARY KEY (team, rm_id))",
        "CREATE TABLE IF NOT EXISTS {t}kpi_policy (policy_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,"
        " business_kind TEXT NOT NULL, quoted_on TEXT NOT NULL, quote_rms TEXT NOT NULL, bound_on TEXT,"
        " inception_date TEXT NOT NULL, expiry_date TEXT NOT NULL, ended_on TEXT, ended_known_on TEXT,"
        " renewed_on TEXT)",
        "CREATE INDEX IF NOT EXISTS kpi_policy_by_account ON {t}kpi_policy (account_id)",
        "CREATE TABLE IF NOT EXISTS {t}kpi_claim (claim_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,"
        " reported_on TEXT NOT NULL, closed_on TEXT, reserve BIGINT NOT NULL, close_facts TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kpi_claim_by_account ON {t}kpi_claim (account_id)",
        "CREATE TABLE IF NOT EXISTS {t}kpi_assessment (interaction_id TEXT NOT NULL, policy_id TEXT NOT NULL,"
        " account_id TEXT NOT NULL, held_on TEXT NOT NULL, result TEXT NOT NULL,"
        " PRIMARY KEY (interaction_id, policy_id))",
        "CREATE INDEX IF NOT EXISTS kpi_assessment_by_account ON {t}kpi_assessment (account_id, held_on)",
        "CREATE TABLE IF NOT EXISTS {t}kpi_target (target_id TEXT PRIMARY KEY, kpi_id TEXT NOT NULL,"
        " scope TEXT NOT NULL, scope_id TEXT, period_start TEXT NOT NULL, period_end TEXT NOT NULL,"
        " deadline TEXT NOT NULL, history TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS kpi_target_by_period ON {t}kpi_target (period_start, target_id)",
        "CREATE TABLE IF NOT EXISTS {t}kpi_penetration (segment TEXT NOT NULL, region TEXT NOT NULL,"
        " as_of TEXT NOT NULL, known_on TEXT NOT NULL, penetration BIGINT NOT NULL,"
        " PRIMARY KEY (segment, region, as_of))",
        "CREATE TABLE IF NOT EXISTS {t}kpi_strategy (strategy_id TEXT PRIMARY KEY, starts_on TEXT NOT NULL,"
        " ends_on TEXT, segments TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t}kpi_report (rm_id TEXT NOT NULL, report_id TEXT NOT NULL, month TEXT NOT NULL,"
        " PRIMARY KEY (rm_id, report_id))",
    )

    def __init__(self) -> None:
        from kamcore.projections.kpi_catalogue import catalogue

        catalogue()  # validate projections/kpis.toml at start-up: a bad definition stops the process here

    def prefetch(self, sql: SqlCursor, events: Sequence[Any]) -> None:
        accounts = [(str(e.account_id),) for e in events if hasattr(e, "account_id") and e.account_id is not None]
        sql.rows.prefetch(ACCOUNTS, accounts)
        sql.rows.prefetch(POLICIES, [(str(e.originator_id),) for e in events if isinstance(e, Policy.Event)])
        sql.rows.prefetch(TARGETS, [(str(e.originator_id),) for e in events if isinstance(e, KpiTarget.Event)])

    def finish(self, sql: SqlCursor) -> None:
        """Recompute the totals of every (RM, measure, month) whose facts this batch wrote or voided."""
        touched = {
            (r["rm_id"], r["measure"], month_bounds(r["day"])) for r in sql.rows.written(FACTS) if r["rm_id"] != NO_RM
        }
        sql.executemany(
            RECOMPUTE_RM_TOTAL,
            [(start, rm_id, measure, start, end) for rm_id, measure, (start, end) in sorted(touched)],
        )

    def derive_all(self, sql: SqlCursor) -> None:
        sql.execute("DELETE FROM {t}kpi_rm_total")
        sql.execute(DERIVE_RM_TOTALS, (NO_RM,))

    # -- attribution -------------------------------------------------------------------------

    def _account(self, sql: SqlCursor, account_id: Any) -> dict[str, Any]:
        row = sql.rows.get(ACCOUNTS, str(account_id))
        return row or {"account_id": str(account_id), "segment": None, "closed_on": None, "assignments": "[]"}

    def _lead(self, sql: SqlCursor, account_id: Any, day: date | str) -> str:
        return lead_on(
            json.loads(self._account(sql, account_id)["assignments"]), day if isinstance(day, str) else day.isoformat()
        )

    def _team(self, sql: SqlCursor, rm_id: str, day: str) -> str:
        if rm_id == NO_RM:
            return NO_RM
        row = sql.rows.get(RMS, rm_id)
        return team_on(json.loads(row["teams"]), day) if row else NO_RM

    def _fact(
        self,
        sql: SqlCursor,
        measure: str,
        key: str,
        rms: Iterable[str],
        day: date | str,
        *,
        num: int = 0,
        den: int = 0,
        known_on: date | str | None = None,
        account_id: Any = None,
        team: str | None = None,
    ) -> list[str]:
        """One fact, once per RM (NO_RM when nobody is named); returns the RMs it went to."""
        day_s = day if isinstance(day, str) else day.isoformat()
        known = known_on if isinstance(known_on, str) else iso(known_on) or day_s
        to = list(dict.fromkeys(rms)) or [NO_RM]
        for rm_id in to:
            sql.rows.put(
                FACTS,
                {
                    "fact_key": f"{measure}|{key}",
                    "rm_id": rm_id,
                    "measure": measure,
                    "team": team if team is not None else self._team(sql, rm_id, day_s),
                    "account_id": str(account_id) if account_id is not None else None,
                    "day": day_s,
                    "known_on": known,
                    "void_on": None,
                    "num": num,
                    "den": den,
                },
            )
        return to

    def _void(self, sql: SqlCursor, fact_key: str, rms: Iterable[str], on: date) -> None:
        for rm_id in rms:
            row = sql.rows.get(FACTS, fact_key, rm_id)
            if row is not None and row["void_on"] is None:
                sql.rows.put(FACTS, {**row, "void_on": on.isoformat()})

    @staticmethod
    def _key(e: Any, *parts: str) -> str:
        return "|".join([str(e.originator_id), str(e.originator_version), *parts])

    # -- accounts and teams ------------------------------------------------------------------

    @handles(Account.Opened)
    def account_opened(self, sql: SqlCursor, e: Account.Opened) -> None:
        row = self._account(sql, e.originator_id)
        sql.rows.put(ACCOUNTS, {**row, "segment": e.segment.value})

    @handles(Account.ProfileUpdated)
    def account_updated(self, sql: SqlCursor, e: Account.ProfileUpdated) -> None:
        row = self._account(sql, e.originator_id)
        sql.rows.put(ACCOUNTS, {**row, "segment": e.segment.value})

    @handles(Account.Closed)
    def account_closed(self, sql: SqlCursor, e: Account.Closed) -> None:
        row = self._account(sql, e.originator_id)
        sql.rows.put(ACCOUNTS, {**row, "closed_on": e.closed_on.isoformat()})

    def _change_team(self, sql: SqlCursor, account_id: Any, change: Any) -> None:
        row = self._account(sql, account_id)
        assignments = change(json.loads(row["assignments"]))
        sql.rows.put(ACCOUNTS, {**row, "assignments": json.dumps(assignments)})
        for a in assignments:
            if a["role"] == TeamRole.LEAD.value:
                sql.rows.put(LEADS, {"rm_id": a["relationship_manager_id"], "account_id": str(account_id)})

    @staticmethod
    def _assignment(a: Any) -> dict[str, Any]:
        return {
            "assignment_id": a.assignment_id,
            "relationship_manager_id": a.relationship_manager_id,
            "role": a.role.value,
            "effective_from": a.effective_from.isoformat(),
            "effective_to": iso(a.effective_to),
        }

    @handles(AccountTeam.RelationshipManagerAssigned)
    def assigned(self, sql: SqlCursor, e: AccountTeam.RelationshipManagerAssigned) -> None:
        self._change_team(sql, e.account_id, lambda team: [*team, self._assignment(e.assignment)])

    @handles(AccountTeam.RelationshipManagerReleased)
    def released(self, sql: SqlCursor, e: AccountTeam.RelationshipManagerReleased) -> None:
        end = e.effective_to.isoformat()
        self._change_team(
            sql,
            e.account_id,
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

        self._change_team(sql, e.account_id, hand_over)

    # -- relationship managers ---------------------------------------------------------------

    def _rm(self, sql: SqlCursor, rm_id: str) -> dict[str, Any]:
        return sql.rows.get(RMS, rm_id) or {
            "rm_id": rm_id,
            "registered_on": None,
            "left_on": None,
            "teams": "[]",
            "tools": "[]",
        }

    @handles(RelationshipManager.Registered)
    def rm_registered(self, sql: SqlCursor, e: RelationshipManager.Registered) -> None:
        on = e.registered_on.isoformat()
        sql.rows.put(RMS, {**self._rm(sql, e.employee_id), "registered_on": on, "teams": json.dumps([[on, e.team]])})
        sql.rows.put(RM_TEAMS, {"team": e.team, "rm_id": e.employee_id})

    @handles(RelationshipManager.TeamChanged)
    def rm_team_changed(self, sql: SqlCursor, e: RelationshipManager.TeamChanged) -> None:
        row = self._rm(sql, e.relationship_manager_id)
        teams = sorted([*json.loads(row["teams"]), [e.changed_on.isoformat(), e.team]], key=lambda t: t[0])
        sql.rows.put(RMS, {**row, "teams": json.dumps(teams)})
        sql.rows.put(RM_TEAMS, {"team": e.team, "rm_id": e.relationship_manager_id})

    @handles(RelationshipManager.Left)
    def rm_left(self, sql: SqlCursor, e: RelationshipManager.Left) -> None:
        sql.rows.put(RMS, {**self._rm(sql, e.relationship_manager_id), "left_on": e.left_on.isoformat()})

    @handles(RelationshipManager.ToolAdopted)
    def rm_tool(self, sql: SqlCursor, e: RelationshipManager.ToolAdopted) -> None:
        row = self._rm(sql, e.relationship_manager_id)
        tools = [*json.loads(row["tools"]), [e.tool_id, e.adopted_on.isoformat()]]
        sql.rows.put(RMS, {**row, "tools": json.dumps(tools)})

    def _rm_fact(
        self,
        sql: SqlCursor,
        e: Any,
        measure: str,
        day: date,
        *,
        num: int = 1,
        den: int = 0,
        key: str | None = None,
        known_on: date | None = None,
    ) -> None:
        """An RM event's fact: the RM and the team named on the event."""
        self._fact(
            sql,
            measure,
            key or self._key(e),
            [e.relationship_manager_id],
            day,
            num=num,
            den=den,
            known_on=known_on,
            team=e.team,
        )

    @handles(RelationshipManager.CertificationObtained)
    def certification(self, sql: SqlCursor, e: Any) -> None:
        self._rm_fact(sql, e, "certifications", e.obtained_on)

    @handles(RelationshipManager.WorkshopAttended)
    def workshop(self, sql: SqlCursor, e: Any) -> None:
        self._rm_fact(sql, e, "workshops", e.attended_on)

    @handles(RelationshipManager.KnowledgeShared)
    def knowledge(self, sql: SqlCursor, e: Any) -> None:
        self._rm_fact(sql, e, "knowledge_sharing", e.shared_on)

    @handles(RelationshipManager.TrainingAssigned)
    def training_assigned(self, sql: SqlCursor, e: Any) -> None:
        key = f"{e.relationship_manager_id}|{e.training_id}|d"
        self._rm_fact(sql, e, "training_completion", e.due_date, num=0, den=1, key=key, known_on=e.assigned_on)

    @handles(RelationshipManager.TrainingCompleted)
    def training_completed(self, sql: SqlCursor, e: Any) -> None:
        if e.completed_on <= e.due_date:
            key = f"{e.relationship_manager_id}|{e.training_id}|n"
            self._rm_fact(sql, e, "training_completion", e.due_date, key=key, known_on=e.completed_on)

    @handles(RelationshipManager.TeamGoalSet)
    def goal_set(self, sql: SqlCursor, e: Any) -> None:
        key = f"{e.relationship_manager_id}|{e.goal_id}|d"
        self._rm_fact(sql, e, "team_goals", e.due_date, num=0, den=1, key=key, known_on=e.set_on)

    @handles(RelationshipManager.TeamGoalAchieved)
    def goal_achieved(self, sql: SqlCursor, e: Any) -> None:
        if e.achieved_on <= e.due_date:
            key = f"{e.relationship_manager_id}|{e.goal_id}|n"
            self._rm_fact(sql, e, "team_goals", e.due_date, key=key, known_on=e.achieved_on)

    @handles(RelationshipManager.SatisfactionSurveyAnswered)
    def satisfaction(self, sql: SqlCursor, e: Any) -> None:
        if e.scale is SurveyScale.CSAT:
            self._rm_fact(sql, e, "employee_satisfaction", e.answered_on, num=e.score, den=1)

    @handles(RelationshipManager.ComplianceAuditCompleted)
    def compliance_audit(self, sql: SqlCursor, e: Any) -> None:
        self._rm_fact(sql, e, "compliance_audit_items", e.audited_on, num=e.items_passed, den=e.items_applicable)

    @handles(RelationshipManager.ComplianceTrainingAttended)
    def compliance_training(self, sql: SqlCursor, e: Any) -> None:
        self._rm_fact(sql, e, "compliance_trainings", e.attended_on)

    @handles(RelationshipManager.RegulatoryViolationReported)
    def violation(self, sql: SqlCursor, e: Any) -> None:
        self._rm_fact(sql, e, "regulatory_violations", e.reported_on)

    @handles(RelationshipManager.DocumentationChecked)
    def documentation(self, sql: SqlCursor, e: Any) -> None:
        self._rm_fact(sql, e, "documentation_checks", e.checked_on, num=e.policies_accurate, den=e.policies_checked)

    @handles(RelationshipManager.InnovationProjectConcluded)
    def innovation(self, sql: SqlCursor, e: Any) -> None:
        num = 1 if e.outcome is InnovationOutcome.SUCCEEDED else 0
        self._rm_fact(sql, e, "innovation_projects", e.concluded_on, num=num, den=1)

    @handles(RelationshipManager.ProcessTimeSaved)
    def time_saved(self, sql: SqlCursor, e: Any) -> None:
        hundredths = int(e.hours_saved * 100)
        for month, part in earned_by_month(hundredths, e.period_start, e.period_end).items():
            key = f"{self._key(e)}|{month}"
            self._rm_fact(
                sql, e, "hours_saved", month_start(month), num=part, key=key, known_on=e.envelope.business_date
            )

    @handles(RelationshipManager.PerformanceReportSubmitted)
    def report_submitted(self, sql: SqlCursor, e: Any) -> None:
        base = f"{e.relationship_manager_id}|{e.report_id}"
        self._rm_fact(sql, e, "report_accuracy", e.month, num=0, den=1, key=f"{base}|d", known_on=e.submitted_on)
        self._rm_fact(sql, e, "report_accuracy", e.month, num=1, key=f"{base}|n", known_on=e.submitted_on)

    @handles(RelationshipManager.PerformanceReportCorrected)
    def report_corrected(self, sql: SqlCursor, e: Any) -> None:
        key = f"report_accuracy|{e.relationship_manager_id}|{e.report_id}|n"
        self._void(sql, key, [e.relationship_manager_id], e.corrected_on)

    # -- market research, decisions, reviews -------------------------------------------------

    def _person_fact(self, sql: SqlCursor, e: Any, measure: str, rm_id: str, day: date, **kw: Any) -> None:
        self._fact(sql, measure, self._key(e), [rm_id], day, **kw)

    @handles(CompetitorAnalysis.Published)
    def competitor_analysis(self, sql: SqlCursor, e: Any) -> None:
        self._person_fact(sql, e, "competitor_analyses", e.author_id, e.published_on, num=1)

    @handles(MarketSegmentFinding.Identified)
    def segment_identified(self, sql: SqlCursor, e: Any) -> None:
        self._person_fact(sql, e, "segments_identified", e.identified_by, e.identified_on, num=1)

    @handles(ExpansionInitiative.Implemented)
    def initiative_implemented(self, sql: SqlCursor, e: Any) -> None:
        self._person_fact(sql, e, "initiatives_implemented", e.owner_id, e.implemented_on, num=1)

    @handles(MarketPenetration.Measured)
    def penetration(self, sql: SqlCursor, e: Any) -> None:
        sql.rows.put(
            PENETRATION,
            {
                "segment": e.segment.value,
                "region": e.region,
                "as_of": e.as_of.isoformat(),
                "known_on": e.envelope.business_date.isoformat(),
                "penetration": int(e.penetration * 1_000_000),
            },
        )

    @handles(ManagementDecision.OutcomeRecorded)
    def decision_outcome(self, sql: SqlCursor, e: Any) -> None:
        num = 1 if e.impact is DecisionImpact.POSITIVE else 0
        self._person_fact(sql, e, "decision_outcomes", e.decided_by, e.assessed_on, num=num, den=1)

    @handles(ProcessReview.AdjustmentDecided)
    def adjustment_decided(self, sql: SqlCursor, e: Any) -> None:
        key = f"{e.originator_id}|{e.adjustment.adjustment_id}|d"
        self._fact(sql, "action_items", key, [], e.adjustment.due_date, den=1, known_on=e.decided_on)

    @handles(ProcessReview.AdjustmentImplemented)
    def adjustment_implemented(self, sql: SqlCursor, e: Any) -> None:
        if e.implemented_on <= e.due_date:
            key = f"{e.originator_id}|{e.adjustment_id}|n"
            self._fact(sql, "action_items", key, [], e.due_date, num=1, known_on=e.implemented_on)

    @handles(RetentionStrategy.Launched)
    def strategy_launched(self, sql: SqlCursor, e: Any) -> None:
        sql.rows.put(
            STRATEGIES,
            {
                "strategy_id": str(e.originator_id),
                "starts_on": e.starts_on.isoformat(),
                "ends_on": None,
                "segments": json.dumps([s.value for s in e.target_segments]),
            },
        )

    @handles(RetentionStrategy.Ended)
    def strategy_ended(self, sql: SqlCursor, e: Any) -> None:
        row = sql.rows.get(STRATEGIES, str(e.originator_id))
        if row is not None:
            sql.rows.put(STRATEGIES, {**row, "ends_on": e.ends_on.isoformat()})

    # -- targets -----------------------------------------------------------------------------

    def _target(self, sql: SqlCursor, e: Any, value: str | None) -> None:
        row = sql.rows.get(TARGETS, str(e.originator_id)) or {
            "target_id": str(e.originator_id),
            "kpi_id": e.kpi_id,
            "scope": e.scope.value,
            "scope_id": e.scope_id,
            "period_start": e.period_start.isoformat(),
            "period_end": e.period_end.isoformat(),
            "history": "[]",
        }
        history = [*json.loads(row["history"]), [e.envelope.business_date.isoformat(), value]]
        deadline = getattr(e, "deadline", None)  # a withdrawal keeps the last deadline
        sql.rows.put(
            TARGETS,
            {
                **row,
                "history": json.dumps(history),
                "deadline": deadline.isoformat() if deadline else row.get("deadline"),
            },
        )

    @handles(KpiTarget.Set, KpiTarget.Revised)
    def target_set(self, sql: SqlCursor, e: Any) -> None:
        self._target(sql, e, str(e.target_value))

    @handles(KpiTarget.Withdrawn)
    def target_withdrawn(self, sql: SqlCursor, e: Any) -> None:
        self._target(sql, e, None)

    # -- feedback ----------------------------------------------------------------------------

    @handles(SurveyResponse.Recorded)
    def survey(self, sql: SqlCursor, e: SurveyResponse.Recorded) -> None:
        if e.scale is SurveyScale.CSAT and e.subject is SurveySubject.OVERALL_SERVICE:
            measure = "csat_responses"
        elif e.subject in SUBJECT_MEASURES and e.scale is not SurveyScale.NPS:
            measure = SUBJECT_MEASURES[e.subject]
        else:
            return
        lead = self._lead(sql, e.account_id, e.responded_on)
        self._fact(sql, measure, self._key(e), [lead], e.responded_on, num=e.score, den=1, account_id=e.account_id)

    @handles(Referral.Given)
    def referral(self, sql: SqlCursor, e: Referral.Given) -> None:
        lead = self._lead(sql, e.account_id, e.referred_on)
        self._fact(sql, "referrals", self._key(e), [lead], e.referred_on, num=1, account_id=e.account_id)

    # -- interactions ------------------------------------------------------------------------

    @handles(Interaction.Scheduled)
    def scheduled(self, sql: SqlCursor, e: Any) -> None:
        if e.kind is InteractionKind.RISK_ASSESSMENT:
            self._fact(
                sql,
                "risk_assessments",
                f"{e.originator_id}|d",
                e.relationship_manager_ids,
                e.scheduled_for,
                den=1,
                known_on=e.envelope.business_date,
                account_id=e.account_id,
            )

    @handles(Interaction.Held)
    def held(self, sql: SqlCursor, e: Any) -> None:
        rms = e.relationship_manager_ids
        if e.kind in MEETING_KINDS:
            self._fact(sql, "meetings_held", str(e.originator_id), rms, e.held_on, num=1, account_id=e.account_id)
        elif e.kind is InteractionKind.EDUCATION_SESSION:
            self._fact(sql, "education_sessions", str(e.originator_id), rms, e.held_on, num=1, account_id=e.account_id)
        elif e.kind is InteractionKind.RISK_ASSESSMENT and e.held_on <= e.scheduled_for:
            self._fact(
                sql,
                "risk_assessments",
                f"{e.originator_id}|n",
                rms,
                e.scheduled_for,
                num=1,
                known_on=e.held_on,
                account_id=e.account_id,
            )
        elif e.kind is InteractionKind.COVERAGE_ASSESSMENT and e.coverage_result is not None:
            for policy_id in e.policy_ids or [""]:
                sql.rows.put(
                    ASSESSMENTS,
                    {
                        "interaction_id": str(e.originator_id),
                        "policy_id": str(policy_id),
                        "account_id": str(e.account_id),
                        "held_on": e.held_on.isoformat(),
                        "result": e.coverage_result.value,
                    },
                )

    @handles(Interaction.ActionItemAdded)
    def action_added(self, sql: SqlCursor, e: Any) -> None:
        item = e.action_item
        self._fact(
            sql,
            "action_items",
            f"{e.originator_id}|{item.item_id}|d",
            [item.owner_id],
            item.due_date,
            den=1,
            known_on=e.envelope.business_date,
            account_id=e.account_id,
        )

    @handles(Interaction.ActionItemCompleted)
    def action_completed(self, sql: SqlCursor, e: Any) -> None:
        if e.completed_on <= e.due_date:
            self._fact(
                sql,
                "action_items",
                f"{e.originator_id}|{e.item_id}|n",
                [e.owner_id],
                e.due_date,
                num=1,
                known_on=e.completed_on,
                account_id=e.account_id,
            )

    # -- recommendations ---------------------------------------------------------------------

    @handles(Recommendation.Accepted, Recommendation.Declined)
    def recommendation_decided(self, sql: SqlCursor, e: Any) -> None:
        if e.kind is not RecommendationKind.CROSS_SELL:
            return
        on = e.accepted_on if isinstance(e, Recommendation.Accepted) else e.declined_on
        rm = e.relationship_manager_id or self._lead(sql, e.account_id, on)
        num = 1 if isinstance(e, Recommendation.Accepted) else 0
        self._fact(sql, "cross_sell_decisions", str(e.originator_id), [rm], on, num=num, den=1, account_id=e.account_id)

    # -- policies ----------------------------------------------------------------------------

    @handles(Policy.QuoteIssued)
    def quote_issued(self, sql: SqlCursor, e: Any) -> None:
        lead = self._lead(sql, e.account_id, e.quoted_on)
        to = self._fact(
            sql, "quote_conversion", f"{e.originator_id}|d", [lead], e.quoted_on, den=1, account_id=e.account_id
        )
        sql.rows.put(
            POLICIES,
            {
                "policy_id": str(e.originator_id),
                "account_id": str(e.account_id),
                "business_kind": e.business_kind.value,
                "quoted_on": e.quoted_on.isoformat(),
                "quote_rms": json.dumps(to),
                "bound_on": None,
                "inception_date": e.inception_date.isoformat(),
                "expiry_date": e.expiry_date.isoformat(),
                "ended_on": None,
                "ended_known_on": None,
                "renewed_on": None,
            },
        )

    def _policy(self, sql: SqlCursor, e: Any) -> dict[str, Any] | None:
        return sql.rows.get(POLICIES, str(e.originator_id))

    def _premium(self, sql: SqlCursor, e: Any) -> None:
        movement = premium_movement(e)
        if movement is None:
            return
        lead = self._lead(sql, e.account_id, movement.written_on)
        key = self._key(e)
        self._fact(
            sql, "written_premium", key, [lead], movement.written_on, num=movement.written, account_id=e.account_id
        )
        self._fact(
            sql, "commission", key, [lead], movement.written_on, num=movement.commission, account_id=e.account_id
        )
        for month, part in earned_by_month(movement.written, movement.earn_from, movement.earn_to).items():
            day = month_start(month)
            self._fact(
                sql,
                "earned_premium",
                f"{key}|{month}",
                [lead],
                day,
                num=part,
                known_on=movement.written_on,
                account_id=e.account_id,
            )

    @handles(Policy.Bound)
    def bound(self, sql: SqlCursor, e: Policy.Bound) -> None:
        row = self._policy(sql, e)
        if row is not None:
            sql.rows.put(
                POLICIES,
                {
                    **row,
                    "bound_on": e.bound_on.isoformat(),
                    "inception_date": e.inception_date.isoformat(),
                    "expiry_date": e.expiry_date.isoformat(),
                },
            )
            self._fact(
                sql,
                "quote_conversion",
                f"{e.originator_id}|n",
                json.loads(row["quote_rms"]),
                row["quoted_on"],
                num=1,
                known_on=e.bound_on,
                account_id=e.account_id,
            )
        self._premium(sql, e)
        if (
            e.personalised_package
            and e.retention_strategy_id is not None
            and e.business_kind in (BusinessKind.CROSS_SELL, BusinessKind.RENEWAL)
        ):
            lead = self._lead(sql, e.account_id, e.bound_on)
            self._fact(
                sql, "personalised_packages", str(e.originator_id), [lead], e.bound_on, num=1, account_id=e.account_id
            )

    @handles(Policy.Endorsed)
    def endorsed(self, sql: SqlCursor, e: Any) -> None:
        self._premium(sql, e)

    @handles(Policy.Cancelled, Policy.Lapsed)
    def ended(self, sql: SqlCursor, e: Any) -> None:
        row = self._policy(sql, e)
        if row is not None:
            sql.rows.put(
                POLICIES,
                {
                    **row,
                    "ended_on": e.effective_date.isoformat(),
                    "ended_known_on": e.envelope.business_date.isoformat(),
                },
            )
        self._premium(sql, e)

    @handles(Policy.Renewed)
    def renewed(self, sql: SqlCursor, e: Any) -> None:
        row = self._policy(sql, e)
        if row is not None:
            sql.rows.put(POLICIES, {**row, "renewed_on": e.renewed_on.isoformat()})

    # -- claims ------------------------------------------------------------------------------

    @handles(Claim.Reported)
    def claim_reported(self, sql: SqlCursor, e: Any) -> None:
        sql.rows.put(
            CLAIMS,
            {
                "claim_id": str(e.originator_id),
                "account_id": str(e.account_id),
                "reported_on": e.reported_on.isoformat(),
                "closed_on": None,
                "reserve": 0,
                "close_facts": "[]",
            },
        )

    @handles(Claim.Reserved, Claim.Paid, Claim.Closed)
    def claim_moved(self, sql: SqlCursor, e: Any) -> None:
        change = incurred_change(e)
        row = sql.rows.get(CLAIMS, str(e.originator_id))
        if change is None or row is None:
            return
        reserve_after = row["reserve"] if change.reserve_after is None else change.reserve_after
        incurred = change.paid + reserve_after - row["reserve"]
        lead = self._lead(sql, e.account_id, change.on)
        if incurred:
            self._fact(sql, "incurred_claims", self._key(e), [lead], change.on, num=incurred, account_id=e.account_id)
        row = {**row, "reserve": reserve_after}
        if isinstance(e, Claim.Closed):
            days = (e.closed_on - e.reported_on).days
            key = self._key(e)
            to = self._fact(sql, "settlement_days", key, [lead], e.closed_on, num=days, den=1, account_id=e.account_id)
            row = {
                **row,
                "closed_on": e.closed_on.isoformat(),
                "close_facts": json.dumps([f"settlement_days|{key}", to]),
            }
        sql.rows.put(CLAIMS, row)

    @handles(Claim.Reopened)
    def claim_reopened(self, sql: SqlCursor, e: Any) -> None:
        row = sql.rows.get(CLAIMS, str(e.originator_id))
        if row is None:
            return
        close = json.loads(row["close_facts"])
        if close:
            self._void(sql, close[0], close[1], e.reopened_on)
        sql.rows.put(CLAIMS, {**row, "closed_on": None, "close_facts": "[]"})
