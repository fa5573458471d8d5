"""Bulk import: every bad row is reported, the modes keep their promise, and re-imports are idempotent."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import RecordConflictError
from typer.testing import CliRunner

from kamcore.application import CommandContext
from kamcore.application.sealing import SubjectKeyChanges
from kamcore.cli import app as cli
from kamcore.domain.account import Account
from kamcore.domain.ids import natural_id
from kamcore.domain.policy import Policy
from kamcore.domain.values import BusinessContext, PolicyStatus, Source
from kamcore.importing import ImportKind, ImportMode, import_files
from kamcore.importing.changes import claim_id_for
from kamcore.importing.copying import copy_for_update, shareable
from kamcore.importing.reading import MAX_LINE_BYTES
from kamcore.importing.writer import BulkWriter
from kamcore.runtime import Runtime
from kamcore.settings import Settings

EXAMPLES = Path(__file__).parent.parent / "examples" / "import"
ACCOUNT_HEADER = "external_ref,name,segment,region,industry,size,as_of\n"
PRODUCTS = (
    ("PROP-ALLRISK", "property"),
    ("CYBER-STD", "cyber"),
    ("LIAB-GEN", "liability"),
    ("MARINE-CARGO", "marine"),
    ("EB-HEALTH", "health"),
    ("MOTOR-FLEET", "motor"),
)


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def launch_catalogue(runtime: Runtime) -> None:
    ctx = CommandContext(actor="test:setup", effective_date=date(2022, 1, 1), reason="catalogue")
    for code, line in PRODUCTS:
        runtime.app.launch_product(ctx, code=code, name=code, line_of_business=line, target_segments=["corporate"])


def events_after(runtime: Runtime, position: int) -> list[Any]:
    notifications = runtime.app.recorder.select_notifications(start=position + 1, limit=10_000)
    return [runtime.app.mapper.to_domain_event(n) for n in notifications]


def import_examples(runtime: Runtime) -> None:
    launch_catalogue(runtime)
    for name, kind in (("accounts.csv", "accounts"), ("policies.jsonl", "policies"), ("claims.csv", "claims")):
        report = import_files(runtime.app, [EXAMPLES / name], ImportKind(kind))
        assert not report.bad_rows, report.bad_rows


def test_all_or_nothing_reports_every_bad_row_and_writes_nothing(runtime: Runtime) -> None:
    head = runtime.app.head_position()
    report = import_files(runtime.app, [EXAMPLES / "bad_rows.csv"], ImportKind.ACCOUNTS)
    assert [(r.file, r.line, r.field) for r in report.bad_rows] == [
        ("bad_rows.csv", 3, "name"),
        ("bad_rows.csv", 4, "segment"),
        ("bad_rows.csv", 5, "external_ref"),
        ("bad_rows.csv", 6, "as_of"),
        ("bad_rows.csv", 7, None),
        ("bad_rows.csv", 8, "size"),
    ]
    assert "megacorp" in report.bad_rows[1].message
    assert "expected 7 columns" in report.bad_rows[4].message
    assert report.rows_read == 8
    assert (report.imported, report.events_written) == (0, 0)
    assert report.outcome.startswith("all-or-nothing")
    assert runtime.app.head_position() == head


def test_good_rows_imports_exactly_the_good_rows(runtime: Runtime) -> None:
    head = runtime.app.head_position()
    report = import_files(runtime.app, [EXAMPLES / "bad_rows.csv"], ImportKind.ACCOUNTS, mode=ImportMode.GOOD_ROWS)
    assert report.bad == 6
    assert (report.imported, report.events_written) == (2, 2)
    assert report.outcome.startswith("good-rows")
    opened = {e.external_ref for e in events_after(runtime, head)}
    assert opened == {"PAS-00101", "PAS-00108"}


def test_imported_events_carry_the_import_envelope(runtime: Runtime) -> None:
    head = runtime.app.head_position()
    report = import_files(runtime.app, [EXAMPLES / "accounts.csv"], ImportKind.ACCOUNTS, actor="svc:pas")
    events = events_after(runtime, head)
    assert len(events) == report.events_written == 5
    assert {e.envelope.source for e in events} == {Source.IMPORT}
    assert {e.envelope.correlation_id for e in events} == {report.correlation_id}
    assert {e.envelope.actor for e in events} == {"svc:pas"}
    assert all("accounts.csv" in e.envelope.reason for e in events)
    assert events[0].envelope.effective_date == date(2023, 1, 9)


def test_policies_and_claims_follow_their_lifecycle(runtime: Runtime) -> None:
    import_examples(runtime)
    get = runtime.app.repository.get
    renewed = get(Policy.id_for("POL-1001"))
    renewal = get(Policy.id_for("POL-1002"))
    assert renewed.renewed_by == renewal.id
    assert renewal.renews_policy_id == renewed.id
    assert get(Policy.id_for("POL-1003")).status is PolicyStatus.DECLINED
    cancelled = get(Policy.id_for("POL-2001"))
    assert cancelled.status is PolicyStatus.CANCELLED
    assert cancelled.ended_on == date(2024, 9, 1)
    assert get(Policy.id_for("POL-3001")).status is PolicyStatus.LAPSED
    assert get(Policy.id_for("POL-5001")).status is PolicyStatus.QUOTED
    claim = get(claim_id_for("CLM-9002"))
    assert (claim.paid.amount, claim.reserve.amount) == (Decimal("12000.00"), Decimal("45000.00"))
    assert get(claim_id_for("CLM-9001")).closed_on == date(2024, 7, 15)


def test_re_importing_the_same_files_writes_nothing_new(runtime: Runtime) -> None:
    import_examples(runtime)
    head = runtime.app.head_position()
    for name, kind in (("accounts.csv", "accounts"), ("policies.jsonl", "policies"), ("claims.csv", "claims")):
        report = import_files(runtime.app, [EXAMPLES / name], ImportKind(kind))
        assert report.events_written == report.imported == 0
        assert report.unchanged == report.rows_read
    assert runtime.app.head_position() == head


def test_changed_rows_become_the_matching_update_events(runtime: Runtime, tmp_path: Path) -> None:
    import_examples(runtime)
    head = runtime.app.head_position()
    accounts = (EXAMPLES / "accounts.csv").read_text().replace("Atlas Logistics", "Atlas Logistics Group")
    report = import_files(runtime.app, [write(tmp_path, "accounts.csv", accounts)], ImportKind.ACCOUNTS)
    assert (report.imported, report.unchanged, report.events_written) == (1, 4, 1)
    (updated,) = events_after(runtime, head)
    assert isinstance(updated, Account.ProfileUpdated)
    assert updated.name == "Atlas Logistics Group"

    rows = [json.loads(line) for line in (EXAMPLES / "policies.jsonl").read_text().splitlines()]
    rows[1].update(written_premium="141250.00", endorsed_on="2025-06-01")
    rows[5].update(status="cancelled", ended_on="2025-07-01", ended_by="insurer", return_premium="48000.00")
    policies = write(tmp_path, "policies.ndjson", "\n".join(json.dumps(r) for r in rows))
    head = runtime.app.head_position()
    report = import_files(runtime.app, [policies], ImportKind.POLICIES)
    assert not report.bad_rows
    assert report.imported == 2
    endorsed, cancelled = events_after(runtime, head)
    assert type(endorsed).__name__ == "Endorsed"
    assert endorsed.premium_change.amount == Decimal("10000.00")
    assert type(cancelled).__name__ == "Cancelled"
    assert cancelled.initiated_by.value == "insurer"

    claims = (
        (EXAMPLES / "claims.csv").read_text().replace("45000.00,12000.00,2025-03-30", "30000.00,27000.00,2025-05-02")
    )
    head = runtime.app.head_position()
    report = import_files(runtime.app, [write(tmp_path, "claims.csv", claims)], ImportKind.CLAIMS)
    assert not report.bad_rows
    assert report.imported == 1
    assert [type(e).__name__ for e in events_after(runtime, head)] == ["Paid"]


def test_a_stale_or_impossible_change_is_a_bad_row(runtime: Runtime, tmp_path: Path) -> None:
    import_examples(runtime)
    rows = [json.loads(line) for line in (EXAMPLES / "policies.jsonl").read_text().splitlines()]
    rows[0].update(expiry_date="2025-02-01")  # a term's dates do not change
    rows[2].update(status="bound", bound_on="2024-03-25")  # a declined quote is not bound later
    rows[3].update(written_premium="19000.00")  # an endorsement needs its date
    head = runtime.app.head_position()
    report = import_files(
        runtime.app, [write(tmp_path, "p.jsonl", "\n".join(json.dumps(r) for r in rows))], ImportKind.POLICIES
    )
    assert [(r.line, r.field) for r in report.bad_rows] == [(1, "expiry_date"), (3, "status"), (4, "written_premium")]
    assert runtime.app.head_position() == head


def test_malformed_lines_are_bad_rows_not_crashes(runtime: Runtime, tmp_path: Path) -> None:
    good = {"external_ref": "J-1", "name": "Ok", "segment": "sme", "region": "North"}
    lines = [
        json.dumps(good).encode(),
        b'{"external_ref": "J-2", "name": ',  # broken JSON
        b"[1, 2]",  # not an object
        '{"external_ref": "J-3", "name": "caf\u00e9"}'.encode("latin-1"),  # not UTF-8
        b'{"external_ref": "J-4", "name": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}',  # oversized
        json.dumps({**good, "external_ref": "J-5", "colour": "red"}).encode(),  # unknown field
        json.dumps({**good, "external_ref": "J-6", "name": 1.5}).encode(),  # not text
        b"",
        json.dumps({**good, "external_ref": "J-7"}).encode(),
    ]
    path = write(tmp_path, "accounts.jsonl", b"\n".join(lines) + b"\n")
    report = import_files(runtime.app, [path], ImportKind.ACCOUNTS, mode=ImportMode.GOOD_ROWS)
    assert [(r.line, r.field) for r in report.bad_rows] == [
        (2, None),
        (3, None),
        (4, None),
        (5, None),
        (6, "colour"),
        (7, "name"),
    ]
    messages = [r.message for r in report.bad_rows]
    assert messages[0].startswith("malformed JSON")
    assert "UTF-8" in messages[2]
    assert "longer than" in messages[3]
    assert report.imported == 2

    csv_text = ACCOUNT_HEADER + 'C-1,"Quoted, with comma",sme,North,,,\nC-2,Short,sme\nC-3,"Multi\nline",sme,South,,,\n'
    report = import_files(
        runtime.app, [write(tmp_path, "a.csv", csv_text)], ImportKind.ACCOUNTS, mode=ImportMode.GOOD_ROWS
    )
    assert [(r.line, r.message) for r in report.bad_rows] == [(3, "expected 7 columns, found 3")]
    assert report.imported == 2

    report = import_files(runtime.app, [write(tmp_path, "h.csv", "external_ref,nmae\nX,Y\n")], ImportKind.ACCOUNTS)
    assert [(r.line, r.field) for r in report.bad_rows] == [(1, "nmae")]


def test_the_bulk_encoding_is_the_mappers(runtime: Runtime) -> None:
    envelope = CommandContext(actor="t", source=Source.IMPORT, reason="r", effective_date=date(2024, 1, 2)).envelope()
    account = Account.open(name="A", segment="sme", region="N", external_ref="ENC-1", envelope=envelope)
    account.update_profile(name="B", size="large", envelope=envelope)
    writer = BulkWriter(runtime.app)
    for event in account.collect_events():
        assert writer.to_stored_event(event) == runtime.app.mapper.to_stored_event(event)


def test_the_copy_for_update_is_a_deep_copy(runtime: Runtime) -> None:
    """Every aggregate an import touches copies like `copy.deepcopy`, and changing the copy leaves the original."""
    import_examples(runtime)
    envelope = CommandContext(actor="t", source=Source.IMPORT, reason="r").envelope()
    account = runtime.app.repository.get(natural_id("account", "PAS-00001"))
    account.add_stakeholder(name="Ann", role="decision_maker", seal=SubjectKeyChanges().seal, envelope=envelope)
    account.identify_need(description="fleet cover", envelope=envelope)
    ids = {n.originator_id for n in runtime.app.recorder.select_notifications(start=1, limit=10_000)}
    aggregates = [account, *(runtime.app.repository.get(i) for i in ids)]
    assert {"Account", "Policy", "Claim", "Product"} <= {type(a).__name__ for a in aggregates}
    for aggregate in aggregates:
        copied, deep = copy_for_update(aggregate), copy.deepcopy(aggregate)
        assert type(copied) is type(aggregate)
        assert vars(copied) == vars(deep)
        for name, value in vars(aggregate).items():
            assert shareable(value) or getattr(copied, name) is not value, name

    copied = copy_for_update(account)
    stakeholders, needs, pending = dict(account.stakeholders), dict(account.needs), list(account._pending_events)
    copied.add_stakeholder(name="Bob", role="influencer", seal=SubjectKeyChanges().seal, envelope=envelope)
    copied.identify_need(description="cyber", envelope=envelope)
    copied.update_profile(name="Renamed", envelope=envelope)
    assert (account.stakeholders, account.needs, account._pending_events) == (stakeholders, needs, pending)
    assert (account.name, account.version) != (copied.name, copied.version)


def test_only_values_immutable_all_the_way_down_are_shared() -> None:
    assert shareable((1, "a", Decimal("1.5"), date(2024, 1, 1), PolicyStatus.BOUND))
    assert not shareable((1, [2]))
    assert not shareable({"a": 1})
    assert shareable(frozenset({1}))
    assert shareable(BusinessContext(challenges=("growth",)))
    assert not shareable(BusinessContext(challenges=["growth"]))  # type: ignore[arg-type]


def stored_without_envelopes(runtime: Runtime) -> list[tuple[Any, ...]]:
    """The log as the import wrote it, but for the times and correlation ids (they differ per run)."""
    rows = []
    for n in runtime.app.recorder.select_notifications(start=1, limit=10_000):
        state = json.loads(n.state)
        del state["envelope"], state["timestamp"]
        rows.append((n.originator_id, n.originator_version, n.topic, state))
    return rows


def import_all(runtime: Runtime) -> list[tuple[Any, ...]]:
    launch_catalogue(runtime)
    reports = []
    for name, kind in (("accounts.csv", "accounts"), ("policies.jsonl", "policies"), ("claims.csv", "claims")):
        report = import_files(runtime.app, [EXAMPLES / name], ImportKind(kind), batch_events=4)
        reports.append((report.rows_read, report.imported, report.unchanged, report.events_written, report.bad_rows))
    return reports


def test_writing_the_spooled_events_equals_running_the_domain_again(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checking pass's spooled events are what a second run of the domain (the writing pass) writes."""
    spooled = Runtime(settings)
    try:
        spooled_reports, spooled_log = import_all(spooled), stored_without_envelopes(spooled)
    finally:
        spooled.close()

    def conflict(self: BulkWriter, spool: Any) -> None:
        raise RecordConflictError("as if another writer came first: nothing written, the domain runs again")

    monkeypatch.setattr(BulkWriter, "insert_spooled", conflict)
    rerun = Runtime(Settings(data_dir=tmp_path / "rerun"))
    try:
        assert import_all(rerun) == spooled_reports
        assert stored_without_envelopes(rerun) == spooled_log
    finally:
        rerun.close()


