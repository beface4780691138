"""Measure the roster's bulk paths: import_experts (dry run, first import, unchanged and changed re-import)
and seed_demo's experts.

    .venv/bin/python benchmarks/roster_import.py [--rows 10000]

Runs against a throwaway SQLite database (or DATABASE_URL if set) and prints figures; it asserts nothing.
Query counts should not grow with the number of rows; times are this machine's.
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="roster-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from roster.demo import demo_experts_seed  # noqa: E402
from roster.imports import COLUMNS, expert_import  # noqa: E402
from roster.models import Expert  # noqa: E402


def csv_bytes(rows: int, employer: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for i in range(rows):
        writer.writerow(
            [
                f"BENCH-{i:06d}",
                f"Given{i}",
                f"Bench{i}",
                "female",
                "KEN",
                "KEN",
                f"bench{i}@example.org",
                "",
                "Investigator",
                employer,
                "prosecution",
                "10",
                "en:C2;fr:B1;sw:N",
                "46:3;48:2;15:1",
                "legal_advice;capacity_building",
                "2026-01-01",
                "",
                "30",
                "yes",
                "no",
                "2026-01-15",
            ]
        )
    return out.getvalue().encode()


def timed(label: str, action) -> None:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - started
    summary = f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}" if result else ""
    print(f"  {label:<28} {elapsed:7.2f} s  {len(queries):5d} queries  {summary}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    for size in sorted({min(1000, args.rows), args.rows}):
        Expert.objects.filter(external_id__startswith="BENCH-").delete()
        first, changed = csv_bytes(size, "Ministry of Justice"), csv_bytes(size, "Office of the Prosecutor")
        print(f"import_experts, {size} rows:")
        timed("dry run (check only)", lambda data=first: expert_import(file=data, by=None, dry_run=True))
        timed("first import", lambda data=first: expert_import(file=data, by=None))
        timed("same file again", lambda data=first: expert_import(file=data, by=None))
        timed("every row changed", lambda data=changed: expert_import(file=data, by=None))
    for count in sorted({min(1000, args.rows), args.rows}):
        started = time.perf_counter()
        demo_experts_seed(count=count, seed=1)
        first = time.perf_counter() - started
        started = time.perf_counter()
        demo_experts_seed(count=count, seed=1)
        print(f"seed_demo experts {count}: first {first:.2f} s, repeated {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
