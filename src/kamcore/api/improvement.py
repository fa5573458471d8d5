"""Continuous-improvement mutations: process reviews, retention strategies and management decisions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.commands import Command, CommandInput
from kamcore.api.context import Info
from kamcore.api.payloads import CommandPayload, execute
from kamcore.api.reads import node_uuid

REVIEW_ID = "Global id of the process review (the reviewId returned by openProcessReview)."
DECISION_ID = "Global id of the management decision (the decisionId returned by recordManagementDecision)."


@strawberry.input(description="A review of how the KAM process performed over a period.")
class OpenProcessReviewInput(CommandInput):
    title: str = strawberry.field(description="Title of the review (1-200 characters).")
    period_start: date = strawberry.field(description="First day of the period reviewed.")
    period_end: date = strawberry.field(description="End of the period reviewed (after periodStart).")


@strawberry.input(description="Something the review found, optionally measured against a KPI.")
class RecordReviewFindingInput(CommandInput):
    review_id: relay.GlobalID = strawberry.field(description=REVIEW_ID)
    area: enums.FindingArea = strawberry.field(description="What the finding is measured against.")
    description: str = strawberry.field(description="The finding (at most 4000 characters).")
    kpi_id: str | None = strawberry.field(default=None, description="The KPI it concerns; null = none.")
    observed_value: Decimal | None = strawberry.field(
        default=None, description="Value of the KPI observed, as a decimal; null = not measured."
    )
    target_value: Decimal | None = strawberry.field(
        default=None, description="Value the KPI should have had, as a decimal; null = none."
    )


@strawberry.input(description="A change the review decided on.")
class DecideReviewAdjustmentInput(CommandInput):
    review_id: relay.GlobalID = strawberry.field(description=REVIEW_ID)
    kind: enums.AdjustmentKind = strawberry.field(description="What is to change.")
    description: str = strawberry.field(description="The change (at most 4000 characters).")
    due_date: date = strawberry.field(description="Day it is due (not before the decision).")
    reference: str | None = strawberry.field(
        default=None, description="Id of what changes, e.g. a criteria version or KPI id; null = none."
    )


@strawberry.input(description="A decided adjustment that was put in place.")
class ImplementReviewAdjustmentInput(CommandInput):
    review_id: relay.GlobalID = strawberry.field(description=REVIEW_ID)
    adjustment_id: str = strawberry.field(description="Id of the adjustment (from decideReviewAdjustment).")


@strawberry.input(description="Close the review with a summary; it then accepts no findings or adjustments.")
class ConcludeProcessReviewInput(CommandInput):
    review_id: relay.GlobalID = strawberry.field(description=REVIEW_ID)
    summary: str = strawberry.field(description="What the review concluded (at most 4000 characters).")


@strawberry.input(description="A retention strategy business can be won under (see issueQuote.retentionStrategyId).")
class LaunchRetentionStrategyInput(CommandInput):
    name: str = strawberry.field(description="Name of the strategy (1-200 characters).")
    description: str = strawberry.field(description="What the strategy does (at most 4000 characters).")
    starts_on: date = strawberry.field(description="First day it runs.")
    target_segments: list[enums.Segment] = strawberry.field(
        default_factory=list, description="Segments it targets; empty = all."
    )
    target_tiers: list[enums.KeyAccountTier] = strawberry.field(
        default_factory=list, description="Key-account tiers it targets; empty = all."
    )


@strawberry.input(description="End a retention strategy (a reason is required).")
class EndRetentionStrategyInput(CommandInput):
    strategy_id: relay.GlobalID = strawberry.field(
        description="Global id of the strategy (the strategyId returned by launchRetentionStrategy)."
    )
    ends_on: date = strawberry.field(description="Day it stops running (after it started).")


@strawberry.input(description="A management decision and the KPI its success is measured by.")
class RecordManagementDecisionInput(CommandInput):
    title: str = strawberry.field(description="Title (1-200 characters).")
    description: str = strawberry.field(description="What was decided (at most 4000 characters).")
    kpi_id: str = strawberry.field(description="The KPI that should move.")
    baseline_value: Decimal = strawberry.field(description="The KPI's value when deciding, as a decimal.")
    decided_by: str = strawberry.field(description="Employee id of who decided.")


@strawberry.input(description="What a management decision achieved; effectiveDate is the day it was assessed.")
class RecordDecisionOutcomeInput(CommandInput):
    decision_id: relay.GlobalID = strawberry.field(description=DECISION_ID)
    observed_value: Decimal = strawberry.field(description="The KPI's value now, as a decimal.")
    impact: enums.DecisionImpact = strawberry.field(description="Positive, neutral or negative.")
    note: str | None = strawberry.field(default=None, description="Comment (at most 4000 characters).")


@strawberry.type(description="The process review after a change, and what the change created.")
class ProcessReviewPayload(CommandPayload):
    review_id: relay.GlobalID | None = strawberry.field(description="Global id of the review; null when refused.")
    finding_id: str | None = strawberry.field(description="The finding recorded (recordReviewFinding only); else null.")
    adjustment_id: str | None = strawberry.field(
        description="The adjustment decided or implemented (decide/implementReviewAdjustment); else null."
    )


@strawberry.type(description="The retention strategy after a change.")
class RetentionStrategyPayload(CommandPayload):
    strategy_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the retention strategy; null when refused."
    )


@strawberry.type(description="The management decision after a change.")
class ManagementDecisionPayload(CommandPayload):
    decision_id: relay.GlobalID | None = strawberry.field(description="Global id of the decision; null when refused.")


async def review_payload(info: Info, data: CommandInput, command: Command) -> ProcessReviewPayload:
    done = await execute(info, data, command)
    return ProcessReviewPayload(
        **done.common,
        review_id=done.id("ProcessReview"),
        finding_id=done.detail("finding_id"),
        adjustment_id=done.detail("adjustment_id"),
    )


def review_uuid(review_id: relay.GlobalID) -> UUID:
    return node_uuid(review_id, "ProcessReview", "review_id")


@strawberry.type
class ImprovementMutations:
    @strawberry.mutation(description="Open a review of the KAM process over a period.")
    async def open_process_review(
        self,
        info: Info,
        input: Annotated[OpenProcessReviewInput, strawberry.argument(description="The review and its period.")],
    ) -> ProcessReviewPayload:
        app = info.context.runtime.app
        return await review_payload(
            info,
            input,
            lambda ctx, _: app.open_process_review(
                ctx, title=input.title, period_start=input.period_start, period_end=input.period_end
            ),
        )

    @strawberry.mutation(description="Record a finding of an open process review.")
    async def record_review_finding(
        self,
        info: Info,
        input: Annotated[RecordReviewFindingInput, strawberry.argument(description="The review and the finding.")],
    ) -> ProcessReviewPayload:
        app = info.context.runtime.app
        return await review_payload(
            info,
            input,
            lambda ctx, _: app.record_review_finding(
                ctx,
                review_uuid(input.review_id),
                area=input.area,
                description=input.description,
                kpi_id=input.kpi_id,
                observed_value=input.observed_value,
                target_value=input.target_value,
            ),
        )

    @strawberry.mutation(description="Decide on an adjustment in an open process review.")
    async def decide_review_adjustment(
        self,
        info: Info,
        input: Annotated[
            DecideReviewAdjustmentInput, strawberry.argument(description="The review and the adjustment.")
        ],
    ) -> ProcessReviewPayload:
        app = info.context.runtime.app
        return await review_payload(
            info,
            input,
            lambda ctx, _: app.decide_review_adjustment(
                ctx,
                review_uuid(input.review_id),
                kind=input.kind,
                description=input.description,
                due_date=input.due_date,
                reference=input.reference,
            ),
        )

    @strawberry.mutation(description="Record that a decided adjustment was implemented.")
    async def implement_review_adjustment(
        self,
        info: Info,
        input: Annotated[
            ImplementReviewAdjustmentInput, strawberry.argument(description="The review and the adjustment.")
        ],
    ) -> ProcessReviewPayload:
        app = info.context.runtime.app
        return await review_payload(
            info,
            input,
            lambda ctx, _: app.implement_review_adjustment(
                ctx, review_uuid(input.review_id), adjustment_id=input.adjustment_id
            ),
        )

    @strawberry.mutation(description="Conclude a process review with a summary.")
    async def conclude_process_review(
        self,
        info: Info,
        input: Annotated[ConcludeProcessReviewInput, strawberry.argument(description="The review and its summary.")],
    ) -> ProcessReviewPayload:
        app = info.context.runtime.app
        return await review_payload(
            info,
            input,
            lambda ctx, _: app.conclude_process_review(ctx, review_uuid(input.review_id), summary=input.summary),
        )

    @strawberry.mutation(description="Launch a retention strategy.")
    async def launch_retention_strategy(
        self,
        info: Info,
        input: Annotated[LaunchRetentionStrategyInput, strawberry.argument(description="The strategy.")],
    ) -> RetentionStrategyPayload:
        app = info.context.runtime.app
        done = await execute(
            info,
            input,
            lambda ctx, _: app.launch_retention_strategy(
                ctx,
                name=input.name,
                description=input.description,
                starts_on=input.starts_on,
                target_segments=input.target_segments,
                target_tiers=input.target_tiers,
            ),
        )
        return RetentionStrategyPayload(**done.common, strategy_id=done.id("RetentionStrategy"))

    @strawberry.mutation(description="End a retention strategy (a reason is required).")
    async def end_retention_strategy(
        self,
        info: Info,
        input: Annotated[EndRetentionStrategyInput, strawberry.argument(description="The strategy; pass reason.")],
    ) -> RetentionStrategyPayload:
        app = info.context.runtime.app
        done = await execute(
            info,
            input,
            lambda ctx, _: app.end_retention_strategy(
                ctx, node_uuid(input.strategy_id, "RetentionStrategy", "strategy_id"), ends_on=input.ends_on
            ),
        )
        return RetentionStrategyPayload(**done.common, strategy_id=done.id("RetentionStrategy"))

    @strawberry.mutation(description="Record a management decision and the KPI baseline it starts from.")
    async def record_management_decision(
        self,
        info: Info,
        input: Annotated[RecordManagementDecisionInput, strawberry.argument(description="The decision.")],
    ) -> ManagementDecisionPayload:
        app = info.context.runtime.app
        done = await execute(
            info,
            input,
            lambda ctx, _: app.record_management_decision(
                ctx,
                title=input.title,
                description=input.description,
                kpi_id=input.kpi_id,
                baseline_value=input.baseline_value,
                decided_by=input.decided_by,
            ),
        )
        return ManagementDecisionPayload(**done.common, decision_id=done.id("ManagementDecision"))

    @strawberry.mutation(description="Record the observed outcome of a management decision.")
    async def record_decision_outcome(
        self,
        info: Info,
        input: Annotated[RecordDecisionOutcomeInput, strawberry.argument(description="The decision and outcome.")],
    ) -> ManagementDecisionPayload:
        app = info.context.runtime.app
        done = await execute(
            info,
            input,
            lambda ctx, _: app.record_decision_outcome(
                ctx,
                node_uuid(input.decision_id, "ManagementDecision", "decision_id"),
                observed_value=input.observed_value,
                impact=input.impact,
                note=input.note,
            ),
        )
        return ManagementDecisionPayload(**done.common, decision_id=done.id("ManagementDecision"))
