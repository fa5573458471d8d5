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


def test_rows_with_a_repeated_first_column_stored_in_another_order_are_equal(runtime: Runtime) -> None:
    """Equal tables are equal whatever order their rows were written in (no false differences)."""
    seed_demo(runtime.app, accounts=12)
    runtime.catch_up()
    with runtime.stores["kpi_measures"].writing() as sql:
        rows = [
            tuple(dict(r).values()) for r in sql.execute("SELECT * FROM {t}kpi_account_lead ORDER BY rm_id").fetchall()
        ]
        rm_ids = [r[0] for r in rows]
        assert len(set(rm_ids)) < len(rm_ids)  # some RM led several accounts
        sql.execute("DELETE FROM {t}kpi_account_lead")
        marks = ", ".join("?" for _ in rows[0])
        for row in reversed(rows):
            sql.execute(f"INSERT INTO {{t}}kpi_account_lead VALUES ({marks})", row)
    kpis = next(r for r in replay_check(runtime) if r.name == "kpi_measures")
    assert kpis.ok, kpis.differences
