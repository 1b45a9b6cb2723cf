"""Heartbeat ingest benchmark (ARCHITECTURE.md "Targets": >= 2,000/s on 2 cores, within 0.8x of a
trivial authenticated endpoint in the same run), plus the bulk flush rate.

Starts gunicorn (2 workers) on PostgreSQL + Redis (``DATABASE_URL``, ``REDIS_URL`` or
``REDIS_TEST_URL``), then drives it with ``wrk`` (8 connections, 10 s each):

- ``GET /api/v1/me/`` with an API token            (trivial authenticated endpoint, DRF)
- ``POST /api/v1/progress/`` with an API token     (heartbeat, DRF)
- ``GET /api/v1/me/`` with a session cookie        (trivial, session auth)
- ``POST /progress/heartbeat/`` with a session     (the player's beacon endpoint)

Run: ``source var/test-env.sh && .venv/bin/python bench/heartbeat.py`` (``--seconds``, ``--rounds``,
``--connections``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["REDIS_URL"] = env.get("REDIS_URL") or env.get("REDIS_TEST_URL") or ""
    if not env["REDIS_URL"]:
        sys.exit("bench/heartbeat.py needs Redis: set REDIS_URL (or source var/test-env.sh).")
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/heartbeat.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    env.update(OMOOC_ENV="development", DEBUG="false", LOG_LEVEL="WARNING", CELERY_BROKER_URL="memory://")
    return env


def _prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, create a learner enrolled in a course with one lecture; return credentials."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omooc.settings")
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from rest_framework.authtoken.models import Token

    from courses import progress
    from courses.models import Course, Enrollment, Lecture
    from omooc.accounts.models import User

    call_command("migrate", verbosity=0)
    user = User.objects.filter(email="bench-learner@example.org").first() or User.objects.create_user(
        email="bench-learner@example.org", password=get_random_string(20), full_name="Bench Learner"
    )
    course, _ = Course.objects.get_or_create(
        slug="bench-course",
        defaults={"title": "Bench course", "status": Course.Status.PUBLISHED, "published_at": timezone.now()},
    )
    lecture, _ = Lecture.objects.get_or_create(
        course=course, slug="bench-lecture", defaults={"title": "Bench", "status": "published", "position": 1}
    )
    enrollment, _ = Enrollment.objects.get_or_create(
        user=user, course=course, defaults={"enrolled_at": timezone.now()}
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return {
        "token": Token.objects.get_or_create(user=user)[0].key,
        "session": session.session_key,
        "csrf": get_random_string(32),
        "playback": progress.playback_token(
            enrollment_id=enrollment.pk, lecture_id=lecture.pk, user_id=user.pk, duration=600
        ),
    }


def _lua(method: str, headers: dict[str, str], body: str = "") -> str:
    lines = [f'wrk.method = "{method}"']
    if body:
        lines.append(f"wrk.body = {json.dumps(body)}")
    for key, value in headers.items():
        lines.append(f'wrk.headers["{key}"] = {json.dumps(value)}')
    return "\n".join(lines) + "\n"


def _wrk(url: str, script: str, *, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--latency",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * factor,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/heartbeat.py needs wrk (apt-get install wrk).")
    env = _environment()
    creds = _prepare(env)
    import redis

    from courses.progress import BUFFER_KEY, PROCESSING_KEY

    client = redis.Redis.from_url(env["REDIS_URL"])
    client.delete(BUFFER_KEY, PROCESSING_KEY)

    port = _free_port()
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "omooc.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        token = {"Authorization": f"Token {creds['token']}"}
        cookies = {"Cookie": f"sessionid={creds['session']}; csrftoken={creds['csrf']}"}
        runs = {
            "trivial (token, GET /api/v1/me/)": (f"{base}/api/v1/me/", _lua("GET", token)),
            "heartbeat (token, POST /api/v1/progress/)": (
                f"{base}/api/v1/progress/",
                _lua(
                    "POST",
                    {**token, "Content-Type": "application/json"},
                    json.dumps(
                        {"token": creds["playback"], "position": 42.0, "played_from": 32.0, "event": "tick"}
                    ),
                ),
            ),
            "trivial (session, GET /api/v1/me/)": (f"{base}/api/v1/me/", _lua("GET", cookies)),
            "heartbeat (session, POST /progress/heartbeat/)": (
                f"{base}/progress/heartbeat/",
                _lua(
                    "POST",
                    {**cookies, "Content-Type": "application/x-www-form-urlencoded", "Referer": base + "/"},
                    f"token={creds['playback']}&position=42&played_from=32&event=tick"
                    f"&csrfmiddlewaretoken={creds['csrf']}",
                ),
            ),
        }
        _wrk(f"{base}/api/v1/me/", _lua("GET", token), seconds=2, connections=args.connections)  # warm up
        # Interleaved rounds, median per endpoint: a shared machine's load drifts during a run.
        samples: dict[str, list[dict]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, (url, script) in runs.items():
                samples[name].append(_wrk(url, script, seconds=args.seconds, connections=args.connections))
        results = {
            name: sorted(runs_, key=lambda r: r["rps"])[len(runs_) // 2] for name, runs_ in samples.items()
        }
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=10)

    print(f"heartbeat ingest, gunicorn {args.workers} workers, wrk {args.connections} connections, "
          f"median of {args.rounds} interleaved {args.seconds} s runs")  # fmt: skip
    for name, result in results.items():
        print(f"  {name:48s} {result['rps']:8.0f} req/s   p99 {result['p99_ms']:6.1f} ms   "
              f"non-2xx {result['non_2xx']}")  # fmt: skip
    names = list(results)
    for trivial, beat in ((names[0], names[1]), (names[2], names[3])):
        ratio = results[beat]["rps"] / results[trivial]["rps"]
        verdict = "ok" if results[beat]["rps"] >= 2000 and ratio >= 0.8 else "BELOW TARGET"
        print(f"  {beat.split(' (')[1][:-1]}: {ratio:.2f}x of the trivial endpoint -> {verdict}")

    pending = client.llen(BUFFER_KEY)
    from courses.tasks.learning import progress_flush

    started = time.perf_counter()
    flushed = progress_flush()
    elapsed = time.perf_counter() - started
    print(f"  flush: {flushed} buffered heartbeats (of {pending}) into the database in {elapsed:.2f} s "
          f"= {flushed / elapsed if elapsed else 0:.0f}/s")  # fmt: skip


if __name__ == "__main__":
    main()
