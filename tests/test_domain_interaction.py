"""Interactions without storage: scheduled, held or cancelled; attendees, outcomes, coverage results, action items."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.interaction import Interaction
from kamcore.domain.values import CoverageResult, InteractionKind, InteractionStatus
from tests.test_domain import envelope

ACCOUNT = uuid4()


def scheduled(kind: str = "meeting", **overrides: Any) -> Interaction:
    arguments: dict[str, Any] = {
        "account_id": ACCOUNT,
        "kind": kind,
        "subject": "Quarterly review",
        "scheduled_for": date(2026, 5, 10),
        "relationship_manager_ids": ["rm-1", "rm-2", "rm-1"],
        "stakeholder_ids": ["stakeholder-2"],
        **overrides,
    }
    return Interaction.schedule(**arguments, envelope=envelope(effective=date(2026, 5, 1)))


def held(kind: str = "meeting", **hold: Any) -> Interaction:
    interaction = scheduled(kind)
    interaction.hold(outcome="agreed next steps", **hold, envelope=envelope(effective=date(2026, 5, 12)))
    return interaction


class TestSchedule:
    def test_schedule_writes_scheduled_with_deduplicated_attendees(self) -> None:
        [event] = scheduled("account_review").collect_events()
        assert type(event).__name__ == "Scheduled"
        assert (event.account_id, event.kind, event.scheduled_for) == (
            ACCOUNT,
            InteractionKind.ACCOUNT_REVIEW,
            date(2026, 5, 10),
        )
        assert (event.relationship_manager_ids, event.stakeholder_ids) == (("rm-1", "rm-2"), ("stakeholder-2",))

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"kind": "party"}, "kind"),
            ({"subject": " "}, "subject"),
            ({"relationship_manager_ids": []}, "relationship_manager_ids"),
            ({"relationship_manager_ids": ["rm 1"]}, "relationship_manager_ids"),
            ({"stakeholder_ids": ["a b"]}, "stakeholder_ids"),
        ],
    )
    def test_bad_schedules_are_refused(self, overrides: dict[str, Any], field: str) -> None:
        with pytest.raises(InvalidInput) as raised:
            scheduled(**overrides)
        assert raised.value.field == field


class TestHold:
    def test_hold_writes_held_on_the_business_date(self) -> None:
        interaction = scheduled()
        interaction.collect_events()
        interaction.hold(
            outcome="renewal strategy agreed",
            relationship_manager_ids=["rm-1"],
            envelope=envelope(effective=date(2026, 5, 12)),
        )
        [event] = interaction.collect_events()
        assert type(event).__name__ == "Held"
        assert (event.account_id, event.kind, event.held_on, event.scheduled_for) == (
            ACCOUNT,
            InteractionKind.MEETING,
            date(2026, 5, 12),
            date(2026, 5, 10),
        )
        assert (event.outcome, event.relationship_manager_ids, event.stakeholder_ids) == (
            "renewal strategy agreed",
            ("rm-1",),
            ("stakeholder-2",),
        )
        assert event.coverage_result is None

    def test_a_coverage_assessment_states_its_result_and_policies(self) -> None:
        policy_id = uuid4()
        interaction = held("coverage_assessment", coverage_result="inadequate", policy_ids=[policy_id])
        event = interaction.collect_events()[-1]
        assert (event.coverage_result, event.policy_ids) == (CoverageResult.INADEQUATE, (policy_id,))

    @pytest.mark.parametrize(
        ("kind", "hold", "field"),
        [
            ("coverage_assessment", {}, "coverage_result"),
            ("coverage_assessment", {"coverage_result": "fine"}, "coverage_result"),
            ("meeting", {"coverage_result": "adequate"}, "coverage_result"),
            ("meeting", {"policy_ids": [uuid4()]}, "policy_ids"),
            ("risk_assessment", {"policy_ids": ["not-a-uuid"]}, "policy_ids"),
            ("meeting", {"relationship_manager_ids": []}, "relationship_manager_ids"),
        ],
    )
    def test_bad_holds_are_refused(self, kind: str, hold: dict[str, Any], field: str) -> None:
        with pytest.raises(InvalidInput) as raised:
            scheduled(kind).hold(outcome="done", **hold, envelope=envelope())
        assert raised.value.field == field

    def test_an_outcome_is_required(self) -> None:
        with pytest.raises(InvalidInput) as raised:
            scheduled().hold(outcome="", envelope=envelope())
        assert raised.value.field == "outcome"

    def test_cancel_needs_a_reason_and_ends_the_interaction(self) -> None:
        with pytest.raises(InvalidInput) as raised:
            scheduled().cancel(envelope=envelope(reason=None))
        assert raised.value.field == "reason"
        interaction = scheduled()
        interaction.cancel(envelope=envelope())
        assert type(interaction.collect_events()[-1]).__name__ == "Cancelled"
        assert interaction.status is InteractionStatus.CANCELLED
        with pytest.raises(Conflict) as conflict:
            interaction.hold(outcome="x", envelope=envelope())
        assert (conflict.value.code, conflict.value.field) == ("INVALID_STATE", "interaction_id")


class TestActionItems:
    def test_action_items_are_added_to_held_interactions_and_completed_once(self) -> None:
        interaction = held()
        item = interaction.add_action_item(
            description="send loss-control report", owner_id="rm-2", due_date=date(2026, 6, 1), envelope=envelope()
        )
        interaction.complete_action_item(item.item_id, envelope=envelope(effective=date(2026, 5, 30)))
        added, completed = interaction.collect_events()[-2:]
        assert (type(added).__name__, added.account_id, added.action_item.owner_id) == (
            "ActionItemAdded",
            ACCOUNT,
            "rm-2",
        )
        assert (type(completed).__name__, completed.due_date, completed.completed_on) == (
            "ActionItemCompleted",
            date(2026, 6, 1),
            date(2026, 5, 30),
        )
        with pytest.raises(Conflict) as raised:
            interaction.complete_action_item(item.item_id, envelope=envelope())
        assert raised.value.code == "ALREADY_COMPLETED"

    def test_action_item_rules(self) -> None:
        with pytest.raises(Conflict) as not_held:
            scheduled().add_action_item(
                description="x", owner_id="rm-1", due_date=date(2026, 6, 1), envelope=envelope()
            )
        assert not_held.value.code == "NOT_HELD"
        for arguments, field in [
            ({"description": "x", "owner_id": "rm-1", "due_date": date(2026, 5, 11)}, "due_date"),
            ({"description": "", "owner_id": "rm-1", "due_date": date(2026, 6, 1)}, "description"),
            ({"description": "x", "owner_id": "r m", "due_date": date(2026, 6, 1)}, "owner_id"),
        ]:
            with pytest.raises(InvalidInput) as raised:
                held().add_action_item(**arguments, envelope=envelope())
            assert raised.value.field == field
        with pytest.raises(InvalidInput) as unknown:
            held().complete_action_item("action-99", envelope=envelope())
        assert unknown.value.field == "item_id"
