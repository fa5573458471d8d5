"""The API through real HTTP: uvicorn on a free port, on every backend."""

from __future__ import annotations

import time
from typing import Any

import httpx
from graphql import GraphQLError

from kamcore.api.errors import should_mask_error
from kamcore.settings import Settings

OPEN = """mutation Open($input: OpenAccountInput!) {
  openAccount(input: $input) {
    userErrors { field message code }
    position replayed version
    account { id name segment version status }
  }
}"""

ASSIGN = """mutation Assign($input: AssignRelationshipManagerInput!) {
  assignRelationshipManager(input: $input) {
    userErrors { field message code }
    assignmentId
    account { leadRelationshipManagerId teamVersion team { relationshipManagerId role } }
  }
}"""

FEEDBACK = """mutation Feedback($input: RecordFeedbackInput!) {
  recordFeedback(input: $input) {
    userErrors { field message code }
    position feedbackId
    account { feedback { latestNps latestCsat } }
  }
}"""

ACCOUNT = """query One($id: ID!, $at: Int) {
  account(id: $id, minPosition: $at) { id name leadRelationshipManagerId feedback { latestNps } }
}"""

LIST = """query List($first: Int!, $after: String, $filter: AccountFilter, $order: AccountOrder) {
  accounts(first: $first, after: $after, filter: $filter, orderBy: $order) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } }
  }
}"""


