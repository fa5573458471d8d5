"""RM and team quarterly scorecards on a demo book, in-process and through HTTP, over many different subjects.

`python -m bench.scorecard --data-dir DIR` opens the book (its read models caught up or rebuilt
first; on PostgreSQL when `KAMCORE_DATABASE_URL` and `KAMCORE_DATABASE_SCHEMA` say so), draws a
seeded random sample of RMs and teams, and times the scorecard of the latest complete quarter for
each: the RM's with 3 trend quarters, the team's without (as `bench.demo_book`). Every request asks
for a different subject than the one before, so a cache of one answer cannot help. In-process
figures come with the CPU time per scorecard, and the run with the time of a plain Python loop: on a
shared machine wall times swing with the load, CPU time and the loop show how much.
"""

from __future__ import annotations

import json
import random
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from bench.demo_book import SCORECARD, TEAM_SCORECARD, last_full_quarter
from bench.over_http import GraphQL, served, timed
from bench.raw import python_loop_ms
from bench.run import RESULTS
from kamcore.application import CommandContext
from kamcore.projections.kpi_view import KpiView, Period
from kamcore.runtime import Runtime
from kamcore.settings import Settings

RM_TREND = 3


def sample_subjects(runtime: Runtime, size: int, seed: int) -> tuple[list[str], list[str]]:
    """A random sample of RMs and of teams (each team as the last team of some RM)."""
    with runtime.stores["kpi_measures"].reading() as sql:
        rows = sql.execute("SELECT rm_id, teams FROM {t}kpi_rm ORDER BY rm_id").fetchall()
    rms = [r["rm_id"] for r in rows]
    teams = sorted({json.loads(r["teams"])[-1][1] for r in rows if r["teams"] != "[]"})
    pick = random.Random(seed)
    return pick.sample(rms, min(size, len(rms))), pick.sample(teams, min(size, len(teams)))


def cycling(items: list[str]) -> Any:
    """A function returning the next item each call, round and round."""
    position = iter(range(10**9))
    return lambda: items[next(position) % len(items)]


def timed_with_cpu(call: Any, n: int) -> dict[str, Any]:
    """`timed`, plus the process's CPU milliseconds per call (what the load of other processes does not add)."""
    cpu = time.process_time()
    out = timed(call, n)
    return {**out, "cpu_ms_per_call": (time.process_time() - cpu) * 1000 / n}


def in_process(runtime: Runtime, rms: list[str], teams: list[str], samples: int) -> dict[str, Any]:
    view = KpiView(runtime.stores["kpi_measures"])
    period = Period.quarter(*last_full_quarter(date.today()))
    next_rm, next_team = cycling(rms), cycling(teams)
    return {
        "rm_quarter_scorecard": timed_with_cpu(
            lambda: view.scorecard("rm", next_rm(), period, trend=RM_TREND), samples
        ),
        "team_quarter_scorecard": timed_with_cpu(
            lambda: view.scorecard("team", next_team(), period), min(samples, len(teams))
        ),
    }


def through_http(settings: Settings, token: str, rms: list[str], teams: list[str], samples: int) -> dict[str, Any]:
    year, quarter = last_full_quarter(date.today())
    env = {"KAMCORE_DATA_DIR": str(settings.data_dir), "KAMCORE_DATABASE_URL": settings.database_url or ""}
    if settings.database_url:
        env["KAMCORE_DATABASE_SCHEMA"] = settings.database_schema
    next_rm, next_team = cycling(rms), cycling(teams)
    with served(env) as server:
        server.wait_ready()  # the server ranks the book in the background at start: not while timing
        post = GraphQL(server.url, token)
        try:
            post(SCORECARD, {"year": year, "q": quarter, "rm": rms[-1]})  # warm up: parser and validation caches
            return {
                "rm_quarter_scorecard": timed(
                    lambda: post(SCORECARD, {"year": year, "q": quarter, "rm": next_rm()}), samples
                ),
                "team_quarter_scorecard": timed(
                    lambda: post(TEAM_SCORECARD, {"year": year, "q": quarter, "team": next_team()}),
                    min(samples, len(teams)),
                ),
            }
        finally:
            post.close()


def main(
    data_dir: Annotated[Path, typer.Option(help="The SQLite data directory of a demo book.")],
    samples: Annotated[int, typer.Option(help="Scorecards per measure (different subjects, round robin).")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the sample of RMs and teams.")] = 1,
    http: Annotated[bool, typer.Option(help="Also measure through HTTP.")] = True,
) -> None:
    """Time RM and team quarterly scorecards for a random sample of subjects."""
    settings = Settings.from_env(data_dir=data_dir)
    started = time.perf_counter()
    runtime = Runtime(settings)
    try:
        runtime.catch_up()
        out: dict[str, Any] = {
            "events": runtime.app.head_position(),
            "open_s": time.perf_counter() - started,
            "python_loop_1m_ms": python_loop_ms(),
        }
        rms, teams = sample_subjects(runtime, samples, seed)
        out.update(rms=len(rms), teams=len(teams), in_process=in_process(runtime, rms, teams, samples))
        _, token = runtime.app.grant_token(CommandContext(actor="bench", reason="bench"), name="bench", role="admin")
    finally:
        runtime.close()
    if http:
        out["http"] = through_http(settings, token, rms, teams, samples)
    typer.echo(json.dumps(out, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scorecard.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
