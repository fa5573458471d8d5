"""Read types built from projection rows (plain attributes: no per-field resolvers on hot paths)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.activity import Interaction
from kamcore.api.connections import Limit, rows_of
from kamcore.api.context import Info
from kamcore.api.feedback_reads import Complaint, Referral, SurveyResponse
from kamcore.api.read_values import values_of
from kamcore.api.revealed import keys_of
from kamcore.api.sales import Claim, Policy, Recommendation
from kamcore.application.revealing import reveal_stakeholder, stakeholder_subjects
from kamcore.domain import values
from kamcore.domain.personal_data import ERASED
from kamcore.projections.listing import Listing, Where


@strawberry.type(description="A period an RM holds a role on the account team; effectiveTo is exclusive.")
class Assignment:
    assignment_id: str = strawberry.field(
        description="Id of the assignment within the account team, e.g. assignment-3."
    )
    relationship_manager_id: str = strawberry.field(description="Employee id of the relationship manager.")
    role: enums.TeamRole = strawberry.field(description="Role held over the period.")
    effective_from: date = strawberry.field(description="First day of the period (inclusive).")
    effective_to: date | None = strawberry.field(
        description="Exclusive end date: the first day the RM is no longer on the team; null = open-ended."
    )

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Assignment:
        return cls(
            assignment_id=d["assignment_id"],
            relationship_manager_id=d["relationship_manager_id"],
            role=values.TeamRole(d["role"]),
            effective_from=date.fromisoformat(d["effective_from"]),
            effective_to=date.fromisoformat(d["effective_to"]) if d["effective_to"] else None,
        )


@strawberry.type(description="A contact at the account and their role in buying decisions.")
class Stakeholder:
    stakeholder_id: str = strawberry.field(
        description="Id within the account, e.g. stakeholder-4; pass to removeStakeholder."
    )
    name: str = strawberry.field(
        description=f'Full name of the contact; "{ERASED}" once their personal data is erased (see erased).'
    )
    role: enums.StakeholderRole = strawberry.field(description="Role in buying decisions.")
    title: str | None = strawberry.field(description="Job title; null if not recorded or erased.")
    email: str | None = strawberry.field(description="E-mail address; null if not recorded or erased.")
    erased: bool = strawberry.field(
        description="True once the contact's personal data is erased (eraseDataSubject): its key is deleted, "
        f'so name reads "{ERASED}" and title and email are null everywhere, history and time travel included; '
        "stakeholderId and role remain."
    )

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Stakeholder:
        """From a contact whose personal fields were revealed (see `reveal_stakeholder`)."""
        return cls(
            stakeholder_id=d["stakeholder_id"],
            name=d["name"],
            role=values.StakeholderRole(d["role"]),
            title=d["title"],
            email=d["email"],
            erased=d["erased"],
        )


@strawberry.type(description="A customer need identified by the account team.")
class Need:
    need_id: str = strawberry.field(description="Id within the account, e.g. need-5.")
    description: str = strawberry.field(description="What the customer needs.")
    line_of_business: str | None = strawberry.field(
        description="Line of business the need belongs to; null if not given."
    )
    priority: enums.NeedPriority = strawberry.field(description="How pressing the need is.")
    identified_on: date = strawberry.field(description="Business date on which the need was identified.")


@strawberry.type(description="What the KAM method asks the team to know about the customer's business.")
class BusinessContext:
    strategy: str | None = strawberry.field(
        default=None, description="The customer's business strategy; null if not recorded."
    )
    operating_dynamics: str | None = strawberry.field(
        default=None, description="How the customer's business operates and makes money; null if not recorded."
    )
    challenges: list[str] = strawberry.field(
        default_factory=list, description="Business challenges the customer faces (empty if none recorded)."
    )
    competitors: list[str] = strawberry.field(
        default_factory=list, description="The customer's competitors (empty if none recorded)."
    )
    buying_process: str | None = strawberry.field(
        default=None, description="How the customer buys insurance (steps, approvals); null if not recorded."
    )
    buying_behaviour: str | None = strawberry.field(
        default=None,
        description="How the customer behaves as a buyer (e.g. price- or service-led); null if not recorded.",
    )


@strawberry.type(description="Latest relationship signals from customer feedback.")
class FeedbackSignals:
    latest_csat: int | None = strawberry.field(
        description="Most recent CSAT score by business date (1-5); null if none recorded."
    )
    latest_csat_on: date | None = strawberry.field(description="Business date of latestCsat; null if none recorded.")
    latest_nps: int | None = strawberry.field(
        description="Most recent NPS answer by business date (0-10); null if none recorded."
    )
    latest_nps_on: date | None = strawberry.field(description="Business date of latestNps; null if none recorded.")
    open_complaints: int = strawberry.field(description="Complaints raised and not yet resolved.")
    complaints: int = strawberry.field(description="All complaints ever raised, open or resolved.")
    referrals: int = strawberry.field(description="Referrals the customer has given.")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


async def revealed_stakeholders(root: Any, info: Info) -> list[Stakeholder]:
    """Personal fields are sealed per contact; the keys of every account in the request load in one batch."""
    stakeholders: list[dict[str, Any]] = json.loads(root.row["stakeholders"])
    keys = await keys_of(info, stakeholder_subjects(stakeholders))
    return [Stakeholder.from_dict(reveal_stakeholder(s, keys)) for s in stakeholders]


async def _of_account(
    info: Info, field: str, listing: Listing, where: Where, sort: str, first: int, account_id: str
) -> list[dict[str, Any]]:
    """The account's newest rows of one list (a page of accounts shares one query per field)."""
    return await rows_of(info, field, listing, "account_id", account_id, where, sort=sort, descending=True, first=first)


