"""Auditors' history and time travel, on every backend, with a backdated correction in between."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest

from kamcore.application import CommandContext
from kamcore.audit.history import HistoryFilter, history
from kamcore.audit.timetravel import PointInTime, account_as_of, diff
from kamcore.domain.errors import InvalidInput
from kamcore.runtime import Runtime


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
