"""The domain's rules, without storage: each failure is typed and names its field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from kamcore.domain import rules
from kamcore.domain.account import Account
from kamcore.domain.account_team import AccountTeam
from kamcore.domain.envelope import AuditEnvelope
from kamcore.domain.errors import Conflict, InvalidInput, NotFound
from kamcore.domain.feedback import Complaint, SurveyResponse
from kamcore.domain.values import Money, Source, SurveyScale, TeamRole


def envelope(reason: str | None = "because", effective: date | None = None) -> AuditEnvelope:
    return AuditEnvelope(
        actor="u",
        correlation_id="c",
        causation_id="c",
        source=Source.API,
        recorded_at=datetime(2026, 6, 1, 12, tzinfo=UTC),
        reason=reason,
        effective_date=effective,
    )


def new_account() -> Account:
    return Account.open(name="ACME", segment="corporate", region="EMEA", envelope=envelope())


def tagging_sealer(subject_id: str, value: str) -> str:
    """Stands in for encryption: shows which subject each personal value was sealed for."""
    return f"sealed[{subject_id}]{value}"


class TestAccount:
    def test_open_trims_and_types_the_profile(self) -> None:
        account = Account.open(name="  ACME  ", segment="sme", region="North", size="large", envelope=envelope())
        assert account.name == "ACME"
        assert account.segment.value == "sme"
        assert account.size is not None
        assert account.size.value == "large"

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"name": " "}, "name"),
            ({"name": "x" * 201}, "name"),
            ({"segment": "galactic"}, "segment"),
            ({"region": ""}, "region"),
            ({"size": "huge"}, "size"),
            ({"external_ref": "bad ref with spaces"}, "external_ref"),
            ({"name": "bell\x07"}, "name"),
        ],
    )
    def test_open_rejects_bad_input_naming_the_field(self, kwargs: dict, field: str) -> None:
        args = {"name": "ACME", "segment": "corporate", "region": "EMEA", **kwargs}
        with pytest.raises(InvalidInput) as raised:
            Account.open(**args, envelope=envelope())
        assert raised.value.field == field

    def test_closed_account_accepts_no_new_business(self) -> None:
        account = new_account()
        account.close(envelope=envelope())
        with pytest.raises(Conflict) as raised:
            account.update_profile(name="New", envelope=envelope())
        assert raised.value.code == "ACCOUNT_CLOSED"

    def test_closing_needs_a_reason(self) -> None:
        with pytest.raises(InvalidInput) as raised:
            new_account().close(envelope=envelope(reason=None))
        assert raised.value.field == "reason"

    def test_every_event_carries_the_audit_envelope(self) -> None:
        account = new_account()
        account.add_stakeholder(name="Jo", role="decision_maker", seal=tagging_sealer, envelope=envelope())
        events = account.collect_events()
        assert [type(e).__name__ for e in events] == ["Opened", "StakeholderAdded"]
        assert all(e.envelope.actor == "u" for e in events)

    def test_stakeholder_email_must_look_like_one(self) -> None:
        with pytest.raises(InvalidInput) as raised:
            new_account().add_stakeholder(
                name="Jo", role="user", email="not-an-email", seal=tagging_sealer, envelope=envelope()
            )
        assert raised.value.field == "email"

    def test_personal_fields_are_checked_plain_and_stored_sealed_for_the_contact(self) -> None:
        account = new_account()
        added = account.add_stakeholder(
            name=" Jo Bloggs ",
            role="user",
            title="CFO",
            email="jo@acme.example",
            seal=tagging_sealer,
            envelope=envelope(),
        )
        subject = f"account:{account.id}/{added.stakeholder_id}"
        assert (added.name, added.title, added.email) == (
            f"sealed[{subject}]Jo Bloggs",
            f"sealed[{subject}]CFO",
            f"sealed[{subject}]jo@acme.example",
        )
        assert added.role.value == "user"

    def test_erasure_names_the_subject_and_carries_the_reason_not_the_person(self) -> None:
        account = new_account()
        jo = account.add_stakeholder(name="Jo", role="user", seal=tagging_sealer, envelope=envelope())
        account.remove_stakeholder(jo.stakeholder_id, envelope=envelope())  # removed contacts can still be erased
        account.close(envelope=envelope())  # and so can contacts of closed accounts
        subject = account.erase_data_subject(jo.stakeholder_id, envelope=envelope("GDPR art. 17 request"))
        erased = account.collect_events()[-1]
        assert type(erased).__name__ == "DataSubjectErased"
        assert (erased.subject_id, erased.stakeholder_id, erased.envelope.reason) == (
            subject,
            jo.stakeholder_id,
            "GDPR art. 17 request",
        )
        assert "Jo" not in repr(vars(erased))

    def test_erasure_refusals_are_typed(self) -> None:
        account = new_account()
        jo = account.add_stakeholder(name="Jo", role="user", seal=tagging_sealer, envelope=envelope())
        with pytest.raises(NotFound) as unknown:
            account.erase_data_subject("stakeholder-99", envelope=envelope())
        assert unknown.value.field == "stakeholder_id"
        with pytest.raises(InvalidInput) as no_reason:
            account.erase_data_subject(jo.stakeholder_id, envelope=envelope(reason=None))
        assert no_reason.value.field == "reason"
        account.erase_data_subject(jo.stakeholder_id, envelope=envelope())
        with pytest.raises(Conflict) as twice:
            account.erase_data_subject(jo.stakeholder_id, envelope=envelope())
        assert twice.value.code == "ALREADY_ERASED"


class TestAccountTeam:
    def team(self) -> AccountTeam:
        team = AccountTeam(account_id=uuid4(), envelope=envelope())
        team.assign(
            relationship_manager_id="rm-1",
            role=TeamRole.LEAD,
            effective_from=date(2026, 1, 1),
            effective_to=None,
            envelope=envelope(),
        )
        return team

    def test_a_second_overlapping_lead_is_refused(self) -> None:
        with pytest.raises(Conflict) as raised:
            self.team().assign(
                relationship_manager_id="rm-2",
                role="lead",
                effective_from=date(2026, 3, 1),
                effective_to=None,
                envelope=envelope(),
            )
        assert raised.value.code == "LEAD_EXISTS"

    def test_hand_over_ends_the_old_lead_the_day_the_new_one_starts(self) -> None:
        team = self.team()
        team.hand_over_lead(relationship_manager_id="rm-2", effective_date=date(2026, 4, 1), envelope=envelope())
        assert team.lead_on(date(2026, 3, 31)).relationship_manager_id == "rm-1"
        assert team.lead_on(date(2026, 4, 1)).relationship_manager_id == "rm-2"
        leads = [a for a in team.assignments.values() if a.role is TeamRole.LEAD]
        assert [(a.effective_from, a.effective_to) for a in leads] == [
            (date(2026, 1, 1), date(2026, 4, 1)),
            (date(2026, 4, 1), None),
        ]

    def test_the_lead_cannot_simply_leave_an_open_account(self) -> None:
        team = self.team()
        with pytest.raises(Conflict) as raised:
            team.release("assignment-2", effective_to=date(2026, 5, 1), account_closed=False, envelope=envelope())
        assert raised.value.code == "LEAD_REQUIRED"
        team.release("assignment-2", effective_to=date(2026, 5, 1), account_closed=True, envelope=envelope())
        assert team.lead_on(date(2026, 5, 1)) is None

    def test_an_assignment_ends_after_it_starts(self) -> None:
        with pytest.raises(InvalidInput) as raised:
            self.team().assign(
                relationship_manager_id="rm-3",
                role="underwriter",
                effective_from=date(2026, 5, 1),
                effective_to=date(2026, 5, 1),
                envelope=envelope(),
            )
        assert raised.value.field == "effective_to"

    def test_release_needs_a_reason(self) -> None:
        team = self.team()
        team.assign(
            relationship_manager_id="rm-3",
            role="underwriter",
            effective_from=date(2026, 1, 1),
            effective_to=None,
            envelope=envelope(),
        )
        with pytest.raises(InvalidInput) as raised:
            team.release(
                "assignment-3", effective_to=date(2026, 2, 1), account_closed=False, envelope=envelope(reason=None)
            )
        assert raised.value.field == "reason"


class TestFeedback:
    @pytest.mark.parametrize(("scale", "score"), [("nps", -1), ("nps", 11), ("csat", 0), ("csat", 6), ("rating_5", 0)])
    def test_scores_outside_their_scale_are_refused(self, scale: str, score: int) -> None:
        with pytest.raises(InvalidInput) as raised:
            SurveyResponse.record(
                account_id=uuid4(),
                scale=scale,
                subject="overall_service",
                score=score,
                seal=tagging_sealer,
                envelope=envelope(),
            )
        assert raised.value.field == "score"

    @pytest.mark.parametrize(("scale", "score"), [("nps", 0), ("nps", 10), ("csat", 1), ("csat", 5)])
    def test_scores_at_the_bounds_are_accepted(self, scale: str, score: int) -> None:
        response = SurveyResponse.record(
            account_id=uuid4(),
            scale=scale,
            subject="overall_service",
            score=score,
            seal=tagging_sealer,
            envelope=envelope(),
        )
        assert response.scale is SurveyScale(scale)

    def test_booleans_are_not_scores(self) -> None:
        with pytest.raises(InvalidInput):
            SurveyResponse.record(
                account_id=uuid4(),
                scale="csat",
                subject="overall_service",
                score=True,
                seal=tagging_sealer,
                envelope=envelope(),
            )

    def test_a_complaint_is_resolved_once_and_not_before_it_was_raised(self) -> None:
        complaint = Complaint.raise_(
            account_id=uuid4(), category="claims", description="slow", envelope=envelope(effective=date(2026, 5, 10))
        )
        with pytest.raises(InvalidInput):
            complaint.resolve(resolution="paid", envelope=envelope(effective=date(2026, 5, 9)))
        complaint.resolve(resolution="paid", envelope=envelope(effective=date(2026, 5, 12)))
        with pytest.raises(Conflict):
            complaint.resolve(resolution="again", envelope=envelope())


def test_control_characters_are_those_below_space_but_tab_and_newline() -> None:
    """The text check's regular expression (a fast path) refuses exactly what a per-character test would."""
    for code in range(0x3000):
        character = chr(code)
        expected = ord(character) < 32 and character not in "\n\t"
        assert bool(rules.CONTROL_CHARACTER.search(f"a{character}b")) is expected, code