StatusArgument = strawberry.argument(description="Only these statuses; null or empty = any.")


@strawberry.type(description="A customer organisation served by a key-account team (from the account summary).")
class Account(relay.Node):
    account_id: relay.NodeID[str]
    name: str = strawberry.field(description="Name of the customer organisation.")
    segment: enums.Segment = strawberry.field(description="Customer segment the account is served in.")
    region: str = strawberry.field(description="Sales region serving the account.")
    industry: str | None = strawberry.field(description="Customer's industry; null if not recorded.")
    size: enums.AccountSize | None = strawberry.field(description="Size band of the customer; null if not recorded.")
    status: enums.AccountStatus = strawberry.field(description="ACTIVE, or CLOSED once the account was closed.")
    external_ref: str | None = strawberry.field(description="Reference in the policy-administration system.")
    version: int = strawberry.field(description="Account aggregate version, for expectedVersion.")
    team_version: int = strawberry.field(description="Account-team aggregate version (0 before the first assignment).")
    lead_relationship_manager_id: str | None = strawberry.field(
        description="Employee id of the lead RM (the open-ended lead assignment, else the latest); null if no lead."
    )
    stakeholders: list[Stakeholder] = strawberry.field(
        resolver=revealed_stakeholders,
        description="Current contacts at the account (removed ones are not listed; erased ones are, with erased: "
        "true).",
    )
    row: strawberry.Private[dict[str, Any]]  # the JSON columns are decoded only when their field is asked for
    feedback: FeedbackSignals = strawberry.field(description="Latest CSAT/NPS and complaint and referral counts.")
    opened_at: datetime = strawberry.field(description="When the account was opened (recording time, UTC).")
    updated_at: datetime = strawberry.field(
        description="When the account, its team or its feedback last changed (recording time, UTC)."
    )
    closed_on: date | None = strawberry.field(
        description="Business date the account was closed; null while it is active."
    )

    @strawberry.field(description="Current, past and planned assignments.")
    def team(self) -> list[Assignment]:
        return [Assignment.from_dict(a) for a in json.loads(self.row["team"])]

    @strawberry.field(description="The customer's strategy, dynamics, challenges, competitors and buying.")
    def business_context(self) -> BusinessContext:
        return BusinessContext(**json.loads(self.row["context"]))

    @strawberry.field(description="Needs identified so far, oldest first.")
    def needs(self) -> list[Need]:
        return [
            Need(
                **{
                    **n,
                    "priority": values.NeedPriority(n["priority"]),
                    "identified_on": date.fromisoformat(n["identified_on"]),
                }
            )
            for n in json.loads(self.row["needs"])
        ]

    @strawberry.field(description="The account's policy terms (quotes included), newest inception first.")
    async def policies(
        self,
        info: Info,
        status: Annotated[list[enums.PolicyStatus] | None, StatusArgument] = None,
        first: Limit = 20,
    ) -> list[Policy]:
        sales = info.context.runtime.sales
        where = Where().any_of("status", values_of(status))
        rows = await _of_account(info, "policies", sales.policies, where, "inception_date", first, self.account_id)
        return [Policy.from_row(r) for r in rows]

    @strawberry.field(description="The account's claims, newest report first.")
    async def claims(
        self,
        info: Info,
        status: Annotated[list[enums.ClaimStatus] | None, StatusArgument] = None,
        first: Limit = 20,
    ) -> list[Claim]:
        sales = info.context.runtime.sales
        where = Where().any_of("status", values_of(status))
        rows = await _of_account(info, "claims", sales.claims, where, "reported_on", first, self.account_id)
        return [Claim.from_row(r) for r in rows]

    @strawberry.field(description="The account's interactions, latest planned date first.")
    async def interactions(
        self,
        info: Info,
        status: Annotated[list[enums.InteractionStatus] | None, StatusArgument] = None,
        kind: Annotated[
            list[enums.InteractionKind] | None, strawberry.argument(description="Only these kinds; null = any.")
        ] = None,
        first: Limit = 20,
    ) -> list[Interaction]:
        listing = info.context.runtime.activity.interactions
        where = Where().any_of("status", values_of(status)).any_of("kind", values_of(kind))
        rows = await _of_account(info, "interactions", listing, where, "scheduled_for", first, self.account_id)
        return [Interaction.from_row(r) for r in rows]

    @strawberry.field(description="Recommendations made to the account, newest first.")
    async def recommendations(
        self,
        info: Info,
        status: Annotated[list[enums.RecommendationStatus] | None, StatusArgument] = None,
        first: Limit = 20,
    ) -> list[Recommendation]:
        listing = info.context.runtime.sales.recommendations
        where = Where().any_of("status", values_of(status))
        rows = await _of_account(info, "recommendations", listing, where, "made_on", first, self.account_id)
        return [Recommendation.from_row(r) for r in rows]

    @strawberry.field(description="The account's survey responses one by one, newest answer first.")
    async def survey_responses(
        self,
        info: Info,
        scale: Annotated[
            list[enums.SurveyScale] | None, strawberry.argument(description="Only these scales; null = any.")
        ] = None,
        subject: Annotated[
            list[enums.SurveySubject] | None, strawberry.argument(description="Only these subjects; null = any.")
        ] = None,
        first: Limit = 20,
    ) -> list[SurveyResponse]:
        listing = info.context.runtime.feedback.survey_responses
        where = Where().any_of("scale", values_of(scale)).any_of("subject", values_of(subject))
        rows = await _of_account(info, "survey_responses", listing, where, "responded_on", first, self.account_id)
        return [SurveyResponse.from_row(r) for r in rows]

    @strawberry.field(description="The account's complaints, open and resolved, newest raised first.")
    async def complaints(
        self,
        info: Info,
        status: Annotated[list[enums.ComplaintStatus] | None, StatusArgument] = None,
        first: Limit = 20,
    ) -> list[Complaint]:
        listing = info.context.runtime.feedback.complaints
        where = Where().any_of("status", values_of(status))
        rows = await _of_account(info, "complaints", listing, where, "raised_on", first, self.account_id)
        return [Complaint.from_row(r) for r in rows]

    @strawberry.field(description="Referrals the account gave, newest first.")
    async def referrals(self, info: Info, first: Limit = 20) -> list[Referral]:
        listing = info.context.runtime.feedback.referrals
        rows = await _of_account(info, "referrals", listing, Where(), "referred_on", first, self.account_id)
        return [Referral.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Account:
        return cls(
            account_id=row["account_id"],
            name=row["name"],
            segment=values.Segment(row["segment"]),
            region=row["region"],
            industry=row["industry"],
            size=values.AccountSize(row["size"]) if row["size"] else None,
            status=values.AccountStatus(row["status"]),
            external_ref=row["external_ref"],
            version=row["version"],
            team_version=row["team_version"],
            lead_relationship_manager_id=row["lead_rm_id"],
            row=row,
            feedback=FeedbackSignals(
                latest_csat=row["latest_csat"],
                latest_csat_on=_date(row["latest_csat_on"]),
                latest_nps=row["latest_nps"],
                latest_nps_on=_date(row["latest_nps_on"]),
                open_complaints=row["open_complaints"],
                complaints=row["complaints"],
                referrals=row["referrals"],
            ),
            opened_at=datetime.fromisoformat(row["opened_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
            closed_on=_date(row["closed_on"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Account | None]:
        rows = await info.context.loaders.account.load_many(list(node_ids))
        return [cls.from_row(row) if row else None for row in rows]
