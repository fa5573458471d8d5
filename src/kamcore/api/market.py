"""Market-research mutations: competitor analyses, new segments, penetration figures, expansion initiatives."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.commands import Command, CommandInput
from kamcore.api.context import Info
from kamcore.api.payloads import CommandPayload, execute
from kamcore.api.reads import node_uuid

INITIATIVE_ID = "Global id of the initiative (the initiativeId returned by proposeExpansionInitiative)."


@strawberry.input(description="An analysis of competitors; effectiveDate is the publication date.")
class PublishCompetitorAnalysisInput(CommandInput):
    author_id: str = strawberry.field(description="Employee id of the author.")
    title: str = strawberry.field(description="Title (1-200 characters).")
    competitors: list[str] = strawberry.field(description="Competitors analysed (at least one).")
    summary: str = strawberry.field(description="Findings (at most 4000 characters).")
    segment: enums.Segment | None = strawberry.field(default=None, description="Segment analysed; null = all.")


@strawberry.input(description="A new market segment identified; its code must be unique.")
class IdentifyMarketSegmentInput(CommandInput):
    code: str = strawberry.field(description="Unique code of the segment: 1-64 letters, digits or . _ : @ -.")
    name: str = strawberry.field(description="Name (1-200 characters).")
    description: str = strawberry.field(description="What characterises it (at most 4000 characters).")
    identified_by: str = strawberry.field(description="Employee id of who identified it.")
    closest_segment: enums.Segment | None = strawberry.field(
        default=None, description="The existing segment closest to it; null = none."
    )
    region: str | None = strawberry.field(default=None, description="Region it was found in; null = any.")


@strawberry.input(description="How much of a segment in a region we serve, as of a date.")
class RecordMarketPenetrationInput(CommandInput):
    segment: enums.Segment = strawberry.field(description="The segment measured.")
    region: str = strawberry.field(description="The region measured (1-100 characters).")
    as_of: date = strawberry.field(description="Day the figures refer to (not in the future).")
    clients_served: int = strawberry.field(description="Clients we serve there (0 to addressableClients).")
    addressable_clients: int = strawberry.field(description="Clients there in total (at least 1).")
    source: str = strawberry.field(description="Where the figures come from (1-200 characters).")


@strawberry.input(description="A proposed initiative to expand into a segment or region.")
class ProposeExpansionInitiativeInput(CommandInput):
    title: str = strawberry.field(description="Title (1-200 characters).")
    owner_id: str = strawberry.field(description="Employee id of the owner.")
    target_date: date = strawberry.field(description="Day it should be implemented by (not before today).")
    segment: enums.Segment | None = strawberry.field(default=None, description="Segment targeted; null = any.")
    region: str | None = strawberry.field(default=None, description="Region targeted; null = any.")


@strawberry.input(description="The initiative was implemented.")
class ImplementExpansionInitiativeInput(CommandInput):
    initiative_id: relay.GlobalID = strawberry.field(description=INITIATIVE_ID)


@strawberry.input(description="The initiative was abandoned (a reason is required).")
class AbandonExpansionInitiativeInput(CommandInput):
    initiative_id: relay.GlobalID = strawberry.field(description=INITIATIVE_ID)


@strawberry.type(description="The competitor analysis published.")
class CompetitorAnalysisPayload(CommandPayload):
    analysis_id: relay.GlobalID | None = strawberry.field(description="Global id of the analysis; null when refused.")


@strawberry.type(description="The market segment identified.")
class MarketSegmentPayload(CommandPayload):
    code: str | None = strawberry.field(description="Code of the segment; null when refused.")


@strawberry.type(description="The market-penetration measurement recorded.")
class MarketPenetrationPayload(CommandPayload):
    measurement_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the measurement; null when refused."
    )


@strawberry.type(description="The expansion initiative after a change.")
class ExpansionInitiativePayload(CommandPayload):
    initiative_id: relay.GlobalID | None = strawberry.field(
        description="Global id of the initiative; null when refused."
    )


async def initiative_payload(info: Info, data: CommandInput, command: Command) -> ExpansionInitiativePayload:
    done = await execute(info, data, command)
    return ExpansionInitiativePayload(**done.common, initiative_id=done.id("ExpansionInitiative"))


@strawberry.type
class MarketMutations:
    @strawberry.mutation(description="Publish an analysis of competitors.")
    async def publish_competitor_analysis(
        self,
        info: Info,
        input: Annotated[PublishCompetitorAnalysisInput, strawberry.argument(description="The analysis.")],
    ) -> CompetitorAnalysisPayload:
        app = info.context.runtime.app
        done = await execute(
            info,
            input,
            lambda ctx, _: app.publish_competitor_analysis(
                ctx,
                author_id=input.author_id,
                title=input.title,
                competitors=input.competitors,
                summary=input.summary,
                segment=input.segment,
            ),
        )
        return CompetitorAnalysisPayload(**done.common, analysis_id=done.id("CompetitorAnalysis"))

    @strawberry.mutation(description="Record a new market segment identified.")
    async def identify_market_segment(
        self,
        info: Info,
        input: Annotated[IdentifyMarketSegmentInput, strawberry.argument(description="The segment.")],
    ) -> MarketSegmentPayload:
        app = info.context.runtime.app
        done = await execute(
            info,
            input,
            lambda ctx, _: app.identify_market_segment(
                ctx,
                code=input.code,
                name=input.name,
                description=input.description,
                identified_by=input.identified_by,
                closest_segment=input.closest_segment,
                region=input.region,
            ),
        )
        return MarketSegmentPayload(**done.common, code=done.detail("code"))

    @strawberry.mutation(description="Record market-penetration figures for a segment in a region.")
    async def record_market_penetration(
        self,
        info: Info,
        input: Annotated[RecordMarketPenetrationInput, strawberry.argument(description="The figures.")],
    ) -> MarketPenetrationPayload:
        app = info.context.runtime.app
        done = await execute(
            info,
            input,
            lambda ctx, _: app.record_market_penetration(
                ctx,
                segment=input.segment,
                region=input.region,
                as_of=input.as_of,
                clients_served=input.clients_served,
                addressable_clients=input.addressable_clients,
                source=input.source,
            ),
        )
        return MarketPenetrationPayload(**done.common, measurement_id=done.id("MarketPenetration"))

    @strawberry.mutation(description="Propose an initiative to expand into a segment or region.")
    async def propose_expansion_initiative(
        self,
        info: Info,
        input: Annotated[ProposeExpansionInitiativeInput, strawberry.argument(description="The initiative.")],
    ) -> ExpansionInitiativePayload:
        app = info.context.runtime.app
        return await initiative_payload(
            info,
            input,
            lambda ctx, _: app.propose_expansion_initiative(
                ctx,
                title=input.title,
                owner_id=input.owner_id,
                target_date=input.target_date,
                segment=input.segment,
                region=input.region,
            ),
        )

    @strawberry.mutation(description="Record that an expansion initiative was implemented.")
    async def implement_expansion_initiative(
        self,
        info: Info,
        input: Annotated[ImplementExpansionInitiativeInput, strawberry.argument(description="The initiative.")],
    ) -> ExpansionInitiativePayload:
        app = info.context.runtime.app
        return await initiative_payload(
            info,
            input,
            lambda ctx, _: app.implement_expansion_initiative(
                ctx, node_uuid(input.initiative_id, "ExpansionInitiative", "initiative_id")
            ),
        )

    @strawberry.mutation(description="Abandon an expansion initiative (a reason is required).")
    async def abandon_expansion_initiative(
        self,
        info: Info,
        input: Annotated[
            AbandonExpansionInitiativeInput, strawberry.argument(description="The initiative; pass reason.")
        ],
    ) -> ExpansionInitiativePayload:
        app = info.context.runtime.app
        return await initiative_payload(
            info,
            input,
            lambda ctx, _: app.abandon_expansion_initiative(
                ctx, node_uuid(input.initiative_id, "ExpansionInitiative", "initiative_id")
            ),
        )
