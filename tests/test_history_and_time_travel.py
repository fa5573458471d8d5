"""Auditors' history and time travel, on every backend, with a backdated correction in between."""

from __future__ import annotations

import contextlib
import json
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore.application import CommandContext
from kamcore.application.revealing import reveal_stakeholders
from kamcore.audit.history import HistoryFilter, account_positions, from_json, history
from kamcore.audit.timetravel import PointInTime, account_as_of, diff
from kamcore.demo import write_book
from kamcore.domain.errors import InvalidInput
from kamcore.domain.events import account_of, event_data
from kamcore.projections.account_summary import AccountSummaryProjection
from kamcore.projections.json_text import to_json
from kamcore.projections.projection import SqlCursor
from kamcore.runtime import Runtime
from kamcore.settings import Settings
from kamcore.storage.sqlite import SQLiteDialect


def at(day: str, **extra: object) -> CommandContext:
    return CommandContext(actor="user:alice", reason="test", effective_date=date.fromisoformat(day), **extra)


@pytest.fixture
def story(runtime: Runtime) -> dict[str, object]:
    """Opened (backdated) 2025-12-01, lead from 2026-01-01, NPS 6 on 2026-03-01; later NPS 9 backdated to 02-01."""
    app = runtime.app
    account = app.open_account(at("2025-12-01"), name="Atlas", segment="corporate", region="North").aggregate_id
    app.assign_relationship_manager(at("2026-01-01"), account, relationship_manager_id="rm-1", role="lead")
    app.record_survey_response(at("2026-03-01"), account, scale="nps", score=6)
    app.update_account_profile(at("2026-03-02"), account, region="South")
    time.sleep(0.01)
    known_before_correction = datetime.now(UTC)
    time.sleep(0.01)
    app.record_survey_response(
        CommandContext(actor="user:bob", reason="late entry of a February survey", effective_date=date(2026, 2, 1)),
        account,
        scale="nps",
        score=9,
    )
    assert runtime.wait_for(app.head_position())
    return {"account": account, "known_before_correction": known_before_correction}


def test_history_lists_every_event_of_the_account_with_its_envelope(runtime: Runtime, story: dict) -> None:
    store, keys = runtime.stores["event_history"], runtime.app.subject_keys
    page = history(store, HistoryFilter(account_id=str(story["account"])), subject_keys=keys)
    assert [(e["aggregate_type"], e["event_type"]) for e in page.events] == [
        ("Account", "Opened"),
        ("AccountTeam", "Formed"),
        ("AccountTeam", "RelationshipManagerAssigned"),
        ("SurveyResponse", "Recorded"),
        ("Account", "ProfileUpdated"),
        ("SurveyResponse", "Recorded"),
    ]
    last = page.events[-1]
    assert (last["actor"], last["reason"], last["effective_date"], last["data"]["score"]) == (
        "user:bob",
        "late entry of a February survey",
        "2026-02-01",
        9,
    )
    assert not page.has_next


def test_history_pages_and_filters(runtime: Runtime, story: dict) -> None:
    store, keys = runtime.stores["event_history"], runtime.app.subject_keys
    first = history(store, HistoryFilter(account_id=str(story["account"])), subject_keys=keys, first=2)
    assert first.has_next
    assert len(first.events) == 2
    rest = history(
        store, HistoryFilter(account_id=str(story["account"])), subject_keys=keys, after=first.events[-1]["position"]
    )
    assert len(rest.events) == 4
    by_bob = history(store, HistoryFilter(account_id=str(story["account"]), actor="user:bob"), subject_keys=keys)
    assert [e["data"]["score"] for e in by_bob.events] == [9]
    surveys = history(
        store,
        HistoryFilter(account_id=str(story["account"]), event_types=("SurveyResponse.Recorded",)),
        subject_keys=keys,
    )
    assert len(surveys.events) == 2
    later = history(
        store,
        HistoryFilter(account_id=str(story["account"]), recorded_from=story["known_before_correction"]),
        subject_keys=keys,
    )
    assert [e["data"]["score"] for e in later.events] == [9]
    aggregate = history(store, HistoryFilter(aggregate_id=str(story["account"])), subject_keys=keys)
    assert [e["aggregate_version"] for e in aggregate.events] == [1, 2]
    with pytest.raises(InvalidInput):
        history(store, HistoryFilter(), subject_keys=keys)


