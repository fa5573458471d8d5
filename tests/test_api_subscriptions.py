"""Subscriptions over real WebSockets (graphql-transport-ws), fed by writes from another API process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from httpx_ws import WebSocketDisconnect, connect_ws

from kamcore.settings import Settings

from .conftest import free_port
from .test_api_end_to_end import FEEDBACK, OPEN, gql
from .test_server_restart import start_server

SUBSCRIBE = """subscription($id: ID, $after: Int) {
  accountEvents(accountId: $id, after: $after) { position type actor aggregateVersion data accountId }
}"""


@pytest.fixture
def other_process(settings: Settings, tmp_path: Any, admin_headers: dict[str, str]) -> Iterator[httpx.Client]:
    """A second `kamcore serve` on the same storage: writes there reach subscribers here only via the database."""
    port = free_port()
    server = start_server(settings, port, tmp_path / "other.log")
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=admin_headers, timeout=15) as client:
        yield client
    server.terminate()
    server.wait(timeout=15)


def ws_url(client: httpx.Client) -> str:
    return str(client.base_url).replace("http://", "ws://") + "/graphql"


def init(ws: Any, token: str | None) -> dict[str, Any]:
    ws.send_json({"type": "connection_init", "payload": {"authorization": token} if token else {}})
    return ws.receive_json(timeout=10)


def next_event(ws: Any) -> dict[str, Any]:
    message = ws.receive_json(timeout=10)
    assert message["type"] == "next", message
    return message["payload"]["data"]["accountEvents"]


def test_a_write_in_another_process_reaches_the_subscriber(
    api: httpx.Client, other_process: httpx.Client, admin_headers: dict[str, str]
) -> None:
    opened = gql(api, OPEN, input={"name": "Live", "segment": "SME", "region": "West"})["openAccount"]
    account_id = opened["account"]["id"]
    with httpx.Client() as plain, connect_ws(ws_url(api), plain, subprotocols=["graphql-transport-ws"]) as ws:
        assert init(ws, admin_headers["authorization"])["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"id": account_id}}})
        written = gql(other_process, FEEDBACK, input={"accountId": account_id, "scale": "NPS", "score": 7})
        event = next_event(ws)
        assert event["type"] == "SurveyResponse.Recorded"
        assert event["position"] == written["recordFeedback"]["position"]
        assert event["data"]["score"] == 7
        assert event["accountId"] == account_id
        assert event["actor"].startswith("token:")


def test_resume_from_a_position_without_gaps(api: httpx.Client, admin_headers: dict[str, str]) -> None:
    opened = gql(api, OPEN, input={"name": "Resume", "segment": "SME", "region": "West"})["openAccount"]
    account_id = opened["account"]["id"]
    positions = [opened["position"]]
    for score in (1, 2, 3):
        fed = gql(api, FEEDBACK, input={"accountId": account_id, "scale": "NPS", "score": score})
        positions.append(fed["recordFeedback"]["position"])
    with httpx.Client() as plain, connect_ws(ws_url(api), plain, subprotocols=["graphql-transport-ws"]) as ws:
        init(ws, admin_headers["authorization"])
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"id": account_id, "after": positions[1]}},
            }
        )
        replayed = [next_event(ws) for _ in range(2)]
        assert [e["position"] for e in replayed] == positions[2:]
        live = gql(api, FEEDBACK, input={"accountId": account_id, "scale": "NPS", "score": 9})
        assert next_event(ws)["position"] == live["recordFeedback"]["position"]


def test_websocket_needs_a_token_in_connection_init(api: httpx.Client) -> None:
    with httpx.Client() as plain, connect_ws(ws_url(api), plain, subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"authorization": "Bearer kam_wrong"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json(timeout=10)
        assert closed.value.code == 4403


def test_ranking_changes_are_pushed(api: httpx.Client, runtime: Any, admin_headers: dict[str, str]) -> None:
    from datetime import timedelta

    from kamcore.domain.values import today

    from .ranking_book import eur, on

    start = today()
    runtime.app.launch_product(
        on(start.isoformat()),
        code="PROP-1",
        name="Property",
        line_of_business="property",
        target_segments=["corporate"],
    )
    account = runtime.app.open_account(
        on(start.isoformat()), name="Rising", segment="corporate", region="North"
    ).aggregate_id
    with httpx.Client() as plain, connect_ws(ws_url(api), plain, subprotocols=["graphql-transport-ws"]) as ws:
        init(ws, admin_headers["authorization"])
        ws.send_json(
            {
                "id": "r",
                "type": "subscribe",
                "payload": {"query": "subscription { rankingChanges { position name wasKey key tier score } }"},
            }
        )
        time.sleep(1.5)  # changes are relative to the ranking when the subscription starts: let it start
        quote = runtime.app.issue_quote(
            on(start.isoformat()),
            account,
            product_code="PROP-1",
            business_kind="new_client",
            written_premium=eur("250000.00"),
            commission=eur("25000.00"),
            sum_insured=eur("9000000.00"),
            inception_date=start,
            expiry_date=start + timedelta(days=365),
        ).aggregate_id
        runtime.app.bind_policy(on(start.isoformat()), quote)
        message = ws.receive_json(timeout=20)
        assert message["type"] == "next", message
        change = message["payload"]["data"]["rankingChanges"]
        assert (change["name"], change["wasKey"], change["key"]) == ("Rising", False, True)
        assert change["position"] >= runtime.app.head_position() - 1


KPI_UPDATES = """subscription($rm: String!) {
  kpiUpdates(relationshipManagerId: $rm) { position relationshipManagerId kpiId value previousValue numerator }
}"""


def test_kpi_updates_are_pushed_for_a_relationship_manager(
    api: httpx.Client, runtime: Any, settings: Settings, admin_headers: dict[str, str]
) -> None:
    """A CSAT answer on an account the RM leads changes the RM's satisfaction KPI; another RM may not listen."""
    from datetime import timedelta

    from kamcore.domain.values import today

    from .conftest import grant_token
    from .ranking_book import on

    day = today().isoformat()
    runtime.app.register_relationship_manager(on(day), employee_id="rm-live", name="Live RM", team="north", capacity=5)
    account = runtime.app.open_account(on(day), name="Watched", segment="corporate", region="North").aggregate_id
    runtime.app.assign_relationship_manager(
        on(day), account, relationship_manager_id="rm-live", role="lead", effective_from=today() - timedelta(days=30)
    )
    with httpx.Client() as plain, connect_ws(ws_url(api), plain, subprotocols=["graphql-transport-ws"]) as ws:
        init(ws, admin_headers["authorization"])
        ws.send_json(
            {"id": "k", "type": "subscribe", "payload": {"query": KPI_UPDATES, "variables": {"rm": "rm-live"}}}
        )
        time.sleep(1.5)  # updates are relative to the scorecard when the subscription starts
        raised = runtime.app.record_survey_response(on(day), account, scale="csat", score=4)
        updates = []
        while not any(u["kpiId"] == "customer_satisfaction_score" for u in updates):
            message = ws.receive_json(timeout=20)
            assert message["type"] == "next", message
            updates.append(message["payload"]["data"]["kpiUpdates"])
        assert all(u["relationshipManagerId"] == "rm-live" for u in updates)
        assert all(u["position"] >= raised.position for u in updates)
        csat = next(u for u in updates if u["kpiId"] == "customer_satisfaction_score")
        assert (csat["previousValue"], csat["value"]) == (None, 4.0)
    other = grant_token(settings, role="relationship_manager", relationship_manager_id="rm-other")
    with httpx.Client() as plain, connect_ws(ws_url(api), plain, subprotocols=["graphql-transport-ws"]) as ws:
        init(ws, f"Bearer {other}")
        ws.send_json(
            {"id": "k", "type": "subscribe", "payload": {"query": KPI_UPDATES, "variables": {"rm": "rm-live"}}}
        )
        message = ws.receive_json(timeout=10)
        assert message["type"] == "error" or message["payload"].get("errors"), message
        assert "FORBIDDEN" in str(message)
