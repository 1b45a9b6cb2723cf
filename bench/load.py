"""Load on loopback: gunicorn + PostgreSQL + Redis, driven by wrk at 8 connections.

Every endpoint is measured against a trivial authenticated endpoint (``/api/v1/me/``) in the same
run, so the ratio says what our code costs beyond Django + auth. Needs PostgreSQL (DATABASE_URL or
127.0.0.1:5432), Redis (127.0.0.1:6379) and wrk (Debian package ``wrk``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench._report import line

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "omooc_bench"
DURATION = os.environ.get("BENCH_DURATION", "8s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env() -> dict[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/omooc")
    env = {
        **os.environ,
        "OMOOC_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": base.rsplit("/", 1)[0] + "/" + DB_NAME,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "OMOOC_VAR_DIR": str(ROOT / "var" / "bench"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def prepare_database(env: dict[str, str]) -> dict:
    admin_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {DB_NAME}"], check=True)  # noqa: S603,S607
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {DB_NAME}"], check=True)  # noqa: S603,S607
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    out = manage(env, "shell", "-c", "from bench.fixtures import seed_load; seed_load()")
    return json.loads(out.strip().splitlines()[-1])


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "omooc.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start")


LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url: str, *, token: str, method: str = "GET", body: str | None = None) -> dict[str, float]:
    script = ""
    if method != "GET":
        script_path = ROOT / "var" / "bench" / "wrk-post.lua"
        script_path.parent.mkdir(parents=True, exist_ok=True)
        script_path.write_text(
            f'wrk.method = "{method}"\nwrk.body = {json.dumps(body or "")}\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        script = str(script_path)
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{DURATION}",
        "--latency",
        "-H",
        f"Authorization: Token {token}",
        url,
    ]
    if script:
        command[1:1] = ["-s", script]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    latencies = {}
    for pct, value, unit in LATENCY.findall(out):
        latencies[pct] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return {
        "rps": rps,
        "p50": latencies["50"],
        "p99": latencies["99"],
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    env = server_env()
    data = prepare_database(env)
    port = free_port()
    server = start_gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        token = data["token"]
        wrk(f"{base}/api/v1/me/", token=token)  # warm-up
        baseline = wrk(f"{base}/api/v1/me/", token=token)
        line("load.baseline_me.rps", baseline["rps"], "req/s", baseline=baseline["rps"])
        line("load.baseline_me.p99", baseline["p99"], "ms", baseline=baseline["p99"])
        for name, spec in data["endpoints"].items():
            result = wrk(
                base + spec["path"], token=token, method=spec.get("method", "GET"), body=spec.get("body")
            )
            note = f"{result['errors']} non-2xx" if result["errors"] else ""
            line(f"load.{name}.rps", result["rps"], "req/s", baseline=baseline["rps"], note=note)
            line(f"load.{name}.p50", result["p50"], "ms", baseline=baseline["p50"])
            line(f"load.{name}.p99", result["p99"], "ms", baseline=baseline["p99"])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
