"""Read types built from projection rows (plain attributes: no per-field resolvers on hot paths)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay

from kamcore.api import enums
from kamcore.api.context import Info
from kamcore.domain import values


@strawberry.type(description="A period an RM holds a role on the account team; effectiveTo is exclusive.")
class Assignment:
    assignment_id: str
    relationship_manager_id: str
    role: enums.TeamRole
    effective_from: date
    effective_to: date | None

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
    stakeholder_id: str
    name: str
    role: enums.StakeholderRole
    title: str | None
    email: str | None


@strawberry.type(description="A customer need identified by the account team.")
class Need:
    need_id: str
    description: str
    line_of_business: str | None
    priority: enums.NeedPriority
    identified_on: date


@strawberry.type(description="What the KAM method asks the team to know about the customer's business.")
class BusinessContext:
    strategy: str | None = None
    operating_dynamics: str | None = None
    challenges: list[str] = strawberry.field(default_factory=list)
    competitors: list[str] = strawberry.field(default_factory=list)
    buying_process: str | None = None
    buying_behaviour: str | None = None


@strawberry.type(description="Latest relationship signals from customer feedback.")
class FeedbackSignals:
    latest_csat: int | None
    latest_csat_on: date | None
    latest_nps: int | None
    latest_nps_on: date | None
    open_complaints: int
    complaints: int
    referrals: int


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@strawberry.type(description="A customer organisation served by a key-account team (from the account summary).")
class Account(relay.Node):
    account_id: relay.NodeID[str]
    name: str
    segment: enums.Segment
    region: str
    industry: str | None
    size: enums.AccountSize | None
    status: enums.AccountStatus
    external_ref: str | None = strawberry.field(description="Reference in the policy-administration system.")
    version: int = strawberry.field(description="Account aggregate version, for expectedVersion.")
    team_version: int = strawberry.field(description="Account-team aggregate version (0 before the first assignment).")
    lead_relationship_manager_id: str | None
    team: list[Assignment] = strawberry.field(description="Current, past and planned assignments.")
    business_context: BusinessContext
    stakeholders: list[Stakeholder]
    needs: list[Need]
    feedback: FeedbackSignals
    opened_at: datetime
    updated_at: datetime
    closed_on: date | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Account:
        context = json.loads(row["context"])
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
            team=[Assignment.from_dict(a) for a in json.loads(row["team"])],
            business_context=BusinessContext(**context),
            stakeholders=[
                Stakeholder(**{**s, "role": values.StakeholderRole(s["role"])}) for s in json.loads(row["stakeholders"])
            ],
            needs=[
                Need(
                    **{
                        **n,
                        "priority": values.NeedPriority(n["priority"]),
                        "identified_on": date.fromisoformat(n["identified_on"]),
                    }
                )
                for n in json.loads(row["needs"])
            ],
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