class TestMoney:
    def test_money_is_decimal_and_refuses_floats(self) -> None:
        assert Money.of("1250.50", "EUR").amount == Decimal("1250.50")
        with pytest.raises(InvalidInput):
            Money.of(1.5, "EUR")

    @pytest.mark.parametrize(
        ("amount", "currency", "field"),
        [("-1", "EUR", "amount"), ("abc", "EUR", "amount"), ("1", "euro", "currency"), ("NaN", "EUR", "amount")],
    )
    def test_bad_money_is_refused(self, amount: str, currency: str, field: str) -> None:
        with pytest.raises(InvalidInput) as raised:
            Money.of(amount, currency)
        assert raised.value.field == field

    @pytest.mark.parametrize("text", ["0", "-0", "1.10", "1E+2", "-3.5", "0.00001", "NaN", "-Infinity", "12.3400"])
    def test_a_decimal_amount_checks_like_its_text(self, text: str) -> None:
        """`Money.of` takes a Decimal as it is (a fast path); the result or refusal is that of its text."""

        def outcome(amount: object) -> object:
            try:
                money = Money.of(amount, "EUR", non_negative=False)
            except InvalidInput as error:
                return error.field, error.message
            return money, money.amount.as_tuple()

        assert outcome(Decimal(text)) == outcome(text)
