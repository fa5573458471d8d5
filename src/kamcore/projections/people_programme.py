"""People and programme: relationship-manager profiles with development and compliance summaries, their
development and compliance records, and the KAM process reviews.

The summaries are counters and latest values kept on the RM's row, so an RM list needs no aggregation;
the records behind them are rows of their own (one per event, or per training) for the RM's detail
screen. Criteria versions, service standards and KPI targets are read where the ranking and the KPI
read models already keep them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from kamcore.domain.events import plain
from kamcore.domain.process_review import ProcessReview
from kamcore.domain.relationship_manager import RelationshipManager as RM
from kamcore.projections.json_text import to_json
from kamcore.projections.projection import Projection, SqlCursor, change_row, handles
from kamcore.projections.rows import Table

RM_COLUMNS = (
    "aggregate_id",
    "employee_id",
    "name",
    "team",
    "capacity",
    "status",
    "registered_on",
    "left_on",
    "development",
    "compliance",
    "version",
    "updated_at",
)
RECORD_COLUMNS = ("record_id", "rm_id", "kind", "title", "occurred_on", "due_date", "completed_on", "details")
REVIEW_COLUMNS = (
    "review_id",
    "programme",
    "title",
    "status",
    "period_start",
    "period_end",
    "opened_on",
    "concluded_on",
    "summary",
    "findings",
    "adjustments",
    "version",
    "updated_at",
)
RMS = Table("people_rm", ("aggregate_id",), RM_COLUMNS)  # keyed like the aggregate, listed by employee id
RECORDS = Table("people_record", ("record_id",), RECORD_COLUMNS)
REVIEWS = Table("programme_review", ("review_id",), REVIEW_COLUMNS)

DEVELOPMENT: dict[str, Any] = {
    "certifications": 0,
    "latest_certification": None,
    "latest_certification_on": None,
    "workshops": 0,
    "workshop_hours": "0",
    "trainings_assigned": 0,
    "trainings_completed": 0,
    "knowledge_shared": 0,
}
COMPLIANCE: dict[str, Any] = {
    "audits": 0,
    "latest_audit_rating": None,
    "latest_audit_score": None,
    "latest_audit_on": None,
    "trainings": 0,
    "training_hours": "0",
    "violations": 0,
    "latest_violation_on": None,
    "policies_checked": 0,
    "policies_accurate": 0,
}


def _hours(total: str, more: Decimal) -> str:
    return str(Decimal(total) + more)


def _latest(summary: dict[str, Any], on_key: str, on: date, **values: Any) -> dict[str, Any]:
    """Latest by business date: a backdated record does not replace a later one."""
    if summary[on_key] is None or summary[on_key] <= on.isoformat():
        return {on_key: on.isoformat(), **values}
    return {}


class PeopleProgrammeProjection(Projection):
    name = "people_programme"
    rebuild_cost = 2
    tables = ("people_rm", "people_record", "programme_review")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}people_rm ("
        " aggregate_id TEXT PRIMARY KEY, employee_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, team TEXT NOT NULL,"
        " capacity INTEGER NOT NULL,"
        " status TEXT NOT NULL, registered_on TEXT NOT NULL, left_on TEXT, development TEXT NOT NULL,"
        " compliance TEXT NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS people_rm_by_team ON {t}people_rm (team, employee_id)",
        "CREATE INDEX IF NOT EXISTS people_rm_by_name ON {t}people_rm (name, employee_id)",
        "CREATE TABLE IF NOT EXISTS {t}people_record ("
        " record_id TEXT PRIMARY KEY, rm_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,"
        " occurred_on TEXT NOT NULL, due_date TEXT, completed_on TEXT, details TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS people_record_by_rm ON {t}people_record (rm_id, occurred_on)",
        "CREATE TABLE IF NOT EXISTS {t}programme_review ("
        " review_id TEXT PRIMARY KEY, programme TEXT NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL,"
        " period_start TEXT NOT NULL, period_end TEXT NOT NULL, opened_on TEXT NOT NULL, concluded_on TEXT,"
        " summary TEXT, findings TEXT NOT NULL, adjustments TEXT NOT NULL, version INTEGER NOT NULL,"
        " updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS programme_review_by_opened ON {t}programme_review (opened_on, review_id)",
    )

    def prefetch(self, sql: SqlCursor, events: Sequence[Any]) -> None:
        sql.rows.prefetch(RMS, [(str(e.originator_id),) for e in events if isinstance(e, RM.Event)])
        reviews = [e for e in events if isinstance(e, ProcessReview.Event) and not isinstance(e, ProcessReview.Opened)]
        sql.rows.prefetch(REVIEWS, [(str(e.originator_id),) for e in reviews])
        completed = [e for e in events if isinstance(e, RM.TrainingCompleted)]
        sql.rows.prefetch(RECORDS, [(f"{e.relationship_manager_id}/{e.training_id}",) for e in completed])

    # -- profile ---------------------------------------------------------------------------------

    @handles(RM.Registered)
    def registered(self, sql: SqlCursor, e: RM.Registered) -> None:
        sql.rows.put(
            RMS,
            {
                "aggregate_id": str(e.originator_id),
                "employee_id": e.employee_id,
                "name": e.name,
                "team": e.team,
                "capacity": e.capacity,
                "status": "active",
                "registered_on": e.registered_on.isoformat(),
                "left_on": None,
                "development": to_json(DEVELOPMENT),
                "compliance": to_json(COMPLIANCE),
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )

    @handles(RM.TeamChanged)
    def team_changed(self, sql: SqlCursor, e: RM.TeamChanged) -> None:
        change_row(sql, RMS, e, team=e.team)

    @handles(RM.CapacitySet)
    def capacity_set(self, sql: SqlCursor, e: RM.CapacitySet) -> None:
        change_row(sql, RMS, e, capacity=e.capacity)

    @handles(RM.Left)
    def left(self, sql: SqlCursor, e: RM.Left) -> None:
        change_row(sql, RMS, e, status="left", left_on=e.left_on.isoformat())

    # -- development -------------------------------------------------------------------------------

    @handles(RM.CertificationObtained)
    def certification(self, sql: SqlCursor, e: RM.CertificationObtained) -> None:
        self._record(
            sql, e, "certification", e.certification, e.obtained_on, issuer=e.issuer, expires_on=plain(e.expires_on)
        )
        self._development(
            sql,
            e,
            lambda d: {
                "certifications": d["certifications"] + 1,
                **_latest(d, "latest_certification_on", e.obtained_on, latest_certification=e.certification),
            },
        )

    @handles(RM.WorkshopAttended)
    def workshop(self, sql: SqlCursor, e: RM.WorkshopAttended) -> None:
        self._record(
            sql, e, "workshop", e.title, e.attended_on, learning_format=e.learning_format.value, hours=str(e.hours)
        )
        self._development(
            sql,
            e,
            lambda d: {"workshops": d["workshops"] + 1, "workshop_hours": _hours(d["workshop_hours"], e.hours)},
        )

    @handles(RM.TrainingAssigned)
    def training_assigned(self, sql: SqlCursor, e: RM.TrainingAssigned) -> None:
        self._record(sql, e, "training", e.title, e.assigned_on, record=e.training_id, due_date=e.due_date)
        self._development(sql, e, lambda d: {"trainings_assigned": d["trainings_assigned"] + 1})

    @handles(RM.TrainingCompleted)
    def training_completed(self, sql: SqlCursor, e: RM.TrainingCompleted) -> None:
        record = sql.rows.get(RECORDS, f"{e.relationship_manager_id}/{e.training_id}")
        if record is not None:
            sql.rows.put(RECORDS, {**record, "completed_on": e.completed_on.isoformat()})
        self._development(sql, e, lambda d: {"trainings_completed": d["trainings_completed"] + 1})

    @handles(RM.KnowledgeShared)
    def knowledge_shared(self, sql: SqlCursor, e: RM.KnowledgeShared) -> None:
        self._record(sql, e, "knowledge_sharing", e.title, e.shared_on, audience_size=e.audience_size)
        self._development(sql, e, lambda d: {"knowledge_shared": d["knowledge_shared"] + 1})

    # -- compliance --------------------------------------------------------------------------------

    @handles(RM.ComplianceAuditCompleted)
    def compliance_audit(self, sql: SqlCursor, e: RM.ComplianceAuditCompleted) -> None:
        rating, score = e.rating.value, str(e.score)
        self._record(sql, e, "compliance_audit", e.auditor, e.audited_on, rating=rating, score=score)
        self._compliance(
            sql,
            e,
            lambda c: {
                "audits": c["audits"] + 1,
                **_latest(c, "latest_audit_on", e.audited_on, latest_audit_rating=rating, latest_audit_score=score),
            },
        )

    @handles(RM.ComplianceTrainingAttended)
    def compliance_training(self, sql: SqlCursor, e: RM.ComplianceTrainingAttended) -> None:
        self._record(sql, e, "compliance_training", e.title, e.attended_on, hours=str(e.hours))
        self._compliance(
            sql, e, lambda c: {"trainings": c["trainings"] + 1, "training_hours": _hours(c["training_hours"], e.hours)}
        )

    @handles(RM.RegulatoryViolationReported)
    def violation(self, sql: SqlCursor, e: RM.RegulatoryViolationReported) -> None:
        self._record(
            sql,
            e,
            "regulatory_violation",
            e.regulation,
            e.occurred_on,
            severity=e.severity.value,
            reported_on=e.reported_on.isoformat(),
            description=e.description,
        )
        self._compliance(
            sql, e, lambda c: {"violations": c["violations"] + 1, **_latest(c, "latest_violation_on", e.occurred_on)}
        )

    @handles(RM.DocumentationChecked)
    def documentation(self, sql: SqlCursor, e: RM.DocumentationChecked) -> None:
        checked, accurate = e.policies_checked, e.policies_accurate
        title = f"{accurate} of {checked} policy files accurate"
        self._record(sql, e, "documentation_check", title, e.checked_on, checked=checked, accurate=accurate)
        self._compliance(
            sql,
            e,
            lambda c: {
                "policies_checked": c["policies_checked"] + checked,
                "policies_accurate": c["policies_accurate"] + accurate,
            },
        )

    # -- process reviews ---------------------------------------------------------------------------

    @handles(ProcessReview.Opened)
    def review_opened(self, sql: SqlCursor, e: ProcessReview.Opened) -> None:
        sql.rows.put(
            REVIEWS,
            {
                "review_id": str(e.originator_id),
                "programme": e.programme,
                "title": e.title,
                "status": "open",
                "period_start": e.period_start.isoformat(),
                "period_end": e.period_end.isoformat(),
                "opened_on": e.opened_on.isoformat(),
                "concluded_on": None,
                "summary": None,
                "findings": "[]",
                "adjustments": "[]",
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )

    @handles(ProcessReview.FindingRecorded)
    def finding_recorded(self, sql: SqlCursor, e: ProcessReview.FindingRecorded) -> None:
        finding = {**plain(e.finding), "recorded_on": e.envelope.business_date.isoformat()}
        change_row(sql, REVIEWS, e, lambda r: {"findings": to_json([*json.loads(r["findings"]), finding])})

    @handles(ProcessReview.AdjustmentDecided)
    def adjustment_decided(self, sql: SqlCursor, e: ProcessReview.AdjustmentDecided) -> None:
        adjustment = {**plain(e.adjustment), "decided_on": e.decided_on.isoformat(), "implemented_on": None}
        change_row(sql, REVIEWS, e, lambda r: {"adjustments": to_json([*json.loads(r["adjustments"]), adjustment])})

    @handles(ProcessReview.AdjustmentImplemented)
    def adjustment_implemented(self, sql: SqlCursor, e: ProcessReview.AdjustmentImplemented) -> None:
        done = e.implemented_on.isoformat()

        def implement(r: dict[str, Any]) -> dict[str, Any]:
            items = json.loads(r["adjustments"])
            return {
                "adjustments": to_json(
                    [{**a, "implemented_on": done} if a["adjustment_id"] == e.adjustment_id else a for a in items]
                )
            }

        change_row(sql, REVIEWS, e, implement)

    @handles(ProcessReview.Concluded)
    def review_concluded(self, sql: SqlCursor, e: ProcessReview.Concluded) -> None:
        change_row(sql, REVIEWS, e, status="concluded", concluded_on=e.concluded_on.isoformat(), summary=e.summary)

    # -- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _record(
        sql: SqlCursor,
        e: Any,
        kind: str,
        title: str,
        on: date,
        *,
        record: str | None = None,
        due_date: date | None = None,
        **details: Any,
    ) -> None:
        """One record row; its id is the RM's employee id and the record's own id (or the event's version)."""
        sql.rows.put(
            RECORDS,
            {
                "record_id": f"{e.relationship_manager_id}/{record or e.originator_version}",
                "rm_id": e.relationship_manager_id,
                "kind": kind,
                "title": title,
                "occurred_on": on.isoformat(),
                "due_date": due_date.isoformat() if due_date else None,
                "completed_on": None,
                "details": to_json(details),
            },
        )

    @staticmethod
    def _development(sql: SqlCursor, e: Any, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        change_row(sql, RMS, e, lambda r: {"development": _merged(r["development"], change)})

    @staticmethod
    def _compliance(sql: SqlCursor, e: Any, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        change_row(sql, RMS, e, lambda r: {"compliance": _merged(r["compliance"], change)})


def _merged(document: str, change: Callable[[dict[str, Any]], dict[str, Any]]) -> str:
    summary = json.loads(document)
    return to_json({**summary, **change(summary)})
