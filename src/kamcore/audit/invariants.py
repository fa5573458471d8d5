"""The domain invariants of DESIGN.md §3, checked over the whole stored book, aggregate by aggregate.

Commands enforce the rules when they run; this check proves the *stored* book obeys them, e.g. after
a bulk import, a restore or a migration, or for the 100k-account demo book. It streams every
aggregate's events in (id, version) order through the event store's primary key, so memory holds
one aggregate at a time plus a few facts per account for the cross-aggregate rules.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from kamcore.audit.readers import EventLogReader
from kamcore.domain.account import Account
from kamcore.domain.account_team import AccountTeam
from kamcore.domain.claim import Claim
from kamcore.domain.feedback import SurveyResponse
from kamcore.domain.interaction import Interaction
from kamcore.domain.policy import Policy
from kamcore.domain.values import AccountStatus, ClaimStatus, InteractionStatus, Money, PolicyStatus, TeamRole
from kamcore.runtime import Runtime

KEPT_VIOLATIONS = 1_000  # all are counted; the first ones are kept for the report


@dataclass(frozen=True)
class Violation:
    aggregate_id: UUID
    aggregate_type: str
    version: int
    rule: str

    def __str__(self) -> str:
        return f"{self.aggregate_type} {self.aggregate_id} (v{self.version}): {self.rule}"


@dataclass
class InvariantReport:
    events: int = 0
    aggregates: Counter[str] = field(default_factory=Counter)
    violations: list[Violation] = field(default_factory=list)
    violation_count: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.violation_count == 0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def add(self, violation: Violation) -> None:
        self.violation_count += 1
        if len(self.violations) < KEPT_VIOLATIONS:
            self.violations.append(violation)


@dataclass
class AccountFacts:
    """What the cross-aggregate rules need to know about each account."""

    closed_on: date | None = None
    new_business: list[tuple[UUID, str, date]] = field(default_factory=list)  # (aggregate, what, business date)
    referenced_by: list[tuple[UUID, str]] = field(default_factory=list)


Check = Callable[[Any], Iterator[str]]


def money_rules(aggregate: Any, currency: str) -> Iterator[str]:
    """Every amount in the state is a non-negative Decimal in the reporting currency."""
    for name, value in vars(aggregate).items():
        if isinstance(value, Money):
            if not isinstance(value.amount, Decimal):
                yield f"{name} is not a Decimal"
            elif value.amount < 0:
                yield f"{name} is negative ({value.amount})"
            if value.currency != currency:
                yield f"{name} is in {value.currency}, not the reporting currency {currency}"


def policy_rules(policy: Policy) -> Iterator[str]:
    if policy.expiry_date <= policy.inception_date:
        yield "the policy ends on or before it starts"
    if policy.bound_on is not None and policy.bound_on < policy.quoted_on:
        yield "bound before it was quoted"
    if policy.status in (PolicyStatus.CANCELLED, PolicyStatus.LAPSED) and not (
        policy.ended_on is not None and policy.inception_date <= policy.ended_on <= policy.expiry_date
    ):
        yield "ended outside its term"
    if policy.commission.amount > policy.written_premium.amount:
        yield "commission exceeds the written premium"


def claim_rules(claim: Claim) -> Iterator[str]:
    if claim.loss_date > claim.reported_on:
        yield "reported before the loss happened"
    if claim.status is ClaimStatus.CLOSED and (claim.closed_on is None or claim.closed_on < claim.reported_on):
        yield "closed before it was reported"


def team_rules(team: AccountTeam) -> Iterator[str]:
    assignments = list(team.assignments.values())
    for a in assignments:
        if a.effective_to is not None and a.effective_to <= a.effective_from:
            yield f"{a.assignment_id} ends on or before it starts"
    leads = [a for a in assignments if a.role is TeamRole.LEAD]
    for i, a in enumerate(leads):
        if any(a.overlaps(b.effective_from, b.effective_to) for b in leads[i + 1 :]):
            yield f"{a.assignment_id} overlaps another lead (exactly one lead at a time)"


def survey_rules(survey: SurveyResponse) -> Iterator[str]:
    low, high = survey.scale.bounds
    if not low <= survey.score <= high:
        yield f"score {survey.score} is outside the {survey.scale.value} scale {low}-{high}"


def interaction_rules(interaction: Interaction) -> Iterator[str]:
    if interaction.status is InteractionStatus.HELD and interaction.held_on is None:
        yield "held without a date"


RULES: dict[type, Check] = {
    Policy: policy_rules,
    Claim: claim_rules,
    AccountTeam: team_rules,
    SurveyResponse: survey_rules,
    Interaction: interaction_rules,
}


class InvariantChecker:
    """Folds each aggregate's events, then checks its state; account-level rules run at the end."""

    def __init__(self, runtime: Runtime) -> None:
        self.mapper = runtime.app.mapper
        self.currency = runtime.settings.reporting_currency
        self.backend = runtime.backend
        self.app = runtime.app
        self.report = InvariantReport()
        self.accounts: dict[UUID, AccountFacts] = {}

    def run(self, batch_size: int = 10_000) -> InvariantReport:
        started = time.perf_counter()
        with EventLogReader.open(self.backend, self.app) as log:
            aggregate: Any = None
            for batch in log.by_aggregate(batch_size):
                for _position, originator, version, topic, state in batch:
                    event = self.mapper.to_domain_event(StoredEvent(UUID(bytes=originator), version, topic, state))
                    self.report.events += 1
                    if aggregate is not None and aggregate.id != event.originator_id:
                        self._check(aggregate)
                        aggregate = None
                    aggregate = self._fold(aggregate, event)
            if aggregate is not None:
                self._check(aggregate)
        self._check_accounts()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _fold(self, aggregate: Any, event: Any) -> Any:
        envelope = getattr(event, "envelope", None)
        name = type(event).__qualname__
        if envelope is None or not envelope.actor:
            self._violation(event.originator_id, name, event.originator_version, "event without an audit envelope")
        elif envelope.recorded_at.utcoffset() != UTC.utcoffset(None):
            self._violation(event.originator_id, name, event.originator_version, "recorded_at is not UTC")
        try:
            return event.mutate(aggregate)
        except Exception as error:  # noqa: BLE001 - a gap or a bad event is a finding, not a crash
            self._violation(event.originator_id, name, event.originator_version, f"does not apply: {error!r}")
            return aggregate

    def _check(self, aggregate: Any) -> None:
        kind = type(aggregate).__name__
        self.report.aggregates[kind] += 1
        findings = list(money_rules(aggregate, self.currency))
        check = RULES.get(type(aggregate))
        if check is not None:
            findings += check(aggregate)
        for finding in findings:
            self._violation(aggregate.id, kind, aggregate.version, finding)
        self._note_account_facts(aggregate)

    def _note_account_facts(self, aggregate: Any) -> None:
        if isinstance(aggregate, Account):
            facts = self.accounts.setdefault(aggregate.id, AccountFacts())
            facts.closed_on = aggregate.closed_on if aggregate.status is AccountStatus.CLOSED else None
            facts.referenced_by.append((aggregate.id, "Account"))
            return
        account_id = getattr(aggregate, "account_id", None)
        if not isinstance(account_id, UUID):
            return
        facts = self.accounts.setdefault(account_id, AccountFacts())
        facts.referenced_by.append((aggregate.id, type(aggregate).__name__))
        if isinstance(aggregate, Policy):
            facts.new_business.append((aggregate.id, "quoted", aggregate.quoted_on))

    def _check_accounts(self) -> None:
        """References name a real account, and a closed account took no new business after it closed."""
        for account_id, facts in self.accounts.items():
            kinds = {kind for _, kind in facts.referenced_by}
            if "Account" not in kinds:
                for aggregate_id, kind in facts.referenced_by:
                    self._violation(aggregate_id, kind, 0, f"refers to account {account_id}, which does not exist")
            if facts.closed_on is not None:
                for aggregate_id, what, on in facts.new_business:
                    if on > facts.closed_on:
                        self._violation(
                            aggregate_id, "Policy", 0, f"{what} on {on}, after its account closed on {facts.closed_on}"
                        )

    def _violation(self, aggregate_id: UUID, kind: str, version: int, rule: str) -> None:
        self.report.add(Violation(aggregate_id, kind, version, rule))


def check_invariants(runtime: Runtime, batch_size: int = 10_000) -> InvariantReport:
    return InvariantChecker(runtime).run(batch_size)