def test_three_notions_of_time(runtime: Runtime, story: dict) -> None:
    app, store, account = runtime.app, runtime.stores["event_history"], story["account"]
    now = account_as_of(app, store, account, PointInTime())
    assert (now["latest_nps"], now["latest_nps_on"], now["region"]) == (6, "2026-03-01", "South")
    assert diff(now, runtime.accounts.get(str(account))) == []  # replaying the past reproduces the present

    v1 = account_as_of(app, store, account, PointInTime(version=1))
    assert (v1["region"], v1["lead_rm_id"], v1["latest_nps"]) == ("North", None, None)

    february = account_as_of(app, store, account, PointInTime(business_date=date(2026, 2, 15)))
    assert (february["latest_nps"], february["lead_rm_id"], february["region"]) == (9, "rm-1", "North")

    believed = account_as_of(
        app, store, account, PointInTime(business_date=date(2026, 2, 15), known_at=story["known_before_correction"])
    )
    assert believed["latest_nps"] is None  # before the correction was recorded, February had no survey

    assert account_as_of(app, store, account, PointInTime(business_date=date(2025, 11, 30))) is None


def test_diff_between_two_points(runtime: Runtime, story: dict) -> None:
    app, store, account = runtime.app, runtime.stores["event_history"], story["account"]
    changes = diff(
        account_as_of(app, store, account, PointInTime(business_date=date(2026, 1, 15))),
        account_as_of(app, store, account, PointInTime(business_date=date(2026, 3, 15))),
    )
    assert {c["field"]: (c["before"], c["after"]) for c in changes} == {
        "region": ("North", "South"),
        "version": (1, 2),
        "latest_nps": (None, 6),
        "latest_nps_on": (None, "2026-03-01"),
    }


def test_a_reason_with_a_nul_is_refused_and_one_with_lines_is_kept(runtime: Runtime) -> None:
    """A NUL in a reason reached the event history, which PostgreSQL cannot store in text: it stopped there."""
    with pytest.raises(InvalidInput) as refused:
        runtime.app.open_account(CommandContext(actor="a", reason="bad\x00reason"), name="N", segment="sme", region="N")
    assert refused.value.field == "reason"
    ctx = CommandContext(actor="user:alice", reason="first line\r\n\tsecond \x1b")
    opened = runtime.app.open_account(ctx, name="N", segment="sme", region="N")
    assert runtime.wait_for(opened.position)
    flt, keys = HistoryFilter(account_id=str(opened.aggregate_id)), runtime.app.subject_keys
    page = history(runtime.stores["event_history"], flt, subject_keys=keys)
    assert [e["reason"] for e in page.events] == ["first line\r\n\tsecond \x1b"]


def test_a_page_without_data_is_the_same_envelope(runtime: Runtime, story: dict) -> None:
    store, keys = runtime.stores["event_history"], runtime.app.subject_keys
    account = str(story["account"])
    for flt, first in (
        (HistoryFilter(account_id=account), 4),
        (HistoryFilter(account_id=account, actor="user:bob"), 9),
    ):
        full = history(store, flt, subject_keys=keys, first=first)
        bare = history(store, flt, subject_keys=keys, first=first, with_data=False)
        assert bare.events == [{**event, "data": None} for event in full.events]
        assert bare.has_next == full.has_next


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=12,
)


@given(JSON_VALUES)
def test_history_data_reads_as_the_standard_parser_reads_it(value: Any) -> None:
    texts = [json.dumps(value), json.dumps(value, ensure_ascii=False)]
    with contextlib.suppress(TypeError, orjson.JSONEncodeError):  # orjson writes no integers beyond 64 bits
        texts.append(to_json(value))  # how the event history writes it
    for text in texts:
        assert json.dumps(from_json(text)) == json.dumps(json.loads(text)), text


def test_history_data_with_a_lone_surrogate_or_a_huge_number_reads_as_the_standard_parser_reads_it() -> None:
    for text in ['"\\ud800"', "[1e400]", "[-9223372036854775809]", "[18446744073709551616, 1]", '{"a": 1, "a": 2}']:
        assert json.dumps(from_json(text)) == json.dumps(json.loads(text)), text


# -- time travel: the fast path (events it does not need are not decoded; kept replay states) against a full replay


