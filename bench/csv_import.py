"""`kamcore import` speed: seeded accounts and policies CSV files imported into an empty store.

Each account row opens an account; each has two bound policy terms, the second renewing the first
(opened; quoted and bound twice; the first term marked renewed: six events per account). The import runs as
`kamcore import` does by default (all-or-nothing: a checking pass that spools its events, then the writing
pass that inserts them).
"""

from __future__ import annotations

import csv
import random
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kamcore.application import CommandContext
from kamcore.importing import ImportKind, import_files
from kamcore.runtime import Runtime
from kamcore.settings import Settings

PRODUCTS = (("PROP-ALLRISK", "property"), ("LIAB-GEN", "liability"), ("CYBER-STD", "cyber"))
SEGMENTS = ("corporate", "mid_market", "sme", "public_sector", "affinity")
ACCOUNT_COLUMNS = ["external_ref", "name", "segment", "region", "industry", "size", "as_of"]
POLICY_COLUMNS = [
    "policy_number",
    "account_ref",
    "product_code",
    "business_kind",
    "renews_policy_number",
    "currency",
    "written_premium",
    "commission",
    "sum_insured",
    "inception_date",
    "expiry_date",
    "quoted_on",
    "status",
    "bound_on",
]


def write_files(directory: Path, accounts: int, seed: int) -> tuple[Path, Path]:
    """accounts.csv and policies.csv for `accounts` accounts; same seed, same files."""
    rng = random.Random(seed)
    first_term = date.today() - timedelta(days=700)
    accounts_file, policies_file = directory / "accounts.csv", directory / "policies.csv"
    with accounts_file.open("w", newline="") as a, policies_file.open("w", newline="") as p:
        account_rows, policy_rows = csv.DictWriter(a, ACCOUNT_COLUMNS), csv.DictWriter(p, POLICY_COLUMNS)
        account_rows.writeheader()
        policy_rows.writeheader()
        for n in range(accounts):
            ref = f"PAS-{n + 1:07d}"
            opened = first_term - timedelta(days=rng.randint(30, 400))
            account_rows.writerow(
                {
                    "external_ref": ref,
                    "name": f"Imported Client {n + 1}",
                    "segment": rng.choice(SEGMENTS),
                    "region": rng.choice(("North", "South", "East")),
                    "industry": "Logistics",
                    "size": rng.choice(("medium", "large")),
                    "as_of": opened.isoformat(),
                }
            )
            premium = round(rng.lognormvariate(9.4, 1.2), 2) + 500
            for term in (1, 2):
                inception = first_term + timedelta(days=365 * (term - 1))
                policy_rows.writerow(
                    {
                        "policy_number": f"{ref}-{term}",
                        "account_ref": ref,
                        "product_code": PRODUCTS[n % len(PRODUCTS)][0],
                        "business_kind": "new_client" if term == 1 else "renewal",
                        "renews_policy_number": f"{ref}-1" if term == 2 else "",
                        "currency": "EUR",
                        "written_premium": f"{premium * term:.2f}",
                        "commission": f"{premium * term / 10:.2f}",
                        "sum_insured": f"{premium * 200:.2f}",
                        "inception_date": inception.isoformat(),
                        "expiry_date": (inception + timedelta(days=365)).isoformat(),
                        "quoted_on": (inception - timedelta(days=30)).isoformat(),
                        "status": "bound",
                        "bound_on": (inception - timedelta(days=10)).isoformat(),
                    }
                )
    return accounts_file, policies_file


def measure_import(settings: Settings, directory: Path, accounts: int, seed: int) -> dict[str, Any]:
    """Import the files into the empty store of `settings`; rows/s and events/s of the two imports."""
    directory.mkdir(parents=True, exist_ok=True)
    accounts_file, policies_file = write_files(directory, accounts, seed)
    runtime = Runtime(settings)
    try:
        ctx = CommandContext(actor="bench", effective_date=date.today() - timedelta(days=1500), reason="catalogue")
        for code, line in PRODUCTS:
            runtime.app.launch_product(ctx, code=code, name=code, line_of_business=line, target_segments=SEGMENTS)
        rows = events = 0
        started = time.perf_counter()
        for path, kind in ((accounts_file, ImportKind.ACCOUNTS), (policies_file, ImportKind.POLICIES)):
            report = import_files(runtime.app, [path], kind, actor="bench:import")
            if report.bad_rows:
                raise RuntimeError(f"import refused rows: {report.bad_rows[:3]}")
            rows += report.rows_read
            events += report.events_written
        seconds = time.perf_counter() - started
    finally:
        runtime.close()
    return {"rows": rows, "events": events, "seconds": seconds, "events_per_s": events / seconds}
