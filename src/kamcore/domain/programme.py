"""Programme: the KAM programme's rules — key-account criteria versions, tier service standards, tools.

One aggregate per programme (a natural key, "kam" by default). High-volume records live in their
own aggregates: `KpiTarget`, `KeyAccountOverride`, `ProcessReview`, market research and
`RetentionStrategy`, so changing a target never replays the programme's whole history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from kamcore.domain import checks, rules
from kamcore.domain.base import KamAggregate
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput
from kamcore.domain.ids import natural_id
from kamcore.domain.values import CriteriaStatus, KeyAccountTier, TeamRole

DEFAULT_PROGRAMME = "kam"
MAX_CADENCE_DAYS = 730


@dataclass(frozen=True)
class CriteriaVersion:
    """A versioned definition of what makes an account key; `parameters` is the ranking's own document."""

    version_id: str
    name: str
    parameters: dict[str, Any]
    effective_from: date


@dataclass(frozen=True)
class ServiceStandard:
    """What service a tier is owed: an account review at least every `review_cadence_days`, and team roles."""

    tier: KeyAccountTier
    review_cadence_days: int
    required_roles: tuple[TeamRole, ...]
    effective_from: date


class Programme(KamAggregate):
    @classmethod
    def create_id(cls, key: str, **_: Any) -> UUID:
        return cls.id_for(key)

    @staticmethod
    def id_for(key: str = DEFAULT_PROGRAMME) -> UUID:
        return natural_id("programme", key)

    @classmethod
    def start(cls, *, key: str = DEFAULT_PROGRAMME, name: str, envelope: AuditEnvelope) -> Programme:
        return cls(
            key=rules.identifier("key", key),
            name=rules.text("name", name),
            started_on=envelope.business_date,
            envelope=envelope,
        )

    @event("Started")
    def __init__(self, key: str, name: str, started_on: date, envelope: AuditEnvelope) -> None:
        self.key = key
        self.name = name
        self.started_on = started_on
        self.criteria: dict[str, CriteriaVersion] = {}
        self.criteria_status: dict[str, CriteriaStatus] = {}
        self.adopted_version_id: str | None = None
        self.service_standards: dict[KeyAccountTier, ServiceStandard] = {}
        self.tools: dict[str, str] = {}

    # -- key-account criteria ---------------------------------------------------------------

    def propose_criteria(
        self,
        *,
        version_id: str,
        name: str,
        parameters: Mapping[str, Any],
        effective_from: date,
        envelope: AuditEnvelope,
    ) -> CriteriaVersion:
        """A proposal can be simulated before adoption; its parameters are validated as a document only."""
        checked_id = rules.identifier("version_id", version_id)
        if checked_id in self.criteria:
            raise Conflict(f"criteria version {checked_id} exists", field="version_id", code="DUPLICATE")
        criteria = CriteriaVersion(
            version_id=checked_id,
            name=rules.text("name", name),
            parameters=checks.document("parameters", parameters),
            effective_from=effective_from,
        )
        self._criteria_proposed(programme=self.key, criteria=criteria, envelope=envelope)
        return criteria

    def adopt_criteria(self, version_id: str, *, envelope: AuditEnvelope) -> None:
        """The adopted version replaces the one in force; both dates stay in history."""
        criteria = self._proposed(version_id)
        self._criteria_adopted(
            programme=self.key,
            version_id=criteria.version_id,
            effective_from=criteria.effective_from,
            superseded_version_id=self.adopted_version_id,
            adopted_on=envelope.business_date,
            envelope=envelope,
        )

    def reject_criteria(self, version_id: str, *, envelope: AuditEnvelope) -> None:
        criteria = self._proposed(version_id)
        if not envelope.reason:
            raise InvalidInput("rejecting a criteria version needs a reason", field="reason")
        self._criteria_rejected(programme=self.key, version_id=criteria.version_id, envelope=envelope)

    def _proposed(self, version_id: str) -> CriteriaVersion:
        if version_id not in self.criteria:
            raise InvalidInput(f"no criteria version {version_id!r}", field="version_id")
        status = self.criteria_status[version_id]
        if status is not CriteriaStatus.PROPOSED:
            raise Conflict(f"criteria version {version_id} is {status.value}", field="version_id", code="NOT_PROPOSED")
        return self.criteria[version_id]

    # -- service standards ------------------------------------------------------------------

    def set_service_standard(
        self,
        *,
        tier: KeyAccountTier | str,
        review_cadence_days: int,
        required_roles: Iterable[TeamRole | str],
        effective_from: date,
        envelope: AuditEnvelope,
    ) -> ServiceStandard:
        roles = tuple(dict.fromkeys(rules.member("required_roles", TeamRole, r) for r in required_roles))
        standard = ServiceStandard(
            tier=rules.member("tier", KeyAccountTier, tier),
            review_cadence_days=checks.whole_number(
                "review_cadence_days", review_cadence_days, low=1, high=MAX_CADENCE_DAYS
            ),
            required_roles=roles,
            effective_from=effective_from,
        )
        self._service_standard_set(programme=self.key, standard=standard, envelope=envelope)
        return standard

    # -- technology -------------------------------------------------------------------------

    def introduce_tool(self, *, tool_id: str, name: str, envelope: AuditEnvelope) -> None:
        """A tool RMs are expected to adopt (adoption is recorded on each `RelationshipManager`)."""
        checked = rules.identifier("tool_id", tool_id)
        if checked in self.tools:
            raise Conflict(f"tool {checked} is already introduced", field="tool_id", code="DUPLICATE")
        self._tool_introduced(
            programme=self.key,
            tool_id=checked,
            name=rules.text("name", name),
            introduced_on=envelope.business_date,
            envelope=envelope,
        )

    def ensure_tool(self, tool_id: str) -> None:
        if tool_id not in self.tools:
            raise InvalidInput(f"no tool {tool_id!r} was introduced", field="tool_id")

    # -- events -----------------------------------------------------------------------------

    @event("CriteriaProposed")
    def _criteria_proposed(self, programme: str, criteria: CriteriaVersion, envelope: AuditEnvelope) -> None:
        self.criteria[criteria.version_id] = criteria
        self.criteria_status[criteria.version_id] = CriteriaStatus.PROPOSED

    @event("CriteriaAdopted")
    def _criteria_adopted(
        self,
        programme: str,
        version_id: str,
        effective_from: date,
        superseded_version_id: str | None,
        adopted_on: date,
        envelope: AuditEnvelope,
    ) -> None:
        if superseded_version_id is not None:
            self.criteria_status[superseded_version_id] = CriteriaStatus.SUPERSEDED
        self.criteria_status[version_id] = CriteriaStatus.ADOPTED
        self.adopted_version_id = version_id

    @event("CriteriaRejected")
    def _criteria_rejected(self, programme: str, version_id: str, envelope: AuditEnvelope) -> None:
        self.criteria_status[version_id] = CriteriaStatus.REJECTED

    @event("ServiceStandardSet")
    def _service_standard_set(self, programme: str, standard: ServiceStandard, envelope: AuditEnvelope) -> None:
        self.service_standards[standard.tier] = replace(standard, required_roles=tuple(standard.required_roles))

    @event("ToolIntroduced")
    def _tool_introduced(
        self, programme: str, tool_id: str, name: str, introduced_on: date, envelope: AuditEnvelope
    ) -> None:
        self.tools[tool_id] = name
