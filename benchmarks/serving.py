"""What the benchmarks that load gunicorn share: a free port, the server, and waiting for it to answer."""

import http.client
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
