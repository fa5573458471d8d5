"""Hostile input: random command arguments, a GraphQL fuzz run, injection attempts, limits, tokens, imports.

Why: the API faces the network and the importer faces files from other systems. Whatever arrives,
the answer must be a success or a typed, field-named refusal that writes nothing, and no response
may show internals (tracebacks, SQL, file paths) or fail with HTTP 500.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis_graphql import mutations as gql_mutations
from hypothesis_graphql import queries as gql_queries
from strawberry.relay import GlobalID
from typer.testing import CliRunner

from kamcore.api.sdl import schema_sdl
from kamcore.application import CommandContext
from kamcore.cli import app as cli
from kamcore.domain.errors import KamError
from kamcore.domain.values import Money
from kamcore.runtime import Runtime
from kamcore.settings import Settings

from .conftest import grant_token
from .test_reliability_load import LONG, record_figures

EXAMPLES = 400 if LONG else 40
FUZZ_EXAMPLES = 300 if LONG else 30
HYPOTHESIS = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}
# Whatever an internal error could leak: Python tracebacks and exception names, SQL, file system paths.
LEAKS = re.compile(
    r"Traceback|File \"|\.py\b|/work/|/home/|/usr/|site-packages|psycopg|sqlite3?|OperationalError|IntegrityError|"
    r"ProgrammingError|syntax error at|SELECT |INSERT INTO|UPDATE .* SET|DELETE FROM|account_summary|kamcore\.",
    re.IGNORECASE,
)

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(alphabet=st.sampled_from("\x00\x01\x1b\x7f\n\t\r\u202e\u200b\ufeff%_'\";\\"), max_size=30),
    st.sampled_from(["", " ", "\x00", "' OR 1=1 --", "Robert'); DROP TABLE events;--", "{t}", "%s", "?"]),
    st.integers(min_value=190, max_value=5000).map(lambda n: "x" * n),
)
maybe_texts = st.none() | texts
numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.booleans())
money_strings = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e999999", "-0", "0.00001", "1,000.00", "NaN", "Infinity", " 12 ", "", "١٢٣", "0x10"]),
    st.text(max_size=20),
)
currencies = st.one_of(st.sampled_from(["EUR", "USD", "eur", "EURO", "", "€"]), st.text(max_size=5))
dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


def clean(value: Any) -> bool:
    return not LEAKS.search(json.dumps(value, ensure_ascii=False))


# -- commands with random input ----------------------------------------------------------------------


def command_calls(account_id: UUID) -> st.SearchStrategy[tuple[str, Callable[[Runtime, CommandContext], Any]]]:
    """(name, call) pairs covering text, enum, number, date and money inputs of the commands."""

    def open_account(name: Any, segment: Any, region: Any, industry: Any, size: Any, ref: Any) -> Any:
        return lambda rt, ctx: rt.app.open_account(
            ctx, name=name, segment=segment, region=region, industry=industry, size=size, external_ref=ref
        )

    def update(name: Any, region: Any, industry: Any) -> Any:
        return lambda rt, ctx: rt.app.update_account_profile(
            ctx, account_id, name=name, region=region, industry=industry
        )

    def survey(scale: Any, score: Any, respondent: Any, comment: Any) -> Any:
        return lambda rt, ctx: rt.app.record_survey_response(
            ctx, account_id, scale=scale, score=score, respondent=respondent, comment=comment
        )

    def complaint(category: Any, description: Any) -> Any:
        return lambda rt, ctx: rt.app.raise_complaint(ctx, account_id, category=category, description=description)

    def need(description: Any, line: Any, priority: Any) -> Any:
        return lambda rt, ctx: rt.app.identify_need(
            ctx, account_id, description=description, line_of_business=line, priority=priority
        )

    def stakeholder(name: Any, role: Any) -> Any:
        return lambda rt, ctx: rt.app.add_stakeholder(ctx, account_id, name=name, role=role)

    def quote(premium: Any, currency: Any, inception: date, expiry: date, product: Any) -> Any:
        def call(rt: Runtime, ctx: CommandContext) -> Any:
            money = Money.of(premium, currency, field="written_premium")
            return rt.app.issue_quote(
                ctx,
                account_id,
                product_code=product,
                business_kind="cross_sell",
                written_premium=money,
                commission=money,
                sum_insured=money,
                inception_date=inception,
                expiry_date=expiry,
            )

        return call

    enum_texts = st.one_of(texts, st.sampled_from(["corporate", "sme", "large", "csat", "nps", "high", "user"]))
    return st.one_of(
        st.tuples(
            st.just("openAccount"),
            st.builds(open_account, texts, enum_texts, texts, maybe_texts, enum_texts, maybe_texts),
        ),
        st.tuples(st.just("updateAccountProfile"), st.builds(update, maybe_texts, maybe_texts, maybe_texts)),
        st.tuples(st.just("recordFeedback"), st.builds(survey, enum_texts, numbers, maybe_texts, maybe_texts)),
        st.tuples(st.just("raiseComplaint"), st.builds(complaint, texts, texts)),
        st.tuples(st.just("identifyNeed"), st.builds(need, texts, maybe_texts, enum_texts)),
        st.tuples(st.just("addStakeholder"), st.builds(stakeholder, texts, enum_texts)),
        st.tuples(st.just("issueQuote"), st.builds(quote, money_strings, currencies, dates, dates, texts)),
    )


contexts = st.builds(
    lambda key, reason, effective, version: (key, reason, effective, version),
    st.none() | texts,
    st.none() | texts,
    st.none() | dates,
    st.none() | st.integers(min_value=-3, max_value=5),
)


def test_random_command_input_succeeds_or_is_a_typed_refusal_that_writes_nothing(
    runtime: Runtime, ctx: CommandContext, backend_name: str
) -> None:
    account_id = runtime.app.open_account(ctx, name="Target", segment="corporate", region="North").aggregate_id
    tried: list[str] = []

    @hsettings(max_examples=EXAMPLES, **HYPOTHESIS)
    @given(command=command_calls(account_id), context=contexts)
    def check(command: tuple[str, Callable[[Runtime, CommandContext], Any]], context: tuple[Any, ...]) -> None:
        name, call = command
        key, reason, effective, version = context
        head = runtime.app.head_position()
        tried.append(name)
        try:
            command_ctx = CommandContext(
                actor="user:fuzz",
                idempotency_key=key,
                reason=reason,
                effective_date=effective,
                expected_version=version,
            )
            result = call(runtime, command_ctx)
        except KamError as error:
            refusal: KamError | None = error
        else:
            refusal = None
            assert result.position >= head
        if refusal is not None:
            assert refusal.field, f"{name}: {type(refusal).__name__} without a field: {refusal.message}"
            assert runtime.app.head_position() == head, f"{name} wrote events although it was refused"

    check()
    assert runtime.wait_for(runtime.app.head_position(), timeout=10)
    assert not any(s.error for s in runtime.status()), [s.error for s in runtime.status() if s.error]
    record_figures("command_fuzz", backend=backend_name, inputs=len(tried))


@hsettings(max_examples=EXAMPLES * 2, **HYPOTHESIS)
@given(amount=st.one_of(money_strings, st.decimals(), st.integers(), st.floats()), currency=currencies)
def test_money_is_parsed_or_refused_with_a_field(amount: Any, currency: str) -> None:
    try:
        money = Money.of(amount, currency)
    except KamError as error:
        field = error.field
    else:
        field = None
        assert isinstance(money.amount, Decimal)
        assert money.amount.is_finite()
        assert money.amount >= 0
    assert field in {None, "amount", "currency"}


# -- the running server, fuzzed from its own schema ----------------------------------------------------


def scalar_strategies() -> dict[str, st.SearchStrategy[Any]]:
    from graphql import StringValueNode

    def as_string(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return values.map(lambda v: StringValueNode(value=str(v)))

    return {
        "Date": as_string(st.one_of(dates, st.text(max_size=12))),
        "DateTime": as_string(
            st.one_of(st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat), st.text(max_size=12))
        ),
        "Decimal": as_string(money_strings),
        "JSON": as_string(st.text(max_size=20)),
    }


def leaks(response: httpx.Response) -> list[str]:
    """Internal details in a response; text the client itself sent (echoed in a validation message) is not one."""
    sent = (response.request.content or b"").decode("utf-8", "replace").lower()
    return [m.group(0) for m in LEAKS.finditer(response.text) if m.group(0).lower() not in sent]


def assert_safe(response: httpx.Response) -> None:
    """No 500, and nothing internal in the body."""
    assert response.status_code != 500, response.text
    assert response.status_code in {200, 400, 413}, response.text
    assert not leaks(response), (leaks(response), response.text[:2000])


def test_graphql_fuzz_from_the_schema_never_fails_or_leaks(api: httpx.Client, backend_name: str) -> None:
    sdl = schema_sdl()
    sent: list[str] = []

    @hsettings(max_examples=FUZZ_EXAMPLES, **HYPOTHESIS)
    @given(
        document=gql_queries(sdl, custom_scalars=scalar_strategies())
        | gql_mutations(sdl, custom_scalars=scalar_strategies())
    )
    def check(document: str) -> None:
        sent.append(document)
        assert_safe(api.post("/graphql", json={"query": document}))

    check()
    record_figures("graphql_fuzz", backend=backend_name, inputs=len(sent))


# -- injection attempts in every filter, order and id argument ------------------------------------------

INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE account_summary; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "%' --",
    "') UNION SELECT * FROM events --",
    "{t}",
    "%s",
    "?",
    "\x00",
    "\u202e\u0000abc",
    "x" * 5000,
    "😀' OR 1=1 --",
]
LIST = "query($f: AccountFilter) { accounts(first: 100, filter: $f) { totalCount nodes { name } } }"
KEY_ACCOUNTS = "query($f: KeyAccountFilter) { keyAccounts(first: 50, filter: $f) { __typename } }"
HISTORY = """query($id: ID!, $f: HistoryFilter) {
  accountHistory(accountId: $id, first: 50, filter: $f) { edges { node { type } } }
}"""
AGGREGATE_HISTORY = "query($id: String!) { aggregateHistory(aggregateId: $id, first: 5) { edges { node { type } } } }"


def post(client: httpx.Client, query: str, headers: dict[str, str] | None = None, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers or {})
    assert_safe(response)
    return response.json()


def test_injection_attempts_in_filters_and_orders_change_nothing_and_leak_nothing(
    api: httpx.Client, backend_name: str
) -> None:
    from .test_api_end_to_end import open_account

    account = open_account(api, name="Alpha Re")["account"]["id"]
    open_account(api, name="Beta Re")
    tried = 0
    for payload in INJECTIONS:
        for flt in (
            {"nameContains": payload},
            {"region": [payload]},
            {"leadRelationshipManagerId": payload},
        ):
            body = post(api, LIST, f=flt)
            tried += 1
            if "errors" not in body:
                assert body["data"]["accounts"]["totalCount"] == 0, (flt, body)
        for flt in (
            {"segment": [payload]},
            {"region": [payload]},
            {"tier": [payload]},
            {"leadRelationshipManagerId": payload},
        ):
            post(api, KEY_ACCOUNTS, f=flt)
            tried += 1
        for flt in ({"actor": payload}, {"eventTypes": [payload]}):
            body = post(api, HISTORY, id=account, f=flt)
            tried += 1
            if "errors" not in body:
                assert body["data"]["accountHistory"]["edges"] == [], (flt, body)
        post(api, AGGREGATE_HISTORY, id=payload)
        enum_literal = re.sub(r"\W", "", payload) or "X"
        post(api, LIST.replace("filter: $f", f"filter: $f, orderBy: {{field: {enum_literal}}}"), f=None)
        tried += 2
    for order in (
        '{field: NAME, direction: "DESC; DROP"}',
        "{field: name}",
        '"NAME"',
        "{field: NAME, direction: ASC, x: 1}",
    ):
        body = post(api, f"{{ accounts(first: 5, orderBy: {order}) {{ totalCount }} }}")
        assert body.get("errors"), order
        tried += 1
    body = post(api, LIST, f=None)
    assert body["data"]["accounts"]["totalCount"] == 2  # both accounts still there, nothing dropped
    record_figures("injection", backend=backend_name, inputs=tried)


def test_a_nul_character_in_name_contains_matches_nothing_on_sqlite(tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=tmp_path / "data"))
    try:
        runtime.app.open_account(CommandContext(actor="test:setup"), name="Alpha", segment="sme", region="West")
        runtime.catch_up()
        from kamcore.projections.account_summary_view import AccountFilter

        page = runtime.accounts.page(AccountFilter(name_contains="\x00"))
        assert page.rows == []
    finally:
        runtime.close()


# -- limits ---------------------------------------------------------------------------------------------


def error_codes(body: dict[str, Any]) -> list[str | None]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors", [])]


def test_oversized_deep_and_alias_bombed_queries_are_refused(api: httpx.Client) -> None:
    nested = "{ accounts(first: 1) { nodes { " + "team { " * 14 + "role" + " }" * 14 + " } } }"
    deep = post(api, nested)
    assert deep.get("errors"), deep
    assert deep.get("data") is None, deep
    aliases = "{ " + " ".join(f"a{i}: accounts(first: 1) {{ totalCount }}" for i in range(40)) + " }"
    aliased = post(api, aliases)
    assert aliased.get("errors"), aliased
    assert aliased.get("data") is None, aliased
    tokens = "{ accounts(first: 1) { totalCount " + "__typename " * 6000 + "} }"
    many = post(api, tokens)
    assert many.get("errors"), many
    assert many.get("data") is None, many
    costly = post(
        api, "{ accounts(first: 100) { nodes { team { role } stakeholders { name } needs { description } } } }"
    )
    assert "MAX_COST_EXCEEDED" in error_codes(costly) or "errors" not in costly
    bomb = post(
        api, "{ a: accounts(first: 100) { nodes { id } } b: accounts(first: 100) { edges { node { team { role } } } } }"
    )
    assert bomb.get("data") or bomb.get("errors")
    big = api.post("/graphql", json={"query": "{ __typename }", "variables": {"pad": "x" * (2 * 1024 * 1024)}})
    assert big.status_code in {400, 413}, big.status_code
    assert not leaks(big)
    page = post(api, "{ accounts(first: 100000) { totalCount } }")
    assert page.get("errors"), page
    fragments = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    assert post(api, fragments).get("errors")


def test_every_refusal_of_a_limit_carries_a_code(api: httpx.Client) -> None:
    """Frontends branch on `extensions.code`; a limit refusal without one can only be shown, not handled."""
    deep = post(api, "{ accounts(first: 1) { nodes { " + "team { " * 14 + "role" + " }" * 14 + " } } }")
    aliases = post(api, "{ " + " ".join(f"a{i}: accounts(first: 1) {{ totalCount }}" for i in range(40)) + " }")
    tokens = post(api, "{ accounts(first: 1) { totalCount " + "__typename " * 6000 + "} }")
    for body in (deep, aliases, tokens):
        assert body.get("errors"), body
        assert None not in error_codes(body), body["errors"][0]


# -- tokens and teams ------------------------------------------------------------------------------------

WHO = "{ accounts(first: 1) { totalCount } }"


def test_bad_expired_and_revoked_tokens_are_unauthenticated(api: httpx.Client, settings: Settings) -> None:
    runtime = Runtime(settings)
    try:
        setup = CommandContext(actor="test:setup", reason="hostile input test")
        expires = datetime.now(UTC) + timedelta(seconds=1)
        _, expired = runtime.app.grant_token(setup, name="old", role="admin", expires_at=expires)
        revoked_result, revoked = runtime.app.grant_token(setup, name="gone", role="admin")
        runtime.app.revoke_token(setup, revoked_result.aggregate_id)
    finally:
        runtime.close()
    time.sleep(max((expires - datetime.now(UTC)).total_seconds() + 0.05, 0))
    for header in (
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer " + "x" * 10_000,
        "Bearer \x00\x01",
        "Bearer ' OR 1=1 --",
        f"Bearer {expired}",
        f"Bearer {revoked}",
        f"bearer {revoked}",
    ):
        try:
            response = api.post("/graphql", json={"query": WHO}, headers={"authorization": header})
        except (httpx.LocalProtocolError, ValueError):
            continue  # the client refuses to send it: nothing reached the server
        assert_safe(response)
        assert error_codes(response.json()) == ["UNAUTHENTICATED"], (header[:40], response.text)


def test_a_relationship_manager_cannot_touch_another_teams_account(api: httpx.Client, settings: Settings) -> None:
    from .test_api_end_to_end import ASSIGN, gql, open_account

    mine = open_account(api, name="Mine")["account"]["id"]
    theirs = open_account(api, name="Theirs")["account"]["id"]
    for account, rm in ((mine, "rm-me"), (theirs, "rm-other")):
        assigned = gql(api, ASSIGN, input={"accountId": account, "relationshipManagerId": rm, "role": "LEAD"})
        assert assigned["assignRelationshipManager"]["userErrors"] == []
    rm_headers = {"authorization": f"Bearer {grant_token(settings, 'relationship_manager', 'rm-me')}"}
    complaint = gql(
        api,
        "mutation($i: RaiseComplaintInput!) { raiseComplaint(input: $i) { feedbackId } }",
        i={"accountId": theirs, "category": "service", "description": "theirs"},
    )["raiseComplaint"]["feedbackId"]
    head = post(api, "{ accounts(first: 5) { totalCount } }")
    attempts = [
        ("updateAccountProfile", "UpdateAccountProfileInput", {"accountId": theirs, "region": "Stolen"}),
        ("recordFeedback", "RecordFeedbackInput", {"accountId": theirs, "scale": "NPS", "score": 0}),
        ("raiseComplaint", "RaiseComplaintInput", {"accountId": theirs, "category": "x", "description": "y"}),
        ("resolveComplaint", "ResolveComplaintInput", {"complaintId": complaint, "resolution": "hidden"}),
        ("identifyNeed", "IdentifyNeedInput", {"accountId": theirs, "description": "z"}),
        ("closeAccount", "CloseAccountInput", {"accountId": mine, "reason": "mine but not allowed"}),
        (
            "assignRelationshipManager",
            "AssignRelationshipManagerInput",
            {"accountId": theirs, "relationshipManagerId": "rm-me", "role": "LEAD"},
        ),
    ]
    for mutation, input_type, fields in attempts:
        query = f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ userErrors {{ code }} }} }}"
        body = post(api, query, headers=rm_headers, i=fields)
        assert error_codes(body) == ["FORBIDDEN"], (mutation, body)
    own = post(
        api,
        "mutation($i: RecordFeedbackInput!) { recordFeedback(input: $i) { userErrors { code } position } }",
        headers=rm_headers,
        i={"accountId": mine, "scale": "NPS", "score": 9},
    )
    assert own["data"]["recordFeedback"]["userErrors"] == [], own
    theirs_now = post(  # read at least everything written so far, the complaint included
        api,
        "query($id: ID!) { account(id: $id) { region version feedback { complaints openComplaints latestNps } } }",
        headers={"X-Min-Position": str(own["data"]["recordFeedback"]["position"])},
        id=theirs,
    )
    assert theirs_now["data"]["account"] == {
        "region": "EMEA",
        "version": 1,
        "feedback": {"complaints": 1, "openComplaints": 1, "latestNps": None},
    }
    assert post(api, "{ accounts(first: 5) { totalCount } }") == head
    unknown = str(GlobalID("Account", str(uuid4())))
    body = post(
        api,
        "mutation($i: RecordFeedbackInput!) { recordFeedback(input: $i) { userErrors { code } } }",
        headers=rm_headers,
        i={"accountId": unknown, "scale": "NPS", "score": 1},
    )
    assert error_codes(body) == ["FORBIDDEN"], body


# -- imports ---------------------------------------------------------------------------------------------

GOOD_JSON = b'{"external_ref": "PAS-1", "name": "Good Co", "segment": "corporate", "region": "North"}\n'
HEADER = "external_ref,name,segment,region,industry,size,as_of\n"
GOOD = "PAS-1,Good Co,corporate,North,Logistics,large,2023-01-09\n"
MALFORMED: dict[str, bytes] = {
    "wrong_header.csv": b"ref,nom\nPAS-1,Good\n",
    "extra_columns.csv": (HEADER + GOOD + "PAS-2,B,corporate,North,x,large,2023-01-09,EXTRA,MORE\n").encode(),
    "nul_bytes.csv": (HEADER + GOOD + "PAS-3,Nul\x00Co,corporate,North,x,large,2023-01-09\n").encode(),
    "control_chars.csv": (HEADER + GOOD + "PAS-4,Esc\x1b[31mCo,corporate,North,x,large,2023-01-09\n").encode(),
    "bad_utf8.csv": HEADER.encode() + GOOD.encode() + b"PAS-5,\xff\xfe\xfa,corporate,North,x,large,2023-01-09\n",
    "unterminated_quote.csv": (HEADER + GOOD + 'PAS-6,"never closed,corporate,North,x,large,2023-01-09\n').encode(),
    "injection.csv": (
        HEADER + GOOD + "PAS-7,=cmd|' /C calc'!A0,corporate,North,x,large,2023-01-09\n"
        "'; DROP TABLE events; --,X,corporate,North,x,large,2023-01-09\n"
    ).encode(),
    "huge_field.csv": (HEADER + GOOD + "PAS-8," + "x" * (2 << 20) + ",corporate,North,x,large,2023-01-09\n").encode(),
    "bad_dates.csv": (
        HEADER + GOOD + "PAS-9,D,corporate,North,x,large,2023-02-30\nPAS-10,E,corporate,North,x,large,99999-01-01\n"
    ).encode(),
    "binary.csv": bytes(range(256)) * 64,
    "empty.csv": b"",
    "header_only.csv": HEADER.encode(),
    "not_objects.jsonl": GOOD_JSON + b'[1,2,3]\n"text"\nnull\n',
    "broken_json.jsonl": GOOD_JSON + b'{"external_ref": \n',
    "deep_json.jsonl": GOOD_JSON + b"" + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "wrong_types.jsonl": GOOD_JSON + b'{"external_ref": 12, "name": ["x"], "segment": {"a": 1}, "region": null}\n',
    "huge_line.jsonl": GOOD_JSON + b'{"name": "' + b"y" * (2 << 20) + b'"}\n',
}


def import_env(settings: Settings) -> dict[str, str]:
    env = {"KAMCORE_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env |= {"KAMCORE_DATABASE_URL": settings.database_url, "KAMCORE_DATABASE_SCHEMA": settings.database_schema}
    return env


def test_malformed_imports_report_rows_and_write_nothing(settings: Settings, tmp_path: Path, backend_name: str) -> None:
    runtime = Runtime(settings)
    try:
        head = runtime.app.head_position()
        for name, content in MALFORMED.items():
            path = tmp_path / name
            path.write_bytes(content)
            result = CliRunner().invoke(
                cli, ["import", str(path), "--kind", "accounts", "--mode", "all-or-nothing"], env=import_env(settings)
            )
            assert result.exception is None or isinstance(result.exception, SystemExit), (name, repr(result.exception))
            assert result.exit_code != 0 or name in {"empty.csv", "header_only.csv"}, (name, result.output)
            assert "Traceback" not in result.output, (name, result.output)
            assert runtime.app.head_position() == head, f"{name}: an all-or-nothing import wrote events"
    finally:
        runtime.close()
    record_figures("import", backend=backend_name, inputs=len(MALFORMED))


def test_a_node_id_naming_no_type_is_a_typed_input_error(api: httpx.Client) -> None:
    for type_name in ("NoSuchType", "AccountFilter"):  # unknown, and a type that is not a node
        body = post(api, "query($id: ID!) { node(id: $id) { id } }", id=str(GlobalID(type_name, "x")))
        assert error_codes(body) == ["BAD_USER_INPUT"], body
        assert type_name in body["errors"][0]["message"]
