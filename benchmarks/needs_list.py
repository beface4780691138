"""Measure the needs register at size: seeding (the import path), the list page and the CSV export.

    .venv/bin/python benchmarks/needs_list.py [--needs 5000] [--repeat 5]

Runs against a throwaway SQLite database (or DATABASE_URL if set) and prints figures; it asserts
nothing. Query counts should not grow with the number of needs; times are this machine's, the median of
--repeat requests.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="needs-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from benchmarks.serving import signed_in_client  # noqa: E402
from needs.demo import demo_needs_seed  # noqa: E402
from reference.models import Country  # noqa: E402


def measure(client: Client, url: str, params: dict[str, str], repeat: int) -> tuple[float, int, int]:
    """The median time of `repeat` requests, and the queries and bytes of the last."""
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            times.append(time.perf_counter() - started)
        # A redirect (to sign-in, or to the second factor) would be timed as a page.
        assert response.status_code == 200, (response.status_code, response.get("Location"))
    return statistics.median(times), len(queries), len(body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--needs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1, help="requests per page; the median is printed")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    staff, _ = User.objects.get_or_create(email="bench-staff@example.org", defaults={"role": "secretariat"})
    focal, _ = User.objects.get_or_create(
        email="bench-focal@example.org", defaults={"role": "focal_point", "state": Country.objects.get(iso3="NGA")}
    )
    for size in sorted({min(100, args.needs), args.needs}):
        started = time.perf_counter()
        demo_needs_seed(count=size, seed=1)
        print(f"seed to {size} needs: {time.perf_counter() - started:.2f} s")
        for who in (staff, focal):
            client = signed_in_client(who)
            for label, url, params in (
                ("list", "/needs/", {}),
                ("list fr+AFR+ch.IV", "/needs/", {"language": "fr", "regional_group": "AFR", "chapter": "IV"}),
                ("export", "/needs/export.csv", {}),
            ):
                if who is focal:
                    params = {k: v for k, v in params.items() if k != "regional_group"}
                elapsed, count, size_bytes = measure(client, url, params, args.repeat)
                print(f"  {who.role:<12} {label:<18} {elapsed * 1000:8.1f} ms  {count:3d} queries  {size_bytes:>9} B")


if __name__ == "__main__":
    main()
