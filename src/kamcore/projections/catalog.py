"""Every read model kamcore maintains; the runtime, `rebuild` and `project` iterate this list."""

from __future__ import annotations

from kamcore.projections.access_tokens import AccessTokensProjection
from kamcore.projections.account_summary import AccountSummaryProjection
from kamcore.projections.event_history import EventHistoryProjection
from kamcore.projections.feedback_records import FeedbackRecordsProjection
from kamcore.projections.kpi_measures import KpiMeasuresProjection
from kamcore.projections.market_research import MarketResearchProjection
from kamcore.projections.people_programme import PeopleProgrammeProjection
from kamcore.projections.product_catalogue import ProductCatalogueProjection
from kamcore.projections.projection import Projection
from kamcore.projections.ranking_facts import RankingFactsProjection
from kamcore.projections.relationship_activity import RelationshipActivityProjection
from kamcore.projections.sales_records import SalesRecordsProjection


def all_projections() -> list[Projection]:
    return [
        AccountSummaryProjection(),
        AccessTokensProjection(),
        EventHistoryProjection(),
        RankingFactsProjection(),
        ProductCatalogueProjection(),
        SalesRecordsProjection(),
        RelationshipActivityProjection(),
        PeopleProgrammeProjection(),
        FeedbackRecordsProjection(),
        MarketResearchProjection(),
        KpiMeasuresProjection(),
    ]
