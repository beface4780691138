"""Load test of the secretariat's and focal points' pages (issue 13, item 5): locust against gunicorn.

    .venv/bin/python benchmarks/load.py --database-url postgres://postgres@127.0.0.1:5432/portal_100k \\
        [--cache-url redis://127.0.0.1:6379/5] [--users 20 --users 50] [--duration 60] [--workers 3]

The database must already hold a seeded portal (`seed_demo --experts N --needs 5000 --force`). The script
signs in the demo users through Django (one session per simulated user: a secretariat member for every
four focal points), starts `gunicorn portal.wsgi --workers N` on PostgreSQL and the given cache, and for
each number of users runs locust twice on the same server: `/healthz` alone (the ceiling: what the
server does when a page costs nothing), then the page mix, with no think time. It prints requests per
second, p50/p95/p99 and errors of each run and of each page of the mix. Locust (requirements-dev.txt)
runs on the same machine and takes its share of the CPU; so does anything else running there.

The page mix, per simulated user:
- secretariat: roster list page 1 and page 200, the admin's expert list page 1 and page 200, a name
  search in each, an expert's detail page, admin record and edit page, and the needs CSV export;
- focal point: its State's roster list, a name search in it, one of its experts' detail and edit pages,
  and the needs list.
Any answer but 200 (a redirect to the sign-in page included) counts as an error.
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from serving import free_port, gunicorn_start, gunicorn_stop, signed_in_client, workers_cpu_seconds  # noqa: E402

PLAN = os.environ.get("LOAD_PLAN")
SECRETARIAT_EVERY = 5  # one secretariat member for every four focal points
GIVEN_NAMES = ["Amina", "Carlos", "Mei", "Olga", "Kwame", "Sofia", "Rahul", "Fatima"]


# --- the simulated users (read by locust, which imports this file) ------------------------------------------

if PLAN:
    from itertools import count

    from locust import HttpUser, constant, task

    with open(PLAN) as plan_file:
        plan = json.load(plan_file)
    sessions = {"secretariat": count(), "focal_point": count()}

    class _PortalUser(HttpUser):
        abstract = True
        wait_time = constant(0)
        role = ""

        def on_start(self) -> None:
            mine = [s for s in plan["sessions"] if s["role"] == self.role]
            session = mine[next(sessions[self.role]) % len(mine)]
            self.client.cookies.set(plan["cookie"], session["cookie"])
            self.experts = plan["experts_by_state"].get(session["state"] or "", plan["experts"])
            self.rng = random.Random(session["cookie"])

        def page(self, url: str, name: str) -> None:
            with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")

        def expert(self) -> int:
            return self.rng.choice(self.experts)

    if os.environ.get("LOAD_PHASE") == "healthz":

        class HealthzUser(HttpUser):
            wait_time = constant(0)

            @task
            def healthz(self) -> None:
                with self.client.get("/healthz", name="healthz", catch_response=True) as response:
                    if response.status_code != 200:
                        response.failure(f"status {response.status_code}")

    else:

        class SecretariatUser(_PortalUser):
            weight = 1
            role = "secretariat"

            @task(3)
            def roster_list(self) -> None:
                self.page("/nominations/", "roster list p1")

            @task
            def roster_list_far(self) -> None:
                self.page("/nominations/?page=200", "roster list p200")

            @task
            def admin_list(self) -> None:
                self.page("/secretariat/roster/expert/", "admin list p1")

            @task
            def admin_list_far(self) -> None:
                self.page("/secretariat/roster/expert/?p=200", "admin list p200")

            @task(2)
            def name_search(self) -> None:
                self.page(f"/nominations/?q=Demo-{self.rng.randrange(plan['prefixes']):04d}", "name search")

            @task
            def admin_search(self) -> None:
                prefix = self.rng.randrange(plan["prefixes"])
                self.page(f"/secretariat/roster/expert/?q=Demo-{prefix:04d}", "admin search")

            @task(3)
            def detail(self) -> None:
                self.page(f"/nominations/{self.expert()}/", "expert detail")

            @task
            def admin_record(self) -> None:
                self.page(f"/secretariat/roster/expert/{self.expert()}/change/", "admin record")

            @task
            def edit(self) -> None:
                self.page(f"/nominations/{self.expert()}/edit/", "edit page")

            @task
            def export(self) -> None:
                self.page("/needs/export.csv", "needs export")

        class FocalPointUser(_PortalUser):
            weight = SECRETARIAT_EVERY - 1
            role = "focal_point"

            @task(3)
            def roster_list(self) -> None:
                self.page("/nominations/", "fp roster list")

            @task
            def name_search(self) -> None:
                self.page(f"/nominations/?q={self.rng.choice(GIVEN_NAMES)}", "fp name search")

            @task(3)
            def detail(self) -> None:
                self.page(f"/nominations/{self.expert()}/", "fp expert detail")

            @task
            def edit(self) -> None:
                self.page(f"/nominations/{self.expert()}/edit/", "fp edit page")

            @task
            def needs(self) -> None:
                self.page("/needs/", "fp needs list")


# --- the run ------------------------------------------------------------------------------------------------


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a seeded database")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--users", type=int, action="append", help="simulated users; repeat for several runs")
    parser.add_argument("--duration", type=int, default=60, help="seconds of each page-mix run")
    parser.add_argument("--healthz-duration", type=int, default=20, help="seconds of each /healthz run")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--prepare", default="", help=argparse.SUPPRESS)  # the child that writes the plan
    args = parser.parse_args()
    args.users = args.users or [20, 50]
    return args


def _environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "CACHE_URL": args.cache_url,
        "SECRET_KEY": "benchmark-only-secret-key-" + "l" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }


def _prepare(path: str, users: int) -> None:
    """Sessions for `users` simulated users and the experts they visit, written to `path` as JSON."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from accounts.models import User
    from roster.models import Expert

    secretariat = User.objects.get(email="secretariat@demo.example.org")
    focal_points = list(User.objects.filter(role=User.Role.FOCAL_POINT, is_active=True).order_by("email"))
    sessions = []
    for n in range(users):
        user = secretariat if n % SECRETARIAT_EVERY == 0 else focal_points[n % len(focal_points)]
        client = signed_in_client(user)
        sessions.append(
            {"role": user.role, "state": user.state_id, "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value}
        )
    rng = random.Random(13)
    # Experts whose edit page opens (an inactive or withdrawn profile's sends the visitor back, a 302).
    editable = Expert.objects.filter(status__in=["draft", "submitted", "changes_requested", "active"])
    everyone = list(editable.values_list("pk", flat=True))
    by_state = {}
    for state in {user.state_id for user in focal_points}:
        pks = list(editable.filter(nominating_state_id=state).values_list("pk", flat=True))
        by_state[state] = rng.sample(pks, min(200, len(pks)))
    plan = {
        "cookie": settings.SESSION_COOKIE_NAME,
        "sessions": sessions,
        "experts": rng.sample(everyone, min(500, len(everyone))),
        "experts_by_state": by_state,
        # Family names run Demo-00000 upwards: a four-digit prefix below this matches ten experts.
        "prefixes": max(1, min(len(everyone), 100_000) // 10),
    }
    Path(path).write_text(json.dumps(plan))


def _locust(env: dict, port: int, users: int, seconds: int, phase: str, prefix: str) -> list[dict]:
    subprocess.run(
        [
            str(ROOT / ".venv/bin/locust"),
            "-f",
            __file__,
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        cwd=ROOT,
        env={**env, "LOAD_PHASE": phase},
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv") as stats:
        return list(csv.DictReader(stats))


def _line(row: dict) -> str:
    return (
        f"{row['Name']:<18} {int(row['Request Count']):>7} requests {float(row['Requests/s']):8.1f} req/s  "
        f"p50 {row['50%']:>6} ms  p95 {row['95%']:>6} ms  p99 {row['99%']:>6} ms  errors {row['Failure Count']}"
    )


def main() -> None:
    args = _parse()
    env = _environment(args)
    if args.prepare:
        os.environ.update(env)
        _prepare(args.prepare, max(args.users))
        return
    work = tempfile.mkdtemp(prefix="load-bench-")
    plan_path = os.path.join(work, "plan.json")
    subprocess.run(
        [sys.executable, __file__, "--database-url", args.database_url, "--cache-url", args.cache_url,
         "--prepare", plan_path, *sum((["--users", str(u)] for u in args.users), [])],
        cwd=ROOT,
        env=env,
        check=True,
    )  # fmt: skip
    env["LOAD_PLAN"] = plan_path
    port = free_port()
    server = gunicorn_start(env=env, workers=args.workers, port=port)
    try:
        for users in args.users:
            load = os.getloadavg()[0]
            ceiling = _locust(env, port, users, args.healthz_duration, "healthz", f"{work}/healthz{users}")
            cpu_before = workers_cpu_seconds(server)
            mix = _locust(env, port, users, args.duration, "mix", f"{work}/mix{users}")
            cpu = workers_cpu_seconds(server) - cpu_before
            total = next(row for row in mix if row["Name"] == "Aggregated")
            print(f"\n{users} users, gunicorn --workers {args.workers}, load average before the run {load:.1f}")
            print("  ceiling  " + _line(next(row for row in ceiling if row["Name"] == "Aggregated")))
            print("  page mix " + _line(total))
            per_request = cpu * 1000 / max(1, int(total["Request Count"]))
            print(f"  gunicorn workers' CPU over the page mix: {per_request:.1f} ms per request")
            for row in mix:
                if row["Name"] != "Aggregated":
                    print("           " + _line(row))
    finally:
        gunicorn_stop(server)
    print(f"\nlocust {args.duration} s per page-mix run, {args.healthz_duration} s per /healthz run, no think time, "
          f"{os.cpu_count()} CPUs shared with locust and anything else running")  # fmt: skip


if __name__ == "__main__":
    main()
