"""Key-account ranking reads: the key set, one account's rank and breakdown, Pareto curve, simulations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import relay

from kamcore.api.auth import IsAuthenticated
from kamcore.api.context import Info
from kamcore.api.errors import bad_input
from kamcore.api.reads import MinPosition, ensure_position, node_uuid
from kamcore.domain.errors import KamError
from kamcore.domain.values import today
from kamcore.projections.ranking import Ranked
from kamcore.projections.ranking_view import Ranking, service_gaps

MAX_PAGE = 100


@strawberry.enum(description="What a Pareto curve accumulates.")
class ParetoBasis(Enum):
    WRITTEN_PREMIUM = strawberry.enum_value("written_premium", description="Written premium in the window.")
    PROFIT_CONTRIBUTION = strawberry.enum_value(
        "profit_contribution", description="Earned premium − incurred claims − commission − expense load."
    )


@strawberry.type(description="One factor's part of a score: value, scaled value (0-1), weight and points.")
class FactorScore:
    fact: str = strawberry.field(description="The fact, e.g. written_premium, loss_ratio.")
    value: Decimal | None = strawberry.field(description="The account's value in the window (null: no data).")
    scaled: Decimal = strawberry.field(description="0..1 among eligible accounts, 1 is best.")
    weight: Decimal = strawberry.field(description="The factor's weight in the criteria version.")
    points: Decimal = strawberry.field(description="Score points this factor contributes (of 100).")


@strawberry.type(description="Why an override decides instead of the rule.")
class KeyAccountOverrideInfo:
    decision: str = strawberry.field(description="force_in or force_out.")
    tier: str | None = strawberry.field(description="Tier given when forced in.")
    reason: str = strawberry.field(description="Why, as recorded.")
    expires_on: date = strawberry.field(description="First day the override no longer applies.")


@strawberry.type(description="An account's place in the key-account ranking, with its explanation.")
class AccountRanking:
    account_id: relay.GlobalID = strawberry.field(description="The account.")
    name: str = strawberry.field(description="Account name.")
    segment: str = strawberry.field(description="Segment (lower-case value).")
    region: str = strawberry.field(description="Region.")
    lead_relationship_manager_id: str | None = strawberry.field(description="Current lead RM.")
    rank: int | None = strawberry.field(description="1 = highest score among eligible accounts; null if ineligible.")
    score: Decimal = strawberry.field(description="0-100 under the criteria version used.")
    key: bool = strawberry.field(description="In the key-account set.")
    tier: str | None = strawberry.field(description="Tier of a key account (strategic, development, …).")
    selected_by: str | None = strawberry.field(description="rule or override; null when not key.")
    eligible: bool = strawberry.field(description="Passed the eligibility thresholds.")
    ineligible_reason: str | None = strawberry.field(description="Which threshold it failed.")
    breakdown: list[FactorScore] = strawberry.field(description="Score by factor.")
    override: KeyAccountOverrideInfo | None = strawberry.field(description="The override in force, if any.")
    notes: list[str] = strawberry.field(description="E.g. why hysteresis kept the previous tier.")
    written_premium: Decimal = strawberry.field(description="Written premium in the window (reporting currency).")
    profit_contribution: Decimal = strawberry.field(description="Profit contribution in the window.")

    @classmethod
    def from_ranked(cls, r: Ranked) -> AccountRanking:
        o = r.override
        return cls(
            account_id=relay.GlobalID("Account", r.account.account_id),
            name=r.account.name,
            segment=r.account.segment,
            region=r.account.region,
            lead_relationship_manager_id=r.account.lead_rm_id,
            rank=r.rank,
            score=r.score,
            key=r.key,
            tier=r.tier,
            selected_by=r.selected_by,
            eligible=r.eligible,
            ineligible_reason=r.ineligible_reason,
            breakdown=[
                FactorScore(fact=f.fact, value=f.value, scaled=f.scaled, weight=f.weight, points=f.points)
                for f in r.breakdown
            ],
            override=KeyAccountOverrideInfo(
                decision=o.decision, tier=o.tier, reason=o.reason, expires_on=date.fromisoformat(o.expires_on)
            )
            if o
            else None,
            notes=list(r.notes),
            written_premium=r.account.facts.get("written_premium") or Decimal(0),
            profit_contribution=r.account.facts.get("profit_contribution") or Decimal(0),
        )


@strawberry.type(description="Key accounts in rank order, with the criteria version that ruled.")
class KeyAccountList:
    as_of: date = strawberry.field(description="The business date ranked.")
    criteria_version: str = strawberry.field(description="The criteria version used.")
    position: int = strawberry.field(description="Event-log position of the facts this ranking includes.")
    total_count: int = strawberry.field(description="Key accounts matching the filter.")
    premium_share: Decimal | None = strawberry.field(description="Share of written premium the key set holds.")
    profit_share: Decimal | None = strawberry.field(description="Share of profit contribution the key set holds.")
    nodes: list[AccountRanking] = strawberry.field(description="The first `first` key accounts.")


@strawberry.input(description="Narrows the key-account list.")
class KeyAccountFilter:
    segment: list[str] | None = strawberry.field(default=None, description="Segments (lower-case values).")
    region: list[str] | None = strawberry.field(default=None, description="Regions.")
    tier: list[str] | None = strawberry.field(default=None, description="Tiers.")
    lead_relationship_manager_id: str | None = strawberry.field(default=None, description="Lead RM.")

    def matches(self, r: Ranked) -> bool:
        a = r.account
        return (
            (not self.segment or a.segment in self.segment)
            and (not self.region or a.region in self.region)
            and (not self.tier or r.tier in self.tier)
            and (self.lead_relationship_manager_id is None or a.lead_rm_id == self.lead_relationship_manager_id)
        )


@strawberry.type(description="One point of a Pareto curve.")
class ParetoPoint:
    accounts: int = strawberry.field(description="The largest N accounts.")
    cumulative: Decimal = strawberry.field(description="Their total.")
    share: Decimal = strawberry.field(description="Their share of the whole book (0-1).")


@strawberry.type(description="What adopting a proposed criteria version would change.")
class CriteriaSimulation:
    as_of: date = strawberry.field(description="The business date simulated.")
    current_version: str = strawberry.field(description="The version in force on that date.")
    proposed_version: str = strawberry.field(description="The version simulated.")
    entering: list[AccountRanking] = strawberry.field(
        description="Accounts that would become key, the first `first` by proposed rank."
    )
    entering_count: int = strawberry.field(description="How many accounts would become key.")
    leaving: list[AccountRanking] = strawberry.field(
        description="Accounts that would stop being key, the first `first` by current rank."
    )
    leaving_count: int = strawberry.field(description="How many accounts would stop being key.")
    current_key_accounts: int = strawberry.field(description="Size of today's key set.")
    proposed_key_accounts: int = strawberry.field(description="Size of the simulated key set.")
    current_premium_share: Decimal | None = strawberry.field(description="Premium share of today's key set.")
    proposed_premium_share: Decimal | None = strawberry.field(description="Premium share of the simulated set.")
    current_profit_share: Decimal | None = strawberry.field(description="Profit share of today's key set.")
    proposed_profit_share: Decimal | None = strawberry.field(description="Profit share of the simulated set.")


@strawberry.type(description="A key account that does not get its tier's service standard.")
class ServiceGapInfo:
    ranking: AccountRanking = strawberry.field(description="The account's ranking (tier, score, lead).")
    review_cadence_days: int = strawberry.field(description="The tier's review cadence.")
    last_review_on: date | None = strawberry.field(description="Business date of the last account review held.")
    problems: list[str] = strawberry.field(description="What is missing: review, lead, team roles.")


@strawberry.type(description="An account's tier at a month end.")
class TierAtDate:
    on: date = strawberry.field(description="Month end.")
    key: bool = strawberry.field(description="Key account then.")
    tier: str | None = strawberry.field(description="Tier then.")


async def _ranking(info: Info, as_of: date | None, version: str | None, min_position: int | None) -> Ranking:
    """The ranking read by a query: any kept one that includes `min_position` (see RankingView.ranking)."""
    view = info.context.runtime.rankings
    at_least = await ensure_position(info, min_position)

    def run() -> Ranking:
        day = as_of or today()
        return view.ranking(day, view.criteria_version(version) if version else None, at_least=at_least)

    try:
        return await run_in_threadpool(run)
    except KamError as error:
        raise bad_input(error) from None


AsOf = Annotated[date | None, strawberry.argument(description="Business date to rank as of (default today).")]
Version = Annotated[
    str | None,
    strawberry.argument(
        description="Criteria version to use (default: the one in force on asOf); a proposed one simulates."
    ),
]


@strawberry.type
class RankingQueries:
    @strawberry.field(
        description="Key accounts in rank order (first ≤ 100), filtered.", permission_classes=[IsAuthenticated]
    )
    async def key_accounts(
        self,
        info: Info,
        as_of: AsOf = None,
        criteria_version: Version = None,
        first: Annotated[int, strawberry.argument(description="How many (1-100).")] = 50,
        filter: Annotated[KeyAccountFilter | None, strawberry.argument(description="Narrows the list.")] = None,
        min_position: MinPosition = None,
    ) -> KeyAccountList:
        if not 1 <= first <= MAX_PAGE:
            raise bad_input(KamError(f"must be between 1 and {MAX_PAGE}", field="first"))
        ranking = await _ranking(info, as_of, criteria_version, min_position)
        key_set = ranking.key_accounts()  # in rank order
        chosen = key_set if filter is None else [r for r in key_set if filter.matches(r)]
        return KeyAccountList(
            as_of=ranking.as_of,
            criteria_version=ranking.criteria.version,
            position=ranking.position,
            total_count=len(chosen),
            premium_share=ranking.share("written_premium"),
            profit_share=ranking.share("profit_contribution"),
            nodes=[AccountRanking.from_ranked(r) for r in chosen[:first]],
        )

    @strawberry.field(
        description="One account's rank, score, tier and score breakdown.", permission_classes=[IsAuthenticated]
    )
    async def account_ranking(
        self,
        info: Info,
        account_id: Annotated[relay.GlobalID, strawberry.argument(description="The account.")],
        as_of: AsOf = None,
        criteria_version: Version = None,
        min_position: MinPosition = None,
    ) -> AccountRanking:
        ranking = await _ranking(info, as_of, criteria_version, min_position)
        try:
            account = node_uuid(account_id, "Account", "account_id")
            return AccountRanking.from_ranked(info.context.runtime.rankings.account(ranking, str(account)))
        except KamError as error:
            raise bad_input(error) from None

    @strawberry.field(
        description="Cumulative share of premium or profit held by the largest accounts.",
        permission_classes=[IsAuthenticated],
    )
    async def pareto_curve(
        self,
        info: Info,
        basis: Annotated[ParetoBasis, strawberry.argument(description="What to accumulate.")],
        as_of: AsOf = None,
        points: Annotated[int, strawberry.argument(description="At most this many points (1-100).")] = 20,
        min_position: MinPosition = None,
    ) -> list[ParetoPoint]:
        if not 1 <= points <= MAX_PAGE:
            raise bad_input(KamError(f"must be between 1 and {MAX_PAGE}", field="points"))
        at_least = await ensure_position(info, min_position)
        view = info.context.runtime.rankings
        curve = await run_in_threadpool(view.pareto, as_of or today(), basis.value, at_least)
        step = max(1, len(curve) // points)
        sampled = curve[step - 1 :: step][: points - 1] + curve[-1:] if curve else []
        return [ParetoPoint(accounts=n, cumulative=c, share=s) for n, c, s in dict.fromkeys(sampled)]

    @strawberry.field(
        description="Accounts a proposed criteria version would add or drop, and the shares it holds.",
        permission_classes=[IsAuthenticated],
    )
    async def criteria_simulation(
        self,
        info: Info,
        criteria_version: Annotated[str, strawberry.argument(description="The proposed version.")],
        as_of: AsOf = None,
        first: Annotated[
            int, strawberry.argument(description="How many entering and leaving accounts to list (1-100).")
        ] = 50,
        min_position: MinPosition = None,
    ) -> CriteriaSimulation:
        if not 1 <= first <= MAX_PAGE:  # a new criteria version on a large book moves thousands of accounts
            raise bad_input(KamError(f"must be between 1 and {MAX_PAGE}", field="first"))
        at_least = await ensure_position(info, min_position)
        view = info.context.runtime.rankings
        try:
            result = await run_in_threadpool(view.simulate, criteria_version, as_of or today(), at_least)
        except KamError as error:
            raise bad_input(error) from None
        current, proposed = result["current"], result["proposed"]
        return CriteriaSimulation(
            as_of=current.as_of,
            current_version=current.criteria.version,
            proposed_version=proposed.criteria.version,
            entering=[AccountRanking.from_ranked(r) for r in result["entering"][:first]],
            entering_count=len(result["entering"]),
            leaving=[AccountRanking.from_ranked(r) for r in result["leaving"][:first]],
            leaving_count=len(result["leaving"]),
            current_key_accounts=len(current.key_accounts()),
            proposed_key_accounts=len(proposed.key_accounts()),
            current_premium_share=current.share("written_premium"),
            proposed_premium_share=proposed.share("written_premium"),
            current_profit_share=current.share("profit_contribution"),
            proposed_profit_share=proposed.share("profit_contribution"),
        )

    @strawberry.field(
        description="Key accounts short of their tier's service standard (review cadence, lead, required team "
        "roles): the 'needs attention' list.",
        permission_classes=[IsAuthenticated],
    )
    async def key_accounts_needing_attention(
        self, info: Info, as_of: AsOf = None, min_position: MinPosition = None
    ) -> list[ServiceGapInfo]:
        at_least = await ensure_position(info, min_position)
        rankings = info.context.runtime.rankings
        gaps = await run_in_threadpool(service_gaps, rankings, as_of or today(), at_least)
        return [
            ServiceGapInfo(
                ranking=AccountRanking.from_ranked(g.ranked),
                review_cadence_days=g.review_cadence_days,
                last_review_on=g.last_review_on,
                problems=list(g.problems),
            )
            for g in gaps
        ]

    @strawberry.field(
        description="An account's key status and tier at each of the last month ends.",
        permission_classes=[IsAuthenticated],
    )
    async def tier_history(
        self,
        info: Info,
        account_id: Annotated[relay.GlobalID, strawberry.argument(description="The account.")],
        months: Annotated[int, strawberry.argument(description="How many month ends back (1-24).")] = 12,
        as_of: AsOf = None,
        min_position: MinPosition = None,
    ) -> list[TierAtDate]:
        from kamcore.projections.ranking_view import previous_month_end

        if not 1 <= months <= 24:
            raise bad_input(KamError("must be between 1 and 24", field="months"))
        try:
            account = str(node_uuid(account_id, "Account", "account_id"))
        except KamError as error:
            raise bad_input(error) from None
        ends, day = [], as_of or today()
        for _ in range(months):
            day = previous_month_end(day)
            ends.insert(0, day)
        at_least = await ensure_position(info, min_position)
        rankings = info.context.runtime.rankings
        history = await run_in_threadpool(rankings.tier_history, account, ends, at_least)
        return [TierAtDate(on=on, tier=tier, key=key) for on, tier, key in history]
