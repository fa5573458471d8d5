"""A seeded, realistic insurer book, written through the domain and the import's batched writer.

`write_book(app, accounts=N, seed=S)` generates about three and a half years of business, in
business-date order per aggregate, with every envelope dated by its business date:

- a product catalogue (ten products over eight lines of business) and relationship managers in
  teams, with team moves, development records (certifications, workshops, trainings), compliance
  records (audits, trainings, documentation checks, rare violations), satisfaction surveys,
  quarterly performance reports and innovation projects;
- accounts whose annual premium is lognormal (sigma 1.5: the top 5 % of accounts carry roughly
  half the premium), with stakeholders, needs, business context and a team whose lead is handed
  over and whose members are released and replaced over time;
- quotes that are bound (about 70 %), declined or left to expire; yearly renewals (about 85 %),
  lapses and mid-term cancellations with who initiated them, and endorsements;
- claims whose frequency follows premium, with reserves, partial payments, lognormal settlement
  times (median about two months; the youngest are still open) and occasional reopenings;
- meetings, account reviews with action items, education sessions, risk and coverage assessments,
  surveys (CSAT, NPS, benefits understanding, education material, digital service), complaints,
  referrals and recommendations (accepted and linked to a policy, or declined).

Same seed, same book (ids of aggregates without a natural key differ, their content does not; contacts' and
referred parties' personal data is sealed with fresh keys, so only its decrypted content is the same).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import uuid4

from kamcore.application.handling import CommandHandling
from kamcore.domain.account import Account
from kamcore.domain.account_team import AccountTeam
from kamcore.domain.claim import Claim
from kamcore.domain.feedback import Complaint, Referral, SurveyResponse
from kamcore.domain.interaction import Interaction
from kamcore.domain.policy import Policy
from kamcore.domain.product import Product
from kamcore.domain.recommendation import Recommendation
from kamcore.domain.relationship_manager import RelationshipManager
from kamcore.domain.values import (
    AuditRating,
    BusinessContext,
    BusinessKind,
    CoverageResult,
    Initiator,
    InnovationOutcome,
    InteractionKind,
    LearningFormat,
    Money,
    Source,
    StakeholderRole,
    SurveyScale,
    SurveySubject,
    TeamRole,
    ViolationSeverity,
    today,
)
from kamcore.importing.workspace import Envelopes
from kamcore.importing.writer import BulkWriter

YEARS = 3.5
CURRENCY = "EUR"
CENT = Decimal("0.01")

# code, name, line of business, target segments, needs covered, share of an account's premium
CATALOGUE: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...], float], ...] = (
    (
        "PROP-ALLRISK",
        "Commercial property all risks",
        "property",
        ("corporate", "mid_market", "sme"),
        ("property damage",),
        0.30,
    ),
    ("BI-EXT", "Business interruption", "property", ("corporate", "mid_market"), ("lost income",), 0.10),
    (
        "LIAB-GEN",
        "General liability",
        "liability",
        ("corporate", "mid_market", "sme", "public_sector"),
        ("third-party claims",),
        0.15,
    ),
    (
        "DO-MGMT",
        "Directors and officers",
        "financial_lines",
        ("corporate", "mid_market"),
        ("management liability",),
        0.08,
    ),
    (
        "CYBER-STD",
        "Cyber protection",
        "cyber",
        ("corporate", "mid_market", "sme"),
        ("cyber attacks", "data breach"),
        0.07,
    ),
    ("MARINE-CARGO", "Marine cargo", "marine", ("corporate", "mid_market"), ("goods in transit",), 0.10),
    (
        "MOTOR-FLEET",
        "Motor fleet",
        "motor",
        ("corporate", "mid_market", "sme", "public_sector"),
        ("vehicle fleet",),
        0.08,
    ),
    ("EB-GLIFE", "Group life", "life", ("corporate", "public_sector", "affinity"), ("employee benefits",), 0.05),
    ("EB-HEALTH", "Group health", "health", ("corporate", "public_sector", "affinity"), ("employee health",), 0.05),
    ("ENG-CAR", "Contractors all risks", "engineering", ("corporate", "mid_market"), ("construction projects",), 0.02),
)
LOSS_RATE = {"property": 0.25, "liability": 0.2, "motor": 1.2, "health": 2.0, "marine": 0.4, "cyber": 0.15}
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
INDUSTRIES = ("Logistics", "Manufacturing", "Foods", "Energy", "Health", "Retail", "Shipping", "Construction")
REGIONS = ("North", "South", "East", "West", "Central")
TEAMS = ("team-north", "team-south", "team-east", "team-west", "team-central", "team-specialty")
SEGMENTS = (("corporate", 0.35), ("mid_market", 0.3), ("sme", 0.2), ("public_sector", 0.1), ("affinity", 0.05))


def money(amount: float | Decimal) -> Money:
    return Money(Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP), CURRENCY)


class BookWriter:
    """Generates the book day by day per aggregate and hands finished aggregates to the bulk writer."""

    def __init__(self, app: CommandHandling, seed: int, *, actor: str = "demo", batch_events: int = 5_000) -> None:
        self.rng = random.Random(seed)
        self.today = today()
        self.start = self.today - timedelta(days=int(365 * YEARS))
        self.writer = BulkWriter(app, batch_events=batch_events)
        self.envelopes = Envelopes(actor, str(uuid4()), "demo book", source=Source.CLI)
        self.products: dict[str, Product] = {}
        self.rms: list[RelationshipManager] = []

    # -- helpers ------------------------------------------------------------------------------

    def env(self, day: date) -> Any:
        return self.envelopes.on(min(day, self.today), "effective_date")

    def day_between(self, first: date, last: date) -> date:
        span = (last - first).days
        return first + timedelta(days=self.rng.randint(0, max(span, 0)))

    def save(self, *aggregates: Any) -> None:
        before = self.writer.events_written
        self.writer.add(aggregates)
        if self.writer.events_written != before:
            self.envelopes.refresh()

    # -- the book -----------------------------------------------------------------------------

    def write(self, accounts: int, progress: Callable[[int], None] | None = None) -> int:
        self._catalogue()
        self._personnel(max(8, accounts // 25))
        for n in range(accounts):
            self._account(n)
            if progress is not None and n % 100 == 0:
                progress(n)
        self._personnel_history()
        self.writer.flush()
        if progress is not None:
            progress(accounts)
        return self.writer.events_written

    def _catalogue(self) -> None:
        launched = self.start - timedelta(days=60)
        for code, name, line, segments, needs, _ in CATALOGUE:
            product = Product.launch(
                code=code,
                name=name,
                line_of_business=line,
                target_segments=segments,
                needs_covered=needs,
                envelope=self.env(launched),
            )
            self.products[code] = product
        self.save(*self.products.values())

    def _personnel(self, count: int) -> None:
        registered = self.start - timedelta(days=30)
        for n in range(count):
            self.rms.append(
                RelationshipManager.register(
                    employee_id=f"rm-{n + 1:04d}",
                    name=f"Relationship Manager {n + 1}",
                    team=TEAMS[n % len(TEAMS)],
                    capacity=self.rng.choice((15, 20, 25, 30)),
                    envelope=self.env(registered),
                )
            )

    def _personnel_history(self) -> None:
        rng = self.rng
        for rm in self.rms:
            day = self.start
            moved = False
            quarter = date(self.start.year, 1 + 3 * ((self.start.month - 1) // 3), 1)
            while day < self.today:
                year_end = min(day + timedelta(days=365), self.today)
                if rng.random() < 0.35:
                    rm.obtain_certification(
                        certification=rng.choice(("CII Diploma", "ACII", "CPCU", "ARM")),
                        issuer="Chartered Insurance Institute",
                        envelope=self.env(self.day_between(day, year_end)),
                    )
                for _ in range(rng.randint(1, 3)):
                    rm.attend_workshop(
                        title=rng.choice(("Negotiation", "Risk engineering basics", "Cyber trends")),
                        learning_format=rng.choice(list(LearningFormat)),
                        hours=Decimal(rng.choice((2, 4, 8))),
                        envelope=self.env(self.day_between(day, year_end)),
                    )
                assigned = self.day_between(day, year_end)
                training = rm.assign_training(
                    title="Annual product training", due_date=assigned + timedelta(days=60), envelope=self.env(assigned)
                )
                done = assigned + timedelta(days=rng.randint(5, 90))
                if done <= self.today and rng.random() < 0.85:
                    rm.complete_training(training, envelope=self.env(done))
                applicable = rng.randint(20, 40)
                rm.complete_compliance_audit(
                    auditor="Internal audit",
                    rating=rng.choice(list(AuditRating)[:3]),
                    items_applicable=applicable,
                    items_passed=applicable - rng.choice((0, 0, 1, 2, 4)),
                    envelope=self.env(self.day_between(day, year_end)),
                )
                rm.attend_compliance_training(
                    title="Conduct and anti-bribery",
                    hours=Decimal(3),
                    envelope=self.env(self.day_between(day, year_end)),
                )
                checked = rng.randint(10, 30)
                rm.check_documentation(
                    policies_checked=checked,
                    policies_accurate=checked - rng.randint(0, 3),
                    envelope=self.env(self.day_between(day, year_end)),
                )
                if rng.random() < 0.05:
                    reported = self.day_between(day, year_end)
                    rm.report_violation(
                        regulation="IDD",
                        severity=rng.choice(list(ViolationSeverity)[:2]),
                        occurred_on=reported - timedelta(days=rng.randint(0, 20)),
                        description="Suitability statement missing",
                        envelope=self.env(reported),
                    )
                rm.answer_satisfaction_survey(
                    scale=SurveyScale.NPS, score=rng.randint(3, 10), envelope=self.env(self.day_between(day, year_end))
                )
                rm.share_knowledge(
                    title="Lessons from large losses",
                    audience_size=rng.randint(5, 40),
                    envelope=self.env(self.day_between(day, year_end)),
                )
                if rng.random() < 0.1:
                    begun = self.day_between(day, year_end)
                    project = rm.start_innovation_project(title="Digital renewal pack", envelope=self.env(begun))
                    ended = begun + timedelta(days=rng.randint(60, 240))
                    if ended <= self.today:
                        rm.conclude_innovation_project(
                            project, outcome=rng.choice(list(InnovationOutcome)), envelope=self.env(ended)
                        )
                if not moved and rng.random() < 0.1:
                    moved = True
                    rm.change_team(
                        team=rng.choice([t for t in TEAMS if t != rm.team]),
                        envelope=self.env(self.day_between(day, year_end)),
                    )
                day = year_end + timedelta(days=1)
            while quarter < self.today - timedelta(days=100):
                month = date(quarter.year, quarter.month, 1)
                submitted = month + timedelta(days=rng.randint(95, 100))
                rm.submit_performance_report(month=month, envelope=self.env(submitted))
                if rng.random() < 0.05:
                    rm.correct_performance_report(
                        month=month,
                        errors_found=rng.randint(1, 3),
                        description="Premium figures restated",
                        envelope=self.env(submitted + timedelta(days=7)),
                    )
                quarter = date(quarter.year + (quarter.month + 2) // 12, (quarter.month + 2) % 12 + 1, 1)
            self.save(rm)

    def _account(self, n: int) -> None:
        rng = self.rng
        opened = self.day_between(self.start, self.start + timedelta(days=365))
        segment = rng.choices([s for s, _ in SEGMENTS], [w for _, w in SEGMENTS])[0]
        name = f"{NAMES[n % len(NAMES)]} {INDUSTRIES[(n // len(NAMES)) % len(INDUSTRIES)]} {n + 1}"
        account = Account.open(
            name=name,
            segment=segment,
            region=rng.choice(REGIONS),
            industry=INDUSTRIES[n % len(INDUSTRIES)],
            size=rng.choice(("medium", "large", "enterprise")),
            external_ref=f"DEMO-{n + 1:06d}",
            envelope=self.env(opened),
        )
        account.record_business_context(
            BusinessContext(
                strategy="Grow in adjacent markets",
                challenges=("supply-chain risk", "cost pressure"),
                competitors=("Northwind Mutual", "Contoso Re"),
                buying_process="Annual broker-led tender",
            ),
            envelope=self.env(opened),
        )
        stakeholders = [
            account.add_stakeholder(
                name=f"{role.value.replace('_', ' ').title()} of {name}",
                role=role,
                seal=self.writer.keys.seal,
                envelope=self.env(opened),
            ).stakeholder_id
            for role in rng.sample(list(StakeholderRole), rng.randint(1, 3))
        ]
        # heavy tail: lognormal annual premium, median ~12k EUR; the top few percent carry most of it
        premium = math.exp(rng.gauss(9.4, 1.5))
        team = AccountTeam(account_id=account.id, envelope=self.env(opened))
        lead = rng.choice(self.rms).employee_id
        team.assign(
            relationship_manager_id=lead,
            role=TeamRole.LEAD,
            effective_from=opened,
            effective_to=None,
            envelope=self.env(opened),
        )
        helpers = [r.employee_id for r in rng.sample(self.rms, 2) if r.employee_id != lead]
        underwriter = team.assign(
            relationship_manager_id=helpers[0],
            role=TeamRole.UNDERWRITER,
            effective_from=opened,
            effective_to=None,
            envelope=self.env(opened),
        )
        extras: list[Any] = []
        policies = self._policies(account, premium, opened, extras)
        self._relationship(account, team, lead, stakeholders, policies, opened, extras)
        # restaffing: a lead hand-over and an underwriter replaced for some accounts
        if rng.random() < 0.3:
            handed = self.day_between(opened + timedelta(days=90), self.today - timedelta(days=1))
            successor = rng.choice([r.employee_id for r in self.rms if r.employee_id != lead])
            team.hand_over_lead(relationship_manager_id=successor, effective_date=handed, envelope=self.env(handed))
        if rng.random() < 0.2 and len(helpers) > 1:
            released = self.day_between(opened + timedelta(days=120), self.today - timedelta(days=1))
            team.release(
                underwriter.assignment_id, effective_to=released, account_closed=False, envelope=self.env(released)
            )
            team.assign(
                relationship_manager_id=helpers[1],
                role=TeamRole.UNDERWRITER,
                effective_from=released,
                effective_to=None,
                envelope=self.env(released),
            )
        self.save(account, team, *policies, *extras)

    def _policies(self, account: Account, premium: float, opened: date, extras: list[Any]) -> list[Policy]:
        rng = self.rng
        segment = account.segment.value
        offered = [c for c in CATALOGUE if segment in c[3]]
        held = rng.sample(offered, min(len(offered), 1 + int(rng.random() * min(4, 1 + premium / 20_000))))
        policies: list[Policy] = []
        first = True
        for index, (code, _, line, _, _, share) in enumerate(held):
            quoted = self.day_between(opened, opened + timedelta(days=400 if not first else 30))
            if quoted >= self.today - timedelta(days=20):
                continue
            kind = BusinessKind.NEW_CLIENT if first else BusinessKind.CROSS_SELL
            annual = max(premium * share * rng.uniform(0.7, 1.3) * 3, 500.0)
            number = f"{account.external_ref}-{index + 1:02d}"
            quote = Policy.issue_quote(
                account_id=account.id,
                product=self.products[code],
                business_kind=kind,
                written_premium=money(annual),
                commission=money(annual * rng.choice((0.05, 0.1, 0.125, 0.15))),
                sum_insured=money(annual * rng.randint(50, 400)),
                inception_date=quoted + timedelta(days=30),
                expiry_date=quoted + timedelta(days=395),
                policy_number=f"{number}-T1",
                envelope=self.env(quoted),
            )
            policies.append(quote)
            decided = quoted + timedelta(days=rng.randint(3, 25))
            outcome = rng.random()
            if outcome < 0.2:
                quote.decline_quote(declined_by=rng.choice(list(Initiator)), envelope=self.env(decided))
                continue
            if outcome < 0.28:
                quote.expire_quote(envelope=self.env(quote.quoted_on + timedelta(days=30)))
                continue
            quote.bind(envelope=self.env(decided))
            first = False
            self._term_history(quote, number, line, policies, extras)
        return policies

    def _term_history(self, term: Policy, number: str, line: str, policies: list[Policy], extras: list[Any]) -> None:
        rng = self.rng
        generation = 1
        while True:
            end = term.expiry_date
            if rng.random() < 0.12:
                endorsed = self.day_between(term.inception_date, min(end - timedelta(days=1), self.today))
                if endorsed <= self.today:
                    change = term.written_premium.amount * Decimal(str(rng.choice((0.05, 0.1, -0.05))))
                    term.endorse(
                        effective_date=endorsed,
                        premium_change=money(change),
                        commission_change=money(0),
                        description="Sum insured adjusted after asset review",
                        envelope=self.env(endorsed),
                    )
            if rng.random() < 0.05:
                cancelled = self.day_between(term.inception_date + timedelta(days=30), end - timedelta(days=30))
                if cancelled <= self.today:
                    self._claims(term, line, cancelled, extras)
                    fraction = Decimal((end - cancelled).days) / Decimal((end - term.inception_date).days)
                    term.cancel(
                        initiated_by=rng.choice(list(Initiator)),
                        effective_date=cancelled,
                        return_premium=money(term.written_premium.amount * fraction),
                        return_commission=money(term.commission.amount * fraction),
                        envelope=self.env(cancelled),
                    )
                    return
            self._claims(term, line, end, extras)
            renewal_quote = end - timedelta(days=rng.randint(30, 60))
            if renewal_quote > self.today:
                return
            if rng.random() > 0.85:
                if end <= self.today:
                    term.lapse(
                        initiated_by=rng.choice((Initiator.CUSTOMER, Initiator.CUSTOMER, Initiator.INSURER)),
                        effective_date=end,
                        envelope=self.env(end),
                    )
                return
            generation += 1
            growth = Decimal(str(rng.uniform(0.97, 1.12)))
            renewal = Policy.issue_quote(
                account_id=term.account_id,
                product=self.products[term.product_code],
                business_kind=BusinessKind.RENEWAL,
                written_premium=money(term.written_premium.amount * growth),
                commission=money(term.commission.amount * growth),
                sum_insured=term.sum_insured,
                inception_date=end,
                expiry_date=end + timedelta(days=365),
                renews=term,
                policy_number=f"{number}-T{generation}",
                envelope=self.env(renewal_quote),
            )
            bound = renewal_quote + timedelta(days=rng.randint(5, 25))
            renewal.bind(envelope=self.env(bound))
            term.mark_renewed(renewal, envelope=self.env(bound))
            policies.append(renewal)
            term = renewal

    def _claims(self, term: Policy, line: str, end: date, extras: list[Any]) -> None:
        rng = self.rng
        expected = LOSS_RATE.get(line, 0.1) * min(3.0, 0.5 + float(term.written_premium.amount) / 50_000)
        last_day = min(end - timedelta(days=1), self.today - timedelta(days=3))
        count = sum(1 for _ in range(6) if rng.random() < expected / 6)
        for _ in range(count):
            if last_day < term.inception_date:
                return
            loss = self.day_between(term.inception_date, last_day)
            reported = min(loss + timedelta(days=int(rng.expovariate(1 / 7))), self.today)
            claim = Claim.report(
                policy=term,
                loss_date=loss,
                description=rng.choice(
                    ("Water damage", "Fire in storage area", "Theft", "Third-party injury", "Vehicle collision")
                ),
                claim_number=f"CL-{term.policy_number}-{len(extras)}",
                envelope=self.env(reported),
            )
            severity = math.exp(rng.gauss(8.5, 1.3))
            claim.set_reserve(reserve=money(severity), envelope=self.env(reported))
            settle_days = int(math.exp(rng.gauss(4.1, 0.9)))  # median ~60 days, long tail
            paid = reported + timedelta(days=max(1, settle_days // 2))
            closed = reported + timedelta(days=max(2, settle_days))
            if paid <= self.today and rng.random() < 0.9:
                claim.pay(amount=money(severity * rng.uniform(0.4, 0.8)), envelope=self.env(paid))
            if closed <= self.today:
                claim.close(envelope=self.env(closed))
                reopened = closed + timedelta(days=rng.randint(10, 120))
                if rng.random() < 0.03 and reopened <= self.today:
                    claim.reopen(envelope=self.env(reopened))
            extras.append(claim)

    def _relationship(
        self,
        account: Account,
        team: AccountTeam,
        lead: str,
        stakeholders: list[str],
        policies: list[Policy],
        opened: date,
        extras: list[Any],
    ) -> None:
        rng = self.rng
        day = opened + timedelta(days=rng.randint(10, 40))
        bound = [p for p in policies if p.bound_on is not None]
        while day < self.today:
            kind = rng.choices(list(InteractionKind), (0.5, 0.15, 0.12, 0.12, 0.11))[0]
            scheduled = day
            interaction = Interaction.schedule(
                account_id=account.id,
                kind=kind,
                subject=f"{kind.value.replace('_', ' ')} with client",
                scheduled_for=scheduled,
                relationship_manager_ids=[lead],
                stakeholder_ids=stakeholders[:1],
                envelope=self.env(scheduled - timedelta(days=7)),
            )
            if rng.random() < 0.1:
                interaction.cancel(envelope=self.env(scheduled - timedelta(days=1)))
            else:
                assessed = [p.id for p in bound if p.inception_date <= scheduled][:2]
                is_assessment = kind in (InteractionKind.RISK_ASSESSMENT, InteractionKind.COVERAGE_ASSESSMENT)
                interaction.hold(
                    outcome="Discussed cover, claims and next steps",
                    coverage_result=rng.choice(list(CoverageResult))
                    if kind is InteractionKind.COVERAGE_ASSESSMENT
                    else None,
                    policy_ids=assessed if is_assessment else (),
                    envelope=self.env(scheduled),
                )
                if kind is InteractionKind.ACCOUNT_REVIEW:
                    item = interaction.add_action_item(
                        description="Send renewal strategy",
                        owner_id=lead,
                        due_date=scheduled + timedelta(days=30),
                        envelope=self.env(scheduled),
                    )
                    done = scheduled + timedelta(days=rng.randint(5, 45))
                    if done <= self.today and rng.random() < 0.8:
                        interaction.complete_action_item(item.item_id, envelope=self.env(done))
                if kind is InteractionKind.EDUCATION_SESSION and rng.random() < 0.6:
                    extras.append(
                        self._survey(account, SurveyScale.RATING_5, SurveySubject.EDUCATION_MATERIAL, scheduled)
                    )
                    extras.append(
                        self._survey(account, SurveyScale.CSAT, SurveySubject.BENEFITS_UNDERSTANDING, scheduled)
                    )
            extras.append(interaction)
            day += timedelta(days=int(rng.expovariate(1 / 75)) + 14)
        for subject, scale in (
            (SurveySubject.OVERALL_SERVICE, SurveyScale.NPS),
            (SurveySubject.OVERALL_SERVICE, SurveyScale.CSAT),
            (SurveySubject.DIGITAL_SERVICE, SurveyScale.RATING_5),
            (SurveySubject.CLAIMS_EXPERIENCE, SurveyScale.CSAT),
        ):
            for _ in range(rng.randint(0, 3)):
                extras.append(self._survey(account, scale, subject, self.day_between(opened, self.today)))
        if rng.random() < 0.15:
            raised = self.day_between(opened, self.today)
            complaint = Complaint.raise_(
                account_id=account.id,
                category=rng.choice(("claims", "billing", "service")),
                description="Slow response on an open claim",
                envelope=self.env(raised),
            )
            resolved = raised + timedelta(days=rng.randint(3, 60))
            if resolved <= self.today:
                complaint.resolve(resolution="Escalated and settled", envelope=self.env(resolved))
            extras.append(complaint)
        if rng.random() < 0.25:
            extras.append(
                Referral.give(
                    account_id=account.id,
                    referred_party=f"A partner of {account.name}",
                    note=None,
                    seal=self.writer.keys.seal,
                    envelope=self.env(self.day_between(opened, self.today)),
                )
            )
        for line in rng.sample(("cyber", "liability", "marine", "health"), rng.randint(0, 2)):
            identified = self.day_between(opened, self.today - timedelta(days=30))
            need = account.identify_need(
                description=f"Cover for {line} exposures",
                line_of_business=line,
                priority=rng.choice(("low", "medium", "high")),
                envelope=self.env(identified),
            )
            product = next(p for p in self.products.values() if p.line_of_business == line)
            made = identified + timedelta(days=rng.randint(1, 20))
            recommendation = Recommendation.make(
                account_id=account.id,
                need_id=need.need_id,
                product=product,
                rationale="Matches an identified need",
                relationship_manager_id=lead,
                envelope=self.env(made),
            )
            decided = made + timedelta(days=rng.randint(5, 40))
            if decided <= self.today:
                if rng.random() < 0.45:
                    recommendation.accept(envelope=self.env(decided))
                    sold = next((p for p in policies if p.product_code == product.code and p.bound_on), None)
                    if sold is not None:
                        recommendation.link_policy(
                            policy_id=sold.id,
                            policy_account_id=account.id,
                            policy_product_code=product.code,
                            envelope=self.env(decided),
                        )
                else:
                    recommendation.decline(reason="Budget allocated elsewhere", envelope=self.env(decided))
            extras.append(recommendation)

    def _survey(self, account: Account, scale: SurveyScale, subject: SurveySubject, day: date) -> SurveyResponse:
        low, high = scale.bounds
        score = min(high, max(low, round(self.rng.gauss(high * 0.8, (high - low) / 4))))
        return SurveyResponse.record(
            account_id=account.id,
            scale=scale,
            subject=subject,
            score=score,
            seal=self.writer.keys.seal,
            envelope=self.env(day),
        )


def write_book(
    app: CommandHandling, accounts: int, seed: int = 7, progress: Callable[[int], None] | None = None
) -> int:
    """Write a seeded book of `accounts` accounts; returns the events written."""
    return BookWriter(app, seed).write(accounts, progress)


def seed_demo(app: CommandHandling, accounts: int = 40, seed: int = 7) -> int:
    """The demo book `serve --demo` seeds into an empty store; returns the events written."""
    return write_book(app, accounts, seed)
