"""The canonical bytes of a stored event and of a checkpoint: the one definition that kamcore and auditors hash.

Standard library only, because `kamcore audit export` copies this module into the standalone
`verify_bundle.py`: the auditor's verifier and kamcore cannot drift apart.

Canonical event encoding, version 1 (integers unsigned, big-endian):

    offset  size  field
    0       1     encoding version, 0x01
    1       8     position: the event's notification id in the log (ids may have gaps)
    9       16    originator_id: the aggregate's UUID in RFC 4122 byte order
    25      8     originator_version
    33      4     T = length of topic in bytes
    37      4     S = length of state in bytes
    41      T     topic, UTF-8
    41+T    S     state: exactly the bytes the event store holds (as transcoded, compressed, encrypted)

Chain: hash_0 = 32 zero bytes (genesis); hash_n = SHA-256(hash_{n-1} || canonical_n) over every
stored event in log order. Hashes are shown as lowercase hex.

A checkpoint signs, with Ed25519, the UTF-8 text (each line ends with a newline):

    kamcore-audit-checkpoint/1
    position=<position of the last chained event>
    count=<how many events the chain holds up to it>
    hash=<its chain hash, hex>
    signed_at=<UTC time, e.g. 2026-05-01T12:00:00.000000Z>
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

ENCODING_VERSION = 1
GENESIS = bytes(32)
CHECKPOINT_FORMAT = "kamcore-audit-checkpoint/1"

HEADER = struct.Struct(">BQ16sQII")  # offsets 0 to 40 of the layout above

# (position, originator_id as 16 bytes, originator_version, topic, state): a stored event as read from the log.
RawEvent = tuple[int, bytes, int, str, bytes]


def canonical_bytes(position: int, originator_id: bytes, originator_version: int, topic: str, state: bytes) -> bytes:
    """The event's bytes as the chain hashes them (layout in the module docstring)."""
    topic_bytes = topic.encode("utf-8")
    header = HEADER.pack(ENCODING_VERSION, position, originator_id, originator_version, len(topic_bytes), len(state))
    return header + topic_bytes + state


def link_hash(previous: bytes, canonical: bytes) -> bytes:
    """hash_n from hash_{n-1} and canonical_n."""
    return hashlib.sha256(previous + canonical).digest()


def chain_hashes(previous: bytes, events: Iterable[RawEvent]) -> list[bytes]:
    """The chain hash of each event in order, continuing from `previous` (the hot loop of keeping and verifying)."""
    sha256 = hashlib.sha256
    pack = HEADER.pack
    hashes = []
    append = hashes.append
    for position, originator_id, originator_version, topic, state in events:
        topic_bytes = topic.encode("utf-8")
        header = pack(ENCODING_VERSION, position, originator_id, originator_version, len(topic_bytes), len(state))
        previous = sha256(b"".join((previous, header, topic_bytes, state))).digest()
        append(previous)
    return hashes


def checkpoint_message(position: int, count: int, hash_hex: str, signed_at: str) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return f"{CHECKPOINT_FORMAT}\nposition={position}\ncount={count}\nhash={hash_hex}\nsigned_at={signed_at}\n".encode()
