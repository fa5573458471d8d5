"""Sealing personal data per data subject with AES-256-GCM, so erasing a subject is deleting one key.

A sealed value is a self-describing text token stored in the event in place of the plain value:

    pii:v1:<subject id>:<base64url, unpadded: 12-byte nonce || ciphertext || 16-byte tag>

The header `pii:v1:<subject id>` is the GCM associated data, so a token cannot be moved to another
subject's key unnoticed. Keys live in the `subject_keys` table of the event store's own database and
are written in the same transaction as the events that use them (`SubjectKeyChanges` rides along
`Application.save` as the `subject_keys` keyword the recorders read). A value without the prefix was
stored before sealing existed and reads as plain text.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOKEN_PREFIX = "pii:v1:"  # noqa: S105 - a format marker, not a secret
SAVE_KEYWORD = "subject_keys"  # the `Application.save` keyword that carries a `SubjectKeyChanges`
KEY_BYTES = 32
NONCE_BYTES = 12


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


def subject_of(token: str) -> str:
    """The data subject a sealed value belongs to."""
    return token[len(TOKEN_PREFIX) :].rpartition(":")[0]


def seal(key: bytes, subject_id: str, value: str) -> str:
    header = f"{TOKEN_PREFIX}{subject_id}"
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, value.encode("utf-8", "surrogatepass"), header.encode())
    return f"{header}:{base64.urlsafe_b64encode(nonce + ciphertext).decode('ascii').rstrip('=')}"


def unseal(token: str, keys: Mapping[str, bytes]) -> str | None:
    """The plain value, or None when the subject's key is gone (erased) or the token is damaged."""
    header, _, body = token.rpartition(":")
    key = keys.get(header[len(TOKEN_PREFIX) :])
    if key is None:
        return None
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        plain = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], header.encode())
    except (InvalidTag, ValueError, binascii.Error):
        return None
    return plain.decode("utf-8", "surrogatepass")


@dataclass
class SubjectKeyChanges:
    """Keys to create and delete in the transaction that saves a command's (or a bulk batch's) events.

    `seal` creates the key of a *new* subject on first use; a subject whose key is already stored would
    need that key loaded instead (no command updates a contact's personal data today).
    """

    created: dict[str, bytes] = field(default_factory=dict)
    erased: list[str] = field(default_factory=list)

    def seal(self, subject_id: str, value: str) -> str:
        key = self.created.get(subject_id)
        if key is None:
            key = self.created[subject_id] = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        return seal(key, subject_id, value)

    def erase(self, subject_id: str) -> None:
        self.erased.append(subject_id)

    def __bool__(self) -> bool:
        return bool(self.created or self.erased)


@runtime_checkable
class SubjectKeyRecorder(Protocol):
    """An application recorder that keeps the subject-key table next to the events."""

    def select_subject_keys(self, subject_ids: Sequence[str]) -> dict[str, bytes]: ...
