"""Load on loopback: gunicorn + PostgreSQL + Redis, driven by wrk at 8 connections, OMOOC_ENV=production.

Every endpoint is measured against a trivial authenticated endpoint (``GET /api/v1/me/`` with an API
token) in the same run, so the ratio says what our code costs beyond Django + auth. Rounds are
interleaved (trivial, then each endpoint, repeated) and the median round is reported per endpoint: a
shared machine's load drifts during a run. Endpoints (seeded by ``bench/fixtures.py``):

- ``catalog_page`` ``/`` (anonymous HTML), ``catalog_api`` ``/api/v1/courses/``
- ``course_page`` ``/courses/<slug>/`` (logged-in HTML), ``course_api`` ``/api/v1/courses/<slug>/``
- ``lecture_page`` (logged-in HTML player page), ``playback_api`` ``/api/v1/lectures/<id>/playback/``
  for an enrolled learner
- ``heartbeat_api`` ``POST /api/v1/progress/`` (JSON, token), ``heartbeat_beacon``
  ``POST /progress/heartbeat/`` (the former form-encoded beacon, session + CSRF) and
  ``heartbeat_lean`` ``POST /progress/beat/`` (the player's beacon: form-encoded, the playback token
  as the only credential, served by ``courses.learning.beacon`` in front of Django; ADR 0009). Its token lives
  15 minutes, so keep a whole run shorter than that.

then the bulk flush of the buffered heartbeats into the database.

Needs PostgreSQL (DATABASE_URL's server), Redis and wrk (Debian package ``wrk``). Environment:
``BENCH_DB`` (database to recreate, default ``omooc_bench``), ``BENCH_REDIS_URL`` (default
``redis://127.0.0.1:6379/14``), ``BENCH_DURATION`` (seconds per wrk run, default 5), ``BENCH_ROUNDS``
(default 5), ``BENCH_CONNECTIONS`` (default 8), ``BENCH_ONLY`` (comma-separated endpoint names),
``WEB_CONCURRENCY``/``GUNICORN_THREADS`` (as in production, see ``deploy/gunicorn.conf.py``).
At the end, the memory of each gunicorn worker (RSS and PSS, after every endpoint has been loaded).
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
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bench._report import line

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = os.environ.get("BENCH_DB", "omooc_bench")
SECONDS = int(os.environ.get("BENCH_DURATION", "5").rstrip("s"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
BASELINE = "baseline_me"
# Issue 16's goals, as ratios to the trivial endpoint in the same run: requests/s at least this share
# of the trivial endpoint's, and (for the learner pages) a p99 no worse than the trivial endpoint's.
TARGETS = {
    "catalog_page": 0.9,
    "catalog_api": 0.9,
    "course_page": 0.8,
    "course_api": 0.8,
    "lecture_page": 0.8,
    "playback_api": 0.8,
    "heartbeat_lean": 0.8,
}
P99_TARGETS = {"course_page", "course_api", "lecture_page", "playback_api"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env() -> dict[str, str]:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", DB_NAME):
        raise SystemExit(f"BENCH_DB must be a plain database name, not {DB_NAME!r}")
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/omooc")
    if not base.startswith("postgres"):
        raise SystemExit("bench.load needs PostgreSQL: set DATABASE_URL=postgres://...")
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
    env.pop("CELERY_RESULT_BACKEND", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare_database(env: dict[str, str]) -> dict:
    admin_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {DB_NAME}"], check=True)  # noqa: S603,S607
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {DB_NAME}"], check=True)  # noqa: S603,S607
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    out = manage(env, "shell", "-c", "from bench.fixtures import seed_load; seed_load()")
    # Fresh statistics, and no heartbeats left in the buffer by an earlier run.
    manage(
        env,
        "shell",
        "-c",
        "from django.db import connection; from courses.learning.tasks import progress_flush;"
        "connection.cursor().execute('ANALYZE'); progress_flush()",
    )
    return json.loads(out.strip().splitlines()[-1])


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "omooc.wsgi:application",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "-b",
            f"127.0.0.1:{port}",
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


def lua(spec: dict, data: dict, base: str) -> str:
    """A wrk script for one endpoint: method, body and headers (token, or session cookie + CSRF)."""
    headers = {}
    if spec.get("session"):
        headers["Cookie"] = f"sessionid={data['session']}; csrftoken={data['csrf']}"
        headers["Referer"] = base + "/"
    elif not spec.get("anonymous"):
        headers["Authorization"] = f"Token {data['token']}"
    body = ""
    if "json" in spec:
        body, headers["Content-Type"] = json.dumps(spec["json"]), "application/json"
    elif "form" in spec:
        body, headers["Content-Type"] = urlencode(spec["form"]), "application/x-www-form-urlencoded"
    lines = [f'wrk.method = "{spec.get("method", "GET")}"']
    if body:
        lines.append(f"wrk.body = {json.dumps(body)}")
    lines += [f'wrk.headers["{key}"] = {json.dumps(value)}' for key, value in headers.items()]
    return "\n".join(lines) + "\n"


LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url: str, script: str, *, seconds: int = SECONDS) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(  # noqa: S603
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", handle.name, url],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    latencies = {}
    for pct, value, unit in LATENCY.findall(out):
        latencies[pct] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return {
        "rps": rps,
        "p50": latencies["50"],
        "p99": latencies["99"],
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def check_status(url: str, script: str) -> None:
    """One request with wrk's headers first: a benchmark of a 403 or a redirect measures nothing."""
    result = wrk(url, script, seconds=1)
    if result["non2xx"]:
        raise SystemExit(f"{url} answers non-2xx with the benchmark's credentials; fix the fixtures")


