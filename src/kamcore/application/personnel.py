"""Relationship-manager commands: registration, team and capacity, development, compliance, reporting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict
from kamcore.domain.programme import DEFAULT_PROGRAMME, Programme
from kamcore.domain.relationship_manager import RelationshipManager
from kamcore.domain.values import AuditRating, InnovationOutcome, LearningFormat, SurveyScale, ViolationSeverity

# Applies one change to the RM and returns extra result details (e.g. the id of what it created).
Change = Callable[[RelationshipManager, AuditEnvelope], dict[str, str]]


class PersonnelCommands(CommandHandling):
    def register_relationship_manager(
        self, ctx: CommandContext, *, employee_id: str, name: str, team: str, capacity: int
    ) -> CommandResult:
        arguments = {"employee_id": employee_id, "name": name, "team": team, "capacity": capacity}

        def body(envelope: AuditEnvelope) -> tuple[list[RelationshipManager], dict[str, str]]:
            rm = RelationshipManager.register(
                employee_id=employee_id, name=name, team=team, capacity=capacity, envelope=envelope
            )
            if self.find(RelationshipManager, rm.id) is not None:
                raise Conflict(f"{employee_id} is already registered", field="employee_id", code="DUPLICATE")
            return [rm], {"relationship_manager_id": rm.employee_id}

        return self.execute(ctx, "register_relationship_manager", arguments, body)

    # -- profile ----------------------------------------------------------------------------

    def change_relationship_manager_team(
        self, ctx: CommandContext, relationship_manager_id: str, *, team: str
    ) -> CommandResult:
        return self._change(
            ctx,
            "change_relationship_manager_team",
            relationship_manager_id,
            {"team": team},
            lambda rm, env: _none(rm.change_team(team=team, envelope=env)),
        )

    def set_relationship_manager_capacity(
        self, ctx: CommandContext, relationship_manager_id: str, *, capacity: int
    ) -> CommandResult:
        return self._change(
            ctx,
            "set_relationship_manager_capacity",
            relationship_manager_id,
            {"capacity": capacity},
            lambda rm, env: _none(rm.set_capacity(capacity=capacity, envelope=env)),
        )

    def record_relationship_manager_departure(self, ctx: CommandContext, relationship_manager_id: str) -> CommandResult:
        return self._change(
            ctx,
            "record_relationship_manager_departure",
            relationship_manager_id,
            {},
            lambda rm, env: _none(rm.leave(envelope=env)),
        )

    # -- professional development -----------------------------------------------------------

    def record_certification(
        self,
        ctx: CommandContext,
        relationship_manager_id: str,
        *,
        certification: str,
        issuer: str,
        expires_on: date | None = None,
    ) -> CommandResult:
        arguments = {"certification": certification, "issuer": issuer, "expires_on": expires_on}
        return self._change(
            ctx,
            "record_certification",
            relationship_manager_id,
            arguments,
            lambda rm, env: _none(
                rm.obtain_certification(certification=certification, issuer=issuer, expires_on=expires_on, envelope=env)
            ),
        )

    def record_workshop_attendance(
        self,
        ctx: CommandContext,
        relationship_manager_id: str,
        *,
        title: str,
        learning_format: LearningFormat | str,
        hours: object,
    ) -> CommandResult:
        arguments = {"title": title, "learning_format": learning_format, "hours": hours}
        return self._change(
            ctx,
            "record_workshop_attendance",
            relationship_manager_id,
            arguments,
            lambda rm, env: _none(
                rm.attend_workshop(title=title, learning_format=learning_format, hours=hours, envelope=env)
            ),
        )

    def assign_training(
        self, ctx: CommandContext, relationship_manager_id: str, *, title: str, due_date: date
    ) -> CommandResult:
        return self._change(
            ctx,
            "assign_training",
            relationship_manager_id,
            {"title": title, "due_date": due_date},
            lambda rm, env: {"training_id": rm.assign_training(title=title, due_date=due_date, envelope=env)},
        )

    def complete_training(
        self, ctx: CommandContext, relationship_manager_id: str, *, training_id: str
    ) -> CommandResult:
        return self._change(
            ctx,
            "complete_training",
            relationship_manager_id,
            {"training_id": training_id},
            lambda rm, env: _none(rm.complete_training(training_id, envelope=env)),
        )

    def record_knowledge_sharing(
        self, ctx: CommandContext, relationship_manager_id: str, *, title: str, audience_size: int
    ) -> CommandResult:
        arguments = {"title": title, "audience_size": audience_size}
        return self._change(
            ctx,
            "record_knowledge_sharing",
            relationship_manager_id,
            arguments,
            lambda rm, env: _none(rm.share_knowledge(title=title, audience_size=audience_size, envelope=env)),
        )

    # -- compliance -------------------------------------------------------------------------

    def record_compliance_audit(
        self,
        ctx: CommandContext,
        relationship_manager_id: str,
        *,
        auditor: str,
        rating: AuditRating | str,
        items_applicable: int,
        items_passed: int,
    ) -> CommandResult:
        arguments = {
            "auditor": auditor,
            "rating": rating,
            "items_applicable": items_applicable,
            "items_passed": items_passed,
        }
        return self._change(
            ctx,
            "record_compliance_audit",
            relationship_manager_id,
            arguments,
            lambda rm, env: _none(
                rm.complete_compliance_audit(
                    auditor=auditor,
                    rating=rating,
                    items_applicable=items_applicable,
                    items_passed=items_passed,
                    envelope=env,
                )
            ),
        )

    def record_compliance_training(
        self, ctx: CommandContext, relationship_manager_id: str, *, title: str, hours: object
    ) -> CommandResult:
        return self._change(
            ctx,
            "record_compliance_training",
            relationship_manager_id,
            {"title": title, "hours": hours},
            lambda rm, env: _none(rm.attend_compliance_training(title=title, hours=hours, envelope=env)),
        )

    def report_regulatory_violation(
        self,
        ctx: CommandContext,
        relationship_manager_id: str,
        *,
        regulation: str,
        severity: ViolationSeverity | str,
        occurred_on: date,
        description: str,
    ) -> CommandResult:
        arguments = {
            "regulation": regulation,
            "severity": severity,
            "occurred_on": occurred_on,
            "description": description,
        }
        return self._change(
            ctx,
            "report_regulatory_violation",
            relationship_manager_id,
            arguments,
            lambda rm, env: _none(
                rm.report_violation(
                    regulation=regulation,
                    severity=severity,
                    occurred_on=occurred_on,
                    description=description,
                    envelope=env,
                )
            ),
        )

    def record_documentation_check(
        self, ctx: CommandContext, relationship_manager_id: str, *, policies_checked: int, policies_accurate: int
    ) -> CommandResult:
        arguments = {"policies_checked": policies_checked, "policies_accurate": policies_accurate}
        return self._change(
            ctx,
            "record_documentation_check",
            relationship_manager_id,
            arguments,
            lambda rm, env: _none(
                rm.check_documentation(
                    policies_checked=policies_checked, policies_accurate=policies_accurate, envelope=env
                )
            ),
        )

    # -- team leadership --------------------------------------------------------------------

    def set_team_goal(
        self, ctx: CommandContext, relationship_manager_id: str, *, description: str, due_date: date
    ) -> CommandResult:
        arguments = {"description": description, "due_date": due_date}
        return self._change(
            ctx,
            "set_team_goal",
            relationship_manager_id,
            arguments,
            lambda rm, env: {"goal_id": rm.set_team_goal(description=description, due_date=due_date, envelope=env)},
        )

    def achieve_team_goal(self, ctx: CommandContext, relationship_manager_id: str, *, goal_id: str) -> CommandResult:
        return self._change(
            ctx,
            "achieve_team_goal",
            relationship_manager_id,
            {"goal_id": goal_id},
            lambda rm, env: _none(rm.achieve_team_goal(goal_id, envelope=env)),
        )

    def record_employee_satisfaction(
        self, ctx: CommandContext, relationship_manager_id: str, *, scale: SurveyScale | str, score: int
    ) -> CommandResult:
        return self._change(
            ctx,
            "record_employee_satisfaction",
            relationship_manager_id,
            {"scale": scale, "score": score},
            lambda rm, env: _none(rm.answer_satisfaction_survey(scale=scale, score=score, envelope=env)),
        )

    # -- technology -------------------------------------------------------------------------

    def record_tool_adoption(
        self, ctx: CommandContext, relationship_manager_id: str, *, tool_id: str, programme: str = DEFAULT_PROGRAMME
    ) -> CommandResult:
        """Only a tool the programme introduced can be adopted."""

        def adopt(rm: RelationshipManager, envelope: AuditEnvelope) -> dict[str, str]:
            self.load(Programme, Programme.id_for(programme), field="programme").ensure_tool(tool_id)
            rm.adopt_tool(tool_id, envelope=envelope)
            return {"tool_id": tool_id}

        arguments = {"tool_id": tool_id, "programme": programme}
        return self._change(ctx, "record_tool_adoption", relationship_manager_id, arguments, adopt)

    def start_innovation_project(
        self, ctx: CommandContext, relationship_manager_id: str, *, title: str
    ) -> CommandResult:
        return self._change(
            ctx,
            "start_innovation_project",
            relationship_manager_id,
            {"title": title},
            lambda rm, env: {"project_id": rm.start_innovation_project(title=title, envelope=env)},
        )

    def conclude_innovation_project(
        self, ctx: CommandContext, relationship_manager_id: str, *, project_id: str, outcome: InnovationOutcome | str
    ) -> CommandResult:
        arguments = {"project_id": project_id, "outcome": outcome}
        return self._change(
            ctx,
            "conclude_innovation_project",
            relationship_manager_id,
            arguments,
            lambda rm, env: _none(rm.conclude_innovation_project(project_id, outcome=outcome, envelope=env)),
        )

    def record_process_time_saved(
        self,
        ctx: CommandContext,
        relationship_manager_id: str,
        *,
        process: str,
        hours_saved: object,
        period_start: date,
        period_end: date,
        tool_id: str | None = None,
    ) -> CommandResult:
        arguments = {
            "process": process,
            "hours_saved": hours_saved,
            "period_start": period_start,
            "period_end": period_end,
            "tool_id": tool_id,
        }
        return self._change(
            ctx,
            "record_process_time_saved",
            relationship_manager_id,
            arguments,
            lambda rm, env: _none(
                rm.record_time_saved(
                    process=process,
                    hours_saved=hours_saved,
                    period_start=period_start,
                    period_end=period_end,
                    tool_id=tool_id,
                    envelope=env,
                )
            ),
        )

    # -- performance reporting --------------------------------------------------------------

    def submit_performance_report(
        self, ctx: CommandContext, relationship_manager_id: str, *, month: date
    ) -> CommandResult:
        return self._change(
            ctx,
            "submit_performance_report",
            relationship_manager_id,
            {"month": month},
            lambda rm, env: {"report_id": rm.submit_performance_report(month=month, envelope=env)},
        )

    def correct_performance_report(
        self, ctx: CommandContext, relationship_manager_id: str, *, month: date, errors_found: int, description: str
    ) -> CommandResult:
        arguments = {"month": month, "errors_found": errors_found, "description": description}
        return self._change(
            ctx,
            "correct_performance_report",
            relationship_manager_id,
            arguments,
            lambda rm, env: _none(
                rm.correct_performance_report(
                    month=month, errors_found=errors_found, description=description, envelope=env
                )
            ),
        )

    def _change(
        self,
        ctx: CommandContext,
        command: str,
        relationship_manager_id: str,
        arguments: dict[str, Any],
        change: Change,
    ) -> CommandResult:
        """Load the RM (a stale `expected_version` conflicts), apply one change, save."""

        def body(envelope: AuditEnvelope) -> tuple[list[RelationshipManager], dict[str, str]]:
            rm = self.load(
                RelationshipManager,
                RelationshipManager.id_for(str(relationship_manager_id)),
                field="relationship_manager_id",
                expected_version=ctx.expected_version,
            )
            return [rm], {"relationship_manager_id": rm.employee_id, **change(rm, envelope)}

        return self.execute(ctx, command, {"relationship_manager_id": relationship_manager_id, **arguments}, body)


def _none(_: None) -> dict[str, str]:
    """For changes that create nothing to name in the result."""
    return {}