def gql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def open_account(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    data = gql(client, OPEN, input={"name": "ACME Re", "segment": "CORPORATE", "region": "EMEA", **fields})
    return data["openAccount"]


def test_open_then_read_back_immediately(api: httpx.Client) -> None:
    opened = open_account(api)
    assert opened["userErrors"] == []
    assert opened["account"]["name"] == "ACME Re"
    assert opened["account"]["version"] == 1
    account_id = opened["account"]["id"]
    read = gql(api, ACCOUNT, id=account_id, at=opened["position"])["account"]
    assert read["id"] == account_id
    assert read["name"] == "ACME Re"


def test_team_and_feedback_mutations_show_in_the_account(api: httpx.Client) -> None:
    account_id = open_account(api)["account"]["id"]
    assigned = gql(
        api,
        ASSIGN,
        input={"accountId": account_id, "relationshipManagerId": "rm-7", "role": "LEAD", "effectiveFrom": "2026-01-01"},
    )["assignRelationshipManager"]
    assert assigned["userErrors"] == []
    assert assigned["assignmentId"]
    assert assigned["account"]["leadRelationshipManagerId"] == "rm-7"
    assert assigned["account"]["teamVersion"] == 2
    fed = gql(api, FEEDBACK, input={"accountId": account_id, "scale": "NPS", "score": 9})["recordFeedback"]
    assert fed["userErrors"] == []
    assert fed["feedbackId"]
    assert fed["account"]["feedback"]["latestNps"] == 9


def test_expected_failures_come_back_as_user_errors(api: httpx.Client) -> None:
    opened = open_account(api)
    account_id = opened["account"]["id"]
    bad_score = gql(api, FEEDBACK, input={"accountId": account_id, "scale": "CSAT", "score": 7})["recordFeedback"]
    assert bad_score["userErrors"] == [
        {"field": ["input", "score"], "message": "CSAT scores run from 1 to 5", "code": "INVALID_INPUT"}
    ]
    assert bad_score["position"] is None
    stale = gql(
        api,
        ASSIGN,
        input={"accountId": account_id, "relationshipManagerId": "rm-1", "role": "LEAD", "expectedVersion": 5},
    )["assignRelationshipManager"]
    assert stale["userErrors"][0]["code"] == "VERSION_CONFLICT"  # the team is at version 0: not formed yet
    conflict = gql(
        api,
        """mutation($input: UpdateAccountProfileInput!) { updateAccountProfile(input: $input) {
        userErrors { field code } } }""",
        input={"accountId": account_id, "name": "X", "expectedVersion": 9},
    )
    assert conflict["updateAccountProfile"]["userErrors"] == [
        {"field": ["input", "expectedVersion"], "code": "VERSION_CONFLICT"}
    ]
    unknown = gql(api, FEEDBACK, input={"accountId": "QWNjb3VudDpub3BlLW5vcGU=", "scale": "NPS", "score": 1})
    assert unknown["recordFeedback"]["userErrors"][0]["code"] == "NOT_FOUND"


def test_idempotent_retry_over_http(api: httpx.Client) -> None:
    first = open_account(api, idempotencyKey="req-42")
    second = open_account(api, idempotencyKey="req-42")
    assert second["replayed"] is True
    assert second["account"]["id"] == first["account"]["id"]
    listing = gql(api, LIST, first=10)["accounts"]
    assert listing["totalCount"] == 1


def test_keyset_paging_filtering_and_ordering(api: httpx.Client) -> None:
    for name, segment in [("Cobalt", "SME"), ("Atlas", "CORPORATE"), ("Borealis", "SME"), ("Delta", "SME")]:
        open_account(api, name=name, segment=segment)
    page1 = gql(api, LIST, first=2, filter={"segment": ["SME"]})["accounts"]
    assert [e["node"]["name"] for e in page1["edges"]] == ["Borealis", "Cobalt"]
    assert page1["totalCount"] == 3
    assert page1["pageInfo"]["hasNextPage"]
    page2 = gql(api, LIST, first=2, after=page1["pageInfo"]["endCursor"], filter={"segment": ["SME"]})["accounts"]
    assert [e["node"]["name"] for e in page2["edges"]] == ["Delta"]
    assert not page2["pageInfo"]["hasNextPage"]
    desc = gql(api, LIST, first=10, order={"field": "NAME", "direction": "DESC"})["accounts"]
    assert [e["node"]["name"] for e in desc["edges"]] == ["Delta", "Cobalt", "Borealis", "Atlas"]
    contains = gql(api, LIST, first=10, filter={"nameContains": "%"})["accounts"]
    assert contains["totalCount"] == 0  # LIKE wildcards are matched literally


def test_bad_requests_are_refused_clearly(api: httpx.Client) -> None:
    too_many = api.post("/graphql", json={"query": LIST, "variables": {"first": 101}}).json()
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad_cursor = api.post("/graphql", json={"query": LIST, "variables": {"first": 1, "after": "garbage"}}).json()
    assert "cursor" in bad_cursor["errors"][0]["message"]
    not_json = api.post("/graphql", content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 400
    huge = api.post("/graphql", content=b"x" * (2 * 1024 * 1024), headers={"content-type": "application/json"})
    assert huge.status_code == 413
    aliases = "{ " + " ".join(f"a{i}: accounts(first: 1) {{ totalCount }}" for i in range(31)) + " }"
    bomb = api.post("/graphql", json={"query": aliases}).json()
    assert bomb["data"] is None
    assert "aliases" in bomb["errors"][0]["message"]


def test_a_repeated_query_is_validated_once_with_the_limits_still_on(api: httpx.Client) -> None:
    """The validation cache is keyed by the validation rules: limits that made new rules per request defeated it."""
    from strawberry.extensions.validation_cache import _get_validate_cache

    cache = _get_validate_cache(1024)
    gql(api, LIST, first=1)
    before = cache.cache_info()
    gql(api, LIST, first=2)
    after = cache.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def test_health_reports_projection_positions(api: httpx.Client) -> None:
    open_account(api)
    body = api.get("/healthz").json()
    assert body["status"] == "ok"
    assert {"account_summary", "access_tokens"} <= {p["name"] for p in body["projections"]}
    assert all(p["lag"] == 0 or p["running"] for p in body["projections"])


def test_ready_once_the_start_up_ranking_is_kept(api: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while (ready := api.get("/readyz")).status_code == 503:
        assert ready.json() == {"status": "warming"}
        assert time.monotonic() < deadline, "the start-up ranking did not finish"
        time.sleep(0.05)
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


def test_graphiql_is_served_in_development(api: httpx.Client) -> None:
    page = api.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_query_cost_is_reported_and_limited(api: httpx.Client) -> None:
    open_account(api)
    cheap = api.post("/graphql", json={"query": "{ accounts(first: 10) { nodes { name team { role } } } }"}).json()
    assert cheap["extensions"]["cost"] == {"requestedQueryCost": 21, "maximumAvailable": 5000}
    pages = " ".join(f"p{i}: accounts(first: 100) {{ nodes {{ team {{ role }} }} }}" for i in range(26))
    costly = api.post("/graphql", json={"query": "{ " + pages + " }"}).json()
    assert costly["data"] is None
    assert costly["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_validation_messages_stay_readable_but_internals_are_masked(api: httpx.Client) -> None:
    unknown_field = api.post("/graphql", json={"query": "{ nope }"}).json()
    assert "Cannot query field 'nope'" in unknown_field["errors"][0]["message"]
    internal = GraphQLError("boom", original_error=RuntimeError("password=hunter2 at db.example:5432"))
    assert should_mask_error(internal)
    assert not should_mask_error(GraphQLError("Cannot query field", original_error=None))


def test_cors_allows_only_configured_origins(settings: Settings) -> None:
    from starlette.testclient import TestClient

    from kamcore.api.app import create_app

    configured = Settings(**{**settings.__dict__, "cors_origins": ("https://kam.example",)})
    with TestClient(create_app(configured)) as client:
        allowed = client.options(
            "/graphql", headers={"origin": "https://kam.example", "access-control-request-method": "POST"}
        )
        assert allowed.headers["access-control-allow-origin"] == "https://kam.example"
        refused = client.options(
            "/graphql", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
        )
        assert "access-control-allow-origin" not in refused.headers
