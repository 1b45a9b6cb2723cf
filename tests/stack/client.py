"""What the stack tests share: a browser against nginx, waiting with a bound, the set-up steps run in
the stack's environment, and reading the outbox and the SMTP sink."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate, *, within: float, what: str, every: float = 0.25):
    """Poll ``predicate`` until it returns something true; return it (fail after ``within`` s)."""
    deadline = time.monotonic() + within
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        time.sleep(every)


def scenario(stack, step: str, **arguments) -> dict:
    """Run a set-up step of tests/stack/scenario.py in the stack's environment."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.stack.scenario", step, json.dumps(arguments)],
        cwd=ROOT, env=stack.app_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class Browser(requests.Session):
    """A learner's or producer's browser against nginx: cookies, CSRF token, Referer."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.headers["Referer"] = base + "/"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 30)
        if method.upper() == "POST" and "csrftoken" in self.cookies:
            kwargs.setdefault("headers", {})["X-CSRFToken"] = self.cookies["csrftoken"]
        response = super().request(method, self.url(url), *args, **kwargs)
        for cookie in self.cookies:  # browsers send Secure cookies to http://127.0.0.1 (a secure context)
            cookie.secure = False
        return response

    def log_in(self, email: str, password: str) -> Browser:
        self.email = email
        self.get("/accounts/login/")
        answer = self.post("/accounts/login/", data={"username": email, "password": password})
        assert answer.ok and "sessionid" in self.cookies, answer.text[:2000]
        return self


def emails(db, *, recipient: str, kind: str | None = None) -> list[tuple]:
    """(state, attempts, message_id, next_attempt_at) of the outbox rows for ``recipient``."""
    sql = "SELECT state, attempts, message_id, next_attempt_at FROM production_emaillog WHERE recipient = %s"
    params: list = [recipient]
    if kind:
        sql += " AND kind = %s"
        params.append(kind)
    return db(sql + " ORDER BY id", *params)


def received(smtp, *, to: str, kind: str | None = None) -> list:
    return [
        m
        for m in smtp.mailbox.messages
        if to in str(m["To"]) and (kind is None or (m["X-OMOOC-Kind"] or "") == kind)
    ]
