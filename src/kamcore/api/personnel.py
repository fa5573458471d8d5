"""Relationship-manager (personnel) mutations: registration, team and capacity, development, compliance,
team leadership, technology and performance reporting.

Every change names the RM by employee id; `expectedVersion` refers to the RM's record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry

from kamcore.api import enums
from kamcore.api.commands import CommandInput
from kamcore.api.context import Info
from kamcore.api.payloads import CommandPayload, execute
from kamcore.application import CommandContext, CommandResult, KamApplication
from kamcore.domain.programme import DEFAULT_PROGRAMME

RM_ID = "Employee id of the relationship manager (as registered)."
TITLE = "Title (1-200 characters)."
HOURS = 'Hours as a decimal, e.g. "1.5" (0-10000).'

# One RM command: the application, the command context and the RM's employee id.
Change = Callable[[KamApplication, CommandContext, str], CommandResult]


@strawberry.input(description="A relationship manager joining the KAM organisation.")
class RegisterRelationshipManagerInput(CommandInput):
    employee_id: str = strawberry.field(description="Unique employee id: 1-64 letters, digits or . _ : @ -.")
    name: str = strawberry.field(description="Full name (1-200 characters).")
    team: str = strawberry.field(description="Team the RM belongs to (1-100 characters).")
    capacity: int = strawberry.field(description="How many key accounts the RM can serve (0-1000).")


@strawberry.input(description="Fields of every command on a relationship manager's record.")
class RelationshipManagerCommandInput(CommandInput):
    relationship_manager_id: str = strawberry.field(description=RM_ID)


@strawberry.input(description="The RM moves to another team.")
class ChangeRelationshipManagerTeamInput(RelationshipManagerCommandInput):
    team: str = strawberry.field(description="The new team (1-100 characters).")


@strawberry.input(description="The RM's capacity changes.")
class SetRelationshipManagerCapacityInput(RelationshipManagerCommandInput):
    capacity: int = strawberry.field(description="How many key accounts the RM can serve (0-1000).")


@strawberry.input(description="The RM left (a reason is required); effectiveDate is the last day.")
class RecordRelationshipManagerDepartureInput(RelationshipManagerCommandInput):
    pass


@strawberry.input(description="A professional certification the RM obtained; effectiveDate is when.")
class RecordCertificationInput(RelationshipManagerCommandInput):
    certification: str = strawberry.field(description="Name of the certification, e.g. ACII.")
    issuer: str = strawberry.field(description="Body that issued it.")
    expires_on: date | None = strawberry.field(default=None, description="Day it expires; null = never.")


@strawberry.input(description="A workshop, seminar, conference or webinar the RM attended.")
class RecordWorkshopAttendanceInput(RelationshipManagerCommandInput):
    title: str = strawberry.field(description=TITLE)
    learning_format: enums.LearningFormat = strawberry.field(description="Format of the event.")
    hours: Decimal = strawberry.field(description=HOURS)


@strawberry.input(description="Training assigned to the RM.")
class AssignTrainingInput(RelationshipManagerCommandInput):
    title: str = strawberry.field(description=TITLE)
    due_date: date = strawberry.field(description="Day it must be completed by (not before the assignment).")


@strawberry.input(description="Assigned training the RM completed.")
class CompleteTrainingInput(RelationshipManagerCommandInput):
    training_id: str = strawberry.field(description="Id of the training (from assignTraining).")


@strawberry.input(description="Knowledge the RM shared with colleagues (a talk, a playbook).")
class RecordKnowledgeSharingInput(RelationshipManagerCommandInput):
    title: str = strawberry.field(description=TITLE)
    audience_size: int = strawberry.field(description="How many colleagues it reached (0-100000).")


@strawberry.input(description="A compliance audit of the RM's work.")
class RecordComplianceAuditInput(RelationshipManagerCommandInput):
    auditor: str = strawberry.field(description="Who audited (1-200 characters).")
    rating: enums.AuditRating = strawberry.field(description="Banded rating, A best.")
    items_applicable: int = strawberry.field(description="Audit items that applied (1-10000).")
    items_passed: int = strawberry.field(description="Items passed (0 to itemsApplicable).")


@strawberry.input(description="Compliance training the RM attended.")
class RecordComplianceTrainingInput(RelationshipManagerCommandInput):
    title: str = strawberry.field(description=TITLE)
    hours: Decimal = strawberry.field(description=HOURS)


@strawberry.input(description="A regulatory violation by the RM.")
class ReportRegulatoryViolationInput(RelationshipManagerCommandInput):
    regulation: str = strawberry.field(description="Regulation breached, e.g. IDD.")
    severity: enums.ViolationSeverity = strawberry.field(description="How serious it is.")
    occurred_on: date = strawberry.field(description="Day it happened.")
    description: str = strawberry.field(description="What happened (at most 4000 characters).")


@strawberry.input(description="A check of the accuracy of the RM's policy documentation.")
class RecordDocumentationCheckInput(RelationshipManagerCommandInput):
    policies_checked: int = strawberry.field(description="Policies checked (at least 1).")
    policies_accurate: int = strawberry.field(description="Of those, documented accurately.")


@strawberry.input(description="A goal the RM sets for the team they lead.")
class SetTeamGoalInput(RelationshipManagerCommandInput):
    description: str = strawberry.field(description="The goal (at most 4000 characters).")
    due_date: date = strawberry.field(description="Day it should be achieved by.")


@strawberry.input(description="A team goal that was achieved.")
class AchieveTeamGoalInput(RelationshipManagerCommandInput):
    goal_id: str = strawberry.field(description="Id of the goal (from setTeamGoal).")


@strawberry.input(description="The RM's answer to an employee satisfaction survey.")
class RecordEmployeeSatisfactionInput(RelationshipManagerCommandInput):
    scale: enums.SurveyScale = strawberry.field(description="Survey instrument the score is on.")
    score: int = strawberry.field(description="Whole number inside the scale: CSAT 1-5, NPS 0-10, RATING_5 1-5.")


@strawberry.input(description="The RM adopted a tool the programme introduced.")
class RecordToolAdoptionInput(RelationshipManagerCommandInput):
    tool_id: str = strawberry.field(description="Id of the tool (see introduceTool).")
    programme: str = strawberry.field(default=DEFAULT_PROGRAMME, description="Key of the programme.")


@strawberry.input(description="An innovation project the RM starts.")
class StartInnovationProjectInput(RelationshipManagerCommandInput):
    title: str = strawberry.field(description=TITLE)


@strawberry.input(description="How an innovation project ended.")
class ConcludeInnovationProjectInput(RelationshipManagerCommandInput):
    project_id: str = strawberry.field(description="Id of the project (from startInnovationProject).")
    outcome: enums.InnovationOutcome = strawberry.field(description="Succeeded or failed.")


@strawberry.input(description="Time the RM saved on a process over a period (e.g. through a tool).")
class RecordProcessTimeSavedInput(RelationshipManagerCommandInput):
    process: str = strawberry.field(description="The process, e.g. renewals.")
    hours_saved: Decimal = strawberry.field(description=HOURS)
    period_start: date = strawberry.field(description="First day of the period.")
    period_end: date = strawberry.field(description="Last day of the period.")
    tool_id: str | None = strawberry.field(default=None, description="The tool that saved the time; null = none.")


@strawberry.input(description="The RM's monthly performance report was submitted.")
class SubmitPerformanceReportInput(RelationshipManagerCommandInput):
    month: date = strawberry.field(description="The month reported, as its first day (e.g. 2026-03-01).")


@strawberry.input(description="Errors found in a submitted monthly performance report.")
class CorrectPerformanceReportInput(RelationshipManagerCommandInput):
    month: date = strawberry.field(description="The month of the report, as its first day.")
    errors_found: int = strawberry.field(description="How many errors were found (at least 1).")
    description: str = strawberry.field(description="What was corrected (at most 4000 characters).")


@strawberry.type(description="The relationship manager's record after a change, and what the change created.")
class RelationshipManagerPayload(CommandPayload):
    relationship_manager_id: str | None = strawberry.field(
        description="Employee id of the relationship manager; null when refused."
    )
    training_id: str | None = strawberry.field(description="The training assigned (assignTraining only); else null.")
    goal_id: str | None = strawberry.field(description="The team goal set (setTeamGoal only); else null.")
    project_id: str | None = strawberry.field(
        description="The innovation project started (startInnovationProject only); else null."
    )
    report_id: str | None = strawberry.field(
        description="The performance report submitted (submitPerformanceReport only); else null."
    )


async def rm_payload(
    info: Info, data: CommandInput, command: Callable[[CommandContext], CommandResult]
) -> RelationshipManagerPayload:
    done = await execute(info, data, lambda ctx, _: command(ctx))
    return RelationshipManagerPayload(
        **done.common,
        relationship_manager_id=done.detail("relationship_manager_id"),
        training_id=done.detail("training_id"),
        goal_id=done.detail("goal_id"),
        project_id=done.detail("project_id"),
        report_id=done.detail("report_id"),
    )


async def change(info: Info, data: RelationshipManagerCommandInput, command: Change) -> RelationshipManagerPayload:
    app = info.context.runtime.app
    return await rm_payload(info, data, lambda ctx: command(app, ctx, data.relationship_manager_id))


@strawberry.type
class PersonnelMutations:
    @strawberry.mutation(description="Register a relationship manager.")
    async def register_relationship_manager(
        self,
        info: Info,
        input: Annotated[RegisterRelationshipManagerInput, strawberry.argument(description="The RM to register.")],
    ) -> RelationshipManagerPayload:
        app = info.context.runtime.app
        return await rm_payload(
            info,
            input,
            lambda ctx: app.register_relationship_manager(
                ctx, employee_id=input.employee_id, name=input.name, team=input.team, capacity=input.capacity
            ),
        )

    @strawberry.mutation(description="Move a relationship manager to another team.")
    async def change_relationship_manager_team(
        self,
        info: Info,
        input: Annotated[
            ChangeRelationshipManagerTeamInput, strawberry.argument(description="The RM and the new team.")
        ],
    ) -> RelationshipManagerPayload:
        return await change(
            info, input, lambda app, ctx, rm: app.change_relationship_manager_team(ctx, rm, team=input.team)
        )

    @strawberry.mutation(description="Set how many key accounts a relationship manager can serve.")
    async def set_relationship_manager_capacity(
        self,
        info: Info,
        input: Annotated[
            SetRelationshipManagerCapacityInput, strawberry.argument(description="The RM and the capacity.")
        ],
    ) -> RelationshipManagerPayload:
        return await change(
            info, input, lambda app, ctx, rm: app.set_relationship_manager_capacity(ctx, rm, capacity=input.capacity)
        )

    @strawberry.mutation(description="Record that a relationship manager left (a reason is required).")
    async def record_relationship_manager_departure(
        self,
        info: Info,
        input: Annotated[
            RecordRelationshipManagerDepartureInput, strawberry.argument(description="The RM; pass reason.")
        ],
    ) -> RelationshipManagerPayload:
        return await change(info, input, lambda app, ctx, rm: app.record_relationship_manager_departure(ctx, rm))

    @strawberry.mutation(description="Record a certification a relationship manager obtained.")
    async def record_certification(
        self,
        info: Info,
        input: Annotated[RecordCertificationInput, strawberry.argument(description="The RM and the certification.")],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.record_certification(
                ctx, rm, certification=input.certification, issuer=input.issuer, expires_on=input.expires_on
            ),
        )

    @strawberry.mutation(
        description="Record a workshop, seminar, conference or webinar a relationship manager attended."
    )
    async def record_workshop_attendance(
        self,
        info: Info,
        input: Annotated[RecordWorkshopAttendanceInput, strawberry.argument(description="The RM and the event.")],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.record_workshop_attendance(
                ctx, rm, title=input.title, learning_format=input.learning_format, hours=input.hours
            ),
        )

    @strawberry.mutation(description="Assign training to a relationship manager.")
    async def assign_training(
        self,
        info: Info,
        input: Annotated[AssignTrainingInput, strawberry.argument(description="The RM and the training.")],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.assign_training(ctx, rm, title=input.title, due_date=input.due_date),
        )

    @strawberry.mutation(description="Record that a relationship manager completed assigned training.")
    async def complete_training(
        self,
        info: Info,
        input: Annotated[CompleteTrainingInput, strawberry.argument(description="The RM and the training.")],
    ) -> RelationshipManagerPayload:
        return await change(
            info, input, lambda app, ctx, rm: app.complete_training(ctx, rm, training_id=input.training_id)
        )

    @strawberry.mutation(description="Record knowledge a relationship manager shared with colleagues.")
    async def record_knowledge_sharing(
        self,
        info: Info,
        input: Annotated[
            RecordKnowledgeSharingInput, strawberry.argument(description="The RM, what and with how many.")
        ],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.record_knowledge_sharing(
                ctx, rm, title=input.title, audience_size=input.audience_size
            ),
        )

    @strawberry.mutation(description="Record the result of a compliance audit of a relationship manager.")
    async def record_compliance_audit(
        self,
        info: Info,
        input: Annotated[RecordComplianceAuditInput, strawberry.argument(description="The RM and the audit result.")],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.record_compliance_audit(
                ctx,
                rm,
                auditor=input.auditor,
                rating=input.rating,
                items_applicable=input.items_applicable,
                items_passed=input.items_passed,
            ),
        )

    @strawberry.mutation(description="Record compliance training a relationship manager attended.")
    async def record_compliance_training(
        self,
        info: Info,
        input: Annotated[RecordComplianceTrainingInput, strawberry.argument(description="The RM and the training.")],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.record_compliance_training(ctx, rm, title=input.title, hours=input.hours),
        )

    @strawberry.mutation(description="Report a regulatory violation by a relationship manager.")
    async def report_regulatory_violation(
        self,
        info: Info,
        input: Annotated[ReportRegulatoryViolationInput, strawberry.argument(description="The RM and the violation.")],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.report_regulatory_violation(
                ctx,
                rm,
                regulation=input.regulation,
                severity=input.severity,
                occurred_on=input.occurred_on,
                description=input.description,
            ),
        )

    @strawberry.mutation(description="Record a documentation-accuracy check of a relationship manager's policies.")
    async def record_documentation_check(
        self,
        info: Info,
        input: Annotated[
            RecordDocumentationCheckInput, strawberry.argument(description="The RM and the check result.")
        ],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.record_documentation_check(
                ctx, rm, policies_checked=input.policies_checked, policies_accurate=input.policies_accurate
            ),
        )

    @strawberry.mutation(description="Set a goal for the team a relationship manager leads.")
    async def set_team_goal(
        self, info: Info, input: Annotated[SetTeamGoalInput, strawberry.argument(description="The RM and the goal.")]
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.set_team_goal(ctx, rm, description=input.description, due_date=input.due_date),
        )

    @strawberry.mutation(description="Record that a team goal was achieved.")
    async def achieve_team_goal(
        self,
        info: Info,
        input: Annotated[AchieveTeamGoalInput, strawberry.argument(description="The RM and the goal.")],
    ) -> RelationshipManagerPayload:
        return await change(info, input, lambda app, ctx, rm: app.achieve_team_goal(ctx, rm, goal_id=input.goal_id))

    @strawberry.mutation(description="Record a relationship manager's employee-satisfaction answer.")
    async def record_employee_satisfaction(
        self,
        info: Info,
        input: Annotated[
            RecordEmployeeSatisfactionInput, strawberry.argument(description="The RM, the scale and the score.")
        ],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.record_employee_satisfaction(ctx, rm, scale=input.scale, score=input.score),
        )

    @strawberry.mutation(description="Record that a relationship manager adopted a programme tool.")
    async def record_tool_adoption(
        self,
        info: Info,
        input: Annotated[RecordToolAdoptionInput, strawberry.argument(description="The RM and the tool.")],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.record_tool_adoption(ctx, rm, tool_id=input.tool_id, programme=input.programme),
        )

    @strawberry.mutation(description="Start an innovation project of a relationship manager.")
    async def start_innovation_project(
        self,
        info: Info,
        input: Annotated[StartInnovationProjectInput, strawberry.argument(description="The RM and the project.")],
    ) -> RelationshipManagerPayload:
        return await change(info, input, lambda app, ctx, rm: app.start_innovation_project(ctx, rm, title=input.title))

    @strawberry.mutation(description="Record how an innovation project ended.")
    async def conclude_innovation_project(
        self,
        info: Info,
        input: Annotated[
            ConcludeInnovationProjectInput, strawberry.argument(description="The RM, the project, the outcome.")
        ],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.conclude_innovation_project(
                ctx, rm, project_id=input.project_id, outcome=input.outcome
            ),
        )

    @strawberry.mutation(description="Record process time a relationship manager saved over a period.")
    async def record_process_time_saved(
        self,
        info: Info,
        input: Annotated[
            RecordProcessTimeSavedInput, strawberry.argument(description="The RM, the process and the hours.")
        ],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.record_process_time_saved(
                ctx,
                rm,
                process=input.process,
                hours_saved=input.hours_saved,
                period_start=input.period_start,
                period_end=input.period_end,
                tool_id=input.tool_id,
            ),
        )

    @strawberry.mutation(description="Record that a relationship manager submitted a monthly performance report.")
    async def submit_performance_report(
        self,
        info: Info,
        input: Annotated[SubmitPerformanceReportInput, strawberry.argument(description="The RM and the month.")],
    ) -> RelationshipManagerPayload:
        return await change(info, input, lambda app, ctx, rm: app.submit_performance_report(ctx, rm, month=input.month))

    @strawberry.mutation(description="Record errors found and corrected in a monthly performance report.")
    async def correct_performance_report(
        self,
        info: Info,
        input: Annotated[
            CorrectPerformanceReportInput, strawberry.argument(description="The RM, the month and the errors.")
        ],
    ) -> RelationshipManagerPayload:
        return await change(
            info,
            input,
            lambda app, ctx, rm: app.correct_performance_report(
                ctx, rm, month=input.month, errors_found=input.errors_found, description=input.description
            ),
        )
