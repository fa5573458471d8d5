"""The Ed25519 key that signs checkpoints, kept in a file that is created on first use (mode 0600).

The file holds a PKCS#8 PEM private key (what kamcore writes; `openssl genpkey -algorithm
ed25519` makes one too) or the raw 32-byte seed. Every process that keeps the chain of one event
store must use the same file, because verification trusts one public key.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SEED_LENGTH = 32


class SigningKey:
    """A loaded private key: signs checkpoint messages and tells its public key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.public_key = private_key.public_key()
        self.public_key_hex = public_key_bytes(self.public_key).hex()

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        if not path.exists():
            _create(path)
        return cls(_load(path.read_bytes(), path))

    def sign(self, message: bytes) -> bytes:
        return self._private_key.sign(message)

    def public_key_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def local_public_keys(path: Path) -> set[str]:
    """The public key of the key file, if there is one (verification never creates a key)."""
    return {SigningKey.load_or_create(path).public_key_hex} if path.exists() else set()


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def signature_is_valid(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _load(content: bytes, path: Path) -> Ed25519PrivateKey:
    if len(content) == SEED_LENGTH:
        return Ed25519PrivateKey.from_private_bytes(content)
    key = serialization.load_pem_private_key(content, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError(f"{path} holds a {type(key).__name__}, not an Ed25519 private key")
    return key


def _create(path: Path) -> None:
    """Write a new key without ever exposing a partial file; a concurrent creator's key wins."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
