"""Relationship managers without storage: every record names the RM and their team at the time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.relationship_manager import RelationshipManager
from kamcore.domain.values import AuditRating, InnovationOutcome, LearningFormat, SurveyScale, ViolationSeverity
from tests.test_domain import envelope

ON = date(2026, 5, 4)


def registered() -> RelationshipManager:
    rm = RelationshipManager.register(
        employee_id="E-100",
        name="Ada Lovelace",
        team="north",
        capacity=12,
        envelope=envelope(effective=date(2026, 1, 5)),
    )
    rm.collect_events()
    return rm


def last_event(rm: RelationshipManager) -> Any:
    return rm.collect_events()[-1]


def test_register_writes_registered_under_the_employee_id() -> None:
    rm = RelationshipManager.register(employee_id="E-100", name="Ada", team="north", capacity=12, envelope=envelope())
    [event] = rm.collect_events()
    assert (type(event).__name__, event.employee_id, event.team, event.capacity) == ("Registered", "E-100", "north", 12)
    assert rm.id == RelationshipManager.id_for("E-100")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"employee_id": "E 100"}, "employee_id"),
        ({"name": ""}, "name"),
        ({"team": ""}, "team"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": 501}, "capacity"),
        ({"capacity": "10"}, "capacity"),
    ],
)
def test_bad_registrations_are_refused(overrides: dict[str, Any], field: str) -> None:
    arguments = {"employee_id": "E-100", "name": "Ada", "team": "north", "capacity": 12, **overrides}
    with pytest.raises(InvalidInput) as raised:
        RelationshipManager.register(**arguments, envelope=envelope())
    assert raised.value.field == field


RECORDS: list[tuple[Callable[[RelationshipManager], Any], str, dict[str, Any]]] = [
    (lambda rm: rm.set_capacity(capacity=20, envelope=envelope()), "CapacitySet", {"capacity": 20}),
    (
        lambda rm: rm.obtain_certification(certification="CII Diploma", issuer="CII", envelope=envelope(effective=ON)),
        "CertificationObtained",
        {"certification": "CII Diploma", "obtained_on": ON},
    ),
    (
        lambda rm: rm.attend_workshop(title="Cyber risk", learning_format="seminar", hours="3.5", envelope=envelope()),
        "WorkshopAttended",
        {"learning_format": LearningFormat.SEMINAR, "hours": Decimal("3.5")},
    ),
    (
        lambda rm: rm.assign_training(title="Negotiation", due_date=date(2026, 9, 1), envelope=envelope(effective=ON)),
        "TrainingAssigned",
        {"training_id": "training-2", "due_date": date(2026, 9, 1)},
    ),
    (
        lambda rm: rm.share_knowledge(title="Renewal playbook", audience_size=14, envelope=envelope()),
        "KnowledgeShared",
        {"audience_size": 14},
    ),
    (
        lambda rm: rm.complete_compliance_audit(
            auditor="Internal audit", rating="b", items_applicable=40, items_passed=37, envelope=envelope()
        ),
        "ComplianceAuditCompleted",
        {"rating": AuditRating.B, "score": Decimal("92.50"), "items_passed": 37},
    ),
    (
        lambda rm: rm.attend_compliance_training(title="AML", hours=2, envelope=envelope()),
        "ComplianceTrainingAttended",
        {"hours": Decimal(2)},
    ),
    (
        lambda rm: rm.report_violation(
            regulation="IDD",
            severity="high",
            occurred_on=date(2026, 5, 1),
            description="advice not documented",
            envelope=envelope(effective=ON),
        ),
        "RegulatoryViolationReported",
        {"severity": ViolationSeverity.HIGH, "occurred_on": date(2026, 5, 1), "reported_on": ON},
    ),
    (
        lambda rm: rm.check_documentation(policies_checked=25, policies_accurate=23, envelope=envelope()),
        "DocumentationChecked",
        {"policies_checked": 25, "policies_accurate": 23},
    ),
    (
        lambda rm: rm.set_team_goal(
            description="Q3 retention 95%", due_date=date(2026, 9, 30), envelope=envelope(effective=ON)
        ),
        "TeamGoalSet",
        {"goal_id": "goal-2", "due_date": date(2026, 9, 30)},
    ),
    (
        lambda rm: rm.answer_satisfaction_survey(scale="nps", score=8, envelope=envelope()),
        "SatisfactionSurveyAnswered",
        {"scale": SurveyScale.NPS, "score": 8},
    ),
    (lambda rm: rm.adopt_tool("crm-mobile", envelope=envelope()), "ToolAdopted", {"tool_id": "crm-mobile"}),
    (
        lambda rm: rm.start_innovation_project(title="Renewal bot", envelope=envelope()),
        "InnovationProjectStarted",
        {"project_id": "project-2"},
    ),
    (
        lambda rm: rm.record_time_saved(
            process="renewal prep",
            hours_saved="12.5",
            period_start=date(2026, 4, 1),
            period_end=date(2026, 5, 1),
            tool_id="crm-mobile",
            envelope=envelope(),
        ),
        "ProcessTimeSaved",
        {"hours_saved": Decimal("12.5"), "tool_id": "crm-mobile"},
    ),
    (
        lambda rm: rm.submit_performance_report(month=date(2026, 4, 1), envelope=envelope(effective=ON)),
        "PerformanceReportSubmitted",
        {"report_id": "report-2026-04", "month": date(2026, 4, 1)},
    ),
]


@pytest.mark.parametrize(("record", "event_name", "fields"), RECORDS, ids=[r[1] for r in RECORDS])
def test_each_record_writes_its_event_with_rm_and_team(
    record: Callable[[RelationshipManager], Any], event_name: str, fields: dict[str, Any]
) -> None:
    rm = registered()
    record(rm)
    event = last_event(rm)
    assert type(event).__name__ == event_name
    assert (event.relationship_manager_id, event.team) == ("E-100", "north")
    assert {name: getattr(event, name) for name in fields} == fields


FAILURES: list[tuple[Callable[[RelationshipManager], Any], str]] = [
    (lambda rm: rm.change_team(team="north", envelope=envelope()), "team"),
    (
        lambda rm: rm.obtain_certification(
            certification="X", issuer="Y", expires_on=ON, envelope=envelope(effective=ON)
        ),
        "expires_on",
    ),
    (
        lambda rm: rm.attend_workshop(title="X", learning_format="party", hours=1, envelope=envelope()),
        "learning_format",
    ),
    (lambda rm: rm.attend_workshop(title="X", learning_format="workshop", hours=1.5, envelope=envelope()), "hours"),
    (lambda rm: rm.attend_workshop(title="X", learning_format="workshop", hours=-1, envelope=envelope()), "hours"),
    (lambda rm: rm.assign_training(title="X", due_date=date(2026, 5, 3), envelope=envelope(effective=ON)), "due_date"),
    (lambda rm: rm.complete_training("training-9", envelope=envelope()), "training_id"),
    (lambda rm: rm.share_knowledge(title="X", audience_size=-2, envelope=envelope()), "audience_size"),
    (
        lambda rm: rm.complete_compliance_audit(
            auditor="A", rating="a", items_applicable=10, items_passed=11, envelope=envelope()
        ),
        "items_passed",
    ),
    (
        lambda rm: rm.complete_compliance_audit(
            auditor="A", rating="a", items_applicable=0, items_passed=0, envelope=envelope()
        ),
        "items_applicable",
    ),
    (
        lambda rm: rm.complete_compliance_audit(
            auditor="A", rating="e", items_applicable=1, items_passed=1, envelope=envelope()
        ),
        "rating",
    ),
    (
        lambda rm: rm.report_violation(
            regulation="R",
            severity="low",
            occurred_on=date(2026, 5, 5),
            description="d",
            envelope=envelope(effective=ON),
        ),
        "occurred_on",
    ),
    (
        lambda rm: rm.report_violation(
            regulation="R", severity="meh", occurred_on=ON, description="d", envelope=envelope(effective=ON)
        ),
        "severity",
    ),
    (
        lambda rm: rm.check_documentation(policies_checked=5, policies_accurate=6, envelope=envelope()),
        "policies_accurate",
    ),
    (
        lambda rm: rm.check_documentation(policies_checked=0, policies_accurate=0, envelope=envelope()),
        "policies_checked",
    ),
    (lambda rm: rm.achieve_team_goal("goal-9", envelope=envelope()), "goal_id"),
    (lambda rm: rm.answer_satisfaction_survey(scale="csat", score=6, envelope=envelope()), "score"),
    (lambda rm: rm.answer_satisfaction_survey(scale="nps", score=-1, envelope=envelope()), "score"),
    (lambda rm: rm.adopt_tool("bad tool", envelope=envelope()), "tool_id"),
    (lambda rm: rm.conclude_innovation_project("project-9", outcome="succeeded", envelope=envelope()), "project_id"),
    (
        lambda rm: rm.record_time_saved(
            process="p", hours_saved=1, period_start=ON, period_end=ON, envelope=envelope()
        ),
        "period_end",
    ),
    (
        lambda rm: rm.record_time_saved(
            process="p", hours_saved="-1", period_start=ON, period_end=date(2026, 6, 1), envelope=envelope()
        ),
        "hours_saved",
    ),
    (lambda rm: rm.submit_performance_report(month=date(2026, 4, 2), envelope=envelope(effective=ON)), "month"),
    (
        lambda rm: rm.submit_performance_report(month=date(2026, 6, 1), envelope=envelope(effective=ON)),
        "effective_date",
    ),
    (
        lambda rm: rm.correct_performance_report(
            month=date(2026, 4, 1), errors_found=1, description="d", envelope=envelope()
        ),
        "month",
    ),
    (lambda rm: rm.leave(envelope=envelope(reason=None)), "reason"),
]


@pytest.mark.parametrize(("record", "field"), FAILURES, ids=[f[1] for f in FAILURES])
def test_bad_records_are_refused_naming_the_field(record: Callable[[RelationshipManager], Any], field: str) -> None:
    rm = registered()
    with pytest.raises(InvalidInput) as raised:
        record(rm)
    assert raised.value.field == field
    assert rm.collect_events() == []


def test_a_team_change_keeps_past_records_in_the_old_team() -> None:
    rm = registered()
    rm.change_team(team="south", envelope=envelope(effective=ON))
    changed = last_event(rm)
    assert (type(changed).__name__, changed.previous_team, changed.team, changed.changed_on) == (
        "TeamChanged",
        "north",
        "south",
        ON,
    )
    rm.share_knowledge(title="x", audience_size=1, envelope=envelope())
    assert last_event(rm).team == "south"


def test_training_and_goals_complete_once_with_their_due_dates() -> None:
    rm = registered()
    training = rm.assign_training(title="Negotiation", due_date=date(2026, 9, 1), envelope=envelope(effective=ON))
    goal = rm.set_team_goal(description="grow", due_date=date(2026, 9, 30), envelope=envelope(effective=ON))
    rm.complete_training(training, envelope=envelope(effective=date(2026, 8, 1)))
    rm.achieve_team_goal(goal, envelope=envelope(effective=date(2026, 10, 2)))
    completed, achieved = rm.collect_events()[-2:]
    assert (type(completed).__name__, completed.due_date, completed.completed_on) == (
        "TrainingCompleted",
        date(2026, 9, 1),
        date(2026, 8, 1),
    )
    assert (type(achieved).__name__, achieved.due_date, achieved.achieved_on) == (
        "TeamGoalAchieved",
        date(2026, 9, 30),
        date(2026, 10, 2),
    )
    with pytest.raises(Conflict):
        rm.complete_training(training, envelope=envelope())
    with pytest.raises(Conflict):
        rm.achieve_team_goal(goal, envelope=envelope())


def test_innovation_projects_conclude_once_as_succeeded_or_failed() -> None:
    rm = registered()
    project = rm.start_innovation_project(title="bot", envelope=envelope())
    rm.conclude_innovation_project(project, outcome="failed", envelope=envelope())
    concluded = last_event(rm)
    assert (type(concluded).__name__, concluded.outcome) == ("InnovationProjectConcluded", InnovationOutcome.FAILED)
    with pytest.raises(Conflict) as raised:
        rm.conclude_innovation_project(project, outcome="succeeded", envelope=envelope())
    assert raised.value.code == "ALREADY_CONCLUDED"


def test_a_tool_is_adopted_once() -> None:
    rm = registered()
    rm.adopt_tool("crm", envelope=envelope())
    with pytest.raises(Conflict) as raised:
        rm.adopt_tool("crm", envelope=envelope())
    assert raised.value.code == "ALREADY_ADOPTED"


def test_a_report_is_submitted_once_then_corrected() -> None:
    rm = registered()
    rm.submit_performance_report(month=date(2026, 4, 1), envelope=envelope(effective=ON))
    with pytest.raises(Conflict) as raised:
        rm.submit_performance_report(month=date(2026, 4, 1), envelope=envelope(effective=ON))
    assert (raised.value.code, raised.value.field) == ("DUPLICATE", "month")
    rm.correct_performance_report(
        month=date(2026, 4, 1), errors_found=2, description="premium typo", envelope=envelope()
    )
    corrected = last_event(rm)
    assert (type(corrected).__name__, corrected.report_id, corrected.errors_found) == (
        "PerformanceReportCorrected",
        "report-2026-04",
        2,
    )


def test_an_rm_who_left_records_nothing_more() -> None:
    rm = registered()
    rm.leave(envelope=envelope(effective=ON))
    assert (type(last_event(rm)).__name__, rm.left_on) == ("Left", ON)
    with pytest.raises(Conflict) as raised:
        rm.share_knowledge(title="x", audience_size=1, envelope=envelope())
    assert (raised.value.code, raised.value.field) == ("RELATIONSHIP_MANAGER_LEFT", "relationship_manager_id")
