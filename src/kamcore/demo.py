"""A small, seeded demo book so a fresh install has something to query."""

from __future__ import annotations

import random
from datetime import timedelta

from kamcore.application import CommandContext, KamApplication
from kamcore.domain.values import BusinessContext, Segment, Source, StakeholderRole, SurveyScale, TeamRole, today

NAMES = (
    "Atlas",
    "Borealis",
    "Cobalt",
    "Delta",
    "Evergreen",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Summit",
    "Tidal",
)
KINDS = ("Logistics", "Manufacturing", "Foods", "Energy", "Health", "Retail", "Shipping", "Construction")
REGIONS = ("North", "South", "East", "West", "Central")
RMS = tuple(f"rm-{n:03d}" for n in range(1, 9))


def seed_demo(app: KamApplication, accounts: int = 40, seed: int = 7) -> int:
    """Open `accounts` accounts with context, stakeholders, a team and feedback; returns events written."""
    rng = random.Random(seed)
    ctx = CommandContext(actor="demo", source=Source.CLI, reason="demo data")
    start = app.head_position()
    for n in range(accounts):
        name = f"{NAMES[n % len(NAMES)]} {KINDS[(n // len(NAMES)) % len(KINDS)]} {n + 1}"
        opened = app.open_account(
            ctx,
            name=name,
            segment=rng.choice(list(Segment)),
            region=rng.choice(REGIONS),
            industry=KINDS[n % len(KINDS)],
            external_ref=f"DEMO-{n + 1:05d}",
        )
        account_id = opened.aggregate_id
        app.record_business_context(
            ctx,
            account_id,
            BusinessContext(
                strategy="Grow in adjacent markets",
                challenges=("supply-chain risk", "cost pressure"),
                competitors=("Northwind Mutual",),
                buying_process="Annual broker-led tender",
            ),
        )
        app.add_stakeholder(ctx, account_id, name=f"CFO of {name}", role=StakeholderRole.DECISION_MAKER)
        app.identify_need(ctx, account_id, description="Cyber cover for OT systems", line_of_business="cyber")
        lead, other = rng.sample(RMS, 2)
        app.assign_relationship_manager(
            ctx,
            account_id,
            relationship_manager_id=lead,
            role=TeamRole.LEAD,
            effective_from=today() - timedelta(days=rng.randint(30, 700)),
        )
        app.assign_relationship_manager(ctx, account_id, relationship_manager_id=other, role=TeamRole.UNDERWRITER)
        app.record_survey_response(ctx, account_id, scale=SurveyScale.NPS, score=rng.randint(4, 10))
        app.record_survey_response(ctx, account_id, scale=SurveyScale.CSAT, score=rng.randint(2, 5))
        if rng.random() < 0.2:
            app.raise_complaint(ctx, account_id, category="claims", description="Slow claim payment")
        if rng.random() < 0.3:
            app.record_referral(ctx, account_id, referred_party=f"Partner of {name}", note=None)
    return app.head_position() - start
