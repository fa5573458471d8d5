"""KamApplication: the one `eventsourcing` Application that records every kamcore event."""

from __future__ import annotations

from kamcore.application.access import AccessCommands
from kamcore.application.accounts import AccountCommands
from kamcore.application.feedback import FeedbackCommands
from kamcore.application.teams import TeamCommands


class KamApplication(AccountCommands, TeamCommands, FeedbackCommands, AccessCommands):
    """Every command of kamcore. One event log, so one position orders all history (and the hash chain)."""

    name = "Kam"
