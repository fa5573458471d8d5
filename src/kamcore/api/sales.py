"""Sales records as read types: policies, claims and recommendations, their lists and their `node` resolution."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.auth import IsAuthenticated
from kamcore.api.connections import After, Connection, First, MinPosition, SortDirection, paged
from kamcore.api.context import Info
from kamcore.api.read_values import MoneyAmount, day, global_id, load_nodes, load_one, moment, uuids, values_of
from kamcore.api.reads import ensure_position
from kamcore.domain import values
from kamcore.projections.sales_records_view import ClaimFilter, PolicyFilter, RecommendationFilter

if TYPE_CHECKING:
    from kamcore.api.catalogue import Product
    from kamcore.api.types import Account

AccountType = Annotated["Account", strawberry.lazy("kamcore.api.types")]
ProductType = Annotated["Product", strawberry.lazy("kamcore.api.catalogue")]


async def load_account(info: Info, account_id: str) -> Account | None:
    from kamcore.api.types import Account

    row = await info.context.loaders.account.load(account_id)
    return Account.from_row(row) if row else None


async def load_product(info: Info, code: str) -> Product | None:
    from kamcore.api.catalogue import Product

    row = await info.context.loaders.product.load(code)
    return Product.from_row(row) if row else None


@strawberry.type(description="One policy term from quote to its end: premium, commission, cover and lifecycle dates.")
class Policy(relay.Node):
    policy_id: relay.NodeID[str]
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account the policy belongs to.")
    policy_number: str | None = strawberry.field(description="Number in the policy-administration system, if any.")
    product_code: str = strawberry.field(description="Code of the product written.")
    line_of_business: str = strawberry.field(description="Line of business of the product.")
    business_kind: enums.BusinessKind = strawberry.field(description="New client, cross-sell or renewal.")
    status: enums.PolicyStatus = strawberry.field(description="Where the term is in its lifecycle.")
    written_premium: MoneyAmount = strawberry.field(
        description="Premium for the whole term (as bound and endorsed; as quoted while a quote)."
    )
    commission: MoneyAmount = strawberry.field(description="Commission for the term, in the premium's currency.")
    sum_insured: MoneyAmount = strawberry.field(description="Sum insured (after endorsements).")
    inception_date: date = strawberry.field(description="First day of cover (inclusive).")
    expiry_date: date = strawberry.field(description="Exclusive end of cover: the first day not covered.")
    quoted_on: date = strawberry.field(description="Business date of the quote.")
    bound_on: date | None = strawberry.field(description="Business date it was bound; null unless bound.")
    closed_on: date | None = strawberry.field(
        description="Business date the quote was declined or expired, or the day cover ended on a cancellation "
        "or lapse; null otherwise."
    )
    initiated_by: enums.Initiator | None = strawberry.field(
        description="Who declined the quote, or cancelled or let the policy lapse; null otherwise."
    )
    return_premium: MoneyAmount | None = strawberry.field(
        description="Premium refunded on cancellation; null unless cancelled."
    )
    renews_policy_id: relay.GlobalID | None = strawberry.field(
        description="The previous term, for renewal business; else null."
    )
    renewed_by_policy_id: relay.GlobalID | None = strawberry.field(
        description="The next term, once this one was renewed; else null."
    )
    renewed_on: date | None = strawberry.field(description="Business date of the renewal; null unless renewed.")
    endorsements: int = strawberry.field(description="Mid-term endorsements so far.")
    last_endorsed_on: date | None = strawberry.field(description="First day of the latest endorsement; null if none.")
    personalised_package: bool = strawberry.field(description="True for a package tailored to the client.")
    version: int = strawberry.field(description="Policy aggregate version, for expectedVersion.")
    updated_at: datetime = strawberry.field(description="When the term last changed (recording time, UTC).")

    @strawberry.field(description="The account the policy belongs to.")
    async def account(self, info: Info) -> AccountType | None:
        return await load_account(info, self.account_id.node_id)

    @strawberry.field(description="The catalogue entry of the product written.")
    async def product(self, info: Info) -> ProductType | None:
        return await load_product(info, self.product_code)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Policy:
        currency = row["currency"]
        return cls(
            policy_id=row["policy_id"],
            account_id=relay.GlobalID("Account", row["account_id"]),
            policy_number=row["policy_number"],
            product_code=row["product_code"],
            line_of_business=row["line_of_business"],
            business_kind=values.BusinessKind(row["business_kind"]),
            status=values.PolicyStatus(row["status"]),
            written_premium=MoneyAmount(amount=Decimal(row["written_premium"]), currency=currency),
            commission=MoneyAmount(amount=Decimal(row["commission"]), currency=currency),
            sum_insured=MoneyAmount(amount=Decimal(row["sum_insured"]), currency=currency),
            inception_date=date.fromisoformat(row["inception_date"]),
            expiry_date=date.fromisoformat(row["expiry_date"]),
            quoted_on=date.fromisoformat(row["quoted_on"]),
            bound_on=day(row["bound_on"]),
            closed_on=day(row["closed_on"]),
            initiated_by=values.Initiator(row["initiated_by"]) if row["initiated_by"] else None,
            return_premium=MoneyAmount.of(row["return_premium"], currency),
            renews_policy_id=global_id("Policy", row["renews_policy_id"]),
            renewed_by_policy_id=global_id("Policy", row["renewed_by"]),
            renewed_on=day(row["renewed_on"]),
            endorsements=row["endorsements"],
            last_endorsed_on=day(row["last_endorsed_on"]),
            personalised_package=bool(row["personalised_package"]),
            version=row["version"],
            updated_at=moment(row["updated_at"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Policy | None]:
        return await load_nodes(info.context.loaders.policy, node_ids, cls.from_row)


@strawberry.type(description="A loss reported under a policy: reserve, payments, dates and how long settling took.")
class Claim(relay.Node):
    claim_id: relay.NodeID[str]
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    policy_id: relay.GlobalID = strawberry.field(description="Global id of the policy the loss falls under.")
    claim_number: str | None = strawberry.field(description="Number in the claims system, if any.")
    line_of_business: str = strawberry.field(description="Line of business of the policy.")
    status: enums.ClaimStatus = strawberry.field(description="The latest step of the claim.")
    open: bool = strawberry.field(description="True until the claim is closed (and again once reopened).")
    reserve: MoneyAmount = strawberry.field(description="Outstanding case reserve (zero once closed).")
    paid: MoneyAmount = strawberry.field(description="Paid to date.")
    incurred: MoneyAmount = strawberry.field(description="Paid to date plus the outstanding reserve.")
    loss_date: date = strawberry.field(description="Day the loss happened.")
    reported_on: date = strawberry.field(description="Business date it was reported.")
    last_activity_on: date = strawberry.field(description="Business date of the latest step.")
    closed_on: date | None = strawberry.field(description="Business date it was closed; null while open.")
    reopened_on: date | None = strawberry.field(description="Business date it was last reopened; null if never.")
    reopen_count: int = strawberry.field(description="How often it was reopened.")
    settlement_days: int | None = strawberry.field(
        description="Days from report to close (the settlement-time KPI's measure); null while open."
    )
    description: str = strawberry.field(description="What happened, as reported.")
    version: int = strawberry.field(description="Claim aggregate version, for expectedVersion.")
    updated_at: datetime = strawberry.field(description="When the claim last changed (recording time, UTC).")

    @strawberry.field(description="The account the claim belongs to.")
    async def account(self, info: Info) -> AccountType | None:
        return await load_account(info, self.account_id.node_id)

    @strawberry.field(description="The policy the loss falls under.")
    async def policy(self, info: Info) -> Policy | None:
        row = await info.context.loaders.policy.load(self.policy_id.node_id)
        return Policy.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Claim:
        currency = row["currency"]
        reserve, paid = Decimal(row["reserve"]), Decimal(row["paid"])
        return cls(
            claim_id=row["claim_id"],
            account_id=relay.GlobalID("Account", row["account_id"]),
            policy_id=relay.GlobalID("Policy", row["policy_id"]),
            claim_number=row["claim_number"],
            line_of_business=row["line_of_business"],
            status=enums.ClaimStatus(row["status"]),
            open=row["closed_on"] is None,
            reserve=MoneyAmount(amount=reserve, currency=currency),
            paid=MoneyAmount(amount=paid, currency=currency),
            incurred=MoneyAmount(amount=reserve + paid, currency=currency),
            loss_date=date.fromisoformat(row["loss_date"]),
            reported_on=date.fromisoformat(row["reported_on"]),
            last_activity_on=date.fromisoformat(row["last_activity_on"]),
            closed_on=day(row["closed_on"]),
            reopened_on=day(row["reopened_on"]),
            reopen_count=row["reopen_count"],
            settlement_days=row["settlement_days"],
            description=row["description"],
            version=row["version"],
            updated_at=moment(row["updated_at"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Claim | None]:
        return await load_nodes(info.context.loaders.claim, node_ids, cls.from_row)


@strawberry.type(
    description="A product proposed for an identified need, the customer's answer and the policy it became."
)
class Recommendation(relay.Node):
    recommendation_id: relay.NodeID[str]
    account_id: relay.GlobalID = strawberry.field(description="Global id of the account.")
    need_id: str = strawberry.field(description="The account's need it answers (Need.needId).")
    product_code: str = strawberry.field(description="Code of the product recommended.")
    line_of_business: str = strawberry.field(description="Line of business of the product.")
    kind: enums.RecommendationKind = strawberry.field(description="Cross-sell, up-sell or new client.")
    status: enums.RecommendationStatus = strawberry.field(description="Made, accepted or declined.")
    rationale: str | None = strawberry.field(description="Why the product fits; null if not given.")
    relationship_manager_id: str | None = strawberry.field(description="Employee id of the RM who made it, if given.")
    made_on: date = strawberry.field(description="Business date it was made.")
    decided_on: date | None = strawberry.field(description="Business date the customer answered; null until then.")
    declined_because: str | None = strawberry.field(description="Why it was declined; null unless declined.")
    policy_id: relay.GlobalID | None = strawberry.field(
        description="The policy an accepted recommendation became, once linked; else null."
    )
    version: int = strawberry.field(description="Recommendation aggregate version, for expectedVersion.")
    updated_at: datetime = strawberry.field(description="When it last changed (recording time, UTC).")

    @strawberry.field(description="The account the recommendation was made to.")
    async def account(self, info: Info) -> AccountType | None:
        return await load_account(info, self.account_id.node_id)

    @strawberry.field(description="The catalogue entry of the product recommended.")
    async def product(self, info: Info) -> ProductType | None:
        return await load_product(info, self.product_code)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Recommendation:
        return cls(
            recommendation_id=row["recommendation_id"],
            account_id=relay.GlobalID("Account", row["account_id"]),
            need_id=row["need_id"],
            product_code=row["product_code"],
            line_of_business=row["line_of_business"],
            kind=values.RecommendationKind(row["kind"]),
            status=values.RecommendationStatus(row["status"]),
            rationale=row["rationale"],
            relationship_manager_id=row["relationship_manager_id"],
            made_on=date.fromisoformat(row["made_on"]),
            decided_on=day(row["decided_on"]),
            declined_because=row["declined_because"],
            policy_id=global_id("Policy", row["policy_id"]),
            version=row["version"],
            updated_at=moment(row["updated_at"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Recommendation | None]:
        return await load_nodes(info.context.loaders.recommendation, node_ids, cls.from_row)


# -- filters and orders -----------------------------------------------------------------------------


@strawberry.input(description="Narrows the policies list; all given conditions must hold.")
class PolicyFilterInput:
    account_id: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Policies of any of these accounts; null or empty = any account."
    )
    status: list[enums.PolicyStatus] | None = strawberry.field(default=None, description="Any of these statuses.")
    line_of_business: list[str] | None = strawberry.field(default=None, description="Any of these lines (exact).")
    product_code: list[str] | None = strawberry.field(default=None, description="Any of these product codes.")
    business_kind: list[enums.BusinessKind] | None = strawberry.field(
        default=None, description="Any of these kinds of business."
    )
    inception_from: date | None = strawberry.field(
        default=None, description="Inception on or after this day; not after inceptionTo."
    )
    inception_to: date | None = strawberry.field(default=None, description="Inception on or before this day.")

    def to_filter(self) -> PolicyFilter:
        return PolicyFilter(
            account_ids=uuids(self.account_id, "Account", "filter.accountId"),
            statuses=values_of(self.status),
            lines_of_business=tuple(self.line_of_business or ()),
            product_codes=tuple(self.product_code or ()),
            business_kinds=values_of(self.business_kind),
            inception_from=self.inception_from,
            inception_to=self.inception_to,
        )


@strawberry.enum(description="Sort key of the policies list.")
class PolicySortField(Enum):
    INCEPTION_DATE = strawberry.enum_value("inception_date", description="By first day of cover.")
    EXPIRY_DATE = strawberry.enum_value("expiry_date", description="By end of cover.")
    QUOTED_ON = strawberry.enum_value("quoted_on", description="By quote date.")
    WRITTEN_PREMIUM = strawberry.enum_value(
        "written_premium", description="By written premium (amount only: currencies are not converted)."
    )


@strawberry.input(description="Order of the policies list; ties are broken by id.")
class PolicyOrder:
    field: PolicySortField = strawberry.field(
        default=PolicySortField.INCEPTION_DATE, description="Sort key; INCEPTION_DATE by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="DESC (newest) by default.")


@strawberry.input(description="Narrows the claims list; all given conditions must hold.")
class ClaimFilterInput:
    account_id: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Claims of any of these accounts; null or empty = any account."
    )
    policy_id: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Claims under any of these policies."
    )
    status: list[enums.ClaimStatus] | None = strawberry.field(default=None, description="Any of these latest steps.")
    line_of_business: list[str] | None = strawberry.field(default=None, description="Any of these lines (exact).")
    open: bool | None = strawberry.field(default=None, description="True: open claims only; false: closed only.")
    reported_from: date | None = strawberry.field(
        default=None, description="Reported on or after this day; not after reportedTo."
    )
    reported_to: date | None = strawberry.field(default=None, description="Reported on or before this day.")

    def to_filter(self) -> ClaimFilter:
        return ClaimFilter(
            account_ids=uuids(self.account_id, "Account", "filter.accountId"),
            policy_ids=uuids(self.policy_id, "Policy", "filter.policyId"),
            statuses=values_of(self.status),
            lines_of_business=tuple(self.line_of_business or ()),
            open=self.open,
            reported_from=self.reported_from,
            reported_to=self.reported_to,
        )


@strawberry.enum(description="Sort key of the claims list.")
class ClaimSortField(Enum):
    REPORTED_ON = strawberry.enum_value("reported_on", description="By report date.")
    LOSS_DATE = strawberry.enum_value("loss_date", description="By loss date.")
    PAID = strawberry.enum_value("paid", description="By amount paid to date (currencies are not converted).")


@strawberry.input(description="Order of the claims list; ties are broken by id.")
class ClaimOrder:
    field: ClaimSortField = strawberry.field(
        default=ClaimSortField.REPORTED_ON, description="Sort key; REPORTED_ON by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="DESC (newest) by default.")


@strawberry.input(description="Narrows the recommendations list; all given conditions must hold.")
class RecommendationFilterInput:
    account_id: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Recommendations to any of these accounts; null or empty = any account."
    )
    status: list[enums.RecommendationStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    kind: list[enums.RecommendationKind] | None = strawberry.field(default=None, description="Any of these kinds.")
    product_code: list[str] | None = strawberry.field(default=None, description="Any of these product codes.")
    relationship_manager_id: list[str] | None = strawberry.field(
        default=None, description="Made by any of these RMs (employee ids)."
    )
    made_from: date | None = strawberry.field(default=None, description="Made on or after this day; not after madeTo.")
    made_to: date | None = strawberry.field(default=None, description="Made on or before this day.")

    def to_filter(self) -> RecommendationFilter:
        return RecommendationFilter(
            account_ids=uuids(self.account_id, "Account", "filter.accountId"),
            statuses=values_of(self.status),
            kinds=values_of(self.kind),
            product_codes=tuple(self.product_code or ()),
            relationship_manager_ids=tuple(self.relationship_manager_id or ()),
            made_from=self.made_from,
            made_to=self.made_to,
        )


@strawberry.enum(description="Sort key of the recommendations list.")
class RecommendationSortField(Enum):
    MADE_ON = strawberry.enum_value("made_on", description="By the date it was made.")


@strawberry.input(description="Order of the recommendations list; ties are broken by id.")
class RecommendationOrder:
    field: RecommendationSortField = strawberry.field(
        default=RecommendationSortField.MADE_ON, description="Sort key; MADE_ON by default."
    )
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="DESC (newest) by default.")


# -- queries --------------------------------------------------------------------------------------


@strawberry.type
class SalesQueries:
    @strawberry.field(
        description="One policy term by its global id (null if unknown).", permission_classes=[IsAuthenticated]
    )
    async def policy(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="Global id of the policy (Policy.id).")],
        min_position: MinPosition = None,
    ) -> Policy | None:
        await ensure_position(info, min_position)
        return await load_one(info.context.loaders.policy, id, "Policy", Policy.from_row)

    @strawberry.field(
        description="Policy terms (quotes included), keyset-paged (first at most 100), filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def policies(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            PolicyFilterInput | None, strawberry.argument(description="Conditions the policies must meet; null = all.")
        ] = None,
        order_by: Annotated[
            PolicyOrder | None, strawberry.argument(description="Sort order; null = newest inception first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[Policy]:
        order = order_by or PolicyOrder()
        return await paged(
            info,
            info.context.runtime.sales.policies,
            lambda: (filter or PolicyFilterInput()).to_filter().where(),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=Policy.from_row,
        )

    @strawberry.field(description="One claim by its global id (null if unknown).", permission_classes=[IsAuthenticated])
    async def claim(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="Global id of the claim (Claim.id).")],
        min_position: MinPosition = None,
    ) -> Claim | None:
        await ensure_position(info, min_position)
        return await load_one(info.context.loaders.claim, id, "Claim", Claim.from_row)

    @strawberry.field(
        description="Claims, keyset-paged (first at most 100), filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def claims(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            ClaimFilterInput | None, strawberry.argument(description="Conditions the claims must meet; null = all.")
        ] = None,
        order_by: Annotated[
            ClaimOrder | None, strawberry.argument(description="Sort order; null = newest report first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[Claim]:
        order = order_by or ClaimOrder()
        return await paged(
            info,
            info.context.runtime.sales.claims,
            lambda: (filter or ClaimFilterInput()).to_filter().where(),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=Claim.from_row,
        )

    @strawberry.field(
        description="One recommendation by its global id (null if unknown).", permission_classes=[IsAuthenticated]
    )
    async def recommendation(
        self,
        info: Info,
        id: Annotated[
            relay.GlobalID, strawberry.argument(description="Global id of the recommendation (Recommendation.id).")
        ],
        min_position: MinPosition = None,
    ) -> Recommendation | None:
        await ensure_position(info, min_position)
        return await load_one(info.context.loaders.recommendation, id, "Recommendation", Recommendation.from_row)

    @strawberry.field(
        description="Recommendations, keyset-paged (first at most 100), filtered and ordered.",
        permission_classes=[IsAuthenticated],
    )
    async def recommendations(
        self,
        info: Info,
        first: First = 20,
        after: After = None,
        filter: Annotated[
            RecommendationFilterInput | None,
            strawberry.argument(description="Conditions the recommendations must meet; null = all."),
        ] = None,
        order_by: Annotated[
            RecommendationOrder | None, strawberry.argument(description="Sort order; null = newest first.")
        ] = None,
        min_position: MinPosition = None,
    ) -> Connection[Recommendation]:
        order = order_by or RecommendationOrder()
        return await paged(
            info,
            info.context.runtime.sales.recommendations,
            lambda: (filter or RecommendationFilterInput()).to_filter().where(),
            sort=order.field.value,
            direction=order.direction,
            first=first,
            after=after,
            min_position=min_position,
            convert=Recommendation.from_row,
        )
