"""Opening sealed personal data in GraphQL resolvers, with the request's batched subject-key DataLoader.

Every resolver that shows personal data asks here, so all the keys one response needs load in one batch
(per event-loop tick) instead of one query per contact or feedback item.
"""

from __future__ import annotations

from collections.abc import Iterable

from kamcore.api.context import Info
from kamcore.application.revealing import reveal_text
from kamcore.application.sealing import is_sealed, subject_of


async def keys_of(info: Info, subjects: Iterable[str]) -> dict[str, bytes]:
    """The keys of these subjects that still exist (erased subjects are absent)."""
    wanted = sorted(set(subjects))
    found = await info.context.loaders.subject_keys.load_many(wanted) if wanted else []
    return {subject: key for subject, key in zip(wanted, found, strict=True) if key is not None}


async def revealed_text(info: Info, stored: str | None) -> tuple[str | None, bool]:
    """A stored personal text opened: (plain, False), or (`ERASED`, True) once its subject's key is gone."""
    keys = await keys_of(info, [subject_of(stored)] if stored is not None and is_sealed(stored) else [])
    return reveal_text(stored, keys)
