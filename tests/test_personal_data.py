"""Contacts' personal data: sealed per contact in the event log, readable everywhere, erasable for good.

Erasure deletes the contact's key and records an event; the log itself is never rewritten, so the hash
chain, the signed checkpoints and exported bundles still verify.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from eventsourcing.persistence import IntegrityError
from httpx_ws import connect_ws
from strawberry.relay import GlobalID
from typer.testing import CliRunner

from kamcore.application import CommandContext
from kamcore.application.revealing import reveal_event, reveal_text
from kamcore.application.sealing import SubjectKeyChanges, seal, unseal
from kamcore.audit.export import ExportScope, export_bundle
from kamcore.audit.history import HistoryFilter, history
from kamcore.audit.replay import replay_check
from kamcore.audit.timetravel import PointInTime, account_as_of
from kamcore.audit.verify import verify_runtime
from kamcore.cli import app as cli
from kamcore.domain.account import Account
from kamcore.domain.errors import Conflict, InvalidInput, NotFound
from kamcore.domain.feedback import Referral, SurveyResponse
from kamcore.domain.personal_data import ERASED
from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .test_api_subscriptions import SUBSCRIBE, init, next_event, ws_url
from .test_cli import storage_args

NAME, TITLE, EMAIL = "Josephine Quill-Harrow", "Chief Risk Officer", "j.quill-harrow@atlas.example"
PERSONAL = (NAME, TITLE, EMAIL)


def stored_bytes(runtime: Runtime) -> bytes:
    """Every stored event's state, exactly as the event store holds it."""
    return b"".join(n.state for n in runtime.app.recorder.select_notifications(start=1, limit=100_000))


def key_rows(runtime: Runtime, subject_id: str) -> int:
    """Rows of the key table for a subject, counted with plain SQL on the event store's database."""
    statement = runtime.backend.dialect.sql("SELECT COUNT(*) AS n FROM {t}subject_keys WHERE subject_id = ?")
    with runtime.app.recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        cursor.execute(statement, (subject_id,))
        return cursor.fetchone()["n"]


def added_contact(runtime: Runtime, ctx: CommandContext) -> tuple[UUID, str, str]:
    """An account with one contact: (account id, stakeholder id, subject id)."""
    app = runtime.app
    account = app.open_account(ctx, name="Atlas Logistics", segment="corporate", region="North").aggregate_id
    added = app.add_stakeholder(
        CommandContext(actor="user:alice", reason="met at renewal", idempotency_key="add-jo"),
        account,
        name=NAME,
        role="decision_maker",
        title=TITLE,
        email=EMAIL,
    )
    stakeholder_id = added.detail["stakeholder_id"]
    assert runtime.wait_for(app.head_position())
    return account, stakeholder_id, f"account:{account}/{stakeholder_id}"


def account_history(runtime: Runtime, account: UUID) -> list[dict[str, Any]]:
    return history(
        runtime.stores["event_history"], HistoryFilter(account_id=str(account)), subject_keys=runtime.app.subject_keys
    ).events


def contacts(runtime: Runtime, account: UUID) -> list[dict[str, Any]]:
    row = account_as_of(runtime.app, runtime.stores["event_history"], account, PointInTime())
    assert row is not None
    return json.loads(row["stakeholders"])


# -- sealing -----------------------------------------------------------------------------------------


def test_a_sealed_value_opens_only_with_its_subjects_key() -> None:
    keys = SubjectKeyChanges()
    token = keys.seal("account:1/stakeholder-2", "Zoë \ud800 Ng")  # any text, lone surrogates included
    assert token.startswith("pii:v1:account:1/stakeholder-2:")
    assert "Zo" not in token
    assert unseal(token, keys.created) == "Zoë \ud800 Ng"
    assert unseal(token, {}) is None  # key gone: erased
    moved = token.replace("stakeholder-2", "stakeholder-3")  # a token cannot be moved to another subject's key
    assert unseal(moved, {"account:1/stakeholder-3": keys.created["account:1/stakeholder-2"]}) is None
    other = seal(bytes(32), "account:1/stakeholder-2", "x")
    assert unseal(other, keys.created) is None  # a wrong key never yields text


# -- the event store ---------------------------------------------------------------------------------


