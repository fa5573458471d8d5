"""The replay check: a scratch rebuild equals the live read models, and a hand-edited read model is caught."""

from __future__ import annotations

from kamcore.application import CommandContext
from kamcore.audit.replay import replay_check
from kamcore.demo import seed_demo
from kamcore.runtime import Runtime


def test_live_read_models_equal_a_replay(runtime: Runtime) -> None:
    seed_demo(runtime.app, accounts=6)
    results = replay_check(runtime)
    assert {r.name for r in results} >= {"account_summary", "event_history", "access_tokens"}
    assert all(r.ok for r in results), [r.differences for r in results]
    assert next(r for r in results if r.name == "account_summary").rows == 6


def test_a_tampered_read_model_is_reported(runtime: Runtime, ctx: CommandContext) -> None:
    opened = runtime.app.open_account(ctx, name="Honest", segment="sme", region="West")
    assert runtime.wait_for(opened.position)
    with runtime.stores["account_summary"].writing() as sql:
        sql.execute("UPDATE {t}account_summary SET name = 'Forged' WHERE account_id = ?", (str(opened.aggregate_id),))
    summary = next(r for r in replay_check(runtime) if r.name == "account_summary")
    assert not summary.ok
    assert "Forged" in summary.differences[0]
    assert str(opened.aggregate_id) in summary.differences[0]
