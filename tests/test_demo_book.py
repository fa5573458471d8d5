"""The demo book: seeded, realistic, spanning years of business dates, and valid aggregate by aggregate."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from typer.testing import CliRunner

from kamcore.application import CommandContext
from kamcore.application.revealing import reveal_events
from kamcore.application.sealing import subject_of, unseal
from kamcore.audit.invariants import check_invariants
from kamcore.cli import app as cli
from kamcore.demo import write_book
from kamcore.domain.events import event_data
from kamcore.domain.values import Initiator
from kamcore.projections.kpi_view import KpiView, Period
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

    report = check_invariants(runtime, batch_size=997)  # a batch size that splits aggregates across reads
    assert report.ok, [str(v) for v in report.violations]
    assert report.events == written
    assert report.aggregates["Account"] == ACCOUNTS
    assert report.aggregates["AccountTeam"] == ACCOUNTS
    assert sum(report.aggregates.values()) == len({e.originator_id for e in events})
    open_claims = sum(1 for e in events if type(e).__qualname__ == "Claim.Reported") - sum(
        1 for e in events if type(e).__qualname__ == "Claim.Closed"
    )
    assert open_claims > 0


def test_the_invariant_check_finds_a_stored_event_that_breaks_a_rule(runtime: Runtime) -> None:
    """An event written past the commands (as a faulty import or a hand-edited store could) is reported."""
    write_book(runtime.app, 10, seed=3)
    assert check_invariants(runtime).ok
    bound = next(e for e in all_events(runtime) if type(e).__qualname__ == "Policy.Bound")
    policy = runtime.app.repository.get(bound.originator_id)
    envelope = CommandContext(actor="test:tamper").envelope()
    policy._lapsed(
        account_id=policy.account_id,
        line_of_business=policy.line_of_business,
        initiated_by=Initiator.CUSTOMER,
        effective_date=policy.inception_date - timedelta(days=30),
        expiry_date=policy.expiry_date,
        envelope=envelope,
    )
    runtime.app.save(policy)
    report = check_invariants(runtime)
    assert report.violation_count == 1
    assert report.violations[0].aggregate_id == policy.id
    assert report.violations[0].rule == "ended outside its term"


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
    checked = CliRunner().invoke(cli, ["audit", "invariants", *args])
    assert checked.exit_code == 0, checked.output
    assert "0 violation(s)" in checked.output
    assert "Account " in checked.output


def test_a_scorecard_scoped_to_one_rm_or_team_equals_the_whole_book_computation(runtime: Runtime) -> None:
    """Scorecards load only the accounts their RMs ever led; every KPI must come out as over the whole book."""
    write_book(runtime.app, 40, seed=9)
    assert runtime.wait_for(runtime.app.head_position(), timeout=60)
    view = KpiView(runtime.stores["kpi_measures"])
    period, as_of = Period.year(date.today().year - 1), date.today()
    with view.store.reading() as sql:
        rms = [r["rm_id"] for r in sql.execute("SELECT rm_id FROM {t}kpi_rm").fetchall()]
        teams = {json.loads(r["teams"])[-1][1] for r in sql.execute("SELECT teams FROM {t}kpi_rm").fetchall()}
    compared = 0
    for grain, keys in (("rm", rms[:3]), ("team", sorted(teams)[:2])):
        for key in keys:
            scoped = {
                r.kpi.id: (r.value, r.numerator, r.denominator) for r in view.scorecard(grain, key, period, as_of)
            }
            for kpi in view.catalogue.kpis:
                if kpi.formula == "target_attainment":
                    continue
                whole = dict(view.leaderboard(kpi.id, grain, period, as_of, first=10_000)).get(key)
                if whole is not None:
                    assert scoped[kpi.id] == (whole.value, whole.numerator, whole.denominator), (grain, key, kpi.id)
                    compared += 1
    assert compared > 60