def test_contacts_are_stored_sealed_and_read_back_in_plain_text(runtime: Runtime, ctx: CommandContext) -> None:
    account, stakeholder_id, subject = added_contact(runtime, ctx)
    stored = stored_bytes(runtime)
    assert b"pii:v1:" + subject.encode() in stored
    for value in PERSONAL:
        assert value.encode() not in stored, f"{value!r} is stored in plain text"
    assert key_rows(runtime, subject) == 1
    summary = runtime.accounts.get(str(account))
    assert summary is not None
    assert NAME not in summary["stakeholders"]  # read models keep the sealed text too
    added = account_history(runtime, account)[-1]
    assert added["event_type"] == "StakeholderAdded"
    assert {k: added["data"]["stakeholder"][k] for k in ("name", "title", "email")} == {
        "name": NAME,
        "title": TITLE,
        "email": EMAIL,
    }
    assert contacts(runtime, account) == [
        {
            "stakeholder_id": stakeholder_id,
            "name": NAME,
            "role": "decision_maker",
            "title": TITLE,
            "email": EMAIL,
            "erased": False,
        }
    ]


def test_only_declared_personal_fields_are_opened(runtime: Runtime, ctx: CommandContext) -> None:
    """Free text that merely looks like a token is shown as typed, never as "[erased]" or decrypted."""
    account, _, _ = added_contact(runtime, ctx)
    stored = runtime.accounts.get(str(account))
    assert stored is not None
    copied = json.loads(stored["stakeholders"])[0]["name"]  # a real token, pasted into a need
    runtime.app.identify_need(ctx, account, description=copied)
    assert runtime.wait_for(runtime.app.head_position())
    need = account_history(runtime, account)[-1]
    assert need["data"]["need"]["description"] == copied


