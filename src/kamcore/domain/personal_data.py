"""Personal data of data subjects: which fields hold it, whose it is, and how it reads once erased.

The event log is immutable and hash-chained, so personal data cannot be deleted from it. Instead each
data subject (a contact of an account, or the person a survey response or referral names) gets a key of
its own and their personal fields are stored sealed with it; erasing the subject deletes the key
(crypto-shredding). The domain only decides what is personal and whose it is: sealing is a port
(`Sealer`) the application provides.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

ERASED = "[erased]"  # what a personal text reads as once its subject's key is gone
STAKEHOLDER_PERSONAL_FIELDS = ("name", "title", "email")

# Where personal data sits in stored events (event topic suffix -> dotted paths), for auditors' bundles.
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "Account.StakeholderAdded": tuple(f"stakeholder.{f}" for f in STAKEHOLDER_PERSONAL_FIELDS),
    "SurveyResponse.Recorded": ("respondent",),
    "Referral.Given": ("referred_party",),
}


class Sealer(Protocol):
    """Turns one personal value of a new data subject into the opaque text stored in the event."""

    def __call__(self, subject_id: str, value: str) -> str: ...


def stakeholder_subject(account_id: UUID, stakeholder_id: str) -> str:
    """The data subject a contact is: stable, readable by auditors, and free of personal data."""
    return f"account:{account_id}/{stakeholder_id}"


def feedback_subject(feedback_id: UUID) -> str:
    """The data subject a feedback item's named person is: one per item, since free text names no one reliably."""
    return f"feedback:{feedback_id}"


def erased_stakeholder(stakeholder: dict[str, Any]) -> dict[str, Any]:
    """A contact as read models keep it after erasure: id and buying role stay, the person is gone."""
    return {**stakeholder, "name": ERASED, "title": None, "email": None, "erased": True}
