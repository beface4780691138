"""What the benchmarks that load gunicorn share: a free port, the server, and waiting for it to answer."""

import http.client
import os
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(*, env: dict[str, str], workers: int, port: int) -> subprocess.Popen:
    """`gunicorn portal.wsgi` with sync workers on 127.0.0.1:port, once it answers /healthz."""
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer in time")


def gunicorn_stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def workers_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) the server's workers have used so far, read from /proc (Linux).

    On a machine shared with other work, the CPU each request costs is steadier than its wall time."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command's closing parenthesis: state, ppid, ..., utime (12th) and stime (13th).
        if int(fields[1]) == server.pid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def signed_in_client(user):  # -> django.test.Client
    """A test client signed in as `user` past every step of the portal's sign-in: the tests' own helper
    (tests/conftest.py, which passes the secretariat's second factor), or a plain sign-in in a checkout
    older than it."""
    try:
        from tests.conftest import signed_in_client as tests_signed_in_client
    except ImportError:
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client
    return tests_signed_in_client(user)
