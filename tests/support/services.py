"""Print shell exports that point the test run at the local PostgreSQL and Redis when reachable.

Explicit DATABASE_URL/REDIS_URL win. With CI=true nothing is guessed away: the URLs are always set,
and the test session fails if the services do not answer.
"""

from __future__ import annotations

import os
import shlex
import socket


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def main() -> None:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    exports: dict[str, str] = {"OMOOC_ENV": "test"}
    if not os.environ.get("DATABASE_URL") and (ci or reachable("127.0.0.1", 5432)):
        exports["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/omooc"
    if not os.environ.get("REDIS_URL") and (ci or reachable("127.0.0.1", 6379)):
        exports["REDIS_TEST_URL"] = "redis://127.0.0.1:6379/15"
    elif os.environ.get("REDIS_URL"):
        exports["REDIS_TEST_URL"] = os.environ["REDIS_URL"]
    for key, value in exports.items():
        print(f"export {key}={shlex.quote(value)}")
    # Tests that need Redis ask for it (the redis_url fixture); the rest run on the embedded
    # defaults, so a test behaves the same with and without a Redis server around.
    print("unset REDIS_URL CELERY_BROKER_URL CELERY_RESULT_BACKEND")


if __name__ == "__main__":
    main()