def test_erasure_deletes_the_key_and_every_reader_shows_the_contact_erased(
    runtime: Runtime, ctx: CommandContext, tmp_path: Path
) -> None:
    app = runtime.app
    account, stakeholder_id, subject = added_contact(runtime, ctx)
    app.update_account_profile(ctx, account, region="South")
    before_erasure = app.find(Account, account).version  # type: ignore[union-attr]
    erasure = CommandContext(actor="user:dpo", reason="GDPR art. 17 request #4711")
    result = app.erase_data_subject(erasure, account, stakeholder_id)
    assert result.detail == {"subject_id": subject}
    assert runtime.wait_for(result.position)

    assert key_rows(runtime, subject) == 0
    erased = {"stakeholder_id": stakeholder_id, "name": ERASED, "role": "decision_maker", "title": None}
    expected = [{**erased, "email": None, "erased": True}]
    assert contacts(runtime, account) == expected
    assert json.loads(runtime.accounts.get(str(account))["stakeholders"]) == expected  # type: ignore[index]
    past = account_as_of(runtime.app, runtime.stores["event_history"], account, PointInTime(version=before_erasure))
    assert past is not None
    assert json.loads(past["stakeholders"]) == expected  # the past shows them erased too

    events = account_history(runtime, account)
    added = next(e for e in events if e["event_type"] == "StakeholderAdded")
    assert [added["data"]["stakeholder"][k] for k in ("name", "title", "email")] == [ERASED] * 3
    recorded = events[-1]
    assert (recorded["event_type"], recorded["actor"], recorded["reason"]) == (
        "DataSubjectErased",
        "user:dpo",
        "GDPR art. 17 request #4711",
    )
    assert recorded["data"] == {"stakeholder_id": stakeholder_id, "subject_id": subject}

    runtime.runners["account_summary"].rebuild()  # the key is gone, so a rebuild cannot bring the person back
    assert contacts(runtime, account) == expected
    assert json.loads(runtime.accounts.get(str(account))["stakeholders"]) == expected  # type: ignore[index]
    assert all(r.ok for r in replay_check(runtime))

    runtime.chain_keeper.catch_up()
    report = verify_runtime(runtime)
    assert (report.problem, report.chained_position) == (None, app.head_position())
    bundle = export_bundle(runtime, tmp_path / "bundle", ExportScope()).directory
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["personal_data"]["encrypted_fields"]["Account.StakeholderAdded"] == [
        "stakeholder.name",
        "stakeholder.title",
        "stakeholder.email",
    ]
    verified = subprocess.run(
        [sys.executable, str(bundle / "verify_bundle.py"), str(bundle)], capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert NAME.encode() not in (bundle / "events.ndjson").read_bytes()


def test_erasure_refusals_are_typed_and_write_nothing(runtime: Runtime, ctx: CommandContext) -> None:
    app = runtime.app
    account, stakeholder_id, subject = added_contact(runtime, ctx)
    head = app.head_position()
    refusals = [
        (uuid4(), stakeholder_id, ctx, NotFound, "account_id"),
        (account, "stakeholder-99", ctx, NotFound, "stakeholder_id"),
        (account, stakeholder_id, CommandContext(actor="user:dpo"), InvalidInput, "reason"),
        (account, stakeholder_id, CommandContext(actor="user:dpo", reason="   "), InvalidInput, "reason"),
    ]
    for account_id, stakeholder, context, error, field in refusals:
        with pytest.raises(error) as raised:
            app.erase_data_subject(context, account_id, stakeholder)
        assert raised.value.field == field
    assert (app.head_position(), key_rows(runtime, subject)) == (head, 1)

    app.erase_data_subject(ctx, account, stakeholder_id)
    with pytest.raises(Conflict) as twice:
        app.erase_data_subject(ctx, account, stakeholder_id)
    assert twice.value.code == "ALREADY_ERASED"


def test_removed_contacts_and_closed_accounts_can_be_erased(runtime: Runtime, ctx: CommandContext) -> None:
    app = runtime.app
    account, stakeholder_id, subject = added_contact(runtime, ctx)
    app.remove_stakeholder(ctx, account, stakeholder_id)
    app.close_account(ctx, account)
    app.erase_data_subject(ctx, account, stakeholder_id)
    assert key_rows(runtime, subject) == 0
    assert runtime.wait_for(app.head_position())
    added = next(e for e in account_history(runtime, account) if e["event_type"] == "StakeholderAdded")
    assert added["data"]["stakeholder"]["name"] == ERASED


def test_keys_commit_or_roll_back_with_the_events(runtime: Runtime, ctx: CommandContext) -> None:
    """An event insert that loses a race takes its keys with it; a key that clashes takes its events."""
    app = runtime.app
    account = app.open_account(ctx, name="Atlas", segment="corporate", region="North").aggregate_id
    stale = app.load(Account, account, field="account_id")
    app.update_account_profile(ctx, account, region="South")  # the account moves on to version 2
    keys = SubjectKeyChanges()
    keys.seal("probe:lost-race", "x")
    stale.update_profile(region="East", envelope=ctx.envelope())  # version 2 again: the insert must fail
    with pytest.raises(IntegrityError):
        app.save(stale, subject_keys=keys)
    assert key_rows(runtime, "probe:lost-race") == 0

    app.add_stakeholder(ctx, account, name="First", role="user")  # stakeholder-3 and its key
    head = app.head_position()
    fresh = app.load(Account, account, field="account_id")
    fresh.update_profile(region="West", envelope=ctx.envelope())
    clash = SubjectKeyChanges()
    clash.seal(f"account:{account}/stakeholder-3", "x")  # that subject's key is stored already
    with pytest.raises(IntegrityError):
        app.save(fresh, subject_keys=clash)
    assert app.head_position() == head


def test_contacts_written_before_sealing_still_read_but_cannot_be_shredded(
    runtime: Runtime, ctx: CommandContext
) -> None:
    app = runtime.app
    account = app.open_account(ctx, name="Legacy", segment="sme", region="West").aggregate_id
    legacy = app.load(Account, account, field="account_id")
    legacy.add_stakeholder(name="Old Timer", role="user", seal=lambda _, value: value, envelope=ctx.envelope())
    app.save(legacy)  # as stored before sealing existed: plain text
    assert runtime.wait_for(app.head_position())
    assert contacts(runtime, account)[0]["name"] == "Old Timer"
    assert account_history(runtime, account)[-1]["data"]["stakeholder"]["name"] == "Old Timer"
    with pytest.raises(Conflict) as refused:
        app.erase_data_subject(ctx, account, "stakeholder-2")
    assert refused.value.code == "NOT_SEALED"


# -- API and CLI -------------------------------------------------------------------------------------

ADD = """mutation($input: AddStakeholderInput!) { addStakeholder(input: $input) {
  userErrors { code } account { id stakeholders { stakeholderId name title email erased } } } }"""
ERASE = """mutation($input: EraseDataSubjectInput!) { eraseDataSubject(input: $input) {
  userErrors { field message code } position replayed subjectId
  account { stakeholders { stakeholderId name role title email erased } } } }"""


def gql(api: httpx.Client, query: str, headers: dict[str, str] | None = None, **variables: Any) -> dict[str, Any]:
    body = api.post("/graphql", json={"query": query, "variables": variables}, headers=headers).json()
    assert "errors" not in body, body
    return body["data"]


def test_graphql_shows_contacts_and_erases_them(api: httpx.Client) -> None:
    opened = gql(
        api,
        'mutation { openAccount(input: {name: "Atlas", segment: CORPORATE, region: "North"}) { account { id } } }',
    )
    account = opened["openAccount"]["account"]["id"]
    added = gql(api, ADD, input={"accountId": account, "name": NAME, "role": "USER", "title": TITLE, "email": EMAIL})
    [contact] = added["addStakeholder"]["account"]["stakeholders"]
    assert contact == {"stakeholderId": "stakeholder-2", "name": NAME, "title": TITLE, "email": EMAIL, "erased": False}

    refused = gql(api, ERASE, input={"accountId": account, "stakeholderId": "stakeholder-2"})["eraseDataSubject"]
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["input", "reason"], "INVALID_INPUT")]
    unknown = gql(api, ERASE, input={"accountId": account, "stakeholderId": "stakeholder-7", "reason": "request"})
    assert unknown["eraseDataSubject"]["userErrors"][0]["code"] == "NOT_FOUND"

    erase = {"accountId": account, "stakeholderId": "stakeholder-2", "reason": "request #1", "idempotencyKey": "e-1"}
    done = gql(api, ERASE, input=erase)["eraseDataSubject"]
    assert done["userErrors"] == []
    assert done["subjectId"] == f"account:{GlobalID.from_id(account).node_id}/stakeholder-2"
    assert done["account"]["stakeholders"] == [
        {"stakeholderId": "stakeholder-2", "name": ERASED, "role": "USER", "title": None, "email": None, "erased": True}
    ]
    retried = gql(api, ERASE, input=erase)["eraseDataSubject"]
    assert (retried["replayed"], retried["subjectId"]) == (True, done["subjectId"])
    again = gql(api, ERASE, input={**erase, "idempotencyKey": None})["eraseDataSubject"]
    assert again["userErrors"][0]["code"] == "ALREADY_ERASED"

    history_query = """query($id: ID!) { accountHistory(accountId: $id) { nodes { eventType actor reason data } } }"""
    events = gql(api, history_query, id=account)["accountHistory"]["nodes"]
    added_event = next(e for e in events if e["eventType"] == "StakeholderAdded")
    assert added_event["data"]["stakeholder"]["email"] == ERASED
    erased_event = events[-1]
    assert (erased_event["eventType"], erased_event["reason"]) == ("DataSubjectErased", "request #1")
    as_of = """query($id: ID!) { accountAsOf(accountId: $id, at: {version: 2}) { stakeholders { name erased } } }"""
    assert gql(api, as_of, id=account)["accountAsOf"]["stakeholders"] == [{"name": ERASED, "erased": True}]


