"""Reliability figures: run the load, fault and hostile-input tests in long mode and print what they did.

Why: RELIABILITY.md quotes figures; they must come from one reproducible command, not from memory.

    .venv/bin/python bench/reliability.py            # long mode, SQLite and PostgreSQL
    .venv/bin/python bench/reliability.py --short    # the CI-sized run, for a quick look
    .venv/bin/python bench/reliability.py -- -k sqlite   # anything after -- goes to pytest
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ["tests/test_reliability_load.py", "tests/test_reliability_faults.py", "tests/test_hostile_input.py"]


def outcomes(junit: Path) -> Counter[str]:
    """passed / failed / error / xfailed / skipped, from pytest's JUnit XML."""
    counts: Counter[str] = Counter()
    for case in ET.parse(junit).getroot().iter("testcase"):
        skipped = case.find("skipped")
        if case.find("failure") is not None:
            counts["failed"] += 1
        elif case.find("error") is not None:
            counts["error"] += 1
        elif skipped is not None:
            counts["xfailed" if skipped.get("type") == "pytest.xfail" else "skipped"] += 1
        else:
            counts["passed"] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="CI-sized run instead of the long one")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures_path, junit = Path(tmp) / "figures.jsonl", Path(tmp) / "junit.xml"
        env = {
            **os.environ,
            "KAMCORE_RELIABILITY_LONG": "0" if args.short else "1",
            "KAMCORE_RELIABILITY_FIGURES": str(figures_path),
        }
        started = time.monotonic()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--junitxml={junit}",
                *TESTS,
                *args.pytest_args,
            ],
            cwd=ROOT,
            env=env,
            check=False,
        )
        seconds = time.monotonic() - started
        figures = [json.loads(line) for line in figures_path.read_text().splitlines()] if figures_path.exists() else []
        results = outcomes(junit) if junit.exists() else Counter()

    load = [f for f in figures if f["test"] == "load"]
    faulted = [f for f in figures if "faults" in f]
    mutations = sum(f.get("mutations", 0) for f in figures)
    reads = sum(f.get("reads", 0) for f in load)
    unknown = sum(f.get("outcomes", {}).get("unknown", 0) for f in faulted)
    invariant_tests_green = results["failed"] == 0 and results["error"] == 0 and bool(load) and bool(faulted)
    summary = {
        "mode": "short" if args.short else "long",
        "seconds": round(seconds, 1),
        "tests": dict(results),
        "operations_under_load": mutations + reads,
        "mutations": mutations,
        "reads": reads,
        "concurrent_clients": max((f["clients"] for f in load), default=0),
        "faults_injected": sum(f["faults"] for f in faulted),
        "requests_cut_off_by_faults_and_retried": unknown,
        "postgres_connections_cut": sum(f.get("connections_cut", 0) for f in figures),
        "postgres_restarts": sum(f.get("restarts", 0) for f in figures),
        "sqlite_disk_full_refusals": sum(f.get("disk_full_refusals", 0) for f in figures),
        "hostile_inputs_tried": sum(f.get("inputs", 0) for f in figures),
        "failures_found": results["xfailed"],
        "failing_tests": results["failed"] + results["error"],
        "data_lost": 0 if invariant_tests_green else "unknown: an invariant test failed",
        "by_test": figures,
    }
    print()
    print(f"reliability run ({summary['mode']} mode, {summary['seconds']} s): {dict(results)}")
    print(f"  operations under load:   {summary['operations_under_load']:,} ({mutations:,} mutations, {reads:,} reads)")
    print(f"  concurrent clients:      {summary['concurrent_clients']}")
    print(f"  faults injected:         {summary['faults_injected']} (requests cut off and retried: {unknown})")
    print(f"  PG connections cut:      {summary['postgres_connections_cut']}")
    print(f"  PG server restarts:      {summary['postgres_restarts']}")
    print(f"  SQLite disk-full errors: {summary['sqlite_disk_full_refusals']}")
    print(f"  hostile inputs tried:    {summary['hostile_inputs_tried']:,}")
    print(f"  failures found (xfail):  {summary['failures_found']}")
    print(f"  failing tests:           {summary['failing_tests']}")
    print(f"  data lost:               {summary['data_lost']}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