def test_a_checking_pass_that_forgets_aggregates_spools_nothing(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kamcore.importing.workspace.MAX_TOUCHED", 2)
    monkeypatch.setattr(BulkWriter, "insert_spooled", lambda self, spool: pytest.fail("the spool was used"))
    report = import_files(runtime.app, [EXAMPLES / "accounts.csv"], ImportKind.ACCOUNTS)
    assert (report.imported, report.events_written, runtime.app.head_position()) == (5, 5, 5)


@pytest.mark.parametrize(("meanwhile", "batches_written"), [("PAS-00001", 0), ("PAS-00005", 2)])
def test_a_write_between_the_passes_makes_the_domain_decide_again(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, meanwhile: str, batches_written: int
) -> None:
    """Another writer opens an account the import is about to open: the conflicting batch and the rest are re-run."""
    insert_spooled = BulkWriter.insert_spooled

    def after_a_concurrent_write(self: BulkWriter, spool: Any) -> None:
        ctx = CommandContext(actor="t", reason="meanwhile")
        runtime.app.open_account(ctx, name="Other", segment="sme", region="West", external_ref=meanwhile)
        insert_spooled(self, spool)

    monkeypatch.setattr(BulkWriter, "insert_spooled", after_a_concurrent_write)
    report = import_files(runtime.app, [EXAMPLES / "accounts.csv"], ImportKind.ACCOUNTS, batch_events=2)
    assert not report.bad_rows
    assert report.events_written == 5  # 4 opened, 1 profile update of the other writer's account
    assert (report.imported, report.unchanged) == (5 - 2 * batches_written, 2 * batches_written)
    assert len(events_after(runtime, 0)) == 6  # (PostgreSQL skips the ids of a rolled-back batch)
    account = runtime.app.repository.get(natural_id("account", meanwhile))
    assert (account.region, account.version) == ("North" if meanwhile == "PAS-00001" else "Central", 2)


def storage_args(settings: Settings) -> list[str]:
    if settings.database_url:
        return ["--database-url", f"{settings.database_url}?schema={settings.database_schema}"]
    return ["--data-dir", str(settings.data_dir)]


@pytest.mark.parametrize("mode", ["all-or-nothing", "good-rows"])
def test_the_import_command_end_to_end(settings: Settings, mode: str) -> None:
    runner = CliRunner()
    args = [*storage_args(settings), "--kind", "accounts", "--mode", mode]
    bad = runner.invoke(cli, ["import", str(EXAMPLES / "bad_rows.csv"), *args])
    assert bad.exit_code == 1, bad.output
    assert "6 bad row(s)" in bad.output
    assert "megacorp" in bad.output
    assert mode in bad.output
    good = runner.invoke(cli, ["import", str(EXAMPLES / "accounts.csv"), *args])
    assert good.exit_code == 0, good.output
    again = runner.invoke(cli, ["import", str(EXAMPLES / "accounts.csv"), *args, "--dry-run"])
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output
    assert "dry run" in again.output
    runtime = Runtime(settings)
    try:
        expected = 7 if mode == "good-rows" else 5
        assert runtime.app.head_position() == expected
        assert runtime.app.repository.get(natural_id("account", "PAS-00003")).name == "Cobalt Energy, Ltd"
    finally:
        runtime.close()
    unsupported = runner.invoke(cli, ["import", str(Path(__file__)), *args])
    assert unsupported.exit_code != 0
