"""Market research commands: competitor analyses, new segments, penetration figures, expansion initiatives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from kamcore.application.context import CommandContext, CommandResult
from kamcore.application.handling import CommandHandling
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict
from kamcore.domain.market_research import (
    CompetitorAnalysis,
    ExpansionInitiative,
    MarketPenetration,
    MarketSegmentFinding,
)
from kamcore.domain.values import Segment


class MarketResearchCommands(CommandHandling):
    def publish_competitor_analysis(
        self,
        ctx: CommandContext,
        *,
        author_id: str,
        title: str,
        competitors: Sequence[str],
        summary: str,
        segment: Segment | str | None = None,
    ) -> CommandResult:
        arguments = {
            "author_id": author_id,
            "title": title,
            "competitors": list(competitors),
            "summary": summary,
            "segment": segment,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[CompetitorAnalysis], dict[str, str]]:
            analysis = CompetitorAnalysis.publish(
                author_id=author_id,
                title=title,
                competitors=competitors,
                summary=summary,
                segment=segment,
                envelope=envelope,
            )
            return [analysis], {}

        return self.execute(ctx, "publish_competitor_analysis", arguments, body)

    def identify_market_segment(
        self,
        ctx: CommandContext,
        *,
        code: str,
        name: str,
        description: str,
        identified_by: str,
        closest_segment: Segment | str | None = None,
        region: str | None = None,
    ) -> CommandResult:
        arguments = {
            "code": code,
            "name": name,
            "description": description,
            "identified_by": identified_by,
            "closest_segment": closest_segment,
            "region": region,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[MarketSegmentFinding], dict[str, str]]:
            finding = MarketSegmentFinding.identify(
                code=code,
                name=name,
                description=description,
                identified_by=identified_by,
                closest_segment=closest_segment,
                region=region,
                envelope=envelope,
            )
            if self.find(MarketSegmentFinding, finding.id) is not None:
                raise Conflict(f"segment {code} was already identified", field="code", code="DUPLICATE")
            return [finding], {"code": finding.code}

        return self.execute(ctx, "identify_market_segment", arguments, body)

    def record_market_penetration(
        self,
        ctx: CommandContext,
        *,
        segment: Segment | str,
        region: str,
        as_of: date,
        clients_served: int,
        addressable_clients: int,
        source: str,
    ) -> CommandResult:
        arguments = {
            "segment": segment,
            "region": region,
            "as_of": as_of,
            "clients_served": clients_served,
            "addressable_clients": addressable_clients,
            "source": source,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[MarketPenetration], dict[str, str]]:
            measurement = MarketPenetration.measure(
                segment=segment,
                region=region,
                as_of=as_of,
                clients_served=clients_served,
                addressable_clients=addressable_clients,
                source=source,
                envelope=envelope,
            )
            return [measurement], {}

        return self.execute(ctx, "record_market_penetration", arguments, body)

    def propose_expansion_initiative(
        self,
        ctx: CommandContext,
        *,
        title: str,
        owner_id: str,
        target_date: date,
        segment: Segment | str | None = None,
        region: str | None = None,
    ) -> CommandResult:
        arguments = {
            "title": title,
            "owner_id": owner_id,
            "target_date": target_date,
            "segment": segment,
            "region": region,
        }

        def body(envelope: AuditEnvelope) -> tuple[list[ExpansionInitiative], dict[str, str]]:
            initiative = ExpansionInitiative.propose(
                title=title,
                owner_id=owner_id,
                target_date=target_date,
                segment=segment,
                region=region,
                envelope=envelope,
            )
            return [initiative], {}

        return self.execute(ctx, "propose_expansion_initiative", arguments, body)

    def implement_expansion_initiative(self, ctx: CommandContext, initiative_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[ExpansionInitiative], dict[str, str]]:
            initiative = self._initiative(ctx, initiative_id)
            initiative.implement(envelope=envelope)
            return [initiative], {}

        return self.execute(ctx, "implement_expansion_initiative", {"initiative_id": initiative_id}, body)

    def abandon_expansion_initiative(self, ctx: CommandContext, initiative_id: UUID) -> CommandResult:
        def body(envelope: AuditEnvelope) -> tuple[list[ExpansionInitiative], dict[str, str]]:
            initiative = self._initiative(ctx, initiative_id)
            initiative.abandon(envelope=envelope)
            return [initiative], {}

        return self.execute(ctx, "abandon_expansion_initiative", {"initiative_id": initiative_id}, body)

    def _initiative(self, ctx: CommandContext, initiative_id: UUID) -> ExpansionInitiative:
        return self.load(
            ExpansionInitiative, initiative_id, field="initiative_id", expected_version=ctx.expected_version
        )
