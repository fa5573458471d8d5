"""Deterministic ids where a natural key exists, so duplicates collide in the event store."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

KAMCORE_NAMESPACE = UUID("6f1d3c2e-9a4b-5c8d-8e7f-0a1b2c3d4e5f")


@lru_cache(maxsize=65_536)
def natural_id(kind: str, key: str) -> UUID:
    """The same (kind, key) always maps to the same aggregate id (cached: imports ask for each id several times)."""
    return uuid5(KAMCORE_NAMESPACE, f"{kind}:{key}")
