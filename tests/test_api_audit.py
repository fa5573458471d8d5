"""Audit reads over HTTP: auditors and admins only, and every read is itself recorded."""

from __future__ import annotations

from typing import Any

import httpx
from strawberry.relay import GlobalID

from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .conftest import grant_token
from .test_api_end_to_end import FEEDBACK, OPEN, gql

HISTORY = """query($id: ID!, $after: String) {
  accountHistory(accountId: $id, first: 2, after: $after) {
    nodes { position aggregateType eventType actor reason recordedAt businessDate data }
    pageInfo { hasNextPage endCursor }
  }
}"""
AS_OF = """query($id: ID!, $at: PointInTimeInput!) {
  accountAsOf(accountId: $id, at: $at) { version feedback { latestNps } }
}"""


def ask(client: httpx.Client, token: str, query: str, **variables: Any) -> dict[str, Any]:
    return client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {token}"}
    ).json()


def test_auditor_pages_history_and_travels_in_time(api: httpx.Client, settings: Settings) -> None:
    account = gql(api, OPEN, input={"name": "Audited", "segment": "SME", "region": "West"})["openAccount"]
    gql(api, FEEDBACK, input={"accountId": account["account"]["id"], "scale": "NPS", "score": 8, "reason": "call"})
    auditor = grant_token(settings, "auditor")
    with httpx.Client(base_url=api.base_url, timeout=15) as client:
        page = ask(client, auditor, HISTORY, id=account["account"]["id"])["data"]["accountHistory"]
        assert [n["eventType"] for n in page["nodes"]] == ["Opened", "Recorded"]
        assert page["nodes"][1]["reason"] == "call"
        assert page["nodes"][1]["data"]["score"] == 8
        assert page["pageInfo"]["hasNextPage"] is False
        v1 = ask(client, auditor, AS_OF, id=account["account"]["id"], at={"version": 1})["data"]["accountAsOf"]
        assert v1 == {"version": 1, "feedback": {"latestNps": None}}
        manager = grant_token(settings, "manager")
        refused = ask(client, manager, HISTORY, id=account["account"]["id"])
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    runtime = Runtime(settings)
    try:
        reads = [
            runtime.app.mapper.to_domain_event(n)
            for n in runtime.app.recorder.select_notifications(start=0, limit=1000, inclusive_of_start=False)
            if n.topic.endswith("AuditAccess.Recorded")
        ]
    finally:
        runtime.close()
    assert [(r.what, r.envelope.actor.startswith("token:")) for r in reads] == [
        ("accountHistory", True),
        ("accountAsOf", True),
    ]


ENVELOPE = "position aggregateType eventType actor reason recordedAt businessDate"


def test_history_without_data_lists_the_same_envelope(api: httpx.Client, settings: Settings) -> None:
    """A page whose query leaves out `data` skips reading it, and shows the same events and envelope."""
    account = gql(api, OPEN, input={"name": "Enveloped", "segment": "SME", "region": "West"})["openAccount"]
    gql(api, FEEDBACK, input={"accountId": account["account"]["id"], "scale": "NPS", "score": 7, "reason": "call"})
    bare = f"query($id: ID!) {{ accountHistory(accountId: $id) {{ nodes {{ {ENVELOPE} }} }} }}"
    fragment = (
        f"query($id: ID!) {{ h: accountHistory(accountId: $id) {{ ...Page }} }}"
        f" fragment Page on HistoryConnection {{ nodes {{ {ENVELOPE} ... on HistoryEvent {{ d: data }} }} }}"
    )
    auditor = grant_token(settings, "auditor")
    with httpx.Client(base_url=api.base_url, timeout=15) as client:
        without = ask(client, auditor, bare, id=account["account"]["id"])["data"]["accountHistory"]["nodes"]
        with_data = ask(client, auditor, fragment, id=account["account"]["id"])["data"]["h"]["nodes"]
    assert [n["eventType"] for n in without] == ["Opened", "Recorded"]
    assert [{k: v for k, v in n.items() if k != "d"} for n in with_data] == without
    assert with_data[1]["d"]["score"] == 7


def test_an_audit_read_that_fails_is_recorded_all_the_same(api: httpx.Client, settings: Settings) -> None:
    account = gql(api, OPEN, input={"name": "Refused", "segment": "SME", "region": "West"})["openAccount"]
    too_many = "query($id: ID!) { accountHistory(accountId: $id, first: 501) { nodes { position } } }"
    auditor = grant_token(settings, "auditor")
    with httpx.Client(base_url=api.base_url, timeout=15) as client:
        refused = ask(client, auditor, too_many, id=account["account"]["id"])
        never = ask(client, auditor, AS_OF, id=account["account"]["id"], at={"version": 9})
    assert refused["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    assert never["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "version"}
    runtime = Runtime(settings)
    try:
        reads = [
            runtime.app.mapper.to_domain_event(n)
            for n in runtime.app.recorder.select_notifications(start=0, limit=1000, inclusive_of_start=False)
            if n.topic.endswith("AuditAccess.Recorded")
        ]
    finally:
        runtime.close()
    subject = GlobalID.from_id(account["account"]["id"]).node_id
    assert [(r.what, r.subject) for r in reads] == [("accountHistory", subject), ("accountAsOf", subject)]
