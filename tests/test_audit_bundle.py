"""Export bundles check out with the standalone verifier in a bare Python, and fail when anything in them changes."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kamcore.application import CommandContext
from kamcore.audit import ed25519
from kamcore.audit.export import ExportError, ExportScope, export_bundle
from kamcore.audit.keys import SigningKey, public_key_bytes
from kamcore.runtime import Runtime
from kamcore.settings import Settings

# RFC 8032 §7.1, TEST 1 (empty message).
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment without kamcore or cryptography: what an auditor has."""
    directory = tmp_path_factory.mktemp("auditor-venv")
    venv.EnvBuilder(with_pip=False).create(directory)
    python = directory / "bin" / "python"
    probe = subprocess.run([python, "-c", "import cryptography"], capture_output=True, check=False)
    assert probe.returncode != 0, "the auditor's environment must not have cryptography"
    return python


@pytest.fixture
def book(settings: Settings, ctx: CommandContext) -> Iterator[Runtime]:
    runtime = Runtime(settings)
    for index in range(4):
        opened = runtime.app.open_account(ctx, name=f"Account {index}", segment="corporate", region="North")
        runtime.app.update_account_profile(ctx, opened.aggregate_id, region="South")
    runtime.chain_keeper.catch_up()
    yield runtime
    runtime.close()


def run_verifier(python: Path, bundle: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), str(bundle / "verify_bundle.py"), str(bundle), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def public_key(runtime: Runtime) -> str:
    return SigningKey.load_or_create(runtime.settings.signing_key_path).public_key_hex


def test_a_whole_log_bundle_verifies_in_a_bare_python(book: Runtime, tmp_path: Path, bare_python: Path) -> None:
    summary = export_bundle(book, tmp_path / "bundle", ExportScope())
    assert (summary.event_count, summary.first_position, summary.last_position) == (8, 1, 8)
    result = run_verifier(bare_python, summary.directory, "--public-key", public_key(book))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 8 events" in result.stdout
    assert "pure-Python RFC 8032" in result.stdout
    with_cryptography = run_verifier(Path(sys.executable), summary.directory, "--public-key", public_key(book))
    assert with_cryptography.returncode == 0, with_cryptography.stdout
    assert "cryptography Ed25519" in with_cryptography.stdout


def test_altering_one_event_line_fails_the_bundle(book: Runtime, tmp_path: Path, bare_python: Path) -> None:
    bundle = export_bundle(book, tmp_path / "bundle", ExportScope()).directory
    lines = (bundle / "events.ndjson").read_text().splitlines()
    event = json.loads(lines[2])
    event["state"] = base64.b64encode(base64.b64decode(event["state"]).replace(b"Account 1", b"Account 9")).decode()
    lines[2] = json.dumps(event, separators=(",", ":"))
    (bundle / "events.ndjson").write_text("\n".join(lines) + "\n")
    result = run_verifier(bare_python, bundle)
    assert result.returncode == 1
    assert "FAILED: line 3 (position 3)" in result.stdout


def test_altering_one_signature_fails_the_bundle(book: Runtime, tmp_path: Path, bare_python: Path) -> None:
    bundle = export_bundle(book, tmp_path / "bundle", ExportScope()).directory
    manifest = json.loads((bundle / "manifest.json").read_text())
    signature = manifest["checkpoints"][0]["signature"]
    manifest["checkpoints"][0]["signature"] = ("1" if signature[0] == "0" else "0") + signature[1:]
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    result = run_verifier(bare_python, bundle)
    assert result.returncode == 1
    assert "signature is invalid" in result.stdout


def test_a_bundle_checked_against_another_key_fails(book: Runtime, tmp_path: Path, bare_python: Path) -> None:
    bundle = export_bundle(book, tmp_path / "bundle", ExportScope()).directory
    result = run_verifier(bare_python, bundle, "--public-key", RFC8032_PUBLIC.hex())
    assert result.returncode == 1
    assert "signed by a key other than" in result.stdout