def median_run(runs: list[dict]) -> dict:
    """The run with the median requests/s (its own p50/p99 go with it)."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def flush_figure(env: dict[str, str]) -> None:
    """Move the buffered heartbeats into the database, as the progress-flush task does."""
    code = (
        "import json, time; from courses.learning.tasks import progress_flush;"
        "t = time.perf_counter(); done = progress_flush(); e = time.perf_counter() - t;"
        "print(json.dumps({'done': done, 'seconds': e}))"
    )
    out = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    if out["done"]:
        line(
            "load.heartbeat_flush.rate",
            out["done"] / out["seconds"],
            "heartbeats/s",
            note=f"{out['done']} rows",
        )


def worker_memory(master_pid: int) -> list[tuple[float, float]]:
    """(RSS, PSS) in MB of each gunicorn worker (the master's children), read from /proc at the end
    of the run. PSS shares the pages the preloaded master and its workers have in common."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return []
    sizes = []
    for pid in children:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        rss, pss = (re.search(rf"^{name}:\s+(\d+) kB", rollup, re.M) for name in ("Rss", "Pss"))
        if rss and pss:
            sizes.append((int(rss.group(1)) / 1024, int(pss.group(1)) / 1024))
    return sizes


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    env = server_env()
    data = prepare_database(env)
    port = free_port()
    server = start_gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    only = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
    runs = {BASELINE: (f"{base}/api/v1/me/", lua({}, data, base))}
    for name, spec in data["endpoints"].items():
        if not only or name in only:
            runs[name] = (base + spec["path"], lua(spec, data, base))
    try:
        for url, script in runs.values():
            check_status(url, script)  # and warms every code path up
        samples: dict[str, list[dict]] = {name: [] for name in runs}
        for _ in range(ROUNDS):
            for name, (url, script) in runs.items():
                samples[name].append(wrk(url, script))
        memory = worker_memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    base_run = median_run(samples[BASELINE])
    print(
        f"# gunicorn ({os.environ.get('WEB_CONCURRENCY', '2')} workers), wrk {CONNECTIONS} connections, "
        f"median of {ROUNDS} interleaved {SECONDS} s runs; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    for name, results in samples.items():
        result = median_run(results)
        spread = "runs " + ", ".join(f"{r['rps']:,.0f}" for r in results) + " req/s"
        problems = sum(r["non2xx"] for r in results)
        note = verdict(name, result, base_run) + spread + (f"; {problems} non-2xx" if problems else "")
        line(f"load.{name}.rps", result["rps"], "req/s", baseline=base_run["rps"], note=note)
        line(f"load.{name}.p50", result["p50"], "ms", baseline=base_run["p50"])
        p99_note = ""
        if name in P99_TARGETS:
            met = result["p99"] <= base_run["p99"]
            p99_note = f"target p99 <= trivial's {base_run['p99']:.1f} ms: {'PASS' if met else 'FAIL'}"
        line(f"load.{name}.p99", result["p99"], "ms", baseline=base_run["p99"], note=p99_note)
    if memory:
        sizes = ", ".join(f"{rss:.0f}/{pss:.0f}" for rss, pss in memory)
        line(
            "load.worker_memory.rss", max(r for r, _ in memory), "MB", note=f"RSS/PSS per worker: {sizes} MB"
        )
    if {"heartbeat_api", "heartbeat_beacon", "heartbeat_lean"} & set(samples):
        flush_figure(env)
    if os.environ.get("BENCH_PROFILE", "1") != "0":
        cpu_figures(env, [name for name in samples if name in TARGETS and not name.startswith("heartbeat")])


def verdict(name: str, result: dict, base_run: dict) -> str:
    """``target >= 0.80x: PASS; `` for an endpoint with a goal (issue 16), else ""."""
    target = TARGETS.get(name)
    if target is None:
        return ""
    ratio = result["rps"] / base_run["rps"] if base_run["rps"] else 0.0
    met = ratio >= target and (name != "heartbeat_lean" or result["rps"] >= 2000)
    goal = f"target >= {target:.2f}x" + (" and >= 2,000 req/s" if name == "heartbeat_lean" else "")
    return f"{goal}: {'PASS' if met else 'FAIL'}; "


def cpu_figures(env: dict[str, str], names: list[str]) -> None:
    """CPU per request of each endpoint in one process (``bench/_profile.py``, the same data and
    settings, no network): steadier than requests/s on a shared machine, where neighbours take cores."""
    if not names:
        return
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench._profile", *names],
        cwd=ROOT,
        env={**os.environ, "BENCH_PROFILE_REQUESTS": os.environ.get("BENCH_PROFILE_REQUESTS", "200")},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        print(f"# bench/_profile.py failed: {done.stderr[-500:]}", flush=True)
        return
    print(done.stdout, end="", flush=True)


if __name__ == "__main__":
    main()
