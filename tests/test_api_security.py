"""Who may do what: every role against every mutation, through real HTTP, plus bad and revoked tokens."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from kamcore.application import CommandContext
from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .conftest import grant_token
from .test_api_end_to_end import OPEN

OK, FORBIDDEN, UNAUTH = "ok", "FORBIDDEN", "UNAUTHENTICATED"
PRINCIPALS = ["admin", "manager", "service", "auditor", "rm_on_team", "rm_elsewhere", "anonymous"]

# The policy, written out: relationship managers write only to accounts on their team; team changes and
# closing are for admins and managers; auditors never write; opening accounts is not an RM's job.
EXPECTED = {
    "openAccount": [OK, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "updateAccountProfile": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "recordBusinessContext": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "identifyNeed": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "addStakeholder": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "removeStakeholder": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "assignRelationshipManager": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "releaseRelationshipManager": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "handOverLead": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
    "recordFeedback": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "raiseComplaint": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "resolveComplaint": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "recordReferral": [OK, OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTH],
    "closeAccount": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTH],
}


def inputs(account: str, complaint: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """A valid-looking input per mutation (the outcome may still be a userError; only access is tested)."""
    a = {"accountId": account}
    return {
        "openAccount": ("OpenAccountInput", {"name": "New", "segment": "SME", "region": "West"}),
        "updateAccountProfile": ("UpdateAccountProfileInput", {**a, "region": "East"}),
        "recordBusinessContext": ("RecordBusinessContextInput", {**a, "strategy": "grow"}),
        "identifyNeed": ("IdentifyNeedInput", {**a, "description": "cyber cover"}),
        "addStakeholder": ("AddStakeholderInput", {**a, "name": "Jo", "role": "USER"}),
        "removeStakeholder": ("RemoveStakeholderInput", {**a, "stakeholderId": "stakeholder-x"}),
        "assignRelationshipManager": (
            "AssignRelationshipManagerInput",
            {**a, "relationshipManagerId": "rm-7", "role": "SPECIALIST"},
        ),
        "releaseRelationshipManager": (
            "ReleaseRelationshipManagerInput",
            {**a, "assignmentId": "assignment-x", "reason": "moved"},
        ),
        "handOverLead": ("HandOverLeadInput", {**a, "relationshipManagerId": "rm-2", "reason": "rotation"}),
        "recordFeedback": ("RecordFeedbackInput", {**a, "scale": "NPS", "score": 8}),
        "raiseComplaint": ("RaiseComplaintInput", {**a, "category": "service", "description": "late"}),
        "resolveComplaint": ("ResolveComplaintInput", {"complaintId": complaint, "resolution": "fixed"}),
        "recordReferral": ("RecordReferralInput", {**a, "referredParty": "Friend Ltd"}),
        "closeAccount": ("CloseAccountInput", {**a, "reason": "lost"}),
    }


def outcome(client: httpx.Client, headers: dict[str, str], mutation: str, input_type: str, data: dict) -> str:
    query = f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ userErrors {{ code }} }} }}"
    body = client.post("/graphql", json={"query": query, "variables": {"input": data}}, headers=headers).json()
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    assert body["data"][mutation] is not None
    return OK


@pytest.fixture
def world(settings: Settings) -> dict[str, Any]:
    """An account led by rm-0 with rm-1 on its team, a complaint, and a token per principal."""
    runtime = Runtime(settings)
    ctx = CommandContext(actor="test:setup", reason="setup", effective_date=datetime.now(UTC).date() - timedelta(9))
    try:
        account = runtime.app.open_account(ctx, name="Guarded", segment="corporate", region="North").aggregate_id
        runtime.app.assign_relationship_manager(ctx, account, relationship_manager_id="rm-0", role="lead")
        runtime.app.assign_relationship_manager(ctx, account, relationship_manager_id="rm-1", role="underwriter")
        complaint = runtime.app.raise_complaint(ctx, account, category="claims", description="slow").aggregate_id
    finally:
        runtime.close()
    secrets = {
        "admin": grant_token(settings, "admin"),
        "manager": grant_token(settings, "manager"),
        "service": grant_token(settings, "service"),
        "auditor": grant_token(settings, "auditor"),
        "rm_on_team": grant_token(settings, "relationship_manager", "rm-1"),
        "rm_elsewhere": grant_token(settings, "relationship_manager", "rm-9"),
    }
    headers = {p: {"authorization": f"Bearer {s}"} for p, s in secrets.items()} | {"anonymous": {}}
    from strawberry.relay import GlobalID

    return {
        "account": str(GlobalID("Account", str(account))),
        "complaint": str(GlobalID("Complaint", str(complaint))),
        "headers": headers,
    }


def test_every_role_against_every_mutation(api: httpx.Client, world: dict[str, Any]) -> None:
    cases = inputs(world["account"], world["complaint"])
    assert set(cases) == set(EXPECTED)
    with httpx.Client(base_url=api.base_url, timeout=15) as bare:  # no default credentials
        actual = {
            mutation: [outcome(bare, world["headers"][p], mutation, *cases[mutation]) for p in PRINCIPALS]
            for mutation in EXPECTED
        }
    assert actual == EXPECTED


def test_queries_need_a_valid_token(api: httpx.Client, world: dict[str, Any]) -> None:
    query = {"query": "{ accounts(first: 5) { totalCount } }"}
    assert api.post("/graphql", json=query, headers=world["headers"]["auditor"]).json()["data"]["accounts"]
    for headers in (
        {"authorization": ""},
        {"authorization": "Basic abc"},
        {"authorization": "Bearer kam_nope"},
        {"authorization": "Bearer " + "x" * 5000},
    ):
        body = api.post("/graphql", json=query, headers=headers).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == UNAUTH


def test_revoked_and_expired_tokens_are_refused(api: httpx.Client, settings: Settings) -> None:
    runtime = Runtime(settings)
    try:
        ctx = CommandContext(actor="test", reason="leaver")
        revoked, revoked_secret = runtime.app.grant_token(ctx, name="leaver", role="manager")
        runtime.app.revoke_token(ctx, revoked.aggregate_id)
        _, short_secret = runtime.app.grant_token(
            ctx, name="short", role="manager", expires_at=datetime.now(UTC) + timedelta(seconds=1)
        )
    finally:
        runtime.close()
    time.sleep(1.2)
    for secret in (revoked_secret, short_secret):
        body = api.post(
            "/graphql",
            json={"query": OPEN, "variables": {"input": {"name": "X", "segment": "SME", "region": "W"}}},
            headers={"authorization": f"Bearer {secret}"},
        )
        assert body.json()["errors"][0]["extensions"]["code"] == UNAUTH
