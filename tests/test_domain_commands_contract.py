"""Sales, relationship, personnel and programme commands on real storage, on every backend.

Each command writes exactly its events; bad input is typed and writes nothing; a closed account
takes no new business; retries with an idempotency key write nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from kamcore.application import CommandContext, CommandResult
from kamcore.domain.errors import Conflict, InvalidInput, KamError, NotFound, VersionConflict
from kamcore.domain.values import Money, today
from kamcore.runtime import Runtime

TODAY = today()
CRITERIA = {  # a minimal criteria document the ranking accepts (see projections/key_accounts.toml)
    "factors": [{"fact": "written_premium", "weight": "1", "scaling": "percentile"}],
    "selection": {"rule": "top_n", "n": 30},
    "tiers": [{"name": "strategic", "min_score": "50"}, {"name": "streamline", "min_score": "0"}],
}
INCEPTION = TODAY - timedelta(days=200)
EXPIRY = INCEPTION + timedelta(days=365)
MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # the first day of last month


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def written(runtime: Runtime, command: Callable[[], CommandResult]) -> tuple[CommandResult, list[str]]:
    """Run `command`; return its result and the `Aggregate.Event` names it stored (idempotency records aside)."""
    head = runtime.app.head_position()
    result = command()
    notifications = runtime.app.recorder.select_notifications(start=head, limit=100, inclusive_of_start=False)
    names = [n.topic.split(":")[-1] for n in notifications]
    return result, [name for name in names if not name.startswith("CommandRecord.")]


def expect(runtime: Runtime, command: Callable[[], CommandResult], *events: str) -> CommandResult:
    result, names = written(runtime, command)
    assert names == list(events)
    return result


class Book:
    """An open account with a stakeholder and a need, a product, a registered RM and a bound policy."""

    def __init__(self, runtime: Runtime, ctx: CommandContext) -> None:
        app = runtime.app
        self.runtime, self.app, self.ctx = runtime, app, ctx
        self.account_id = app.open_account(ctx, name="ACME", segment="corporate", region="EMEA").aggregate_id
        self.stakeholder_id = app.add_stakeholder(ctx, self.account_id, name="Jo", role="decision_maker").detail[
            "stakeholder_id"
        ]
        self.need_id = app.identify_need(ctx, self.account_id, description="cyber cover").detail["need_id"]
        app.launch_product(
            ctx, code="PROP-1", name="Property", line_of_business="property", target_segments=["corporate"]
        )
        app.launch_product(ctx, code="CYBER-1", name="Cyber", line_of_business="cyber", target_segments=["corporate"])
        app.register_relationship_manager(ctx, employee_id="E-100", name="Ada", team="north", capacity=10)
        self.policy_id = self.quote().aggregate_id
        app.bind_policy(ctx, self.policy_id)

    def quote(self, ctx: CommandContext | None = None, **overrides: Any) -> CommandResult:
        arguments: dict[str, Any] = {
            "product_code": "PROP-1",
            "business_kind": "new_client",
            "written_premium": eur("1000"),
            "commission": eur("100"),
            "sum_insured": eur("1000000"),
            "inception_date": INCEPTION,
            "expiry_date": EXPIRY,
            **overrides,
        }
        return self.app.issue_quote(ctx or self.ctx, self.account_id, **arguments)

    def close_account(self) -> None:
        self.app.close_account(self.ctx, self.account_id)


@pytest.fixture
def book(runtime: Runtime, ctx: CommandContext) -> Book:
    return Book(runtime, ctx)


def test_policy_commands_write_their_events(runtime: Runtime, ctx: CommandContext, book: Book) -> None:
    app = runtime.app
    quote = expect(
        runtime, lambda: book.quote(business_kind="cross_sell", product_code="CYBER-1"), "Policy.QuoteIssued"
    )
    assert quote.detail == {"account_id": str(book.account_id)}
    expect(runtime, lambda: app.bind_policy(ctx, quote.aggregate_id, written_premium=eur("1200")), "Policy.Bound")
    declined, expired = book.quote().aggregate_id, book.quote().aggregate_id
    expect(runtime, lambda: app.decline_quote(ctx, declined, declined_by="customer"), "Policy.QuoteDeclined")
    expect(runtime, lambda: app.expire_quote(ctx, expired), "Policy.QuoteExpired")
    endorsed = expect(
        runtime,
        lambda: app.endorse_policy(
            ctx, book.policy_id, effective_date=TODAY, premium_change=eur("50"), description="new site"
        ),
        "Policy.Endorsed",
    )
    assert endorsed.detail["endorsement_id"] == "endorsement-1"
    expect(
        runtime,
        lambda: app.cancel_policy(ctx, quote.aggregate_id, initiated_by="insurer", effective_date=TODAY),
        "Policy.Cancelled",
    )
    renewal = expect(
        runtime,
        lambda: app.renew_policy(
            ctx,
            book.policy_id,
            written_premium=eur("1100"),
            commission=eur("110"),
            expiry_date=EXPIRY + timedelta(days=365),
        ),
        "Policy.QuoteIssued",
        "Policy.Bound",
        "Policy.Renewed",
    )
    assert renewal.detail["renews_policy_id"] == str(book.policy_id)
    expect(
        runtime,
        lambda: app.lapse_policy(
            ctx, renewal.aggregate_id, initiated_by="customer", effective_date=EXPIRY + timedelta(days=365)
        ),
        "Policy.Lapsed",
    )


def test_binding_a_renewal_quote_renews_the_previous_term_in_one_write(
    runtime: Runtime, ctx: CommandContext, book: Book
) -> None:
    renewal_quote = expect(
        runtime,
        lambda: book.quote(
            business_kind="renewal",
            renews_policy_id=book.policy_id,
            inception_date=EXPIRY,
            expiry_date=EXPIRY + timedelta(days=365),
        ),
        "Policy.QuoteIssued",
    )
    expect(runtime, lambda: runtime.app.bind_policy(ctx, renewal_quote.aggregate_id), "Policy.Bound", "Policy.Renewed")
    head = runtime.app.head_position()
    with pytest.raises(Conflict) as raised:
        runtime.app.renew_policy(
            ctx, book.policy_id, written_premium=eur("1"), commission=eur("0"), expiry_date=EXPIRY + timedelta(days=400)
        )
    assert raised.value.code == "ALREADY_RENEWED"
    assert runtime.app.head_position() == head


def test_claim_commands_write_their_events(runtime: Runtime, ctx: CommandContext, book: Book) -> None:
    app = runtime.app
    claim = expect(
        runtime,
        lambda: app.report_claim(ctx, book.policy_id, loss_date=TODAY - timedelta(days=3), description="fire"),
        "Claim.Reported",
    )
    assert claim.detail == {"account_id": str(book.account_id), "policy_id": str(book.policy_id)}
    claim_id = claim.aggregate_id
    expect(runtime, lambda: app.reserve_claim(ctx, claim_id, reserve=eur("5000")), "Claim.Reserved")
    expect(runtime, lambda: app.pay_claim(ctx, claim_id, amount=eur("2000")), "Claim.Paid")
    expect(runtime, lambda: app.pay_claim(ctx, claim_id, amount=eur("1000")), "Claim.Paid")
    expect(runtime, lambda: app.close_claim(ctx, claim_id), "Claim.Closed")
    expect(runtime, lambda: app.reopen_claim(ctx, claim_id), "Claim.Reopened")


def test_interaction_and_recommendation_commands_write_their_events(
    runtime: Runtime, ctx: CommandContext, book: Book
) -> None:
    app = runtime.app
    meeting = expect(
        runtime,
        lambda: app.schedule_interaction(
            ctx,
            book.account_id,
            kind="account_review",
            subject="QBR",
            scheduled_for=TODAY + timedelta(days=7),
            relationship_manager_ids=["E-100"],
            stakeholder_ids=[book.stakeholder_id],
        ),
        "Interaction.Scheduled",
    ).aggregate_id
    expect(runtime, lambda: app.hold_interaction(ctx, meeting, outcome="plan agreed"), "Interaction.Held")
    item = expect(
        runtime,
        lambda: app.add_action_item(
            ctx, meeting, description="send survey", owner_id="E-100", due_date=TODAY + timedelta(days=14)
        ),
        "Interaction.ActionItemAdded",
    ).detail["item_id"]
    expect(runtime, lambda: app.complete_action_item(ctx, meeting, item_id=item), "Interaction.ActionItemCompleted")
    cancelled = app.schedule_interaction(
        ctx, book.account_id, kind="meeting", subject="lunch", scheduled_for=TODAY, relationship_manager_ids=["E-100"]
    ).aggregate_id
    expect(runtime, lambda: app.cancel_interaction(ctx, cancelled), "Interaction.Cancelled")
    expect(
        runtime,
        lambda: app.record_interaction(
            ctx,
            book.account_id,
            kind="coverage_assessment",
            subject="cover check",
            outcome="sum insured too low",
            relationship_manager_ids=["E-100"],
            coverage_result="inadequate",
            policy_ids=[book.policy_id],
        ),
        "Interaction.Scheduled",
        "Interaction.Held",
    )

    made = expect(
        runtime,
        lambda: app.make_recommendation(ctx, book.account_id, need_id=book.need_id, product_code="CYBER-1"),
        "Recommendation.Made",
    ).aggregate_id
    expect(runtime, lambda: app.accept_recommendation(ctx, made), "Recommendation.Accepted")
    sold = book.quote(business_kind="cross_sell", product_code="CYBER-1").aggregate_id
    expect(runtime, lambda: app.link_recommendation_policy(ctx, made, policy_id=sold), "Recommendation.PolicyLinked")
    other = app.make_recommendation(ctx, book.account_id, need_id=book.need_id, product_code="CYBER-1").aggregate_id
    expect(runtime, lambda: app.decline_recommendation(ctx, other, reason="no budget"), "Recommendation.Declined")


def test_product_and_personnel_commands_write_their_events(runtime: Runtime, ctx: CommandContext, book: Book) -> None:
    app = runtime.app
    expect(
        runtime,
        lambda: app.launch_product(
            ctx, code="MAR-1", name="Marine", line_of_business="marine", target_segments=["sme"]
        ),
        "Product.Launched",
    )
    expect(runtime, lambda: app.revise_product(ctx, "MAR-1", needs_covered=["cargo"]), "Product.Revised")
    expect(runtime, lambda: app.withdraw_product(ctx, "MAR-1"), "Product.Withdrawn")
    expect(
        runtime,
        lambda: app.register_relationship_manager(ctx, employee_id="E-200", name="Bo", team="south", capacity=5),
        "RelationshipManager.Registered",
    )
    app.introduce_tool(ctx, tool_id="crm-mobile", name="CRM mobile")
    rm = "E-200"
    calls: list[tuple[Callable[[], CommandResult], str]] = [
        (lambda: app.change_relationship_manager_team(ctx, rm, team="east"), "TeamChanged"),
        (lambda: app.set_relationship_manager_capacity(ctx, rm, capacity=8), "CapacitySet"),
        (lambda: app.record_certification(ctx, rm, certification="ACII", issuer="CII"), "CertificationObtained"),
        (
            lambda: app.record_workshop_attendance(ctx, rm, title="Cyber", learning_format="workshop", hours="2"),
            "WorkshopAttended",
        ),
        (lambda: app.record_knowledge_sharing(ctx, rm, title="Playbook", audience_size=9), "KnowledgeShared"),
        (
            lambda: app.record_compliance_audit(
                ctx, rm, auditor="IA", rating="a", items_applicable=10, items_passed=10
            ),
            "ComplianceAuditCompleted",
        ),
        (lambda: app.record_compliance_training(ctx, rm, title="AML", hours=1), "ComplianceTrainingAttended"),
        (
            lambda: app.report_regulatory_violation(
                ctx, rm, regulation="IDD", severity="low", occurred_on=TODAY, description="d"
            ),
            "RegulatoryViolationReported",
        ),
        (
            lambda: app.record_documentation_check(ctx, rm, policies_checked=10, policies_accurate=9),
            "DocumentationChecked",
        ),
        (lambda: app.record_employee_satisfaction(ctx, rm, scale="csat", score=4), "SatisfactionSurveyAnswered"),
        (lambda: app.record_tool_adoption(ctx, rm, tool_id="crm-mobile"), "ToolAdopted"),
        (
            lambda: app.record_process_time_saved(
                ctx, rm, process="renewals", hours_saved="3", period_start=MONTH, period_end=TODAY
            ),
            "ProcessTimeSaved",
        ),
        (lambda: app.submit_performance_report(ctx, rm, month=MONTH), "PerformanceReportSubmitted"),
        (
            lambda: app.correct_performance_report(ctx, rm, month=MONTH, errors_found=1, description="typo"),
            "PerformanceReportCorrected",
        ),
    ]
    for call, event in calls:
        expect(runtime, call, f"RelationshipManager.{event}")
    training = expect(
        runtime,
        lambda: app.assign_training(ctx, rm, title="Negotiation", due_date=TODAY),
        "RelationshipManager.TrainingAssigned",
    ).detail["training_id"]
    expect(
        runtime, lambda: app.complete_training(ctx, rm, training_id=training), "RelationshipManager.TrainingCompleted"
    )
    goal = expect(
        runtime,
        lambda: app.set_team_goal(ctx, rm, description="grow", due_date=TODAY),
        "RelationshipManager.TeamGoalSet",
    ).detail["goal_id"]
    expect(runtime, lambda: app.achieve_team_goal(ctx, rm, goal_id=goal), "RelationshipManager.TeamGoalAchieved")
    project = expect(
        runtime,
        lambda: app.start_innovation_project(ctx, rm, title="bot"),
        "RelationshipManager.InnovationProjectStarted",
    ).detail["project_id"]
    expect(
        runtime,
        lambda: app.conclude_innovation_project(ctx, rm, project_id=project, outcome="succeeded"),
        "RelationshipManager.InnovationProjectConcluded",
    )
    expect(runtime, lambda: app.record_relationship_manager_departure(ctx, rm), "RelationshipManager.Left")


def test_programme_commands_write_their_events(runtime: Runtime, ctx: CommandContext, book: Book) -> None:
    app = runtime.app
    expect(
        runtime,
        lambda: app.propose_criteria(ctx, version_id="v1", name="Premium", parameters=CRITERIA, effective_from=TODAY),
        "Programme.Started",
        "Programme.CriteriaProposed",
    )
    expect(runtime, lambda: app.adopt_criteria(ctx, "v1"), "Programme.CriteriaAdopted")
    app.propose_criteria(ctx, version_id="v2", name="Profit", parameters=CRITERIA, effective_from=TODAY)
    expect(runtime, lambda: app.reject_criteria(ctx, "v2"), "Programme.CriteriaRejected")
    expect(
        runtime,
        lambda: app.set_service_standard(ctx, tier="strategic", review_cadence_days=90, required_roles=["lead"]),
        "Programme.ServiceStandardSet",
    )
    expect(runtime, lambda: app.introduce_tool(ctx, tool_id="dash", name="Dashboard"), "Programme.ToolIntroduced")
    target = expect(
        runtime,
        lambda: app.set_kpi_target(
            ctx,
            kpi_id="client_meetings_per_month",
            scope="relationship_manager",
            scope_id="E-100",
            period_start=MONTH,
            period_end=TODAY,
            target_value="8",
            deadline=TODAY,
        ),
        "KpiTarget.Set",
    ).aggregate_id
    expect(runtime, lambda: app.revise_kpi_target(ctx, target, target_value="10"), "KpiTarget.Revised")
    expect(runtime, lambda: app.withdraw_kpi_target(ctx, target), "KpiTarget.Withdrawn")
    expect(
        runtime,
        lambda: app.override_key_account(
            ctx,
            book.account_id,
            decision="force_in",
            tier="strategic",
            reason="board",
            expires_on=TODAY + timedelta(days=90),
        ),
        "KeyAccountOverride.Started",
        "KeyAccountOverride.Overridden",
    )
    expect(runtime, lambda: app.revoke_key_account_override(ctx, book.account_id), "KeyAccountOverride.Revoked")

    review = expect(
        runtime,
        lambda: app.open_process_review(ctx, title="H1", period_start=MONTH, period_end=TODAY),
        "ProcessReview.Opened",
    ).aggregate_id
    expect(
        runtime,
        lambda: app.record_review_finding(
            ctx, review, area="customer_feedback", description="NPS fell", observed_value="12"
        ),
        "ProcessReview.FindingRecorded",
    )
    adjustment = expect(
        runtime,
        lambda: app.decide_review_adjustment(
            ctx, review, kind="service_standard", description="monthly reviews", due_date=TODAY
        ),
        "ProcessReview.AdjustmentDecided",
    ).detail["adjustment_id"]
    expect(
        runtime,
        lambda: app.implement_review_adjustment(ctx, review, adjustment_id=adjustment),
        "ProcessReview.AdjustmentImplemented",
    )
    expect(runtime, lambda: app.conclude_process_review(ctx, review, summary="done"), "ProcessReview.Concluded")

    strategy = expect(
        runtime,
        lambda: app.launch_retention_strategy(ctx, name="Loyalty", description="packages", starts_on=MONTH),
        "RetentionStrategy.Launched",
    ).aggregate_id
    expect(
        runtime,
        lambda: book.quote(business_kind="cross_sell", retention_strategy_id=strategy, personalised_package=True),
        "Policy.QuoteIssued",
    )
    expect(runtime, lambda: app.end_retention_strategy(ctx, strategy, ends_on=TODAY), "RetentionStrategy.Ended")
    decision = expect(
        runtime,
        lambda: app.record_management_decision(
            ctx, title="Hire", description="d", kpi_id="loss_ratio", baseline_value="0.71", decided_by="E-1"
        ),
        "ManagementDecision.Recorded",
    ).aggregate_id
    expect(
        runtime,
        lambda: app.record_decision_outcome(ctx, decision, observed_value="0.65", impact="positive"),
        "ManagementDecision.OutcomeRecorded",
    )

    expect(
        runtime,
        lambda: app.publish_competitor_analysis(
            ctx, author_id="E-100", title="Rivals", competitors=["Northwind"], summary="s"
        ),
        "CompetitorAnalysis.Published",
    )
    expect(
        runtime,
        lambda: app.identify_market_segment(
            ctx, code="renewables", name="Renewables", description="d", identified_by="E-100"
        ),
        "MarketSegmentFinding.Identified",
    )
    expect(
        runtime,
        lambda: app.record_market_penetration(
            ctx, segment="sme", region="North", as_of=TODAY, clients_served=10, addressable_clients=400, source="census"
        ),
        "MarketPenetration.Measured",
    )
    initiative = expect(
        runtime,
        lambda: app.propose_expansion_initiative(ctx, title="Renewables push", owner_id="E-100", target_date=TODAY),
        "ExpansionInitiative.Proposed",
    ).aggregate_id
    expect(runtime, lambda: app.implement_expansion_initiative(ctx, initiative), "ExpansionInitiative.Implemented")
    abandoned = app.propose_expansion_initiative(ctx, title="Moon", owner_id="E-100", target_date=TODAY).aggregate_id
    expect(runtime, lambda: app.abandon_expansion_initiative(ctx, abandoned), "ExpansionInitiative.Abandoned")


def test_invalid_input_is_typed_and_writes_nothing(runtime: Runtime, ctx: CommandContext, book: Book) -> None:
    app = runtime.app
    claim = app.report_claim(ctx, book.policy_id, loss_date=TODAY, description="flood").aggregate_id
    app.close_claim(ctx, claim)
    later = app.launch_retention_strategy(
        ctx, name="Later", description="d", starts_on=TODAY + timedelta(days=30)
    ).aggregate_id
    head = app.head_position()
    missing = uuid4()
    cases: list[tuple[Callable[[], Any], type[KamError], str]] = [
        (lambda: book.quote(expiry_date=INCEPTION), InvalidInput, "expiry_date"),
        (
            lambda: book.quote(written_premium=Money.of("-1", "EUR", non_negative=False)),
            InvalidInput,
            "written_premium",
        ),
        (lambda: book.quote(commission=Money.of("1", "USD")), InvalidInput, "commission.currency"),
        (lambda: book.quote(product_code="NOPE"), NotFound, "product_code"),
        (lambda: book.quote(business_kind="renewal", renews_policy_id=missing), NotFound, "renews_policy_id"),
        (lambda: book.quote(retention_strategy_id=missing), NotFound, "retention_strategy_id"),
        (lambda: book.quote(retention_strategy_id=later), Conflict, "retention_strategy_id"),
        (
            lambda: app.issue_quote(
                ctx,
                missing,
                product_code="PROP-1",
                business_kind="new_client",
                written_premium=eur("1"),
                commission=eur("0"),
                sum_insured=eur("1"),
                inception_date=INCEPTION,
                expiry_date=EXPIRY,
            ),
            NotFound,
            "account_id",
        ),
        (lambda: app.bind_policy(ctx, book.policy_id), Conflict, "policy_id"),
        (lambda: app.bind_policy(ctx, missing), NotFound, "policy_id"),
        (
            lambda: app.endorse_policy(
                ctx, book.policy_id, effective_date=EXPIRY, premium_change=eur("1"), description="x"
            ),
            InvalidInput,
            "effective_date",
        ),
        (
            lambda: app.cancel_policy(ctx, book.policy_id, initiated_by="broker", effective_date=TODAY),
            InvalidInput,
            "initiated_by",
        ),
        (
            lambda: app.report_claim(ctx, book.policy_id, loss_date=TODAY + timedelta(days=1), description="x"),
            InvalidInput,
            "loss_date",
        ),
        (lambda: app.pay_claim(ctx, claim, amount=eur("5")), Conflict, "claim_id"),
        (lambda: app.reserve_claim(ctx, missing, reserve=eur("5")), NotFound, "claim_id"),
        (
            lambda: app.schedule_interaction(
                ctx,
                book.account_id,
                kind="meeting",
                subject="s",
                scheduled_for=TODAY,
                relationship_manager_ids=["E-100"],
                stakeholder_ids=["stakeholder-99"],
            ),
            InvalidInput,
            "stakeholder_ids",
        ),
        (
            lambda: app.record_interaction(
                ctx,
                book.account_id,
                kind="coverage_assessment",
                subject="s",
                outcome="o",
                relationship_manager_ids=["E-100"],
                coverage_result="adequate",
                policy_ids=[missing],
            ),
            NotFound,
            "policy_ids",
        ),
        (
            lambda: app.make_recommendation(ctx, book.account_id, need_id="need-99", product_code="CYBER-1"),
            NotFound,
            "need_id",
        ),
        (
            lambda: app.launch_product(ctx, code="PROP-1", name="Again", line_of_business="p", target_segments=["sme"]),
            Conflict,
            "code",
        ),
        (
            lambda: app.register_relationship_manager(ctx, employee_id="E-100", name="Again", team="t", capacity=1),
            Conflict,
            "employee_id",
        ),
        (
            lambda: app.record_certification(ctx, "E-404", certification="c", issuer="i"),
            NotFound,
            "relationship_manager_id",
        ),
        (lambda: app.record_employee_satisfaction(ctx, "E-100", scale="nps", score=11), InvalidInput, "score"),
        (lambda: app.record_tool_adoption(ctx, "E-100", tool_id="never-introduced"), NotFound, "programme"),
        (
            lambda: app.propose_criteria(ctx, version_id="v1", name="x", parameters={"w": 0.5}, effective_from=TODAY),
            InvalidInput,
            "parameters.w",
        ),
        (lambda: app.adopt_criteria(ctx, "v1"), NotFound, "programme"),
        (
            lambda: app.set_kpi_target(
                ctx,
                kpi_id="k",
                scope="team",
                scope_id=None,
                period_start=MONTH,
                period_end=TODAY,
                target_value="1",
                deadline=TODAY,
            ),
            InvalidInput,
            "scope_id",
        ),
        (
            lambda: app.override_key_account(ctx, book.account_id, decision="force_out", reason="r", expires_on=TODAY),
            InvalidInput,
            "expires_on",
        ),
        (
            lambda: app.override_key_account(ctx, missing, decision="force_out", reason="r", expires_on=EXPIRY),
            NotFound,
            "account_id",
        ),
        (lambda: app.revoke_key_account_override(ctx, book.account_id), NotFound, "account_id"),
        (
            lambda: app.open_process_review(ctx, title="t", period_start=TODAY, period_end=MONTH),
            InvalidInput,
            "period_end",
        ),
        (
            lambda: app.record_market_penetration(
                ctx, segment="sme", region="N", as_of=TODAY, clients_served=2, addressable_clients=1, source="s"
            ),
            InvalidInput,
            "clients_served",
        ),
        (
            lambda: app.record_decision_outcome(ctx, missing, observed_value="1", impact="positive"),
            NotFound,
            "decision_id",
        ),
    ]
    for command, error, field in cases:
        with pytest.raises(error) as raised:
            command()
        assert raised.value.field == field, (error, field, raised.value)
    assert app.head_position() == head


def test_a_closed_account_refuses_new_business(runtime: Runtime, ctx: CommandContext, book: Book) -> None:
    app = runtime.app
    open_quote = book.quote().aggregate_id
    recommendation = app.make_recommendation(
        ctx, book.account_id, need_id=book.need_id, product_code="CYBER-1"
    ).aggregate_id
    book.close_account()
    head = app.head_position()
    new_business: list[Callable[[], Any]] = [
        lambda: book.quote(),
        lambda: app.bind_policy(ctx, open_quote),
        lambda: app.renew_policy(
            ctx, book.policy_id, written_premium=eur("1"), commission=eur("0"), expiry_date=EXPIRY + timedelta(days=365)
        ),
        lambda: app.make_recommendation(ctx, book.account_id, need_id=book.need_id, product_code="CYBER-1"),
        lambda: app.accept_recommendation(ctx, recommendation),
        lambda: app.schedule_interaction(
            ctx, book.account_id, kind="meeting", subject="s", scheduled_for=TODAY, relationship_manager_ids=["E-100"]
        ),
        lambda: app.override_key_account(
            ctx, book.account_id, decision="force_in", tier="strategic", reason="r", expires_on=EXPIRY
        ),
    ]
    for command in new_business:
        with pytest.raises(Conflict) as raised:
            command()
        assert (raised.value.code, raised.value.field) == ("ACCOUNT_CLOSED", "account_id")
    assert app.head_position() == head
    # Ending existing business and recording losses are still facts of a closed account.
    expect(
        runtime,
        lambda: app.cancel_policy(ctx, book.policy_id, initiated_by="customer", effective_date=TODAY),
        "Policy.Cancelled",
    )
    expect(runtime, lambda: app.decline_quote(ctx, open_quote, declined_by="customer"), "Policy.QuoteDeclined")


def test_a_retried_quote_returns_the_first_result_and_writes_nothing(runtime: Runtime, book: Book) -> None:
    first = book.quote(CommandContext(actor="user:alice", idempotency_key="quote-1"))
    head = runtime.app.head_position()
    again = book.quote(CommandContext(actor="user:alice", idempotency_key="quote-1"))
    assert (again.aggregate_id, again.version, again.replayed) == (first.aggregate_id, first.version, True)
    assert runtime.app.head_position() == head
    with pytest.raises(Conflict) as raised:
        book.quote(CommandContext(actor="user:alice", idempotency_key="quote-1"), written_premium=eur("999"))
    assert raised.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert runtime.app.head_position() == head


def test_a_policy_number_opens_one_policy_only(runtime: Runtime, book: Book) -> None:
    book.quote(policy_number="PAS-77")
    head = runtime.app.head_position()
    with pytest.raises(Conflict) as raised:
        book.quote(policy_number="PAS-77")
    assert (raised.value.code, raised.value.field) == ("DUPLICATE", "policy_number")
    assert runtime.app.head_position() == head


def test_a_stale_expected_version_is_a_conflict(runtime: Runtime, ctx: CommandContext, book: Book) -> None:
    quote = book.quote().aggregate_id
    head = runtime.app.head_position()
    stale = CommandContext(actor="user:bob", expected_version=2)
    for command in (
        lambda: runtime.app.bind_policy(stale, quote),
        lambda: runtime.app.record_certification(stale, "E-100", certification="c", issuer="i"),
    ):
        with pytest.raises(VersionConflict):
            command()
    assert runtime.app.head_position() == head
    expect(
        runtime,
        lambda: runtime.app.bind_policy(CommandContext(actor="user:bob", expected_version=1), quote),
        "Policy.Bound",
    )


def test_events_keep_money_dates_and_ids_through_storage(runtime: Runtime, ctx: CommandContext, book: Book) -> None:
    backdated = CommandContext(actor="user:alice", effective_date=TODAY - timedelta(days=2))
    held = runtime.app.record_interaction(
        backdated,
        book.account_id,
        kind="education_session",
        subject="Cyber hygiene",
        outcome="12 attended",
        relationship_manager_ids=["E-100"],
        stakeholder_ids=[book.stakeholder_id],
    )
    notifications = runtime.app.recorder.select_notifications(start=0, limit=1000, inclusive_of_start=False)
    events = [runtime.app.mapper.to_domain_event(n) for n in notifications]
    bound = next(e for e in events if type(e).__name__ == "Bound")
    assert (bound.account_id, bound.written_premium, bound.inception_date) == (book.account_id, eur("1000"), INCEPTION)
    session = events[-1]
    assert (type(session).__name__, session.held_on, session.originator_id) == (
        "Held",
        TODAY - timedelta(days=2),
        held.aggregate_id,
    )
    assert tuple(session.stakeholder_ids) == (book.stakeholder_id,)