def test_live_events_show_contacts_decrypted(api: httpx.Client, admin_headers: dict[str, str]) -> None:
    opened = gql(
        api, 'mutation { openAccount(input: {name: "Live", segment: SME, region: "West"}) { position account { id } } }'
    )["openAccount"]
    account = opened["account"]["id"]
    with httpx.Client() as plain, connect_ws(ws_url(api), plain, subprotocols=["graphql-transport-ws"]) as ws:
        init(ws, admin_headers["authorization"])
        variables = {"id": account, "after": opened["position"]}
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": variables}})
        gql(api, ADD, input={"accountId": account, "name": NAME, "role": "USER", "email": EMAIL})
        added = next_event(ws)
        assert added["type"] == "Account.StakeholderAdded"
        assert (added["data"]["stakeholder"]["name"], added["data"]["stakeholder"]["email"]) == (NAME, EMAIL)
        gql(api, ERASE, input={"accountId": account, "stakeholderId": "stakeholder-2", "reason": "request"})
        erased = next_event(ws)
        assert erased["type"] == "Account.DataSubjectErased"
        assert erased["data"]["stakeholder_id"] == "stakeholder-2"


def test_the_cli_erases_a_contact(settings: Settings, ctx: CommandContext) -> None:
    runtime = Runtime(settings)
    runtime.start()
    try:
        account, stakeholder_id, subject = added_contact(runtime, ctx)
    finally:
        runtime.close()
    command = ["privacy", "erase", "--account", str(account), "--stakeholder", stakeholder_id, *storage_args(settings)]
    runner = CliRunner()
    missing = runner.invoke(cli, command)
    assert missing.exit_code != 0  # --reason is required
    done = runner.invoke(cli, [*command, "--reason", "request #2"])
    assert done.exit_code == 0, done.output
    assert f"erased {subject}" in done.output
    again = runner.invoke(cli, [*command, "--reason", "request #2"])
    assert again.exit_code == 2
    assert "already erased" in again.output


