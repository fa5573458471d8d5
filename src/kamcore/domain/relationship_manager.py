"""RelationshipManager: the person behind RM KPIs — team, capacity, development and compliance records.

Identified by employee id (a natural key). Every event carries `relationship_manager_id` and the
`team` the RM was in when it happened, so team-grain KPIs need no lookup and a team change never
moves past records. Business dates come from the envelope.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import checks, rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.ids import natural_id
from kamcore.domain.values import AuditRating, InnovationOutcome, LearningFormat, SurveyScale, ViolationSeverity

MAX_CAPACITY = 500
MAX_HOURS = Decimal(10_000)


def _month(field: str, value: date) -> date:
    if value.day != 1:
        raise InvalidInput("a reporting month is given by its first day", field=field)
    return value


class RelationshipManager(KamAggregate):
    @classmethod
    def create_id(cls, employee_id: str, **_: Any) -> UUID:
        return cls.id_for(employee_id)

    @staticmethod
    def id_for(employee_id: str) -> UUID:
        return natural_id("relationship-manager", employee_id)

    @classmethod
    def register(
        cls, *, employee_id: str, name: str, team: str, capacity: int, envelope: AuditEnvelope
    ) -> RelationshipManager:
        """`capacity` is how many key accounts the RM can lead."""
        return cls(
            employee_id=rules.identifier("employee_id", employee_id),
            name=rules.text("name", name),
            team=rules.identifier("team", team),
            capacity=checks.whole_number("capacity", capacity, high=MAX_CAPACITY),
            registered_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Registered")
    def __init__(
        self, employee_id: str, name: str, team: str, capacity: int, registered_on: date, envelope: AuditEnvelope
    ) -> None:
        self.employee_id = employee_id
        self.name = name
        self.team = team
        self.capacity = capacity
        self.registered_on = registered_on
        self.left_on: date | None = None
        self.trainings: dict[str, tuple[date, date | None]] = {}  # id -> (due, completed)
        self.team_goals: dict[str, tuple[date, date | None]] = {}  # id -> (due, achieved)
        self.innovation_projects: dict[str, InnovationOutcome | None] = {}
        self.tools_adopted: set[str] = set()
        self.report_months: set[date] = set()

    @property
    def relationship_manager_id(self) -> str:
        return self.employee_id

    def ensure_active(self) -> None:
        if self.left_on is not None:
            raise Conflict(
                f"{self.employee_id} left on {self.left_on.isoformat()}",
                field="relationship_manager_id",
                code="RELATIONSHIP_MANAGER_LEFT",
            )

    def _facts(self, envelope: AuditEnvelope) -> dict[str, Any]:
        """The attributes every RM event shares."""
        self.ensure_active()
        return {"relationship_manager_id": self.employee_id, "team": self.team, "envelope": envelope}

    # -- profile ----------------------------------------------------------------------------

    def change_team(self, *, team: str, envelope: AuditEnvelope) -> None:
        new_team = rules.identifier("team", team)
        if new_team == self.team:
            raise InvalidInput(f"{self.employee_id} is already in team {new_team}", field="team")
        self.ensure_active()
        self._team_changed(
            relationship_manager_id=self.employee_id,
            previous_team=self.team,
            team=new_team,
            changed_on=envelope.business_date,
            envelope=envelope,
        )

    def set_capacity(self, *, capacity: int, envelope: AuditEnvelope) -> None:
        self._capacity_set(
            capacity=checks.whole_number("capacity", capacity, high=MAX_CAPACITY), **self._facts(envelope)
        )

    def leave(self, *, envelope: AuditEnvelope) -> None:
        facts = self._facts(envelope)
        if not envelope.reason:
            raise InvalidInput("recording a departure needs a reason", field="reason")
        rules.not_before("effective_date", envelope.business_date, self.registered_on, "the registration date")
        self._left(left_on=envelope.business_date, **facts)

    # -- professional development -----------------------------------------------------------

    def obtain_certification(
        self, *, certification: str, issuer: str, expires_on: date | None = None, envelope: AuditEnvelope
    ) -> None:
        facts = self._facts(envelope)
        rules.after("expires_on", expires_on, envelope.business_date, "the date it was obtained")
        self._certification_obtained(
            certification=rules.text("certification", certification),
            issuer=rules.text("issuer", issuer),
            obtained_on=envelope.business_date,
            expires_on=expires_on,
            **facts,
        )

    def attend_workshop(
        self, *, title: str, learning_format: LearningFormat | str, hours: object, envelope: AuditEnvelope
    ) -> None:
        facts = self._facts(envelope)
        self._workshop_attended(
            title=rules.text("title", title),
            learning_format=rules.member("learning_format", LearningFormat, learning_format),
            hours=checks.decimal("hours", hours, low=Decimal(0), high=MAX_HOURS),
            attended_on=envelope.business_date,
            **facts,
        )

    def assign_training(self, *, title: str, due_date: date, envelope: AuditEnvelope) -> str:
        facts = self._facts(envelope)
        rules.not_before("due_date", due_date, envelope.business_date, "the assignment date")
        training_id = f"training-{self.version + 1}"
        self._training_assigned(
            training_id=training_id,
            title=rules.text("title", title),
            due_date=due_date,
            assigned_on=envelope.business_date,
            **facts,
        )
        return training_id

    def complete_training(self, training_id: str, *, envelope: AuditEnvelope) -> None:
        facts = self._facts(envelope)
        due = self._due_of_open(self.trainings, "training_id", training_id)
        self._training_completed(training_id=training_id, due_date=due, completed_on=envelope.business_date, **facts)

    def share_knowledge(self, *, title: str, audience_size: int, envelope: AuditEnvelope) -> None:
        """A knowledge-sharing initiative the RM led (a talk, a playbook, mentoring)."""
        facts = self._facts(envelope)
        self._knowledge_shared(
            title=rules.text("title", title),
            audience_size=checks.whole_number("audience_size", audience_size, high=100_000),
            shared_on=envelope.business_date,
            **facts,
        )

    # -- compliance -------------------------------------------------------------------------

    def complete_compliance_audit(
        self,
        *,
        auditor: str,
        rating: AuditRating | str,
        items_applicable: int,
        items_passed: int,
        envelope: AuditEnvelope,
    ) -> None:
        """The score is passed ÷ applicable checklist items (N/A items are not applicable), in percent."""
        facts = self._facts(envelope)
        applicable = checks.whole_number("items_applicable", items_applicable, low=1, high=10_000)
        passed = checks.whole_number("items_passed", items_passed, high=applicable)
        self._compliance_audit_completed(
            auditor=rules.text("auditor", auditor),
            rating=rules.member("rating", AuditRating, rating),
            items_applicable=applicable,
            items_passed=passed,
            score=(Decimal(100) * passed / applicable).quantize(Decimal("0.01")),
            audited_on=envelope.business_date,
            **facts,
        )

    def attend_compliance_training(self, *, title: str, hours: object, envelope: AuditEnvelope) -> None:
        facts = self._facts(envelope)
        self._compliance_training_attended(
            title=rules.text("title", title),
            hours=checks.decimal("hours", hours, low=Decimal(0), high=MAX_HOURS),
            attended_on=envelope.business_date,
            **facts,
        )

    def report_violation(
        self,
        *,
        regulation: str,
        severity: ViolationSeverity | str,
        occurred_on: date,
        description: str,
        envelope: AuditEnvelope,
    ) -> None:
        facts = self._facts(envelope)
        if occurred_on > envelope.business_date:
            raise InvalidInput("an incident is reported after it occurred", field="occurred_on")
        self._regulatory_violation_reported(
            regulation=rules.text("regulation", regulation),
            severity=rules.member("severity", ViolationSeverity, severity),
            occurred_on=occurred_on,
            reported_on=envelope.business_date,
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            **facts,
        )

    def check_documentation(self, *, policies_checked: int, policies_accurate: int, envelope: AuditEnvelope) -> None:
        """A sample of the RM's policy files checked for documentation accuracy."""
        facts = self._facts(envelope)
        checked = checks.whole_number("policies_checked", policies_checked, low=1, high=100_000)
        self._documentation_checked(
            policies_checked=checked,
            policies_accurate=checks.whole_number("policies_accurate", policies_accurate, high=checked),
            checked_on=envelope.business_date,
            **facts,
        )

    # -- team leadership --------------------------------------------------------------------

    def set_team_goal(self, *, description: str, due_date: date, envelope: AuditEnvelope) -> str:
        """A goal for the RM's team, set by (and recorded on) the RM who leads it."""
        facts = self._facts(envelope)
        rules.not_before("due_date", due_date, envelope.business_date, "the date it was set")
        goal_id = f"goal-{self.version + 1}"
        self._team_goal_set(
            goal_id=goal_id,
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            due_date=due_date,
            set_on=envelope.business_date,
            **facts,
        )
        return goal_id

    def achieve_team_goal(self, goal_id: str, *, envelope: AuditEnvelope) -> None:
        facts = self._facts(envelope)
        due = self._due_of_open(self.team_goals, "goal_id", goal_id)
        self._team_goal_achieved(goal_id=goal_id, due_date=due, achieved_on=envelope.business_date, **facts)

    def answer_satisfaction_survey(self, *, scale: SurveyScale | str, score: int, envelope: AuditEnvelope) -> None:
        """An employee-satisfaction survey answer (CSAT 1-5 or eNPS 0-10)."""
        facts = self._facts(envelope)
        checked_scale = rules.member("scale", SurveyScale, scale)
        low, high = checked_scale.bounds
        checks.whole_number("score", score, low=low, high=high)
        self._satisfaction_survey_answered(
            scale=checked_scale, score=score, answered_on=envelope.business_date, **facts
        )

    # -- technology -------------------------------------------------------------------------

    def adopt_tool(self, tool_id: str, *, envelope: AuditEnvelope) -> None:
        """The RM uses a tool the programme introduced (the caller checks that it was introduced)."""
        facts = self._facts(envelope)
        checked = rules.identifier("tool_id", tool_id)
        if checked in self.tools_adopted:
            raise Conflict(f"{self.employee_id} already adopted {checked}", field="tool_id", code="ALREADY_ADOPTED")
        self._tool_adopted(tool_id=checked, adopted_on=envelope.business_date, **facts)

    def start_innovation_project(self, *, title: str, envelope: AuditEnvelope) -> str:
        facts = self._facts(envelope)
        project_id = f"project-{self.version + 1}"
        self._innovation_project_started(
            project_id=project_id, title=rules.text("title", title), started_on=envelope.business_date, **facts
        )
        return project_id

    def conclude_innovation_project(
        self, project_id: str, *, outcome: InnovationOutcome | str, envelope: AuditEnvelope
    ) -> None:
        facts = self._facts(envelope)
        if project_id not in self.innovation_projects:
            raise InvalidInput(f"no innovation project {project_id!r}", field="project_id")
        if self.innovation_projects[project_id] is not None:
            raise Conflict("the project is already concluded", field="project_id", code="ALREADY_CONCLUDED")
        self._innovation_project_concluded(
            project_id=project_id,
            outcome=rules.member("outcome", InnovationOutcome, outcome),
            concluded_on=envelope.business_date,
            **facts,
        )

    def record_time_saved(
        self,
        *,
        process: str,
        hours_saved: object,
        period_start: date,
        period_end: date,
        tool_id: str | None = None,
        envelope: AuditEnvelope,
    ) -> None:
        """Hours of work automation saved the RM in [period_start, period_end)."""
        facts = self._facts(envelope)
        rules.after("period_end", period_end, period_start, "period_start")
        self._process_time_saved(
            process=rules.text("process", process),
            hours_saved=checks.decimal("hours_saved", hours_saved, low=Decimal(0), high=MAX_HOURS),
            period_start=period_start,
            period_end=period_end,
            tool_id=rules.identifier("tool_id", tool_id) if tool_id else None,
            **facts,
        )

    # -- performance reporting --------------------------------------------------------------

    def submit_performance_report(self, *, month: date, envelope: AuditEnvelope) -> str:
        facts = self._facts(envelope)
        checked = _month("month", month)
        if checked in self.report_months:
            raise Conflict("that month's report is already submitted; correct it", field="month", code="DUPLICATE")
        rules.not_before("effective_date", envelope.business_date, checked, "the reporting month")
        report_id = f"report-{checked:%Y-%m}"
        self._performance_report_submitted(
            report_id=report_id, month=checked, submitted_on=envelope.business_date, **facts
        )
        return report_id

    def correct_performance_report(
        self, *, month: date, errors_found: int, description: str, envelope: AuditEnvelope
    ) -> None:
        """A correction marks the submitted report as inaccurate (report-accuracy KPI)."""
        facts = self._facts(envelope)
        checked = _month("month", month)
        if checked not in self.report_months:
            raise InvalidInput("no report was submitted for that month", field="month")
        self._performance_report_corrected(
            report_id=f"report-{checked:%Y-%m}",
            month=checked,
            errors_found=checks.whole_number("errors_found", errors_found, low=1, high=10_000),
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            corrected_on=envelope.business_date,
            **facts,
        )

    @staticmethod
    def _due_of_open(items: dict[str, tuple[date, date | None]], field: str, item_id: str) -> date:
        """The due date of an assigned, not yet completed training or goal."""
        if item_id not in items:
            raise InvalidInput(f"no {field.removesuffix('_id')} {item_id!r}", field=field)
        due, done = items[item_id]
        if done is not None:
            raise Conflict("already completed", field=field, code="ALREADY_COMPLETED")
        return due

    # -- events -----------------------------------------------------------------------------

    @event("TeamChanged")
    def _team_changed(
        self, relationship_manager_id: str, previous_team: str, team: str, changed_on: date, envelope: AuditEnvelope
    ) -> None:
        self.team = team

    @event("CapacitySet")
    def _capacity_set(self, relationship_manager_id: str, team: str, capacity: int, envelope: AuditEnvelope) -> None:
        self.capacity = capacity

    @event("Left")
    def _left(self, relationship_manager_id: str, team: str, left_on: date, envelope: AuditEnvelope) -> None:
        self.left_on = left_on

    @event("CertificationObtained")
    def _certification_obtained(
        self,
        relationship_manager_id: str,
        team: str,
        certification: str,
        issuer: str,
        obtained_on: date,
        expires_on: date | None,
        envelope: AuditEnvelope,
    ) -> None:
        pass

    @event("WorkshopAttended")
    def _workshop_attended(
        self,
        relationship_manager_id: str,
        team: str,
        title: str,
        learning_format: LearningFormat,
        hours: Decimal,
        attended_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        pass

    @event("TrainingAssigned")
    def _training_assigned(
        self,
        relationship_manager_id: str,
        team: str,
        training_id: str,
        title: str,
        due_date: date,
        assigned_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.trainings[training_id] = (due_date, None)

    @event("TrainingCompleted")
    def _training_completed(
        self,
        relationship_manager_id: str,
        team: str,
        training_id: str,
        due_date: date,
        completed_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.trainings[training_id] = (due_date, completed_on)

    @event("KnowledgeShared")
    def _knowledge_shared(
        self,
        relationship_manager_id: str,
        team: str,
        title: str,
        audience_size: int,
        shared_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        pass

    @event("ComplianceAuditCompleted")
    def _compliance_audit_completed(
        self,
        relationship_manager_id: str,
        team: str,
        auditor: str,
        rating: AuditRating,
        items_applicable: int,
        items_passed: int,
        score: Decimal,
        audited_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        pass

    @event("ComplianceTrainingAttended")
    def _compliance_training_attended(
        self,
        relationship_manager_id: str,
        team: str,
        title: str,
        hours: Decimal,
        attended_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        pass

    @event("RegulatoryViolationReported")
    def _regulatory_violation_reported(
        self,
        relationship_manager_id: str,
        team: str,
        regulation: str,
        severity: ViolationSeverity,
        occurred_on: date,
        reported_on: date,
        description: str,
        envelope: AuditEnvelope,
    ) -> None:
        pass

    @event("DocumentationChecked")
    def _documentation_checked(
        self,
        relationship_manager_id: str,
        team: str,
        policies_checked: int,
        policies_accurate: int,
        checked_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        pass

    @event("TeamGoalSet")
    def _team_goal_set(
        self,
        relationship_manager_id: str,
        team: str,
        goal_id: str,
        description: str,
        due_date: date,
        set_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.team_goals[goal_id] = (due_date, None)

    @event("TeamGoalAchieved")
    def _team_goal_achieved(
        self,
        relationship_manager_id: str,
        team: str,
        goal_id: str,
        due_date: date,
        achieved_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.team_goals[goal_id] = (due_date, achieved_on)

    @event("SatisfactionSurveyAnswered")
    def _satisfaction_survey_answered(
        self,
        relationship_manager_id: str,
        team: str,
        scale: SurveyScale,
        score: int,
        answered_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        pass

    @event("ToolAdopted")
    def _tool_adopted(
        self, relationship_manager_id: str, team: str, tool_id: str, adopted_on: date, envelope: AuditEnvelope
    ) -> None:
        self.tools_adopted.add(tool_id)

    @event("InnovationProjectStarted")
    def _innovation_project_started(
        self,
        relationship_manager_id: str,
        team: str,
        project_id: str,
        title: str,
        started_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.innovation_projects[project_id] = None

    @event("InnovationProjectConcluded")
    def _innovation_project_concluded(
        self,
        relationship_manager_id: str,
        team: str,
        project_id: str,
        outcome: InnovationOutcome,
        concluded_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.innovation_projects[project_id] = outcome

    @event("ProcessTimeSaved")
    def _process_time_saved(
        self,
        relationship_manager_id: str,
        team: str,
        process: str,
        hours_saved: Decimal,
        period_start: date,
        period_end: date,
        tool_id: str | None,
        envelope: AuditEnvelope,
    ) -> None:
        pass

    @event("PerformanceReportSubmitted")
    def _performance_report_submitted(
        self,
        relationship_manager_id: str,
        team: str,
        report_id: str,
        month: date,
        submitted_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        self.report_months.add(month)

    @event("PerformanceReportCorrected")
    def _performance_report_corrected(
        self,
        relationship_manager_id: str,
        team: str,
        report_id: str,
        month: date,
        errors_found: int,
        description: str,
        corrected_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        pass
