"""A seeded book written in large batches through the domain (the bulk path), for benchmarks."""

from __future__ import annotations

import random
from datetime import timedelta

from kamcore.application import CommandContext, KamApplication
from kamcore.application.sealing import SAVE_KEYWORD, SubjectKeyChanges
from kamcore.domain.account import Account
from kamcore.domain.account_team import AccountTeam
from kamcore.domain.feedback import SurveyResponse
from kamcore.domain.values import Segment, Source, SurveyScale, SurveySubject, TeamRole, today

AGGREGATES_PER_SAVE = 300


def write_book(app: KamApplication, accounts: int, seed: int = 1) -> int:
    """Open `accounts` accounts, each with a stakeholder, a two-person team and two survey answers."""
    rng = random.Random(seed)
    envelope = CommandContext(actor="bench", source=Source.IMPORT, reason="benchmark book").envelope()
    start = app.head_position()
    pending: list[object] = []
    keys = SubjectKeyChanges()  # the contacts' keys, saved with the batch that holds their events
    for n in range(accounts):
        account = Account.open(
            name=f"Account {n:06d}",
            segment=rng.choice(list(Segment)),
            region=rng.choice(("North", "South", "East", "West")),
            envelope=envelope,
        )
        account.add_stakeholder(name=f"Contact {n}", role="decision_maker", seal=keys.seal, envelope=envelope)
        team = AccountTeam(account_id=account.id, envelope=envelope)
        team.assign(
            relationship_manager_id=f"rm-{rng.randrange(200):03d}",
            role=TeamRole.LEAD,
            effective_from=today() - timedelta(days=rng.randrange(30, 900)),
            effective_to=None,
            envelope=envelope,
        )
        team.assign(
            relationship_manager_id=f"rm-{rng.randrange(200):03d}",
            role=TeamRole.UNDERWRITER,
            effective_from=today() - timedelta(days=10),
            effective_to=None,
            envelope=envelope,
        )
        nps = SurveyResponse.record(
            account_id=account.id,
            scale=SurveyScale.NPS,
            subject=SurveySubject.OVERALL_SERVICE,
            score=rng.randint(0, 10),
            seal=keys.seal,
            envelope=envelope,
        )
        csat = SurveyResponse.record(
            account_id=account.id,
            scale=SurveyScale.CSAT,
            subject=SurveySubject.OVERALL_SERVICE,
            score=rng.randint(1, 5),
            seal=keys.seal,
            envelope=envelope,
        )
        pending += [account, team, nps, csat]
        if len(pending) >= AGGREGATES_PER_SAVE:
            app.save(*pending, **{SAVE_KEYWORD: keys})  # type: ignore[arg-type]
            pending, keys = [], SubjectKeyChanges()
    if pending:
        app.save(*pending, **{SAVE_KEYWORD: keys})  # type: ignore[arg-type]
    return app.head_position() - start
