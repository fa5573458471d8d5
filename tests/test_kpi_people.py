"""KRAs 6-10 from RelationshipManager records: team leadership, compliance, technology, reporting, development."""

from __future__ import annotations

from kamcore.runtime import Runtime
from tests.test_kpi_support import Book, d, month, on, quarter


def test_training_goals_satisfaction_and_development_counts(runtime: Runtime) -> None:
    book = Book(runtime)
    app = book.app
    t1 = app.assign_training(on("2024-01-05"), "rm-a", title="Cyber", due_date=d("2024-02-10")).detail["training_id"]
    t2 = app.assign_training(on("2024-01-05"), "rm-a", title="Marine", due_date=d("2024-02-20")).detail["training_id"]
    app.assign_training(on("2024-01-05"), "rm-a", title="D&O", due_date=d("2024-04-20"))  # due in Q2
    app.complete_training(on("2024-02-01"), "rm-a", training_id=t1)  # on time
    app.complete_training(on("2024-03-01"), "rm-a", training_id=t2)  # late: not completed by its due date
    for kpi in ("team_training_completion_rate", "skills_training_completion_rate"):
        result = book.kpi(kpi, quarter(1))
        assert (result.numerator, result.denominator, result.value) == (1, 2, 50.0)
    team = book.kpi("team_training_completion_rate", quarter(1), grain="team", key="north")
    assert team.value == 50.0
    assert book.kpi("team_training_completion_rate", quarter(1), grain="team", key="south").value is None

    g1 = app.set_team_goal(on("2024-01-02"), "rm-b", description="NPS 40", due_date=d("2024-03-31")).detail["goal_id"]
    app.set_team_goal(on("2024-01-02"), "rm-b", description="10 reviews", due_date=d("2024-03-31"))
    app.achieve_team_goal(on("2024-03-15"), "rm-b", goal_id=g1)
    assert book.kpi("team_goal_achievement_rate", quarter(1), grain="team", key="south").value == 50.0

    app.record_employee_satisfaction(on("2024-01-10"), "rm-a", scale="csat", score=4)
    app.record_employee_satisfaction(on("2024-01-11"), "rm-b", scale="csat", score=2)
    app.record_employee_satisfaction(on("2024-01-12"), "rm-b", scale="nps", score=9)  # eNPS: another scale
    assert book.kpi("employee_satisfaction_score", month(1), grain="company", key=None).value == 3.0

    app.record_certification(on("2024-01-20"), "rm-a", certification="CII", issuer="CII")
    app.record_workshop_attendance(on("2024-01-21"), "rm-a", title="Risk", learning_format="seminar", hours="3")
    app.record_workshop_attendance(on("2024-02-21"), "rm-a", title="Claims", learning_format="workshop", hours="2")
    app.record_knowledge_sharing(on("2024-02-22"), "rm-a", title="Playbook", audience_size=12)
    assert book.kpi("certifications_obtained", quarter(1)).value == 1.0
    assert book.kpi("workshops_attended", quarter(1)).value == 2.0
    assert book.kpi("knowledge_sharing_initiatives", quarter(1)).value == 1.0
    assert book.kpi("knowledge_sharing_initiatives", quarter(1), key="rm-b").value == 0.0


def test_team_performance_improvement_is_written_premium_change_vs_previous_period(runtime: Runtime) -> None:
    book = Book(runtime)
    acme = book.account("Acme")
    book.policy(acme, "2024-01-10", premium="1000")
    book.policy(acme, "2024-04-10", premium="1500", product="P2", kind="cross_sell")
    q2 = book.kpi("team_performance_improvement_rate", quarter(2), grain="team", key="north")
    assert (q2.numerator, q2.denominator, q2.value) == (50000, 100000, 50.0)
    q1 = book.kpi("team_performance_improvement_rate", quarter(1), grain="team", key="north")
    assert (q1.numerator, q1.denominator, q1.value) == (100000, 0, None)  # nothing the quarter before: null


