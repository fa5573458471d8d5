"""Commands against real storage, on every backend: errors are typed and nothing is written on failure."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest

from kamcore.application import CommandContext, KamApplication
from kamcore.domain.account import Account
from kamcore.domain.account_team import AccountTeam
from kamcore.domain.errors import Conflict, InvalidInput, NotFound, VersionConflict
from kamcore.runtime import Runtime
from kamcore.settings import Settings


def open_acme(runtime: Runtime, ctx: CommandContext, **extra: Any) -> Any:
    return runtime.app.open_account(ctx, name="ACME", segment="corporate", region="EMEA", **extra)


def test_an_opened_account_is_readable_from_the_projection(runtime: Runtime, ctx: CommandContext) -> None:
    result = open_acme(runtime, ctx, external_ref="PAS-1")
    assert runtime.wait_for(result.position)
    row = runtime.accounts.get(str(result.aggregate_id))
    assert row is not None
    assert (row["name"], row["segment"], row["status"], row["version"]) == ("ACME", "corporate", "active", 1)


def test_every_stored_event_carries_the_audit_envelope(runtime: Runtime) -> None:
    ctx = CommandContext(
        actor="user:bob",
        on_behalf_of="user:carol",
        correlation_id="corr-1",
        causation_id="cause-1",
        reason="kick-off",
        effective_date=date(2026, 1, 15),
    )
    opened = open_acme(runtime, ctx)
    runtime.app.assign_relationship_manager(ctx, opened.aggregate_id, relationship_manager_id="rm-1", role="lead")
    events = [
        runtime.app.mapper.to_domain_event(n)
        for n in runtime.app.recorder.select_notifications(start=0, limit=100, inclusive_of_start=False)
    ]
    assert len(events) == 3
    for event in events:
        env = event.envelope
        assert (env.actor, env.on_behalf_of, env.correlation_id, env.causation_id, env.reason) == (
            "user:bob",
            "user:carol",
            "corr-1",
            "cause-1",
            "kick-off",
        )
        assert env.effective_date == date(2026, 1, 15)
        assert env.recorded_at.tzinfo is not None
        assert env.recorded_at.utcoffset().total_seconds() == 0
    assert events[2].assignment.effective_from == date(2026, 1, 15)  # the business date, not today


def test_invalid_input_is_typed_and_writes_nothing(runtime: Runtime, ctx: CommandContext) -> None:
    opened = open_acme(runtime, ctx)
    head = runtime.app.head_position()
    cases = [
        (lambda: runtime.app.open_account(ctx, name="", segment="corporate", region="EMEA"), InvalidInput, "name"),
        (lambda: runtime.app.open_account(ctx, name="X", segment="nope", region="EMEA"), InvalidInput, "segment"),
        (
            lambda: runtime.app.record_survey_response(ctx, opened.aggregate_id, scale="nps", score=11),
            InvalidInput,
            "score",
        ),
        (
            lambda: runtime.app.assign_relationship_manager(
                ctx, opened.aggregate_id, relationship_manager_id="rm 1", role="lead"
            ),
            InvalidInput,
            "relationship_manager_id",
        ),
        (
            lambda: runtime.app.assign_relationship_manager(
                ctx,
                opened.aggregate_id,
                relationship_manager_id="rm-1",
                role="lead",
                effective_from=date(2026, 5, 1),
                effective_to=date(2026, 4, 1),
            ),
            InvalidInput,
            "effective_to",
        ),
        (
            lambda: runtime.app.update_account_profile(ctx, AccountTeam.id_for(opened.aggregate_id), name="X"),
            NotFound,
            "account_id",
        ),
        (
            lambda: runtime.app.record_referral(ctx, Account.create_id("missing"), referred_party="Y"),
            NotFound,
            "account_id",
        ),
    ]
    for command, error, field in cases:
        with pytest.raises(error) as raised:
            command()
        assert raised.value.field == field
    assert runtime.app.head_position() == head


def test_a_stale_expected_version_is_a_conflict(runtime: Runtime, ctx: CommandContext) -> None:
    opened = open_acme(runtime, ctx)
    runtime.app.update_account_profile(CommandContext(actor="a", expected_version=1), opened.aggregate_id, name="B")
    with pytest.raises(VersionConflict) as raised:
        runtime.app.update_account_profile(CommandContext(actor="b", expected_version=1), opened.aggregate_id, name="C")
    assert (raised.value.expected, raised.value.actual) == (1, 2)
    assert runtime.app.load(Account, opened.aggregate_id, field="account_id").name == "B"


def test_two_racing_writers_one_wins_one_conflicts_nothing_lost(settings: Settings, ctx: CommandContext) -> None:
    """Two application instances (as two API processes) pass validation together, then race to save."""
    first, second = Runtime(settings), Runtime(settings)
    try:
        opened = open_acme(first, ctx)
        barrier = threading.Barrier(2, timeout=10)
        outcomes: dict[str, Any] = {}

        def writer(app: KamApplication, name: str) -> None:
            real_save = app.save

            def save_after_both_validated(*aggregates: Any, **kwargs: Any) -> Any:
                barrier.wait()
                return real_save(*aggregates, **kwargs)

            app.save = save_after_both_validated  # type: ignore[method-assign]
            try:
                outcomes[name] = app.update_account_profile(
                    CommandContext(actor=name, expected_version=1), opened.aggregate_id, name=f"by {name}"
                )
            except Conflict as conflict:
                outcomes[name] = conflict

        threads = [
            threading.Thread(target=writer, args=(rt.app, name)) for rt, name in ((first, "one"), (second, "two"))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [n for n, o in outcomes.items() if not isinstance(o, Exception)]
        losers = [n for n, o in outcomes.items() if isinstance(o, VersionConflict)]
        assert len(winners) == 1
        assert len(losers) == 1
        account = first.app.load(Account, opened.aggregate_id, field="account_id")
        assert (account.version, account.name) == (2, f"by {winners[0]}")
    finally:
        first.close()
        second.close()


def test_a_retried_command_returns_the_first_result_and_writes_nothing(runtime: Runtime) -> None:
    retry = CommandContext(actor="user:alice", idempotency_key="open-acme-1")
    first = open_acme(runtime, retry)
    head = runtime.app.head_position()
    again = open_acme(runtime, CommandContext(actor="user:alice", idempotency_key="open-acme-1"))
    assert (again.aggregate_id, again.version, again.replayed) == (first.aggregate_id, first.version, True)
    assert runtime.app.head_position() == head
    assert again.position >= first.position  # waiting for it still reads the first write


def test_an_idempotency_key_reused_for_other_input_is_refused(runtime: Runtime) -> None:
    open_acme(runtime, CommandContext(actor="user:alice", idempotency_key="k"))
    head = runtime.app.head_position()
    with pytest.raises(Conflict) as raised:
        runtime.app.open_account(
            CommandContext(actor="user:alice", idempotency_key="k"), name="Other", segment="sme", region="EMEA"
        )
    assert raised.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert runtime.app.head_position() == head


def test_idempotency_keys_are_scoped_to_the_actor(runtime: Runtime) -> None:
    a = open_acme(runtime, CommandContext(actor="user:alice", idempotency_key="same"))
    b = open_acme(runtime, CommandContext(actor="user:bob", idempotency_key="same"))
    assert a.aggregate_id != b.aggregate_id
    assert not b.replayed


def test_concurrent_retries_with_one_key_write_once(settings: Settings) -> None:
    first, second = Runtime(settings), Runtime(settings)
    try:
        barrier = threading.Barrier(2, timeout=10)
        results: list[Any] = []

        def retry(app: KamApplication) -> None:
            real_save = app.save

            def save_together(*aggregates: Any, **kwargs: Any) -> Any:
                barrier.wait()
                return real_save(*aggregates, **kwargs)

            app.save = save_together  # type: ignore[method-assign]
            results.append(
                app.open_account(
                    CommandContext(actor="u", idempotency_key="once"), name="ACME", segment="corporate", region="EMEA"
                )
            )

        threads = [threading.Thread(target=retry, args=(rt.app,)) for rt in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == 2
        assert results[0].aggregate_id == results[1].aggregate_id
        assert sorted(r.replayed for r in results) == [False, True]
        assert first.app.head_position() == 2  # one Opened event and one idempotency record
        opened = [
            n
            for n in first.app.recorder.select_notifications(start=0, limit=100, inclusive_of_start=False)
            if n.topic.endswith("Account.Opened")
        ]
        assert len(opened) == 1
    finally:
        first.close()
        second.close()


def test_an_external_reference_opens_one_account_only(runtime: Runtime, ctx: CommandContext) -> None:
    open_acme(runtime, ctx, external_ref="PAS-9")
    with pytest.raises(Conflict) as raised:
        open_acme(runtime, ctx, external_ref="PAS-9")
    assert (raised.value.code, raised.value.field) == ("DUPLICATE", "external_ref")


def test_a_closed_account_refuses_new_team_members(runtime: Runtime, ctx: CommandContext) -> None:
    opened = open_acme(runtime, ctx)
    runtime.app.close_account(ctx, opened.aggregate_id)
    head = runtime.app.head_position()
    with pytest.raises(Conflict) as raised:
        runtime.app.assign_relationship_manager(ctx, opened.aggregate_id, relationship_manager_id="rm-1", role="lead")
    assert raised.value.code == "ACCOUNT_CLOSED"
    assert runtime.app.head_position() == head
