#!/usr/bin/env python3
"""verify_bundle.py: checks a kamcore audit bundle with plain Python (3.9+), without kamcore.

Usage: python verify_bundle.py [BUNDLE_DIR] [--public-key HEX] [--pure-python]

It recomputes the SHA-256 chain over `events.ndjson` (standard library only), compares it with
the hashes in the events and in `manifest.json`, and checks every checkpoint signature with
Ed25519: through the `cryptography` package when it is installed, else with the pure-Python
RFC 8032 verifier below. Pass the operator's published key with --public-key; without it the key
in the manifest is used, which proves integrity only if you compare that key with the published
one. Exit status 0 when everything checks, 1 otherwise.

kamcore writes this file from a template: the embedded sections are kamcore's own modules.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import uuid
from pathlib import Path
from typing import Any

# >>> embed kamcore.audit.canonical
from kamcore.audit.canonical import GENESIS, canonical_bytes, checkpoint_message, link_hash

# <<< embed
# >>> embed kamcore.audit.ed25519
from kamcore.audit.ed25519 import verify

# <<< embed

BUNDLE_FORMAT = "kamcore-audit-bundle"
BUNDLE_VERSION = 1
pure_python_ed25519_verify = verify


class BundleInvalid(Exception):
    pass


def signature_checker(force_pure: bool) -> tuple[str, Any]:
    """The Ed25519 verification to use: `cryptography` when importable, else the pure-Python one."""
    if not force_pure:
        try:
            from cryptography.exceptions import InvalidSignature
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        except ImportError:
            pass
        else:

            def check(public_key: bytes, message: bytes, signature: bytes) -> bool:
                try:
                    Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
                except (InvalidSignature, ValueError):
                    return False
                return True

            return "cryptography", check
    return "pure-Python RFC 8032", pure_python_ed25519_verify


def check_events(bundle: Path, manifest: dict[str, Any], checkpoints: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Recompute each event's chain link; returns what was seen, to compare with the manifest."""
    contiguous = manifest["contiguous"]
    previous = bytes.fromhex(manifest["anchor_hash"]) if contiguous else GENESIS
    count = manifest["anchor_count"] if contiguous else 0
    seen: dict[str, Any] = {"count": 0, "first_position": None, "last_position": None, "first_hash": None}
    seen["last_hash"] = None
    digest = hashlib.sha256()
    last_version: dict[str, int] = {}
    with (bundle / "events.ndjson").open("rb") as lines:
        for number, line in enumerate(lines, 1):
            digest.update(line)
            try:
                event = json.loads(line)
                position = int(event["position"])
                state = base64.b64decode(event["state"], validate=True)
                canonical = canonical_bytes(
                    position,
                    uuid.UUID(event["originator_id"]).bytes,
                    int(event["originator_version"]),
                    event["topic"],
                    state,
                )
                predecessor = previous if contiguous else bytes.fromhex(event["previous_hash"])
            except (KeyError, TypeError, ValueError, OverflowError) as error:
                raise BundleInvalid(f"line {number}: not a valid event ({error!r})") from None
            where = f"line {number} (position {position})"
            if seen["last_position"] is not None and position <= seen["last_position"]:
                raise BundleInvalid(f"{where}: positions are not in increasing log order")
            recomputed = link_hash(predecessor, canonical).hex()
            if recomputed != event.get("hash"):
                raise BundleInvalid(f"{where}: the event does not hash to its chain hash (altered, or out of order)")
            if manifest["scope"]["kind"] == "aggregate":
                expected = last_version.get(event["originator_id"], int(event["originator_version"]) - 1) + 1
                if int(event["originator_version"]) != expected:
                    raise BundleInvalid(f"{where}: version {event['originator_version']} follows {expected - 1}")
                last_version[event["originator_id"]] = int(event["originator_version"])
            count += 1
            checkpoint = checkpoints.get(position)
            if checkpoint is not None:
                if checkpoint["hash"] != recomputed or (contiguous and checkpoint["count"] != count):
                    raise BundleInvalid(f"{where}: the signed checkpoint attests a different chain state")
                checkpoint["reached"] = True
            previous = bytes.fromhex(recomputed)
            seen["count"] += 1
            seen["first_position"] = position if seen["first_position"] is None else seen["first_position"]
            seen["first_hash"] = recomputed if seen["first_hash"] is None else seen["first_hash"]
            seen["last_position"], seen["last_hash"] = position, recomputed
    seen["events_sha256"] = digest.hexdigest()
    return seen


def check_bundle(bundle: Path, trusted_key: str | None = None, force_pure: bool = False) -> str:
    """Raises `BundleInvalid` naming the first problem; returns a one-line summary when all checks pass."""
    try:
        manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BundleInvalid(f"manifest.json unreadable: {error}") from None
    if manifest.get("format") != BUNDLE_FORMAT or manifest.get("format_version") != BUNDLE_VERSION:
        raise BundleInvalid(f"not a {BUNDLE_FORMAT} version {BUNDLE_VERSION} bundle")
    key = (trusted_key or manifest.get("public_key") or "").lower()
    checkpoints = {int(c["position"]): dict(c) for c in manifest["checkpoints"]}
    seen = check_events(bundle, manifest, checkpoints)
    for field in ("first_position", "last_position", "first_hash", "last_hash", "events_sha256"):
        if seen[field] != manifest[field]:
            raise BundleInvalid(f"manifest {field} is {manifest[field]!r}, the events give {seen[field]!r}")
    if seen["count"] != manifest["event_count"]:
        raise BundleInvalid(f"manifest event_count is {manifest['event_count']}, events.ndjson has {seen['count']}")
    implementation, signature_is_valid = signature_checker(force_pure)
    for position, checkpoint in sorted(checkpoints.items()):
        if manifest["contiguous"] and not checkpoint.get("reached"):
            raise BundleInvalid(f"checkpoint at position {position} names no event of the bundle")
        if checkpoint["public_key"].lower() != key:
            raise BundleInvalid(f"checkpoint at position {position} is signed by a key other than {key or '(none)'}")
        message = checkpoint_message(position, checkpoint["count"], checkpoint["hash"], checkpoint["signed_at"])
        try:
            valid = signature_is_valid(bytes.fromhex(key), message, bytes.fromhex(checkpoint["signature"]))
        except ValueError:
            valid = False
        if not valid:
            raise BundleInvalid(f"checkpoint at position {position}: the Ed25519 signature is invalid")
    trust = "the key given" if trusted_key else "the manifest's key (compare it with the published one)"
    return (
        f"OK: {seen['count']} events, positions {seen['first_position']}..{seen['last_position']}, "
        f"chain ends at {seen['last_hash']}; {len(checkpoints)} checkpoint signature(s) valid under {trust} "
        f"({implementation} Ed25519)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a kamcore audit bundle without kamcore.")
    parser.add_argument("bundle", nargs="?", default=str(Path(__file__).resolve().parent), help="bundle directory")
    parser.add_argument("--public-key", help="the operator's published Ed25519 public key, 64 hex digits")
    parser.add_argument("--pure-python", action="store_true", help="never use the cryptography package")
    args = parser.parse_args(argv)
    try:
        print(check_bundle(Path(args.bundle), args.public_key, args.pure_python))
    except BundleInvalid as problem:
        print(f"FAILED: {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