def replayed_in_full(runtime: Runtime, account: UUID, at: PointInTime) -> dict[str, Any] | None:
    """The exact path: every event of the selection's aggregates decoded, all replayed into an empty read model."""
    with runtime.stores["event_history"].reading() as sql:
        index = [
            dict(r)
            for r in sql.execute(
                "SELECT position, aggregate_id, aggregate_version, recorded_at, business_date FROM {t}event_history"
                " WHERE account_id = ? ORDER BY position",
                (str(account),),
            ).fetchall()
        ]
    cutoff = None
    if at.version is not None:
        cutoff = next(
            r["position"] for r in index if (r["aggregate_id"], r["aggregate_version"]) == (str(account), at.version)
        )
    selected = [
        r
        for r in index
        if (cutoff is None or r["position"] <= cutoff)
        and (at.business_date is None or r["business_date"] <= at.business_date.isoformat())
        and (at.known_at is None or datetime.fromisoformat(r["recorded_at"]) <= at.known_at)
    ]
    events = {
        (str(e.originator_id), e.originator_version): e
        for aggregate_id in {r["aggregate_id"] for r in selected}
        for e in runtime.app.events.get(UUID(aggregate_id))
    }
    projection = AccountSummaryProjection()
    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite3.Row
    try:
        sql = SqlCursor(connection.cursor(), SQLiteDialect())
        for statement in projection.ddl:
            sql.execute(statement)
        for r in selected:
            projection.apply(sql, events[(r["aggregate_id"], r["aggregate_version"])])
        sql.rows.flush()
        row = sql.execute("SELECT * FROM {t}account_summary WHERE account_id = ?", (str(account),)).fetchone()
    finally:
        connection.close()
    if row is None:
        return None
    stakeholders = reveal_stakeholders(json.loads(row["stakeholders"]), runtime.app.subject_keys)
    return {**dict(row), "stakeholders": to_json(stakeholders)}


def long_history(app: Any, events: int = 260) -> UUID:
    """An account with `events` events (profile changes and surveys, some backdated, a team), over many days."""
    account = app.open_account(at("2025-01-01"), name="Long", segment="corporate", region="North").aggregate_id
    app.assign_relationship_manager(at("2025-01-02"), account, relationship_manager_id="rm-1", role="lead")
    for i in range(2, events):
        day = date(2025, 1, 1) + timedelta(days=i if i % 7 else i - 40)  # every 7th is backdated
        ctx = CommandContext(actor=f"user:{i % 3}", reason="test", effective_date=day)
        if i % 5 == 0:
            app.record_survey_response(ctx, account, scale="nps", score=i % 11)
        else:
            app.update_account_profile(ctx, account, region=("North", "South", "East")[i % 3])
    return account


@pytest.fixture
def book(settings: Settings) -> Iterator[tuple[Runtime, list[UUID]]]:
    """A small demo book and a long account, read models caught up: (runtime, accounts with the most events)."""
    runtime = Runtime(settings)
    write_book(runtime.app, 6, seed=11)
    long = long_history(runtime.app)
    runtime.catch_up()
    with runtime.stores["event_history"].reading() as sql:
        busiest = sql.execute(
            "SELECT account_id, COUNT(*) AS n FROM {t}event_history WHERE account_id IS NOT NULL"
            " GROUP BY account_id ORDER BY n DESC, account_id LIMIT 3"
        ).fetchall()
    yield runtime, [long, *(UUID(r["account_id"]) for r in busiest if r["account_id"] != str(long))]
    runtime.close()


