"""The KAM programme without storage: criteria, standards, tools, targets, overrides, reviews, research, decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.key_account_override import KeyAccountOverride
from kamcore.domain.kpi_target import KpiTarget
from kamcore.domain.management_decision import ManagementDecision
from kamcore.domain.market_research import (
    CompetitorAnalysis,
    ExpansionInitiative,
    MarketPenetration,
    MarketSegmentFinding,
)
from kamcore.domain.process_review import ProcessReview
from kamcore.domain.programme import Programme
from kamcore.domain.retention_strategy import RetentionStrategy
from kamcore.domain.values import (
    AdjustmentKind,
    CriteriaStatus,
    DecisionImpact,
    FindingArea,
    KeyAccountTier,
    OverrideDecision,
    Segment,
    TargetScope,
    TeamRole,
)
from tests.test_domain import envelope

PARAMETERS = {
    "factors": [{"name": "written_premium", "weight": Decimal("0.6")}, {"name": "profit", "weight": Decimal("0.4")}],
    "selection": {"rule": "top_n", "n": 30},
    "hysteresis": Decimal("0.05"),
}


def programme() -> Programme:
    found = Programme.start(name="KAM", envelope=envelope())
    found.collect_events()
    return found


class TestCriteria:
    def test_propose_then_adopt_supersedes_the_version_in_force(self) -> None:
        found = programme()
        found.propose_criteria(
            version_id="v1", name="Premium", parameters=PARAMETERS, effective_from=date(2026, 1, 1), envelope=envelope()
        )
        found.adopt_criteria("v1", envelope=envelope())
        found.propose_criteria(
            version_id="v2",
            name="Profit",
            parameters={"top_n": 20},
            effective_from=date(2026, 7, 1),
            envelope=envelope(),
        )
        found.adopt_criteria("v2", envelope=envelope())
        proposed, adopted, _, adopted_again = found.collect_events()
        assert type(proposed).__name__ == "CriteriaProposed"
        assert (proposed.criteria.version_id, proposed.criteria.parameters["factors"][0]["weight"]) == (
            "v1",
            Decimal("0.6"),
        )
        assert (type(adopted).__name__, adopted.superseded_version_id) == ("CriteriaAdopted", None)
        assert (adopted_again.version_id, adopted_again.superseded_version_id) == ("v2", "v1")
        assert found.criteria_status == {"v1": CriteriaStatus.SUPERSEDED, "v2": CriteriaStatus.ADOPTED}

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"version_id": "v 1"}, "version_id"),
            ({"name": ""}, "name"),
            ({"parameters": {}}, "parameters"),
            ({"parameters": {"weight": 0.5}}, "parameters.weight"),
            ({"parameters": {"bad key": 1}}, "parameters.bad key"),
            ({"parameters": {"nested": {"deep": {1, 2}}}}, "parameters.nested.deep"),
        ],
    )
    def test_bad_proposals_are_refused(self, overrides: dict[str, Any], field: str) -> None:
        arguments = {
            "version_id": "v1",
            "name": "x",
            "parameters": PARAMETERS,
            "effective_from": date(2026, 1, 1),
            **overrides,
        }
        with pytest.raises(InvalidInput) as raised:
            programme().propose_criteria(**arguments, envelope=envelope())
        assert raised.value.field == field

    def test_versions_are_unique_and_decided_once(self) -> None:
        found = programme()
        found.propose_criteria(
            version_id="v1", name="x", parameters={"n": 1}, effective_from=date(2026, 1, 1), envelope=envelope()
        )
        with pytest.raises(Conflict) as duplicate:
            found.propose_criteria(
                version_id="v1", name="y", parameters={"n": 2}, effective_from=date(2026, 1, 1), envelope=envelope()
            )
        assert duplicate.value.code == "DUPLICATE"
        with pytest.raises(InvalidInput) as needs_reason:
            found.reject_criteria("v1", envelope=envelope(reason=None))
        assert needs_reason.value.field == "reason"
        found.reject_criteria("v1", envelope=envelope())
        assert type(found.collect_events()[-1]).__name__ == "CriteriaRejected"
        with pytest.raises(Conflict) as decided:
            found.adopt_criteria("v1", envelope=envelope())
        assert decided.value.code == "NOT_PROPOSED"
        with pytest.raises(InvalidInput) as unknown:
            found.adopt_criteria("v9", envelope=envelope())
        assert unknown.value.field == "version_id"


class TestStandardsAndTools:
    def test_service_standard_per_tier(self) -> None:
        found = programme()
        found.set_service_standard(
            tier="strategic",
            review_cadence_days=90,
            required_roles=["lead", "underwriter"],
            effective_from=date(2026, 1, 1),
            envelope=envelope(),
        )
        [event] = found.collect_events()
        assert type(event).__name__ == "ServiceStandardSet"
        assert (event.standard.tier, event.standard.review_cadence_days, event.standard.required_roles) == (
            KeyAccountTier.STRATEGIC,
            90,
            (TeamRole.LEAD, TeamRole.UNDERWRITER),
        )

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"tier": "gold"}, "tier"),
            ({"review_cadence_days": 0}, "review_cadence_days"),
            ({"review_cadence_days": 731}, "review_cadence_days"),
            ({"required_roles": ["janitor"]}, "required_roles"),
        ],
    )
    def test_bad_standards_are_refused(self, overrides: dict[str, Any], field: str) -> None:
        arguments = {"tier": "development", "review_cadence_days": 30, "required_roles": [], **overrides}
        with pytest.raises(InvalidInput) as raised:
            programme().set_service_standard(**arguments, effective_from=date(2026, 1, 1), envelope=envelope())
        assert raised.value.field == field

    def test_a_tool_is_introduced_once(self) -> None:
        found = programme()
        found.introduce_tool(tool_id="crm-mobile", name="CRM mobile", envelope=envelope())
        assert type(found.collect_events()[-1]).__name__ == "ToolIntroduced"
        with pytest.raises(Conflict):
            found.introduce_tool(tool_id="crm-mobile", name="again", envelope=envelope())
        with pytest.raises(InvalidInput) as raised:
            found.ensure_tool("other")
        assert raised.value.field == "tool_id"


class TestKpiTarget:
    def target(self, **overrides: Any) -> KpiTarget:
        arguments: dict[str, Any] = {
            "kpi_id": "client_retention_rate",
            "scope": "relationship_manager",
            "scope_id": "E-100",
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 4, 1),
            "target_value": "0.95",
            "deadline": date(2026, 4, 15),
            **overrides,
        }
        return KpiTarget.set_target(**arguments, envelope=envelope())

    def test_set_then_revise_keeps_both_values(self) -> None:
        target = self.target()
        target.revise(target_value="0.97", envelope=envelope())
        created, revised = target.collect_events()
        assert (type(created).__name__, created.scope, created.target_value) == (
            "Set",
            TargetScope.RELATIONSHIP_MANAGER,
            Decimal("0.95"),
        )
        assert (type(revised).__name__, revised.previous_value, revised.target_value) == (
            "Revised",
            Decimal("0.95"),
            Decimal("0.97"),
        )
        assert target.id == KpiTarget.id_for(
            "client_retention_rate", TargetScope.RELATIONSHIP_MANAGER, "E-100", date(2026, 1, 1), date(2026, 4, 1)
        )

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"kpi_id": "bad id"}, "kpi_id"),
            ({"scope": "galaxy"}, "scope"),
            ({"scope_id": None}, "scope_id"),
            ({"scope": "company"}, "scope_id"),
            ({"period_end": date(2026, 1, 1)}, "period_end"),
            ({"deadline": date(2025, 12, 31)}, "deadline"),
            ({"target_value": 0.95}, "target_value"),
            ({"target_value": "lots"}, "target_value"),
        ],
    )
    def test_bad_targets_are_refused(self, overrides: dict[str, Any], field: str) -> None:
        with pytest.raises(InvalidInput) as raised:
            self.target(**overrides)
        assert raised.value.field == field

    def test_a_company_target_has_no_scope_id_and_a_withdrawn_target_is_final(self) -> None:
        target = self.target(scope="company", scope_id=None)
        with pytest.raises(InvalidInput) as needs_reason:
            target.withdraw(envelope=envelope(reason=None))
        assert needs_reason.value.field == "reason"
        target.withdraw(envelope=envelope())
        assert type(target.collect_events()[-1]).__name__ == "Withdrawn"
        with pytest.raises(Conflict) as raised:
            target.revise(target_value="1", envelope=envelope())
        assert raised.value.code == "WITHDRAWN"


class TestKeyAccountOverride:
    def overrides(self) -> KeyAccountOverride:
        return KeyAccountOverride(account_id=uuid4(), envelope=envelope())

    def test_force_in_with_tier_reason_and_future_expiry(self) -> None:
        overrides = self.overrides()
        overrides.override(
            decision="force_in",
            tier="strategic",
            reason="board decision",
            expires_on=date(2026, 12, 31),
            envelope=envelope(),
        )
        event = overrides.collect_events()[-1]
        assert type(event).__name__ == "Overridden"
        assert (event.account_id, event.decision, event.tier, event.expires_on) == (
            overrides.account_id,
            OverrideDecision.FORCE_IN,
            KeyAccountTier.STRATEGIC,
            date(2026, 12, 31),
        )
        overrides.revoke(envelope=envelope())
        assert type(overrides.collect_events()[-1]).__name__ == "Revoked"
        with pytest.raises(Conflict) as raised:
            overrides.revoke(envelope=envelope())
        assert raised.value.code == "NO_OVERRIDE"

    @pytest.mark.parametrize(
        ("arguments", "field"),
        [
            ({"decision": "force_in", "tier": None}, "tier"),
            ({"decision": "force_out", "tier": "strategic"}, "tier"),
            ({"decision": "maybe", "tier": None}, "decision"),
            ({"decision": "force_out", "tier": None, "reason": " "}, "reason"),
            ({"decision": "force_out", "tier": None, "expires_on": date(2026, 6, 1)}, "expires_on"),
            ({"decision": "force_out", "tier": None, "expires_on": date(2026, 5, 31)}, "expires_on"),
        ],
    )
    def test_bad_overrides_are_refused(self, arguments: dict[str, Any], field: str) -> None:
        """The test envelope is recorded on 2026-06-01, so the expiry must be after that."""
        full = {"reason": "r", "expires_on": date(2026, 12, 31), **arguments}
        with pytest.raises(InvalidInput) as raised:
            self.overrides().override(**full, envelope=envelope())
        assert raised.value.field == field

    def test_the_expiry_is_after_today_even_for_a_backdated_override(self) -> None:
        backdated = AuditEnvelope(
            actor="u",
            correlation_id="c",
            causation_id="c",
            source=envelope().source,
            recorded_at=datetime(2026, 6, 1, tzinfo=UTC),
            effective_date=date(2026, 1, 1),
        )
        with pytest.raises(InvalidInput):
            self.overrides().override(
                decision="force_out", tier=None, reason="r", expires_on=date(2026, 3, 1), envelope=backdated
            )


class TestProcessReview:
    def review(self) -> ProcessReview:
        return ProcessReview.open(
            title="H1 review", period_start=date(2026, 1, 1), period_end=date(2026, 7, 1), envelope=envelope()
        )

    def test_findings_adjustments_implementation_and_conclusion(self) -> None:
        review = self.review()
        review.record_finding(
            area="sales_volume",
            description="premium below target",
            kpi_id="revenue_per_quarter",
            observed_value="1.2E6",
            target_value="1500000",
            envelope=envelope(),
        )
        adjustment = review.decide_adjustment(
            kind="criteria_version",
            description="weight profit",
            due_date=date(2026, 7, 1),
            reference="v2",
            envelope=envelope(),
        )
        review.conclude(summary="two actions", envelope=envelope())
        review.implement_adjustment(adjustment.adjustment_id, envelope=envelope(effective=date(2026, 6, 20)))
        events = review.collect_events()
        assert [type(e).__name__ for e in events] == [
            "Opened",
            "FindingRecorded",
            "AdjustmentDecided",
            "Concluded",
            "AdjustmentImplemented",
        ]
        assert (events[1].finding.area, events[1].finding.observed_value) == (
            FindingArea.SALES_VOLUME,
            Decimal("1.2E6"),
        )
        assert (events[2].adjustment.kind, events[2].adjustment.reference) == (AdjustmentKind.CRITERIA_VERSION, "v2")
        assert (events[4].due_date, events[4].implemented_on) == (date(2026, 7, 1), date(2026, 6, 20))
        with pytest.raises(Conflict) as concluded:
            review.record_finding(area="other", description="late", envelope=envelope())
        assert concluded.value.code == "REVIEW_CONCLUDED"

    @pytest.mark.parametrize(
        ("action", "field"),
        [
            (lambda r: r.record_finding(area="vibes", description="d", envelope=envelope()), "area"),
            (
                lambda r: r.record_finding(area="other", description="d", observed_value=1.5, envelope=envelope()),
                "observed_value",
            ),
            (
                lambda r: r.decide_adjustment(
                    kind="x", description="d", due_date=date(2026, 7, 1), envelope=envelope()
                ),
                "kind",
            ),
            (
                lambda r: r.decide_adjustment(
                    kind="team", description="d", due_date=date(2026, 5, 1), envelope=envelope()
                ),
                "due_date",
            ),
            (lambda r: r.implement_adjustment("adjustment-9", envelope=envelope()), "adjustment_id"),
        ],
    )
    def test_bad_review_records_are_refused(self, action: Any, field: str) -> None:
        with pytest.raises(InvalidInput) as raised:
            action(self.review())
        assert raised.value.field == field

    def test_a_review_period_ends_after_it_starts(self) -> None:
        with pytest.raises(InvalidInput) as raised:
            ProcessReview.open(
                title="t", period_start=date(2026, 1, 1), period_end=date(2026, 1, 1), envelope=envelope()
            )
        assert raised.value.field == "period_end"


class TestMarketResearch:
    def test_competitor_analysis_published(self) -> None:
        analysis = CompetitorAnalysis.publish(
            author_id="E-100",
            title="Marine rivals",
            competitors=["Northwind"],
            summary="s",
            segment="corporate",
            envelope=envelope(),
        )
        [event] = analysis.collect_events()
        assert (type(event).__name__, event.author_id, event.competitors, event.segment) == (
            "Published",
            "E-100",
            ("Northwind",),
            Segment.CORPORATE,
        )
        with pytest.raises(InvalidInput) as raised:
            CompetitorAnalysis.publish(author_id="E-100", title="t", competitors=[], summary="s", envelope=envelope())
        assert raised.value.field == "competitors"

    def test_a_segment_is_identified_under_its_code(self) -> None:
        finding = MarketSegmentFinding.identify(
            code="Renewables", name="Renewable energy", description="d", identified_by="E-100", envelope=envelope()
        )
        assert type(finding.collect_events()[0]).__name__ == "Identified"
        assert finding.id == MarketSegmentFinding.id_for("renewables")
        with pytest.raises(InvalidInput) as raised:
            MarketSegmentFinding.identify(
                code="x", name="n", description="d", identified_by="E-100", closest_segment="moon", envelope=envelope()
            )
        assert raised.value.field == "closest_segment"

    def test_penetration_is_served_over_addressable(self) -> None:
        measured = MarketPenetration.measure(
            segment="sme",
            region="North",
            as_of=date(2026, 3, 31),
            clients_served=120,
            addressable_clients=4800,
            source="census",
            envelope=envelope(),
        )
        [event] = measured.collect_events()
        assert (type(event).__name__, event.penetration) == ("Measured", Decimal("0.025000"))
        for arguments, field in [
            ({"clients_served": 5, "addressable_clients": 4}, "clients_served"),
            ({"clients_served": 0, "addressable_clients": 0}, "addressable_clients"),
            ({"clients_served": 1, "addressable_clients": 2, "as_of": date(2026, 6, 2)}, "as_of"),
        ]:
            full = {"segment": "sme", "region": "N", "as_of": date(2026, 3, 31), "source": "s", **arguments}
            with pytest.raises(InvalidInput) as raised:
                MarketPenetration.measure(**full, envelope=envelope())
            assert raised.value.field == field

    def test_an_initiative_is_implemented_or_abandoned_once(self) -> None:
        initiative = ExpansionInitiative.propose(
            title="Enter renewables", owner_id="E-100", target_date=date(2026, 12, 31), envelope=envelope()
        )
        initiative.implement(envelope=envelope(effective=date(2026, 6, 10)))
        assert [type(e).__name__ for e in initiative.collect_events()] == ["Proposed", "Implemented"]
        with pytest.raises(Conflict):
            initiative.abandon(envelope=envelope())
        with pytest.raises(InvalidInput) as raised:
            ExpansionInitiative.propose(title="t", owner_id="E-100", target_date=date(2026, 5, 1), envelope=envelope())
        assert raised.value.field == "target_date"


class TestRetentionStrategy:
    def test_launch_run_and_end(self) -> None:
        strategy = RetentionStrategy.launch(
            name="Loyalty", description="d", starts_on=date(2026, 3, 1), target_tiers=["strategic"], envelope=envelope()
        )
        strategy.ensure_running_on(date(2026, 3, 1))
        with pytest.raises(Conflict) as not_yet:
            strategy.ensure_running_on(date(2026, 2, 28))
        assert (not_yet.value.code, not_yet.value.field) == ("NOT_RUNNING", "retention_strategy_id")
        with pytest.raises(InvalidInput) as raised:
            strategy.end(ends_on=date(2026, 3, 1), envelope=envelope())
        assert raised.value.field == "ends_on"
        strategy.end(ends_on=date(2026, 9, 1), envelope=envelope())
        launched, ended = strategy.collect_events()
        assert (type(launched).__name__, launched.starts_on, launched.target_tiers) == (
            "Launched",
            date(2026, 3, 1),
            (KeyAccountTier.STRATEGIC,),
        )
        assert (type(ended).__name__, ended.ends_on) == ("Ended", date(2026, 9, 1))
        with pytest.raises(Conflict):
            strategy.ensure_running_on(date(2026, 9, 1))


class TestManagementDecision:
    def test_a_decision_and_its_measured_outcome(self) -> None:
        decision = ManagementDecision.record(
            title="Add underwriters",
            description="d",
            kpi_id="sales_conversion_rate",
            baseline_value="0.22",
            decided_by="E-1",
            envelope=envelope(effective=date(2026, 1, 10)),
        )
        decision.record_outcome(
            observed_value="0.27", impact="positive", envelope=envelope(effective=date(2026, 4, 10))
        )
        recorded, outcome = decision.collect_events()
        assert (type(recorded).__name__, recorded.baseline_value) == ("Recorded", Decimal("0.22"))
        assert (type(outcome).__name__, outcome.change, outcome.impact) == (
            "OutcomeRecorded",
            Decimal("0.05"),
            DecisionImpact.POSITIVE,
        )
        with pytest.raises(InvalidInput) as early:
            decision.record_outcome(observed_value="1", impact="neutral", envelope=envelope(effective=date(2026, 1, 9)))
        assert early.value.field == "effective_date"
        with pytest.raises(InvalidInput) as bad_impact:
            decision.record_outcome(observed_value="1", impact="huge", envelope=envelope())
        assert bad_impact.value.field == "impact"
