"""Account: the customer organisation a key-account team serves."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from kamcore.domain import rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput, NotFound
from kamcore.domain.ids import natural_id
from kamcore.domain.personal_data import Sealer, stakeholder_subject
from kamcore.domain.values import (
    AccountSize,
    AccountStatus,
    BusinessContext,
    Need,
    NeedPriority,
    Segment,
    Stakeholder,
    StakeholderRole,
)

MAX_STAKEHOLDERS = 500
MAX_NEEDS = 500


class Account(KamAggregate):
    """Profile, business context, stakeholders and needs of one customer; closing ends new business."""

    @classmethod
    def create_id(cls, external_ref: str | None = None, **_: Any) -> UUID:
        return natural_id("account", external_ref) if external_ref else uuid4()

    @classmethod
    def open(
        cls,
        *,
        name: str,
        segment: Segment | str,
        region: str,
        industry: str | None = None,
        size: AccountSize | str | None = None,
        external_ref: str | None = None,
        envelope: AuditEnvelope,
    ) -> Account:
        return cls(
            name=rules.text("name", name),
            segment=rules.member("segment", Segment, segment),
            region=rules.text("region", region, max_length=100),
            industry=rules.optional_text("industry", industry, max_length=100),
            size=rules.member("size", AccountSize, size) if size is not None else None,
            external_ref=rules.identifier("external_ref", external_ref) if external_ref else None,
            envelope=envelope,
        )

    @event("Opened")
    def __init__(
        self,
        name: str,
        segment: Segment,
        region: str,
        industry: str | None,
        size: AccountSize | None,
        external_ref: str | None,
        envelope: AuditEnvelope,
    ) -> None:
        self.name = name
        self.segment = segment
        self.region = region
        self.industry = industry
        self.size = size
        self.external_ref = external_ref
        self.status = AccountStatus.ACTIVE
        self.context = BusinessContext()
        self.stakeholders: dict[str, Stakeholder] = {}
        # Every contact ever added, removed ones too: their personal data stays in the log until erased.
        self.data_subjects: dict[str, Stakeholder] = {}
        self.erased_subjects: set[str] = set()
        self.needs: dict[str, Need] = {}
        self.closed_on: date | None = None

    @property
    def is_closed(self) -> bool:
        return self.status is AccountStatus.CLOSED

    def ensure_open(self) -> None:
        """A closed account accepts no new business."""
        if self.is_closed:
            raise Conflict(f"account {self.id} is closed", field="account_id", code="ACCOUNT_CLOSED")

    # -- commands ---------------------------------------------------------------------------

    def update_profile(
        self,
        *,
        name: str | None = None,
        segment: Segment | str | None = None,
        region: str | None = None,
        industry: str | None = None,
        size: AccountSize | str | None = None,
        envelope: AuditEnvelope,
    ) -> None:
        """Change any subset of the profile; the event carries the whole resulting profile."""
        self.ensure_open()
        self._profile_updated(
            name=rules.text("name", name) if name is not None else self.name,
            segment=rules.member("segment", Segment, segment) if segment is not None else self.segment,
            region=rules.text("region", region, max_length=100) if region is not None else self.region,
            industry=rules.optional_text("industry", industry, max_length=100)
            if industry is not None
            else self.industry,
            size=rules.member("size", AccountSize, size) if size is not None else self.size,
            envelope=envelope,
        )

    def record_business_context(self, context: BusinessContext, *, envelope: AuditEnvelope) -> None:
        self.ensure_open()
        checked = BusinessContext(
            strategy=rules.optional_text("strategy", context.strategy),
            operating_dynamics=rules.optional_text("operating_dynamics", context.operating_dynamics),
            challenges=rules.text_list("challenges", context.challenges),
            competitors=rules.text_list("competitors", context.competitors),
            buying_process=rules.optional_text("buying_process", context.buying_process),
            buying_behaviour=rules.optional_text("buying_behaviour", context.buying_behaviour),
        )
        self._business_context_recorded(context=checked, envelope=envelope)

    def identify_need(
        self,
        *,
        description: str,
        line_of_business: str | None = None,
        priority: NeedPriority | str = NeedPriority.MEDIUM,
        envelope: AuditEnvelope,
    ) -> Need:
        self.ensure_open()
        if len(self.needs) >= MAX_NEEDS:
            raise InvalidInput(f"an account holds at most {MAX_NEEDS} needs", field="description")
        need = Need(
            need_id=f"need-{self.version + 1}",
            description=rules.text("description", description, max_length=rules.MAX_TEXT),
            line_of_business=rules.optional_text("line_of_business", line_of_business, max_length=100),
            priority=rules.member("priority", NeedPriority, priority),
            identified_on=envelope.business_date,
        )
        self._need_identified(need=need, envelope=envelope)
        return need

    def add_stakeholder(
        self,
        *,
        name: str,
        role: StakeholderRole | str,
        title: str | None = None,
        email: str | None = None,
        seal: Sealer,
        envelope: AuditEnvelope,
    ) -> Stakeholder:
        """Name, title and e-mail are checked in plain text, then stored sealed with the contact's own key."""
        self.ensure_open()
        if len(self.stakeholders) >= MAX_STAKEHOLDERS:
            raise InvalidInput(f"an account holds at most {MAX_STAKEHOLDERS} stakeholders", field="name")
        checked_email = rules.optional_text("email", email, max_length=254)
        if checked_email is not None and ("@" not in checked_email or " " in checked_email):
            raise InvalidInput("is not an e-mail address", field="email")
        checked_name = rules.text("name", name)
        checked_role = rules.member("role", StakeholderRole, role)
        checked_title = rules.optional_text("title", title, max_length=200)
        stakeholder_id = f"stakeholder-{self.version + 1}"
        subject = stakeholder_subject(self.id, stakeholder_id)
        stakeholder = Stakeholder(
            stakeholder_id=stakeholder_id,
            name=seal(subject, checked_name),
            role=checked_role,
            title=seal(subject, checked_title) if checked_title is not None else None,
            email=seal(subject, checked_email) if checked_email is not None else None,
        )
        self._stakeholder_added(stakeholder=stakeholder, envelope=envelope)
        return stakeholder

    def remove_stakeholder(self, stakeholder_id: str, *, envelope: AuditEnvelope) -> None:
        if stakeholder_id not in self.stakeholders:
            raise InvalidInput(f"no stakeholder {stakeholder_id!r} on this account", field="stakeholder_id")
        self._stakeholder_removed(stakeholder_id=stakeholder_id, envelope=envelope)

    def data_subject(self, stakeholder_id: str) -> Stakeholder:
        """A contact ever added (removed ones too) whose personal data has not been erased yet."""
        stakeholder = self.data_subjects.get(stakeholder_id)
        if stakeholder is None:
            raise NotFound(f"no stakeholder {stakeholder_id!r} on account {self.id}", field="stakeholder_id")
        if stakeholder_id in self.erased_subjects:
            raise Conflict(
                f"the personal data of {stakeholder_id} is already erased",
                field="stakeholder_id",
                code="ALREADY_ERASED",
            )
        return stakeholder

    def erase_data_subject(self, stakeholder_id: str, *, envelope: AuditEnvelope) -> str:
        """Record the erasure of a contact's personal data (closed accounts too); returns the subject whose key goes.

        The event names the subject and carries the reason, never the personal data itself.
        """
        self.data_subject(stakeholder_id)
        if not envelope.reason:
            raise InvalidInput("erasing personal data needs a reason", field="reason")
        subject_id = stakeholder_subject(self.id, stakeholder_id)
        self._data_subject_erased(stakeholder_id=stakeholder_id, subject_id=subject_id, envelope=envelope)
        return subject_id

    def close(self, *, envelope: AuditEnvelope) -> None:
        self.ensure_open()
        if not envelope.reason:
            raise InvalidInput("closing an account needs a reason", field="reason")
        self._closed(closed_on=envelope.business_date, envelope=envelope)

    # -- events -----------------------------------------------------------------------------

    @event("ProfileUpdated")
    def _profile_updated(
        self,
        name: str,
        segment: Segment,
        region: str,
        industry: str | None,
        size: AccountSize | None,
        envelope: AuditEnvelope,
    ) -> None:
        self.name, self.segment, self.region, self.industry, self.size = name, segment, region, industry, size

    @event("BusinessContextRecorded")
    def _business_context_recorded(self, context: BusinessContext, envelope: AuditEnvelope) -> None:
        self.context = context

    @event("NeedIdentified")
    def _need_identified(self, need: Need, envelope: AuditEnvelope) -> None:
        self.needs[need.need_id] = need

    @event("StakeholderAdded")
    def _stakeholder_added(self, stakeholder: Stakeholder, envelope: AuditEnvelope) -> None:
        self.stakeholders[stakeholder.stakeholder_id] = stakeholder
        self.data_subjects[stakeholder.stakeholder_id] = stakeholder

    @event("StakeholderRemoved")
    def _stakeholder_removed(self, stakeholder_id: str, envelope: AuditEnvelope) -> None:
        del self.stakeholders[stakeholder_id]

    @event("DataSubjectErased")
    def _data_subject_erased(self, stakeholder_id: str, subject_id: str, envelope: AuditEnvelope) -> None:
        self.erased_subjects.add(stakeholder_id)

    @event("Closed")
    def _closed(self, closed_on: date, envelope: AuditEnvelope) -> None:
        self.status = AccountStatus.CLOSED
        self.closed_on = closed_on
