"""CPU per request of the load benchmark's endpoints, in one process, without a network or wrk:
``python -m bench._profile [endpoint ...]`` after ``make bench BENCH=load`` has seeded ``BENCH_DB``.

Requests go through ``omooc.wsgi.application`` with the benchmark's settings (``OMOOC_ENV=production``)
and credentials (a fresh session cookie, the learner's API token). Per endpoint: CPU time per request
(``time.process_time``, best of ``BENCH_PROFILE_ROUNDS`` rounds of ``BENCH_PROFILE_REQUESTS``) and its
ratio to ``/api/v1/me/``; with ``BENCH_PROFILE_TOP=N`` also cProfile's N costliest functions
(cumulative) per endpoint. On a shared machine this is steadier than requests per second: it counts
only this process's CPU, though cache misses and a busy neighbour still move it a little.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time

from bench import load
from bench._report import line

REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "300"))
ROUNDS = int(os.environ.get("BENCH_PROFILE_ROUNDS", "5"))
TOP = int(os.environ.get("BENCH_PROFILE_TOP", "0"))
PAGES = ("course_page", "course_api", "lecture_page", "playback_api", "catalog_page", "catalog_api")


def _credentials() -> dict:
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.crypto import get_random_string
    from rest_framework.authtoken.models import Token

    from courses.models import Lecture
    from omooc.accounts.models import User

    learner = User.objects.get(email="bench-learner@example.org")
    session = SessionStore()
    session["_auth_user_id"] = str(learner.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = learner.get_session_auth_hash()
    session.create()
    lecture = Lecture.objects.get(course__slug="bench-course-0", slug="lecture-2")
    return {
        "token": Token.objects.get(user=learner).key,
        "session": session.session_key,
        # a valid CSRF secret, as bench/fixtures.py gives wrk (an invalid one is replaced on every request)
        "csrf": get_random_string(32),
        "lecture": lecture.pk,
    }


def _endpoints(data: dict) -> dict[str, tuple[str, dict]]:
    token = {"HTTP_AUTHORIZATION": f"Token {data['token']}"}
    session = {"HTTP_COOKIE": f"sessionid={data['session']}; csrftoken={data['csrf']}"}
    return {
        "baseline_me": ("/api/v1/me/", token),
        "catalog_page": ("/", {}),
        "catalog_api": ("/api/v1/courses/", token),
        "course_page": ("/courses/bench-course-0/", session),
        "course_api": ("/api/v1/courses/bench-course-0/", token),
        "lecture_page": ("/courses/bench-course-0/lectures/lecture-2/", session),
        "playback_api": (f"/api/v1/lectures/{data['lecture']}/playback/", token),
    }


def _environ(path: str, headers: dict) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_ACCEPT_LANGUAGE": "en",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **headers,
    }


def _call(app, path: str, headers: dict) -> bytes:
    status = []

    def start_response(code, response_headers, exc_info=None):
        status.append(code)

    body = b"".join(app(_environ(path, headers), start_response))
    if not status[0].startswith("200"):
        raise SystemExit(f"{path} answered {status[0]}")
    return body


def main(names: list[str]) -> None:
    env = load.server_env()
    os.environ.update({key: env[key] for key in ("OMOOC_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")})
    os.environ.update({key: env[key] for key in ("SECURE_SSL_REDIRECT", "REDIS_URL", "OMOOC_VAR_DIR")})
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omooc.settings")
    from omooc.wsgi import application

    endpoints = _endpoints(_credentials())
    chosen = ["baseline_me", *(names or PAGES)]
    for name in chosen:
        for _ in range(20):  # warm: caches, templates, connections
            _call(application, *endpoints[name])
    cpu: dict[str, float] = {name: float("inf") for name in chosen}
    for _ in range(ROUNDS):
        for name in chosen:  # interleaved, like the load benchmark
            started = time.process_time()
            for _ in range(REQUESTS):
                _call(application, *endpoints[name])
            cpu[name] = min(cpu[name], (time.process_time() - started) / REQUESTS)
    base = cpu["baseline_me"]
    for name in chosen:
        note = f"one process, best of {ROUNDS}x{REQUESTS}; lower is better; as a rate {base / cpu[name]:.2f}x"
        line(f"cpu.{name}", cpu[name] * 1000, "ms CPU/request", baseline=base * 1000, note=note)
    if TOP:
        for name in chosen:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(REQUESTS):
                _call(application, *endpoints[name])
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(TOP)
            print(f"\n==== {name} ({REQUESTS} requests)\n" + out.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