def points_in_time(runtime: Runtime, account: UUID, rnd: random.Random) -> list[PointInTime]:
    """Versions, business dates, known-at times and both together, in a random order, each twice."""
    with runtime.stores["event_history"].reading() as sql:
        rows = sql.execute(
            "SELECT aggregate_id, aggregate_version, recorded_at, business_date FROM {t}event_history"
            " WHERE account_id = ?",
            (str(account),),
        ).fetchall()
    versions = sorted(r["aggregate_version"] for r in rows if r["aggregate_id"] == str(account))
    days = sorted({date.fromisoformat(r["business_date"]) for r in rows})
    known = sorted(datetime.fromisoformat(r["recorded_at"]) for r in rows)
    points = [PointInTime(version=v) for v in versions[:: max(1, len(versions) // 12)] + versions[-2:]]
    points += [PointInTime(business_date=d) for d in rnd.sample(days, min(8, len(days)))]
    points += [PointInTime(known_at=k) for k in rnd.sample(known, min(6, len(known)))]
    points += [PointInTime(business_date=rnd.choice(days), known_at=rnd.choice(known)) for _ in range(4)]
    points += [PointInTime(), PointInTime(business_date=days[0] - timedelta(days=1))]
    rnd.shuffle(points)
    return points + points[::-1]


def test_time_travel_equals_a_full_replay_at_every_point(book: tuple[Runtime, list[UUID]]) -> None:
    runtime, accounts = book
    store, rnd = runtime.stores["event_history"], random.Random(5)
    for account in accounts:
        for point in points_in_time(runtime, account, rnd):
            assert account_as_of(runtime.app, store, account, point) == replayed_in_full(runtime, account, point), (
                account,
                point,
            )


def test_a_later_travel_replays_only_what_follows_a_kept_state(
    book: tuple[Runtime, list[UUID]], monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime, (long, *_) = book
    app, store = runtime.app, runtime.stores["event_history"]
    # version of the account -> how many events of its history (team, surveys too) lead up to it
    reached = {
        v: n
        for n, (_, aggregate, v, _, _) in enumerate(account_positions(store, str(long)), 1)
        if aggregate == str(long)
    }
    version_at = {n: v for v, n in reached.items()}
    decoded: list[Any] = []
    decode = app.mapper.to_domain_event
    monkeypatch.setattr(app.mapper, "to_domain_event", lambda stored: decoded.append(stored) or decode(stored))

    def travel(count: int) -> int:
        """Travel to the first version reached after `count` events; how many events that decoded."""
        n = min(n for n in version_at if n >= count)
        point = PointInTime(version=version_at[n])
        decoded.clear()
        travelled = account_as_of(app, store, long, point)
        count = len(decoded)
        assert travelled == replayed_in_full(runtime, long, point)
        return count

    first = min(n for n in version_at if n >= 230)
    assert travel(230) == first  # nothing kept yet: every event up to there (each one has a handler)
    assert travel(first + 8) == min(n for n in version_at if n >= first + 8) - first  # from the state kept at `first`
    assert travel(150) == min(n for n in version_at if n >= 150) - 100  # from the state kept at the 100th event
    before_backdating = PointInTime(business_date=date(2025, 1, 20))  # leaves out events recorded later than some
    decoded.clear()
    travelled = account_as_of(app, store, long, before_backdating)
    assert decoded[0].originator_version == 1  # no kept state begins this selection: replayed from the start
    assert travelled == replayed_in_full(runtime, long, before_backdating)


def test_the_event_history_holds_every_event_with_its_envelope_and_data(book: tuple[Runtime, list[UUID]]) -> None:
    """Each row against the row the event gives, built field by field from the decoded event (the exact path)."""
    runtime, _ = book
    notifications = runtime.app.recorder.select_notifications(start=0, limit=10_000, inclusive_of_start=False)
    expected = []
    for n in notifications:
        event = runtime.app.mapper.to_domain_event(n)
        env, account = event.envelope, account_of(event)
        aggregate_type, _, event_type = type(event).__qualname__.rpartition(".")
        expected.append(
            {
                "position": n.id,
                "account_id": str(account) if account else None,
                "aggregate_id": str(event.originator_id),
                "aggregate_type": aggregate_type,
                "aggregate_version": event.originator_version,
                "event_type": event_type,
                "topic": n.topic,
                "actor": env.actor,
                "on_behalf_of": env.on_behalf_of,
                "correlation_id": env.correlation_id,
                "causation_id": env.causation_id,
                "reason": env.reason,
                "source": env.source.value,
                "recorded_at": env.recorded_at.isoformat(),
                "effective_date": env.effective_date.isoformat() if env.effective_date else None,
                "business_date": env.business_date.isoformat(),
                "data": event_data(event),
            }
        )
    with runtime.stores["event_history"].reading() as sql:
        rows = [dict(r) for r in sql.execute("SELECT * FROM {t}event_history ORDER BY position").fetchall()]
    assert len(rows) == len(expected) > 1000
    assert [{**row, "data": json.loads(row["data"])} for row in rows] == expected
