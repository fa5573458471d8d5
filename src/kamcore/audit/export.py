"""`kamcore audit export`: a bundle directory an auditor verifies without kamcore.

`events.ndjson` holds one JSON object per event with the fields of the canonical encoding (state
base64) and its chain hash; `manifest.json` holds counts, the position range, first and last
hashes, the checkpoints with their signatures, the public key and what the bundle proves;
`verify_bundle.py` is the standalone verifier. The export writes what is stored, without judging
it: a tampered store yields a bundle that fails verification, which is itself evidence. Contacts'
personal data is exported as stored, encrypted per data subject; the manifest's `personal_data` says where.

A whole-log or position-range export is contiguous, so the verifier recomputes the chain from
the anchor (the hash before the first event). A selection (one aggregate, a time range) is not:
each event then carries its predecessor's chain hash so that its own link can be checked.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import Notification

from kamcore.application.sealing import TOKEN_PREFIX
from kamcore.audit.canonical import ENCODING_VERSION, GENESIS, RawEvent
from kamcore.audit.chain import ChainProjection
from kamcore.audit.keys import local_public_keys
from kamcore.audit.readers import MAX_POSITION, ChainLink, ChainReader, EventLogReader
from kamcore.domain.personal_data import PERSONAL_FIELDS

if TYPE_CHECKING:
    from kamcore.runtime import Runtime

BUNDLE_FORMAT = "kamcore-audit-bundle"
BUNDLE_VERSION = 1
BATCH_SIZE = 2_000

PROVES_CONTIGUOUS = (
    "Every event from first_position to last_position is included, in log order, with its exact stored bytes: "
    "the chain recomputed from anchor_hash (the chain hash before first_position; 32 zero bytes at the start of "
    "the log) reproduces every listed hash and ends at last_hash. Each checkpoint whose hash and count the "
    "recomputed chain reproduces proves, by its Ed25519 signature, that the log up to that position is exactly "
    "what kamcore had chained and signed at signed_at. Events after the last checkpoint of the bundle are "
    "covered by the chain only, not by a signature."
)
PROVES_SELECTION = (
    "Only a selection of events is included ({selection}). The chain cannot be recomputed from a subset, so "
    "each event carries its chain hash and its predecessor's chain hash, and the verifier checks that the "
    "event's exact bytes link the two. This proves that each listed event is exactly the one kamcore chained at "
    "its position between those hashes; for an event at a checkpoint position, the signature also ties it to "
    "the signed chain. It does not prove on its own that the other hashes belong to the signed chain, nor that "
    "the selection is complete (for one aggregate the verifier checks that versions have no holes): compare "
    "the hashes with a contiguous bundle, or run `kamcore audit verify` on the source store."
)


PERSONAL_DATA = {
    "encrypted_fields": PERSONAL_FIELDS,
    "token_format": f"{TOKEN_PREFIX}<subject id>:<base64url without padding of 12-byte nonce || AES-256-GCM "
    f"ciphertext || 16-byte tag>; associated data: the text before the last colon",
    "keys": "One AES-256 key per data subject, kept in kamcore's database and never exported. Erasing a subject "
    "deletes its key and records Account.DataSubjectErased, SurveyResponse.PersonalDataErased or "
    "Referral.PersonalDataErased (subject id and reason, no personal data), so its "
    "values can never be decrypted again. The events carry the ciphertext exactly as stored, so this bundle "
    "verifies the same before and after an erasure.",
}


class ExportError(RuntimeError):
    pass


@dataclass(frozen=True)
class ExportScope:
    """What to export: the whole log, a position range, one aggregate and/or a time range (event timestamps)."""

    originator_id: UUID | None = None
    from_position: int | None = None  # inclusive
    to_position: int | None = None  # inclusive
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    @property
    def contiguous(self) -> bool:
        return self.originator_id is None and self.since is None and self.until is None

    @property
    def kind(self) -> str:
        if self.originator_id is not None:
            return "aggregate"
        if not self.contiguous:
            return "time range"
        return "whole log" if self.from_position is None and self.to_position is None else "position range"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "originator_id": str(self.originator_id) if self.originator_id else None,
            "from_position": self.from_position,
            "to_position": self.to_position,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True)
class ExportSummary:
    directory: Path
    event_count: int
    first_position: int
    last_position: int
    checkpoint_count: int


def export_bundle(runtime: Runtime, directory: Path, scope: ExportScope) -> ExportSummary:
    """Write the bundle for the events the chain keeper has chained so far (catch it up first for all)."""
    if directory.exists() and any(directory.iterdir()):
        raise ExportError(f"{directory} exists and is not empty")
    created = not directory.exists()
    chained = runtime.chain_keeper.store.position(runtime.app.name)
    first = max(scope.from_position or 1, 1)
    last = min(scope.to_position or MAX_POSITION, chained)
    directory.mkdir(parents=True, exist_ok=True)
    with (
        EventLogReader.open(runtime.backend, runtime.app) as log,
        ChainReader.open(runtime.backend, ChainProjection.name) as chain,
        (directory / "events.ndjson").open("wb") as output,
    ):
        writer = EventsWriter(output)
        anchor = (chain.link_before(first) or ChainLink(0, 0, GENESIS.hex())) if scope.contiguous else None
        if scope.originator_id is not None:
            lines = aggregate_lines(log, chain, scope, first, last)
        else:
            lines = range_lines(runtime, log, chain, scope, first, last)
        for line in lines:
            writer.write(line)
        checkpoints = chain.checkpoints(writer.first_position or 0, writer.last_position or 0)
    if writer.count == 0:
        (directory / "events.ndjson").unlink()
        if created:
            directory.rmdir()
        raise ExportError(f"no chained event matches the selection (chained up to position {chained})")
    keys = local_public_keys(runtime.settings.signing_key_path)
    manifest = {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_VERSION,
        "canonical_encoding_version": ENCODING_VERSION,
        "hash_chain": "hash_n = SHA-256(hash_{n-1} || canonical_n), genesis = 32 zero bytes",
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "scope": scope.as_json(),
        "contiguous": scope.contiguous,
        "proves": PROVES_CONTIGUOUS if scope.contiguous else PROVES_SELECTION.format(selection=scope.kind),
        "event_count": writer.count,
        "first_position": writer.first_position,
        "last_position": writer.last_position,
        "first_hash": writer.first_hash,
        "last_hash": writer.last_hash,
        "anchor_hash": anchor.hash if anchor else None,
        "anchor_count": anchor.ordinal if anchor else None,
        "chained_position": chained,
        "events_sha256": writer.digest.hexdigest(),
        "public_key": next(iter(keys), None),
        "checkpoints": [c.as_json() for c in checkpoints],
        "personal_data": PERSONAL_DATA,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    verifier = directory / "verify_bundle.py"
    verifier.write_text(standalone_verifier(), encoding="utf-8")
    verifier.chmod(0o755)
    return ExportSummary(
        directory, writer.count, writer.first_position or 0, writer.last_position or 0, len(checkpoints)
    )


class EventsWriter:
    """Writes `events.ndjson` and remembers what the manifest states about it."""

    def __init__(self, output: IO[bytes]) -> None:
        self.output = output
        self.digest = hashlib.sha256()
        self.count = 0
        self.first_position: int | None = None
        self.last_position: int | None = None
        self.first_hash: str | None = None
        self.last_hash: str | None = None

    def write(self, line: dict[str, Any]) -> None:
        data = json.dumps(line, separators=(",", ":")).encode() + b"\n"
        self.output.write(data)
        self.digest.update(data)
        self.count += 1
        if self.first_position is None:
            self.first_position, self.first_hash = line["position"], line["hash"]
        self.last_position, self.last_hash = line["position"], line["hash"]


def event_line(event: RawEvent, link: ChainLink | None, previous: ChainLink | None, selection: bool) -> dict[str, Any]:
    position, originator_id, version, topic, state = event
    line: dict[str, Any] = {
        "position": position,
        "originator_id": str(UUID(bytes=originator_id)),
        "originator_version": version,
        "topic": topic,
        "state": base64.b64encode(state).decode("ascii"),
        "hash": link.hash if link and link.position == position else None,
    }
    if selection:
        line["previous_hash"] = previous.hash if previous else GENESIS.hex()
    return line


def aggregate_lines(
    log: EventLogReader, chain: ChainReader, scope: ExportScope, first: int, last: int
) -> Iterator[dict[str, Any]]:
    assert scope.originator_id is not None
    for event in log.events_of(scope.originator_id):
        if first <= event[0] <= last:
            yield event_line(event, chain.link_at(event[0]), chain.link_before(event[0]), selection=True)


def range_lines(
    runtime: Runtime, log: EventLogReader, chain: ChainReader, scope: ExportScope, first: int, last: int
) -> Iterator[dict[str, Any]]:
    """Events and chain rows walked side by side (bounded memory); a time range filters by event timestamp."""
    links = (link for batch in chain.batches(first - 1, last, BATCH_SIZE) for link in batch)
    previous = chain.link_before(first)
    link = next(links, None)
    for batch in log.batches(first - 1, last, BATCH_SIZE):
        for event in batch:
            while link is not None and link.position < event[0]:
                previous, link = link, next(links, None)
            if scope.contiguous or in_time_range(runtime, event, scope):
                yield event_line(event, link, previous, selection=not scope.contiguous)


def in_time_range(runtime: Runtime, event: RawEvent, scope: ExportScope) -> bool:
    """The event's own timestamp (decoded through the application's mapper, so any cipher applies)."""
    position, originator_id, version, topic, state = event
    notification = Notification(
        id=position, originator_id=UUID(bytes=originator_id), originator_version=version, topic=topic, state=state
    )
    timestamp: datetime = runtime.app.mapper.to_domain_event(notification).timestamp  # type: ignore[attr-defined]
    return (scope.since is None or timestamp >= scope.since) and (scope.until is None or timestamp < scope.until)


_EMBED = re.compile(r"^# >>> embed (?P<module>[\w.]+)\n.*?^# <<< embed\n", re.MULTILINE | re.DOTALL)


def standalone_verifier() -> str:
    """`bundle_verifier.py` with kamcore's canonical encoding and Ed25519 modules pasted in: one plain file."""

    def source(module: str) -> str:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec else None
        if origin is None:
            raise ExportError(f"cannot find the source of {module} to embed")
        text = Path(origin).read_text(encoding="utf-8")
        body = text.replace("from __future__ import annotations\n", "")
        return f"# ---- {module} (embedded) ----\n{body}# ---- end of {module} ----\n"

    template = Path(__file__).with_name("bundle_verifier.py").read_text(encoding="utf-8")
    return _EMBED.sub(lambda match: source(match["module"]), template)