# -- feedback items naming a person (survey respondents, referred parties) ----------------------------

RESPONDENT, PARTY = "Maximilian Oduya-Brandt, CFO", "Henrietta Vasquez-Lindqvist of Fabrikam"


def recorded_feedback(runtime: Runtime, ctx: CommandContext) -> tuple[UUID, UUID, UUID]:
    """An account with one survey response and one referral naming people: (account, response, referral)."""
    app = runtime.app
    account = app.open_account(ctx, name="Atlas Feedback", segment="corporate", region="North").aggregate_id
    response = app.record_survey_response(ctx, account, scale="nps", score=9, respondent=RESPONDENT).aggregate_id
    referral = app.record_referral(ctx, account, referred_party=PARTY, note="warm lead").aggregate_id
    assert runtime.wait_for(app.head_position())
    return account, response, referral


def item_history(runtime: Runtime, item: UUID) -> list[dict[str, Any]]:
    return history(
        runtime.stores["event_history"], HistoryFilter(aggregate_id=str(item)), subject_keys=runtime.app.subject_keys
    ).events


def test_feedback_names_are_stored_sealed_per_item_and_read_back(runtime: Runtime, ctx: CommandContext) -> None:
    _, response, referral = recorded_feedback(runtime, ctx)
    stored = stored_bytes(runtime)
    for value in (RESPONDENT, PARTY):
        assert value.encode() not in stored, f"{value!r} is stored in plain text"
    for item in (response, referral):
        assert b"pii:v1:feedback:" + str(item).encode() in stored
        assert key_rows(runtime, f"feedback:{item}") == 1
    [survey_row] = runtime.feedback.survey_responses.get_many([str(response)])
    [referral_row] = runtime.feedback.referrals.get_many([str(referral)])
    assert survey_row["respondent"].startswith(f"pii:v1:feedback:{response}:")  # read models keep the sealed text
    assert referral_row["referred_party"].startswith(f"pii:v1:feedback:{referral}:")
    assert item_history(runtime, response)[0]["data"]["respondent"] == RESPONDENT
    assert item_history(runtime, referral)[0]["data"]["referred_party"] == PARTY