def test_a_position_range_bundle_starts_from_its_anchor(book: Runtime, tmp_path: Path, bare_python: Path) -> None:
    summary = export_bundle(book, tmp_path / "bundle", ExportScope(from_position=3, to_position=6))
    manifest = json.loads((summary.directory / "manifest.json").read_text())
    assert (manifest["first_position"], manifest["last_position"], manifest["anchor_count"]) == (3, 6, 2)
    result = run_verifier(bare_python, summary.directory, "--public-key", public_key(book))
    assert result.returncode == 0, result.stdout


def test_an_aggregate_bundle_links_each_event(book: Runtime, tmp_path: Path, bare_python: Path) -> None:
    aggregate = book.app.recorder.select_notifications(start=3, limit=1)[0].originator_id
    summary = export_bundle(book, tmp_path / "bundle", ExportScope(originator_id=aggregate))
    events = [json.loads(line) for line in (summary.directory / "events.ndjson").read_text().splitlines()]
    assert [(e["position"], e["originator_version"]) for e in events] == [(3, 1), (4, 2)]
    assert all(len(e["previous_hash"]) == 64 for e in events)
    manifest = json.loads((summary.directory / "manifest.json").read_text())
    assert manifest["contiguous"] is False
    assert "does not prove" in manifest["proves"]
    result = run_verifier(bare_python, summary.directory, "--public-key", public_key(book))
    assert result.returncode == 0, result.stdout
    events[1]["previous_hash"] = events[0]["previous_hash"]
    (summary.directory / "events.ndjson").write_text("".join(json.dumps(e) + "\n" for e in events))
    assert run_verifier(bare_python, summary.directory).returncode == 1


def test_an_empty_selection_is_refused(book: Runtime, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no chained event"):
        export_bundle(book, tmp_path / "bundle", ExportScope(from_position=100))


def test_pure_python_ed25519_accepts_rfc8032_test_vector_1() -> None:
    assert ed25519.verify(RFC8032_PUBLIC, b"", RFC8032_SIGNATURE)
    assert not ed25519.verify(RFC8032_PUBLIC, b"x", RFC8032_SIGNATURE)
    assert not ed25519.verify(RFC8032_PUBLIC, b"", RFC8032_SIGNATURE[:32] + bytes(32))


def test_the_rfc_vector_matches_what_cryptography_signs() -> None:
    key = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)
    assert public_key_bytes(key.public_key()) == RFC8032_PUBLIC
    assert key.sign(b"") == RFC8032_SIGNATURE


def test_pure_python_ed25519_verifies_cryptography_signatures() -> None:
    key = Ed25519PrivateKey.generate()
    message = b"kamcore-audit-checkpoint/1\nposition=42\n"
    signature = key.sign(message)
    public = public_key_bytes(key.public_key())
    assert ed25519.verify(public, message, signature)
    assert not ed25519.verify(public, message + b".", signature)
    forged = bytes([signature[0] ^ 1]) + signature[1:]
    assert not ed25519.verify(public, message, forged)


def test_a_time_range_bundle_selects_by_event_timestamp(book: Runtime, tmp_path: Path, bare_python: Path) -> None:
    notifications = book.app.recorder.select_notifications(start=1, limit=100)
    stamps = {n.id: book.app.mapper.to_domain_event(n).timestamp for n in notifications}
    since, until = stamps[3], stamps[6]
    summary = export_bundle(book, tmp_path / "bundle", ExportScope(since=since, until=until))
    events = [json.loads(line) for line in (summary.directory / "events.ndjson").read_text().splitlines()]
    assert [e["position"] for e in events] == [p for p, t in sorted(stamps.items()) if since <= t < until]
    assert json.loads((summary.directory / "manifest.json").read_text())["scope"]["kind"] == "time range"
    result = run_verifier(bare_python, summary.directory, "--public-key", public_key(book))
    assert result.returncode == 0, result.stdout
