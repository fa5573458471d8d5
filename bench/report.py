"""Markdown tables of a run (`latest.md`) and of a cost curve (`curve.md`), from the JSON the run writes."""

from __future__ import annotations

from typing import Any

# measure key → (label, DESIGN.md §8 target or "")
LATENCIES = (
    ("mutation_c1", "mutation (recordFeedback), 1 client", "p95 ≤ 10 ms (SQLite)"),
    ("mutation_c16", "mutation (recordFeedback), 16 clients", ""),
    ("key_accounts_top50", "key-account top 50 (kept ranking)", "p95 ≤ 15 ms"),
    ("pareto_curve", "Pareto curve (20 points)", ""),
    ("criteria_simulation", "criteria simulation (proposed version)", ""),
    ("rm_quarter_scorecard", "RM quarterly scorecard, 3 trend quarters", "p95 ≤ 25 ms"),
    ("account_360", "account-360 (team, contacts, policies, claims)", "p95 ≤ 10 ms"),
    ("accounts_top50", "accounts list, top 50 by name", ""),
    ("small_query_c1", "small query, 1 client", ""),
    ("small_query_c16", "small query, 16 clients", ""),
    ("history_1000_event_account", "history of a 1,000-event account (500/page)", "p95 ≤ 50 ms"),
    ("time_travel_1000_event_account", "time travel of a 1,000-event account", "p95 ≤ 50 ms"),
)


def _latency(m: dict[str, float]) -> str:
    return f"{m['p50_ms']:.1f} / {m['p95_ms']:.1f} / {m['p99_ms']:.1f} ({m['requests_per_s']:,.0f} req/s)"


def _target(backend: str, target: str) -> str:
    """Targets marked (SQLite) are shown on SQLite rows only."""
    return "" if target.endswith("(SQLite)") and backend != "sqlite" else target


def _rate_row(backend: str, label: str, value: float, limit: float, target: str = "") -> str:
    return f"| {backend} | {label} | {value:,.0f} | {limit:,.0f} | {value / limit:.3f} | {_target(backend, target)} |"


def backend_rows(r: dict[str, Any]) -> list[str]:
    """One backend's rows: rates with their raw limit and ratio, latencies, memory."""
    b, raw = r["backend"], r["raw"]
    rows = [f"| {b} | server | {r['server_version']} | | | |"] if "server_version" in r else []
    insert, read = raw["insert_events_per_s"], raw["ordered_read_events_per_s"]
    write = r["bulk_write"]
    label = f"bulk write, {r['book']} book, {write['events']:,} events (events/s)"
    rows.append(_rate_row(b, label, write["events_per_s"], insert, "≥ 50k (SQLite)"))
    if "csv_import" in r:
        imported = r["csv_import"]
        label = f"`kamcore import` CSV, {imported['rows']:,} rows → {imported['events']:,} events (events/s)"
        rows.append(_rate_row(b, label, imported["events_per_s"], insert, "≥ 50k (SQLite)"))
    rebuild = r["rebuild"]
    label = f"rebuild, all {rebuild['projections']} read models, {rebuild['workers']} worker(s) (events/s of log)"
    rows.append(_rate_row(b, label, rebuild["events_per_s"], read, "≥ 50k"))
    audit = r["audit"]
    rows.append(_rate_row(b, "hash chain built over the whole log (events/s)", audit["chain_build_events_per_s"], read))
    rows.append(_rate_row(b, "hash-chain verification (events/s)", audit["verify_events_per_s"], read, "≥ 200k"))
    rows.append(_rate_row(b, "audit export, whole log (events/s)", audit["export_events_per_s"], read))
    http = r["http"]
    rows.append(f"| {b} | server start (catch-up), s | {http['server_start_s']:.1f} | | | |")
    if "server_ready_s" in http:  # runs before the sixth session did not wait for /readyz
        rows.append(f"| {b} | server ready (start-up ranking kept), s | {http['server_ready_s']:.1f} | | | |")
    first = http["first_key_accounts_s"]
    rows.append(f"| {b} | first key-account ranking that includes the writes, s | {first:.2f} | | | |")
    rows.append(f"| {b} | first criteria simulation, s | {http['first_criteria_simulation_s']:.2f} | | | |")
    loop = http.get("python_loop_1m_ms")  # runs before the seventh session had no CPU reference
    reference = f"loop {loop:.1f} ms" if loop else ""
    for key, label, target in LATENCIES:
        if key in http:
            if key == "rm_quarter_scorecard":
                label += f" ({http['scorecard_rms']} RMs, {http['scorecard_quarter']})"
            ratio = f"{http[key]['p95_ms'] / loop:.1f}" if loop else ""
            rows.append(
                f"| {b} | {label}: p50 / p95 / p99 ms | {_latency(http[key])} | {reference} | {ratio} | "
                f"{_target(b, target)} |"
            )
    base = None
    for w in r.get("workers", []):
        rate = w["small_query_c16"]["requests_per_s"]
        base = base or rate
        rows.append(
            f"| {b} | small query, 16 clients, `serve --workers {w['workers']}`: req/s; p95 ms; peak RSS MB | "
            f"{rate:,.0f}; {w['small_query_c16']['p95_ms']:.1f}; {w['server_peak_rss_mb']:.0f} | | "
            f"{rate / base:.2f}× the first | |"
        )
    for note in r.get("notes", []):
        rows.append(f"| {b} | note | {note} | | | |")
    rows.append(
        f"| {b} | peak RSS MB: write / import / rebuild / audit / server (1 worker) | "
        f"{write['peak_rss_mb']:.0f} / {r.get('csv_import', {}).get('peak_rss_mb', float('nan')):.0f} / "
        f"{rebuild['peak_rss_mb']:.0f} / {audit['peak_rss_mb']:.0f} / {http['server_peak_rss_mb']:.0f} | | | bounded |"
    )
    return rows


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Run {report['started_at']} on {report['machine']}; kamcore {report['kamcore']}; "
        f"{report['accounts']:,} accounts ({report['book']} book, seed {report['seed']}).",
        "",
        "Raw limits (same run): batched inserts and ordered reads of event-sized rows. "
        "Latencies through HTTP against `kamcore serve` (uvicorn), client on the same machine; their raw "
        "limit is the machine's Python speed in the same run (a million empty loop iterations, ms) and "
        "their ratio is the p95 in such loops.",
        "",
        "| backend | measure | value | raw limit | ratio | target (DESIGN.md §8) |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in report["results"]:
        lines += backend_rows(r)
    lines.append(f"\nBench process peak RSS over the whole run: {report['bench_peak_rss_mb']:.0f} MB.")
    return "\n".join(lines) + "\n"