def test_feedback_erasure_deletes_the_key_and_history_shows_it_erased(
    runtime: Runtime, ctx: CommandContext, tmp_path: Path
) -> None:
    app = runtime.app
    _, response, referral = recorded_feedback(runtime, ctx)
    erasure = CommandContext(actor="user:dpo", reason="GDPR art. 17 request #4712", expected_version=1)
    for item, field in ((response, "respondent"), (referral, "referred_party")):
        result = app.erase_feedback_personal_data(erasure, item)
        assert result.detail["subject_id"] == f"feedback:{item}"
        assert runtime.wait_for(result.position)
        assert key_rows(runtime, f"feedback:{item}") == 0
        recorded, erased = item_history(runtime, item)
        assert recorded["data"][field] == ERASED
        assert (erased["event_type"], erased["actor"], erased["reason"]) == (
            "PersonalDataErased",
            "user:dpo",
            "GDPR art. 17 request #4712",
        )
        assert erased["data"] == {"subject_id": f"feedback:{item}"}
    assert all(r.ok for r in replay_check(runtime))

    runtime.chain_keeper.catch_up()
    report = verify_runtime(runtime)
    assert (report.problem, report.chained_position) == (None, app.head_position())
    bundle = export_bundle(runtime, tmp_path / "bundle", ExportScope()).directory
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["personal_data"]["encrypted_fields"]["Referral.Given"] == ["referred_party"]
    verified = subprocess.run(
        [sys.executable, str(bundle / "verify_bundle.py"), str(bundle)], capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    exported = (bundle / "events.ndjson").read_bytes()
    assert RESPONDENT.encode() not in exported
    assert PARTY.encode() not in exported


def test_feedback_erasure_refusals_are_typed_and_write_nothing(runtime: Runtime, ctx: CommandContext) -> None:
    app = runtime.app
    account, response, referral = recorded_feedback(runtime, ctx)
    complaint = app.raise_complaint(ctx, account, category="claims", description="slow").aggregate_id
    anonymous = app.record_survey_response(ctx, account, scale="csat", score=4).aggregate_id
    head = app.head_position()
    with pytest.raises(Conflict) as nothing:
        app.erase_feedback_personal_data(ctx, anonymous)
    assert nothing.value.code == "NO_PERSONAL_DATA"  # not NOT_SEALED: there is no plain text either
    refusals = [
        (uuid4(), ctx, NotFound, "feedback_id"),
        (complaint, ctx, NotFound, "feedback_id"),
        (account, ctx, NotFound, "feedback_id"),
        (anonymous, ctx, Conflict, "feedback_id"),  # no respondent recorded: nothing to erase
        (response, CommandContext(actor="user:dpo"), InvalidInput, "reason"),
        (referral, CommandContext(actor="user:dpo", reason="r", expected_version=7), Conflict, None),
    ]
    for item, context, error, field in refusals:
        with pytest.raises(error) as raised:
            app.erase_feedback_personal_data(context, item)
        if field is not None:
            assert raised.value.field == field
    assert app.head_position() == head
    assert (key_rows(runtime, f"feedback:{response}"), key_rows(runtime, f"feedback:{referral}")) == (1, 1)

    app.erase_feedback_personal_data(ctx, referral)
    with pytest.raises(Conflict) as twice:
        app.erase_feedback_personal_data(ctx, referral)
    assert twice.value.code == "ALREADY_ERASED"


def test_feedback_written_before_sealing_still_reads_but_cannot_be_shredded(
    runtime: Runtime, ctx: CommandContext
) -> None:
    app = runtime.app
    account = app.open_account(ctx, name="Legacy", segment="sme", region="West").aggregate_id
    plain = lambda _, value: value  # noqa: E731 - stored as before sealing existed
    legacy = [
        SurveyResponse.record(
            account_id=account,
            scale="csat",
            subject="overall_service",
            score=5,
            respondent="Old Timer",
            seal=plain,
            envelope=ctx.envelope(),
        ),
        Referral.give(account_id=account, referred_party="Old Friend", note=None, seal=plain, envelope=ctx.envelope()),
    ]
    app.save(*legacy)
    assert runtime.wait_for(app.head_position())
    assert item_history(runtime, legacy[0].id)[0]["data"]["respondent"] == "Old Timer"
    assert item_history(runtime, legacy[1].id)[0]["data"]["referred_party"] == "Old Friend"
    for item in legacy:
        with pytest.raises(Conflict) as refused:
            app.erase_feedback_personal_data(ctx, item.id)
        assert refused.value.code == "NOT_SEALED"


ERASE_FEEDBACK = """mutation($input: EraseFeedbackPersonalDataInput!) { eraseFeedbackPersonalData(input: $input) {
  userErrors { field code } position replayed version subjectId feedbackId } }"""
FEEDBACK_READS = (
    """{ surveyResponses { nodes { id respondent erased } } referrals { nodes { id referredParty erased } } }"""
)


def at(payload: dict[str, Any]) -> dict[str, str]:
    """Read-your-writes for one query, as a frontend passes a payload's position."""
    return {"X-Min-Position": str(payload["position"])}


def test_graphql_reveals_feedback_names_and_erases_them(api: httpx.Client) -> None:
    opened = gql(
        api,
        'mutation { openAccount(input: {name: "Atlas", segment: CORPORATE, region: "North"}) { account { id } } }',
    )
    account = opened["openAccount"]["account"]["id"]
    record = """mutation($input: RecordFeedbackInput!) { recordFeedback(input: $input) { feedbackId } }"""
    refer = """mutation($input: RecordReferralInput!) { recordReferral(input: $input) { position feedbackId } }"""
    response = gql(api, record, input={"accountId": account, "scale": "NPS", "score": 9, "respondent": RESPONDENT})
    referral = gql(api, refer, input={"accountId": account, "referredParty": PARTY})
    response_id = response["recordFeedback"]["feedbackId"]
    referral_id = referral["recordReferral"]["feedbackId"]
    reads = gql(api, FEEDBACK_READS, at(referral["recordReferral"]))
    assert reads["surveyResponses"]["nodes"] == [{"id": response_id, "respondent": RESPONDENT, "erased": False}]
    assert reads["referrals"]["nodes"] == [{"id": referral_id, "referredParty": PARTY, "erased": False}]

    no_reason = gql(api, ERASE_FEEDBACK, input={"feedbackId": response_id})["eraseFeedbackPersonalData"]
    assert [(e["field"], e["code"]) for e in no_reason["userErrors"]] == [(["input", "reason"], "INVALID_INPUT")]
    not_feedback = gql(api, ERASE_FEEDBACK, input={"feedbackId": account, "reason": "request"})
    assert not_feedback["eraseFeedbackPersonalData"]["userErrors"][0]["code"] == "NOT_FOUND"
    stale = {"feedbackId": referral_id, "reason": "request", "expectedVersion": 3}
    assert gql(api, ERASE_FEEDBACK, input=stale)["eraseFeedbackPersonalData"]["userErrors"][0]["code"] == (
        "VERSION_CONFLICT"
    )

    for item, key in ((response_id, "e-1"), (referral_id, "e-2")):
        erase = {"feedbackId": item, "reason": "request #1", "idempotencyKey": key, "expectedVersion": 1}
        done = gql(api, ERASE_FEEDBACK, input=erase)["eraseFeedbackPersonalData"]
        assert done["userErrors"] == []
        assert (done["subjectId"], done["feedbackId"], done["version"]) == (
            f"feedback:{GlobalID.from_id(item).node_id}",
            item,
            2,
        )
        retried = gql(api, ERASE_FEEDBACK, input=erase)["eraseFeedbackPersonalData"]
        assert (retried["replayed"], retried["subjectId"]) == (True, done["subjectId"])
        again = gql(api, ERASE_FEEDBACK, input={**erase, "idempotencyKey": None, "expectedVersion": None})
        assert again["eraseFeedbackPersonalData"]["userErrors"][0]["code"] == "ALREADY_ERASED"

    reads = gql(api, FEEDBACK_READS, at(done))
    assert reads["surveyResponses"]["nodes"] == [{"id": response_id, "respondent": ERASED, "erased": True}]
    assert reads["referrals"]["nodes"] == [{"id": referral_id, "referredParty": ERASED, "erased": True}]
    nodes = """query($ids: [ID!]!) { nodes(ids: $ids) {
      ... on SurveyResponse { respondent version } ... on Referral { referredParty version } } }"""
    assert gql(api, nodes, at(done), ids=[response_id, referral_id])["nodes"] == [
        {"respondent": ERASED, "version": 2},
        {"referredParty": ERASED, "version": 2},
    ]
    history_query = """query($id: String!) { aggregateHistory(aggregateId: $id) { nodes { eventType reason data } } }"""
    events = gql(api, history_query, id=GlobalID.from_id(referral_id).node_id)["aggregateHistory"]["nodes"]
    assert [(e["eventType"], e["reason"]) for e in events] == [("Given", None), ("PersonalDataErased", "request #1")]
    assert events[0]["data"]["referred_party"] == ERASED

    anonymous = gql(api, record, input={"accountId": account, "scale": "CSAT", "score": 4})["recordFeedback"]
    nobody = gql(api, ERASE_FEEDBACK, input={"feedbackId": anonymous["feedbackId"], "reason": "request"})
    assert nobody["eraseFeedbackPersonalData"]["userErrors"][0]["code"] == "NO_PERSONAL_DATA"


def test_live_events_reveal_feedback_names_and_legacy_text_reads_as_stored() -> None:
    """`accountEvents` opens events by their qualified type, as history does; unsealed older text is shown as is."""
    keys = SubjectKeyChanges()
    token = keys.seal("feedback:1", PARTY)
    assert reveal_event("Referral.Given", {"referred_party": token}, keys.created) == {"referred_party": PARTY}
    assert reveal_event("Referral.Given", {"referred_party": token}, {}) == {"referred_party": ERASED}
    assert reveal_event("SurveyResponse.Recorded", {"respondent": None}, {}) == {"respondent": None}
    assert reveal_text(token, keys.created) == (PARTY, False)
    assert reveal_text(token, {}) == (ERASED, True)
    assert reveal_text("Old Friend", {}) == ("Old Friend", False)
    assert reveal_text(None, {}) == (None, False)
