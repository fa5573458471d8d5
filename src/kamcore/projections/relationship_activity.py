"""Relationship activity: every interaction with a customer, its attendees, outcome and action items.

Action items live inside their interaction's row (at most 100 each); attendees also get one row per
(interaction, RM) so lists filter by relationship manager with an index, not a JSON search.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from kamcore.domain.events import plain
from kamcore.domain.interaction import Interaction
from kamcore.domain.values import InteractionStatus
from kamcore.projections.json_text import to_json
from kamcore.projections.projection import Projection, SqlCursor, change_row, handles
from kamcore.projections.rows import Table

INTERACTION_COLUMNS = (
    "interaction_id",
    "account_id",
    "kind",
    "subject",
    "status",
    "scheduled_for",
    "held_on",
    "cancelled_on",
    "relationship_manager_ids",
    "stakeholder_ids",
    "outcome",
    "coverage_result",
    "policy_ids",
    "action_items",
    "open_action_items",
    "version",
    "updated_at",
)
INTERACTIONS = Table("activity_interaction", ("interaction_id",), INTERACTION_COLUMNS)
ATTENDEES = Table("activity_attendee", ("attendee_key",), ("attendee_key", "interaction_id", "rm_id"))


class RelationshipActivityProjection(Projection):
    name = "relationship_activity"
    rebuild_cost = 18
    tables = ("activity_interaction", "activity_attendee")
    ddl = (
        "CREATE TABLE IF NOT EXISTS {t}activity_interaction ("
        " interaction_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,"
        " status TEXT NOT NULL, scheduled_for TEXT NOT NULL, held_on TEXT, cancelled_on TEXT,"
        " relationship_manager_ids TEXT NOT NULL, stakeholder_ids TEXT NOT NULL, outcome TEXT, coverage_result TEXT,"
        " policy_ids TEXT NOT NULL, action_items TEXT NOT NULL, open_action_items INTEGER NOT NULL,"
        " version INTEGER NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS activity_interaction_by_account"
        " ON {t}activity_interaction (account_id, scheduled_for)",
        "CREATE INDEX IF NOT EXISTS activity_interaction_by_date ON {t}activity_interaction (scheduled_for)",
        "CREATE TABLE IF NOT EXISTS {t}activity_attendee ("
        " attendee_key TEXT PRIMARY KEY, interaction_id TEXT NOT NULL, rm_id TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS activity_attendee_by_rm ON {t}activity_attendee (rm_id, interaction_id)",
    )

    def prefetch(self, sql: SqlCursor, events: Sequence[Any]) -> None:
        changed = [e for e in events if isinstance(e, Interaction.Event) and not isinstance(e, Interaction.Scheduled)]
        sql.rows.prefetch(INTERACTIONS, [(str(e.originator_id),) for e in changed])

    @handles(Interaction.Scheduled)
    def scheduled(self, sql: SqlCursor, e: Interaction.Scheduled) -> None:
        sql.rows.put(
            INTERACTIONS,
            {
                "interaction_id": str(e.originator_id),
                "account_id": str(e.account_id),
                "kind": e.kind.value,
                "subject": e.subject,
                "status": InteractionStatus.SCHEDULED.value,
                "scheduled_for": e.scheduled_for.isoformat(),
                "held_on": None,
                "cancelled_on": None,
                "relationship_manager_ids": to_json(list(e.relationship_manager_ids)),
                "stakeholder_ids": to_json(list(e.stakeholder_ids)),
                "outcome": None,
                "coverage_result": None,
                "policy_ids": "[]",
                "action_items": "[]",
                "open_action_items": 0,
                "version": e.originator_version,
                "updated_at": e.timestamp.isoformat(),
            },
        )
        self._attend(sql, e, e.relationship_manager_ids)

    @handles(Interaction.Held)
    def held(self, sql: SqlCursor, e: Interaction.Held) -> None:
        change_row(
            sql,
            INTERACTIONS,
            e,
            status=InteractionStatus.HELD.value,
            held_on=e.held_on.isoformat(),
            outcome=e.outcome,
            relationship_manager_ids=to_json(list(e.relationship_manager_ids)),
            stakeholder_ids=to_json(list(e.stakeholder_ids)),
            coverage_result=e.coverage_result.value if e.coverage_result else None,
            policy_ids=to_json([str(p) for p in e.policy_ids]),
        )
        self._attend(sql, e, e.relationship_manager_ids)

    @handles(Interaction.Cancelled)
    def cancelled(self, sql: SqlCursor, e: Interaction.Cancelled) -> None:
        change_row(
            sql, INTERACTIONS, e, status=InteractionStatus.CANCELLED.value, cancelled_on=e.cancelled_on.isoformat()
        )

    @handles(Interaction.ActionItemAdded)
    def action_item_added(self, sql: SqlCursor, e: Interaction.ActionItemAdded) -> None:
        self._change_items(sql, e, lambda items: [*items, plain(e.action_item)])

    @handles(Interaction.ActionItemCompleted)
    def action_item_completed(self, sql: SqlCursor, e: Interaction.ActionItemCompleted) -> None:
        done = e.completed_on.isoformat()
        self._change_items(
            sql, e, lambda items: [{**i, "completed_on": done} if i["item_id"] == e.item_id else i for i in items]
        )

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _attend(sql: SqlCursor, e: Any, rm_ids: Sequence[str]) -> None:
        """Attendees only accumulate: whoever was invited or took part finds the interaction in their list."""
        interaction_id = str(e.originator_id)
        for rm_id in rm_ids:
            sql.rows.put(
                ATTENDEES,
                {"attendee_key": f"{interaction_id}|{rm_id}", "interaction_id": interaction_id, "rm_id": rm_id},
            )

    @staticmethod
    def _change_items(sql: SqlCursor, e: Any, change: Any) -> None:
        def update(row: dict[str, Any]) -> dict[str, Any]:
            items = change(json.loads(row["action_items"]))
            return {"action_items": to_json(items), "open_action_items": sum(1 for i in items if not i["completed_on"])}

        change_row(sql, INTERACTIONS, e, update)
