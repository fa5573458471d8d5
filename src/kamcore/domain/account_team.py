"""AccountTeam: who serves an account, in which role, from when to when; exactly one lead at a time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.ids import natural_id
from kamcore.domain.values import TeamRole

MAX_ASSIGNMENTS = 1000


@dataclass(frozen=True)
class Assignment:
    """An RM's role on the team over [effective_from, effective_to); `effective_to` None is open-ended.

    The history is kept (never deleted) so KPIs can attribute each event to whoever was assigned
    at its business date.
    """

    assignment_id: str
    relationship_manager_id: str
    role: TeamRole
    effective_from: date
    effective_to: date | None = None

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def overlaps(self, start: date, end: date | None) -> bool:
        return (end is None or self.effective_from < end) and (self.effective_to is None or start < self.effective_to)


class AccountTeam(KamAggregate):
    """One per account (id derived from the account id), formed on the first assignment."""

    @classmethod
    def create_id(cls, account_id: UUID, **_: Any) -> UUID:
        return cls.id_for(account_id)

    @staticmethod
    def id_for(account_id: UUID) -> UUID:
        return natural_id("account-team", str(account_id))

    @event("Formed")
    def __init__(self, account_id: UUID, envelope: AuditEnvelope) -> None:
        self.account_id = account_id
        self.assignments: dict[str, Assignment] = {}

    # -- queries ----------------------------------------------------------------------------

    def lead_on(self, day: date) -> Assignment | None:
        return next((a for a in self.assignments.values() if a.role is TeamRole.LEAD and a.covers(day)), None)

    def members_on(self, day: date) -> list[Assignment]:
        return [a for a in self.assignments.values() if a.covers(day)]

    # -- commands ---------------------------------------------------------------------------

    def assign(
        self,
        *,
        relationship_manager_id: str,
        role: TeamRole | str,
        effective_from: date,
        effective_to: date | None,
        envelope: AuditEnvelope,
    ) -> Assignment:
        rm_id = rules.identifier("relationship_manager_id", relationship_manager_id)
        checked_role = rules.member("role", TeamRole, role)
        rules.after("effective_to", effective_to, effective_from, "effective_from")
        if len(self.assignments) >= MAX_ASSIGNMENTS:
            raise InvalidInput(f"a team holds at most {MAX_ASSIGNMENTS} assignments", field="relationship_manager_id")
        for other in self.assignments.values():
            if not other.overlaps(effective_from, effective_to):
                continue
            if checked_role is TeamRole.LEAD and other.role is TeamRole.LEAD:
                raise Conflict(
                    f"{other.relationship_manager_id} is lead over that period; hand over the lead instead",
                    field="role",
                    code="LEAD_EXISTS",
                )
            if other.relationship_manager_id == rm_id and other.role is checked_role:
                raise Conflict(
                    f"{rm_id} already holds that role over that period",
                    field="relationship_manager_id",
                    code="DUPLICATE_ASSIGNMENT",
                )
        assignment = Assignment(f"assignment-{self.version + 1}", rm_id, checked_role, effective_from, effective_to)
        self._assigned(account_id=self.account_id, assignment=assignment, envelope=envelope)
        return assignment

    def release(
        self, assignment_id: str, *, effective_to: date, account_closed: bool, envelope: AuditEnvelope
    ) -> Assignment:
        """End an assignment; the lead can only leave through a hand-over while the account is open."""
        current = self._assignment(assignment_id)
        rules.after("effective_to", effective_to, current.effective_from, "effective_from")
        if current.effective_to is not None and effective_to >= current.effective_to:
            raise InvalidInput(
                f"the assignment already ends on {current.effective_to.isoformat()}", field="effective_to"
            )
        if current.role is TeamRole.LEAD and not account_closed:
            raise Conflict(
                "the lead cannot be released while the account is open; hand over the lead",
                field="assignment_id",
                code="LEAD_REQUIRED",
            )
        if not envelope.reason:
            raise InvalidInput("releasing an assignment needs a reason", field="reason")
        self._released(
            account_id=self.account_id, assignment_id=assignment_id, effective_to=effective_to, envelope=envelope
        )
        return self.assignments[assignment_id]

    def hand_over_lead(
        self, *, relationship_manager_id: str, effective_date: date, envelope: AuditEnvelope
    ) -> Assignment:
        """End the current lead's assignment on `effective_date` and start the new lead's that day."""
        rm_id = rules.identifier("relationship_manager_id", relationship_manager_id)
        current = self.lead_on(effective_date)
        if current is None:
            raise Conflict(
                "there is no lead on that date to hand over from; assign a lead", field="effective_date", code="NO_LEAD"
            )
        if current.relationship_manager_id == rm_id:
            raise InvalidInput(f"{rm_id} is already the lead", field="relationship_manager_id")
        rules.after("effective_date", effective_date, current.effective_from, "the current lead's start")
        if not envelope.reason:
            raise InvalidInput("handing over the lead needs a reason", field="reason")
        later_leads = [
            a for a in self.assignments.values() if a.role is TeamRole.LEAD and a.effective_from > effective_date
        ]
        if later_leads:
            raise Conflict(
                "a later lead assignment exists; hand over from the latest lead",
                field="effective_date",
                code="LEAD_EXISTS",
            )
        new = Assignment(f"assignment-{self.version + 1}", rm_id, TeamRole.LEAD, effective_date, current.effective_to)
        self._lead_handed_over(
            account_id=self.account_id, previous_assignment_id=current.assignment_id, assignment=new, envelope=envelope
        )
        return new

    def _assignment(self, assignment_id: str) -> Assignment:
        try:
            return self.assignments[assignment_id]
        except KeyError:
            raise InvalidInput(f"no assignment {assignment_id!r} on this team", field="assignment_id") from None

    # -- events -----------------------------------------------------------------------------

    @event("RelationshipManagerAssigned")
    def _assigned(self, account_id: UUID, assignment: Assignment, envelope: AuditEnvelope) -> None:
        self.assignments[assignment.assignment_id] = assignment

    @event("RelationshipManagerReleased")
    def _released(self, account_id: UUID, assignment_id: str, effective_to: date, envelope: AuditEnvelope) -> None:
        self.assignments[assignment_id] = replace(self.assignments[assignment_id], effective_to=effective_to)

    @event("LeadHandedOver")
    def _lead_handed_over(
        self, account_id: UUID, previous_assignment_id: str, assignment: Assignment, envelope: AuditEnvelope
    ) -> None:
        previous = self.assignments[previous_assignment_id]
        self.assignments[previous_assignment_id] = replace(previous, effective_to=assignment.effective_from)
        self.assignments[assignment.assignment_id] = assignment