CURVE_LATENCIES = (
    ("key_accounts_top50", "key top-50"),
    ("pareto_curve", "Pareto"),
    ("criteria_simulation", "simulation"),
    ("rm_quarter_scorecard", "RM scorecard"),
    ("account_360", "account-360"),
)


def _p95(r: dict[str, Any], key: str) -> float | None:
    m = r["http"].get(key)
    return m["p95_ms"] if m else None


def _fmt(value: float | None, pattern: str = "{:.1f}") -> str:
    return "–" if value is None else pattern.format(value)


def curve_markdown(curve: dict[str, Any]) -> str:
    """Per backend: absolute figures per size, then each size relative to the smallest.

    Write and rebuild are shown per event (µs/event): constant means linear growth. Query p95s are
    shown against the book's growth: a p95 growing as fast as the book is a scan.
    """
    runs = curve["runs"]
    sizes = ", ".join(f"{run['accounts']:,}" for run in runs)
    lines = [
        f"Cost curve {curve['started_at']} on {curve['machine']}; kamcore {curve['kamcore']}; "
        f"{curve['book']} book, seed {curve['seed']}; sizes {sizes} accounts.",
        "",
    ]
    backends = [r["backend"] for r in runs[0]["results"]]
    labels = " | ".join(f"{label} p95 ms" for _, label in CURVE_LATENCIES)
    growth = " | ".join(f"{label} p95 ×" for _, label in CURVE_LATENCIES)
    for backend in backends:
        per_size = [(run["accounts"], next(r for r in run["results"] if r["backend"] == backend)) for run in runs]
        lines += [
            f"### {backend}",
            "",
            f"| accounts | events | write s | write µs/event | CSV import µs/event | rebuild s | rebuild µs/event | "
            f"server start s | first ranking s | {labels} |",
            "|" + "---:|" * (9 + len(CURVE_LATENCIES)),
        ]
        for accounts, r in per_size:
            w, rb, http = r["bulk_write"], r["rebuild"], r["http"]
            p95s = " | ".join(_fmt(_p95(r, key)) for key, _ in CURVE_LATENCIES)
            imported = r.get("csv_import")
            import_us = _fmt(1e6 / imported["events_per_s"] if imported else None, "{:.0f}")
            lines.append(
                f"| {accounts:,} | {w['events']:,} | {w['seconds']:.1f} | {1e6 / w['events_per_s']:.0f} | "
                f"{import_us} | {rb['seconds']:.1f} | {1e6 / rb['events_per_s']:.0f} | {http['server_start_s']:.1f} | "
                f"{http['first_key_accounts_s']:.2f} | {p95s} |"
            )
        base_accounts, base = per_size[0]
        lines += [
            "",
            f"Relative to {base_accounts:,} accounts (×1.00 per event = linear; a p95 × close to the book × = a scan):",
            "",
            f"| accounts | book × (events) | write per event × | CSV import per event × | rebuild per event × | "
            f"first ranking × | {growth} |",
            "|" + "---:|" * (6 + len(CURVE_LATENCIES)),
        ]
        for accounts, r in per_size:
            book = r["bulk_write"]["events"] / base["bulk_write"]["events"]
            ratios = []
            for key, _ in CURVE_LATENCIES:
                now, then = _p95(r, key), _p95(base, key)
                ratios.append(_fmt(now / then if now is not None and then else None, "{:.2f}"))
            first = r["http"]["first_key_accounts_s"] / max(base["http"]["first_key_accounts_s"], 1e-9)
            now_import, then_import = r.get("csv_import"), base.get("csv_import")
            import_growth = (
                then_import["events_per_s"] / now_import["events_per_s"] if now_import and then_import else None
            )
            lines.append(
                f"| {accounts:,} | {book:.2f} | "
                f"{base['bulk_write']['events_per_s'] / r['bulk_write']['events_per_s']:.2f} | "
                f"{_fmt(import_growth, '{:.2f}')} | "
                f"{base['rebuild']['events_per_s'] / r['rebuild']['events_per_s']:.2f} | {first:.2f} | "
                f"{' | '.join(ratios)} |"
            )
        lines.append("")
    return "\n".join(lines)
