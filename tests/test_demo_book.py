"""The demo book: seeded, realistic, spanning years of business dates, and valid aggregate by aggregate."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from typer.testing import CliRunner

from kamcore.application.revealing import reveal_events
from kamcore.application.sealing import subject_of, unseal
from kamcore.cli import app as cli
from kamcore.demo import write_book
from kamcore.domain.account_team import AccountTeam
from kamcore.domain.claim import Claim
from kamcore.domain.events import event_data
from kamcore.domain.feedback import SurveyResponse
from kamcore.domain.policy import Policy
from kamcore.domain.values import ClaimStatus, PolicyStatus, TeamRole
from kamcore.runtime import Runtime
from kamcore.settings import Settings

ACCOUNTS = 200


def all_events(runtime: Runtime) -> list[Any]:
    events, position = [], 0
    while True:
        batch = runtime.app.recorder.select_notifications(start=position + 1, limit=5_000)
        events += [runtime.app.mapper.to_domain_event(n) for n in batch]
        if len(batch) < 5_000:
            return events
        position = batch[-1].id


def fingerprint(runtime: Runtime, events: list[Any]) -> list[tuple[Any, ...]]:
    """Each event's type, version, data (personal data decrypted) and business date, ids renamed in order of use."""
    names: dict[UUID, int] = {}
    data = reveal_events([(type(e).__qualname__, event_data(e)) for e in events], runtime.app.subject_keys)

    def canonical(value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = UUID(value)
            except ValueError:
                return value
        if isinstance(value, UUID):
            return f"id-{names.setdefault(value, len(names))}"
        if isinstance(value, list):
            return [canonical(v) for v in value]
        if isinstance(value, dict):
            return {k: canonical(v) for k, v in value.items()}
        return value

    return [
        (
            type(e).__qualname__,
            canonical(e.originator_id),
            e.originator_version,
            canonical(d),
            e.envelope.business_date,
        )
        for e, d in zip(events, data, strict=True)
    ]


def test_a_seeded_book_is_deterministic(tmp_path: Path) -> None:
    books = []
    for name in ("one", "two"):
        runtime = Runtime(Settings(data_dir=tmp_path / name))
        try:
            write_book(runtime.app, 60, seed=11)
            books.append(fingerprint(runtime, all_events(runtime)))
        finally:
            runtime.close()
    assert books[0] == books[1]
    other = Runtime(Settings(data_dir=tmp_path / "other-seed"))
    try:
        write_book(other.app, 60, seed=12)
        assert fingerprint(other, all_events(other)) != books[0]
    finally:
        other.close()


def test_the_book_is_realistic_and_every_aggregate_holds_its_invariants(runtime: Runtime) -> None:
    written = write_book(runtime.app, ACCOUNTS, seed=5)
    events = all_events(runtime)
    assert len(events) == written > ACCOUNTS * 20

    dates = [e.envelope.business_date for e in events]
    assert max(dates) - min(dates) >= timedelta(days=3 * 365)
    assert max(dates) <= date.today()

    kinds = Counter(type(e).__qualname__ for e in events)
    for expected in (
        "Product.Launched", "RelationshipManager.Registered", "RelationshipManager.TeamChanged",
        "RelationshipManager.CertificationObtained", "RelationshipManager.ComplianceAuditCompleted",
        "Account.Opened", "AccountTeam.LeadHandedOver", "AccountTeam.RelationshipManagerReleased",
        "Policy.Bound", "Policy.QuoteDeclined", "Policy.Renewed", "Policy.Lapsed", "Policy.Cancelled",
        "Policy.Endorsed", "Claim.Reported", "Claim.Paid", "Claim.Closed", "Interaction.Held",
        "Interaction.ActionItemAdded", "SurveyResponse.Recorded", "Complaint.Raised", "Referral.Given",
        "Recommendation.Accepted", "Recommendation.Declined",
    ):  # fmt: skip
        assert kinds[expected] > 0, expected

    premium: defaultdict[UUID, Decimal] = defaultdict(Decimal)
    for e in events:
        if type(e).__qualname__ == "Policy.Bound":
            premium[e.account_id] += e.written_premium.amount
    ranked = sorted(premium.values(), reverse=True)
    top = ranked[: max(1, len(ranked) // 10)]
    assert sum(top) / sum(ranked) > Decimal("0.35")  # heavy tail: the top 10 % carry a large share

    versions = {e.originator_id: e.originator_version for e in events}
    open_claims = 0
    for aggregate_id, version in versions.items():
        aggregate = runtime.app.repository.get(aggregate_id)
        assert aggregate.version == version
        if isinstance(aggregate, Policy):
            assert aggregate.expiry_date > aggregate.inception_date
            if aggregate.bound_on is not None:
                assert aggregate.bound_on >= aggregate.quoted_on
            if aggregate.status in (PolicyStatus.CANCELLED, PolicyStatus.LAPSED):
                assert aggregate.inception_date <= aggregate.ended_on <= aggregate.expiry_date
            assert 0 <= aggregate.commission.amount <= aggregate.written_premium.amount
        elif isinstance(aggregate, Claim):
            assert aggregate.loss_date <= aggregate.reported_on
            if aggregate.status is ClaimStatus.CLOSED:
                assert aggregate.closed_on >= aggregate.reported_on
            else:
                open_claims += 1
        elif isinstance(aggregate, AccountTeam):
            leads = [a for a in aggregate.assignments.values() if a.role is TeamRole.LEAD]
            assert leads
            for i, a in enumerate(leads):
                assert a.effective_to is None or a.effective_to > a.effective_from
                assert not any(a.overlaps(b.effective_from, b.effective_to) for b in leads[i + 1 :])
        elif isinstance(aggregate, SurveyResponse):
            low, high = aggregate.scale.bounds
            assert low <= aggregate.score <= high
    assert open_claims > 0


def test_the_book_seals_contacts_personal_data(runtime: Runtime) -> None:
    write_book(runtime.app, 5, seed=2)
    added = [e for e in all_events(runtime) if type(e).__qualname__ == "Account.StakeholderAdded"]
    assert added
    assert all(e.stakeholder.name.startswith("pii:v1:account:") for e in added)
    keys = runtime.app.subject_keys([subject_of(e.stakeholder.name) for e in added])
    names = [unseal(e.stakeholder.name, keys) for e in added]
    assert all(" of " in name for name in names)  # e.g. "Decision Maker of Atlas Logistics 1"
    stored = b"".join(n.state for n in runtime.app.recorder.select_notifications(start=1, limit=100_000))
    assert not any(name.encode() in stored for name in names)


def test_the_demo_command(settings: Settings) -> None:
    args = (
        ["--database-url", f"{settings.database_url}?schema={settings.database_schema}"]
        if settings.database_url
        else ["--data-dir", str(settings.data_dir)]
    )
    result = CliRunner().invoke(cli, ["demo", "--accounts", "5", "--seed", "3", *args])
    assert result.exit_code == 0, result.output
    assert "events for 5 accounts" in result.output