def test_compliance_kpis(runtime: Runtime) -> None:
    book = Book(runtime)
    app = book.app
    app.record_compliance_audit(
        on("2024-01-15"), "rm-a", auditor="Int", rating="b", items_applicable=20, items_passed=18
    )
    app.record_compliance_audit(
        on("2024-02-15"), "rm-b", auditor="Int", rating="c", items_applicable=10, items_passed=6
    )
    app.record_compliance_training(on("2024-01-16"), "rm-a", title="AML", hours="2")
    app.report_regulatory_violation(
        on("2024-02-01"),
        "rm-b",
        regulation="IDD",
        severity="low",
        occurred_on=d("2024-01-30"),
        description="late disclosure",
    )
    app.record_documentation_check(on("2024-03-01"), "rm-a", policies_checked=8, policies_accurate=6)
    assert book.kpi("compliance_audit_rating", quarter(1)).value == 90.0
    company = book.kpi("compliance_audit_rating", quarter(1), grain="company", key=None)
    assert (company.numerator, company.denominator, company.value) == (24, 30, 80.0)
    assert book.kpi("compliance_training_sessions", quarter(1)).value == 1.0
    assert book.kpi("regulatory_violation_incidents", quarter(1), key="rm-b").value == 1.0
    assert book.kpi("documentation_accuracy_rate", quarter(1)).value == 75.0
    assert book.kpi("documentation_accuracy_rate", quarter(1), key="rm-b").value is None


def test_technology_kpis(runtime: Runtime) -> None:
    book = Book(runtime)
    app = book.app
    app.introduce_tool(on("2024-01-01"), tool_id="crm-ai", name="CRM assistant")
    app.record_tool_adoption(on("2024-02-01"), "rm-a", tool_id="crm-ai")
    assert book.kpi("tool_adoption_rate", month(1), grain="company", key=None).value == 0.0
    feb = book.kpi("tool_adoption_rate", month(2), grain="company", key=None)
    assert (feb.numerator, feb.denominator, feb.value) == (1, 2, 50.0)
    # 31 hours over [2024-01-01, 2024-02-01) then 29 over February: pro rata by day
    app.record_process_time_saved(
        on("2024-03-01"),
        "rm-a",
        process="quotes",
        hours_saved="60",
        period_start=d("2024-01-01"),
        period_end=d("2024-03-01"),
    )
    assert book.kpi("process_time_saved", month(1)).value == 31.0
    assert book.kpi("process_time_saved", quarter(1)).value == 60.0
    p1 = app.start_innovation_project(on("2024-01-05"), "rm-a", title="Bot").detail["project_id"]
    p2 = app.start_innovation_project(on("2024-01-05"), "rm-a", title="OCR").detail["project_id"]
    app.conclude_innovation_project(on("2024-03-01"), "rm-a", project_id=p1, outcome="succeeded")
    app.conclude_innovation_project(on("2024-03-02"), "rm-a", project_id=p2, outcome="failed")
    assert book.kpi("innovation_project_success_rate", quarter(1)).value == 50.0
    assert book.kpi("innovation_project_success_rate", quarter(2)).value is None


def test_report_accuracy_and_action_plans(runtime: Runtime) -> None:
    book = Book(runtime)
    app = book.app
    acme = book.account("Acme")
    app.submit_performance_report(on("2024-02-02"), "rm-a", month=d("2024-01-01"))
    app.submit_performance_report(on("2024-03-02"), "rm-a", month=d("2024-02-01"))
    app.correct_performance_report(
        on("2024-03-10"), "rm-a", month=d("2024-02-01"), errors_found=1, description="wrong premium"
    )
    q1 = book.kpi("performance_report_accuracy", quarter(1))
    assert (q1.numerator, q1.denominator, q1.value) == (1, 2, 50.0)
    assert book.kpi("performance_report_accuracy", quarter(1), as_of=d("2024-03-05")).value == 100.0

    meeting = app.record_interaction(
        on("2024-01-10"), acme, kind="meeting", subject="s", outcome="o", relationship_manager_ids=["rm-a"]
    ).aggregate_id
    i1 = app.add_action_item(
        on("2024-01-10"), meeting, description="send quote", owner_id="rm-a", due_date=d("2024-01-20")
    ).detail["item_id"]
    app.add_action_item(on("2024-01-10"), meeting, description="visit", owner_id="rm-a", due_date=d("2024-01-25"))
    app.complete_action_item(on("2024-01-18"), meeting, item_id=i1)
    january = book.kpi("action_plan_success_rate", month(1))
    assert (january.numerator, january.denominator, january.value) == (1, 2, 50.0)
