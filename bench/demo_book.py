"""Query latency on a realistic `kamcore demo` book (policies, claims, teams, interactions), e.g. 100k accounts.

`python -m bench.demo_book --data-dir DIR` starts `kamcore serve` on the book (its read models caught up
or rebuilt beforehand), then measures through HTTP: the first key-account ranking after start and the
steady top 50, one account's ranking, the Pareto curve, an RM's and a team's quarterly scorecard, and
account-360; with p50/p95/p99 and the server's peak RSS. It writes nothing to the book but a token.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from bench.over_http import GraphQL, served, timed, tree_peak_rss_mb
from bench.run import RESULTS, last_full_quarter
from kamcore.application import CommandContext
from kamcore.runtime import Runtime
from kamcore.settings import Settings

KEY_TOP_50 = "{ keyAccounts(first: 50) { position totalCount premiumShare nodes { name rank score tier } } }"
ACCOUNT_RANKING = """query($id: ID!) { accountRanking(accountId: $id) { rank score tier breakdown { fact points } } }"""
PARETO = "{ paretoCurve(basis: WRITTEN_PREMIUM, points: 20) { accounts share } }"
SCORECARD = """query($rm: String!, $year: Int!, $q: Int!) {
  scorecard(relationshipManagerId: $rm, period: {kind: QUARTER, year: $year, number: $q}, trendPeriods: 3) {
    subject kras { kpis { kpiId value numerator denominator } } } }"""
TEAM_SCORECARD = """query($team: String!, $year: Int!, $q: Int!) {
  teamScorecard(team: $team, period: {kind: QUARTER, year: $year, number: $q}, trendPeriods: 0) {
    subject kras { kpis { kpiId value } } } }"""
ACCOUNT_360 = """query($id: ID!) { account(id: $id) { id name segment status leadRelationshipManagerId
  team { relationshipManagerId role } stakeholders { name } feedback { latestNps openComplaints }
  policies(first: 20) { policyNumber status } claims(first: 20) { status } } }"""


def main(
    data_dir: Annotated[Path, typer.Option(help="The SQLite data directory of a demo book.")],
    samples: Annotated[int, typer.Option(help="Requests per measure.")] = 200,
) -> None:
    """Measure ranking, scorecard and account reads on a large demo book through HTTP."""
    settings = Settings(data_dir=data_dir)
    runtime = Runtime(settings)
    try:
        _, token = runtime.app.grant_token(CommandContext(actor="bench", reason="bench"), name="bench", role="admin")
        with runtime.stores["account_summary"].reading() as sql:
            accounts = [
                r["account_id"] for r in sql.execute("SELECT account_id FROM {t}account_summary LIMIT 500").fetchall()
            ]
            head = runtime.app.head_position()
        with runtime.stores["kpi_measures"].reading() as sql:
            rms = [r["rm_id"] for r in sql.execute("SELECT rm_id FROM {t}kpi_rm ORDER BY rm_id LIMIT 50").fetchall()]
            teams = sorted(
                {json.loads(r["teams"])[-1][1] for r in sql.execute("SELECT teams FROM {t}kpi_rm").fetchall()}
            )
    finally:
        runtime.close()
    from strawberry.relay import GlobalID

    gids = [str(GlobalID("Account", a)) for a in accounts]
    year, quarter = last_full_quarter(date.today())
    out: dict[str, Any] = {"events": head}
    with served({"KAMCORE_DATA_DIR": str(data_dir), "KAMCORE_DATABASE_URL": ""}) as server:
        out["server_start_s"] = server.start_seconds  # catching up a large book takes a while
        post = GraphQL(server.url, token)
        try:
            first = time.perf_counter()
            listing = post(KEY_TOP_50)["keyAccounts"]
            out["first_key_accounts_s"] = time.perf_counter() - first
            out["key_accounts"] = listing["totalCount"]
            counter = iter(range(10**9))
            out["key_accounts_top50"] = timed(lambda: post(KEY_TOP_50), samples)
            out["account_ranking"] = timed(
                lambda: post(ACCOUNT_RANKING, {"id": gids[next(counter) % len(gids)]}), samples
            )
            out["pareto_curve"] = timed(lambda: post(PARETO), samples)
            variables = {"year": year, "q": quarter}
            out["rm_quarter_scorecard"] = timed(
                lambda: post(SCORECARD, {**variables, "rm": rms[next(counter) % len(rms)]}), samples
            )
            out["team_quarter_scorecard"] = timed(
                lambda: post(TEAM_SCORECARD, {**variables, "team": teams[next(counter) % len(teams)]}), 20
            )
            out["account_360"] = timed(lambda: post(ACCOUNT_360, {"id": gids[next(counter) % len(gids)]}), samples)
        finally:
            post.close()
        out["server_peak_rss_mb"] = tree_peak_rss_mb(server.process.pid)
    for key, value in out.items():
        typer.echo(f"{key}: {value}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "demo_book.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
