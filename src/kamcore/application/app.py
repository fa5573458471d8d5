"""KamApplication: the one `eventsourcing` Application that records every kamcore event."""

from __future__ import annotations

from kamcore.application.access import AccessCommands
from kamcore.application.accounts import AccountCommands
from kamcore.application.claims import ClaimCommands
from kamcore.application.feedback import FeedbackCommands
from kamcore.application.improvement import ImprovementCommands
from kamcore.application.interactions import InteractionCommands
from kamcore.application.market_research import MarketResearchCommands
from kamcore.application.personnel import PersonnelCommands
from kamcore.application.policies import PolicyCommands
from kamcore.application.privacy import PrivacyCommands
from kamcore.application.products import ProductCommands
from kamcore.application.programme import ProgrammeCommands
from kamcore.application.recommendations import RecommendationCommands
from kamcore.application.teams import TeamCommands


class KamApplication(
    AccountCommands,
    TeamCommands,
    FeedbackCommands,
    AccessCommands,
    ProductCommands,
    PolicyCommands,
    ClaimCommands,
    InteractionCommands,
    RecommendationCommands,
    PersonnelCommands,
    ProgrammeCommands,
    ImprovementCommands,
    MarketResearchCommands,
    PrivacyCommands,
):
    """Every command of kamcore. One event log, so one position orders all history (and the hash chain)."""

    name = "Kam"
