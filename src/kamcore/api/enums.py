"""The domain's closed sets, exposed as GraphQL enums (member names are the GraphQL values)."""

from __future__ import annotations

import strawberry

from kamcore.domain import values

Segment = strawberry.enum(values.Segment, description="Customer segment an account is served in.")
AccountSize = strawberry.enum(values.AccountSize, description="Size band of the customer organisation.")
AccountStatus = strawberry.enum(values.AccountStatus, description="A closed account accepts no new business.")
StakeholderRole = strawberry.enum(values.StakeholderRole, description="Role of a contact in buying decisions.")
NeedPriority = strawberry.enum(values.NeedPriority, description="How pressing an identified need is.")
TeamRole = strawberry.enum(values.TeamRole, description="Role on an account team; exactly one LEAD at a time.")
SurveyScale = strawberry.enum(values.SurveyScale, description="CSAT 1-5, NPS 0-10, or a 1-5 rating.")
SurveySubject = strawberry.enum(values.SurveySubject, description="What a survey response rates.")
