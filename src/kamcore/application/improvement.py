"""Continuous-improvement commands: process reviews, retention strategies and management decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.management_decision import ManagementDecision
from kamcore.domain.process_review import ProcessReview
from kamcore.domain.retention_strategy import RetentionStrategy
from kamcore.domain.values import AdjustmentKind, DecisionImpact, FindingArea, KeyAccountTier, Segment


class ImprovementCommands(CommandHandling):
    # -- process reviews --------------------------------------------------------------------

    def open_process_review(
        self, ctx: CommandContext, *, title: str, period_start: date, period_end: date
    ) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[ProcessReview], dict[str, str]]:
            review = ProcessReview.open(
                title=title, period_start=period_start, period_end=period_end, envelope=envelope
            )
            return [review], {}

        arguments = {"title": title, "period_start": period_start, "period_end": period_end}
        return self.execute(ctx, "open_process_review", arguments, body)

    def record_review_finding(
        self,
        ctx: CommandContext,
        review_id: UUID,
        *,
        area: FindingArea | str,
        description: str,
        kpi_id: str | None = None,
        observed_value: object = None,
        target_value: object = None,
    ) -> CommandResult:
        arguments = {
            "review_id": review_id,
            "area": area,
            "description": description,
            "kpi_id": kpi_id,
            "observed_value": observed_value,
            "target_value": target_value,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[ProcessReview], dict[str, str]]:
            review = self._review(ctx, review_id)
            finding = review.record_finding(
                area=area,
                description=description,
                kpi_id=kpi_id,
                observed_value=observed_value,
                target_value=target_value,
                envelope=envelope,
            )
            return [review], {"finding_id": finding.finding_id}

        return self.execute(ctx, "record_review_finding", arguments, body)

    def decide_review_adjustment(
        self,
        ctx: CommandContext,
        review_id: UUID,
        *,
        kind: AdjustmentKind | str,
        description: str,
        due_date: date,
        reference: str | None = None,
    ) -> CommandResult:
        arguments = {
            "review_id": review_id,
            "kind": kind,
            "description": description,
            "due_date": due_date,
            "reference": reference,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[ProcessReview], dict[str, str]]:
            review = self._review(ctx, review_id)
            adjustment = review.decide_adjustment(
                kind=kind, description=description, due_date=due_date, reference=reference, envelope=envelope
            )
            return [review], {"adjustment_id": adjustment.adjustment_id}

        return self.execute(ctx, "decide_review_adjustment", arguments, body)

    def implement_review_adjustment(self, ctx: CommandContext, review_id: UUID, *, adjustment_id: str) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[ProcessReview], dict[str, str]]:
            review = self._review(ctx, review_id)
            review.implement_adjustment(adjustment_id, envelope=envelope)
            return [review], {"adjustment_id": adjustment_id}

        arguments = {"review_id": review_id, "adjustment_id": adjustment_id}
        return self.execute(ctx, "implement_review_adjustment", arguments, body)

    def conclude_process_review(self, ctx: CommandContext, review_id: UUID, *, summary: str) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[ProcessReview], dict[str, str]]:
            review = self._review(ctx, review_id)
            review.conclude(summary=summary, envelope=envelope)
            return [review], {}

        return self.execute(ctx, "conclude_process_review", {"review_id": review_id, "summary": summary}, body)

    # -- retention strategies ---------------------------------------------------------------

    def launch_retention_strategy(
        self,
        ctx: CommandContext,
        *,
        name: str,
        description: str,
        starts_on: date,
        target_segments: Sequence[Segment | str] = (),
        target_tiers: Sequence[KeyAccountTier | str] = (),
    ) -> CommandResult:
        arguments = {
            "name": name,
            "description": description,
            "starts_on": starts_on,
            "target_segments": list(target_segments),
            "target_tiers": list(target_tiers),
        }

        def body(envelope: AuditEnvelope) -> tuple[list[RetentionStrategy], dict[str, str]]:
            strategy = RetentionStrategy.launch(
                name=name,
                description=description,
                starts_on=starts_on,
                target_segments=target_segments,
                target_tiers=target_tiers,
                envelope=envelope,
            )
            return [strategy], {}

        return self.execute(ctx, "launch_retention_strategy", arguments, body)

    def end_retention_strategy(self, ctx: CommandContext, strategy_id: UUID, *, ends_on: date) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[RetentionStrategy], dict[str, str]]:
            strategy = self.load(
                RetentionStrategy, strategy_id, field="strategy_id", expected_version=ctx.expected_version
            )
            strategy.end(ends_on=ends_on, envelope=envelope)
            return [strategy], {}

        return self.execute(ctx, "end_retention_strategy", {"strategy_id": strategy_id, "ends_on": ends_on}, body)

    # -- management decisions ---------------------------------------------------------------

    def record_management_decision(
        self,
        ctx: CommandContext,
        *,
        title: str,
        description: str,
        kpi_id: str,
        baseline_value: object,
        decided_by: str,
    ) -> CommandResult:
        arguments = {
            "title": title,
            "description": description,
            "kpi_id": kpi_id,
            "baseline_value": baseline_value,
            "decided_by": decided_by,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[ManagementDecision], dict[str, str]]:
            decision = ManagementDecision.record(
                title=title,
                description=description,
                kpi_id=kpi_id,
                baseline_value=baseline_value,
                decided_by=decided_by,
                envelope=envelope,
            )
            return [decision], {}

        return self.execute(ctx, "record_management_decision", arguments, body)

    def record_decision_outcome(
        self,
        ctx: CommandContext,
        decision_id: UUID,
        *,
        observed_value: object,
        impact: DecisionImpact | str,
        note: str | None = None,
    ) -> CommandResult:
        arguments = {"decision_id": decision_id, "observed_value": observed_value, "impact": impact, "note": note}

        def body(envelope: AuditEnvelope) -> tuple[list[ManagementDecision], dict[str, str]]:
            decision = self.load(
                ManagementDecision, decision_id, field="decision_id", expected_version=ctx.expected_version
            )
            decision.record_outcome(observed_value=observed_value, impact=impact, note=note, envelope=envelope)
            return [decision], {}

        return self.execute(ctx, "record_decision_outcome", arguments, body)

    def _review(self, ctx: CommandContext, review_id: UUID) -> ProcessReview:
        return self.load(ProcessReview, review_id, field="review_id", expected_version=ctx.expected_version)
