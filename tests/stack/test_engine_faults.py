"""Faults of the engines under the running topology (deploy/stack.py), each checked for nothing lost
and nothing sent twice: Redis stopped for 30 s, PostgreSQL restarted, SMTP unreachable, a web node
killed. Figures are printed (``-s``) for the README's "Production" section."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from .client import emails, received, scenario, wait_until
from .media import beat, play

pytestmark = [pytest.mark.stack]
APP_SERVICES = ("web-1", "web-2", "worker-mail", "worker-media", "beat")


def starts(stack) -> dict[str, int]:
    return {name: stack.services[name].starts for name in APP_SERVICES}


def unique_delivery(smtp, *, to: str) -> list[str]:
    """Message-IDs delivered to ``to``; fails when one arrived twice."""
    ids = [str(m["Message-ID"]) for m in received(smtp, to=to)]
    assert len(ids) == len(set(ids)), f"delivered twice: {ids}"
    return ids


def test_redis_stopped_for_30_s_heartbeats_answer_503_pages_keep_working_and_everything_resumes(
    stack, db, smtp, browser, ready_lecture
):
    learner = browser(scenario(stack, "learner", course_slug=ready_lecture["course_slug"])["email"],
                      ready_lecture["password"])  # fmt: skip
    grant = play(learner, lecture_id=ready_lecture["lecture_id"])
    planned = scenario(stack, "session", production_id=ready_lecture["production_id"],
                       speaker_id=ready_lecture["speaker_id"], reminder_in=15)  # fmt: skip
    speaker = ready_lecture["speaker"]
    wait_until(lambda: received(smtp, to=speaker, kind="invitation"), within=60, what="the invitation")
    before = starts(stack)
    assert beat(learner, grant, position=0, played_from=None, event="play").status_code == 204
    time.sleep(1)
    assert beat(learner, grant, position=1, played_from=0).status_code == 204  # buffered, not yet flushed

    stack.stop_service("redis")
    stopped = time.monotonic()
    outage: dict[str, set] = {"beat": set(), "pages": set(), "healthz": set()}
    while time.monotonic() - stopped < 30:
        answer = beat(learner, grant, position=2, played_from=1)
        outage["beat"].add(answer.status_code)
        if answer.status_code != 204:
            assert answer.status_code == 503, answer.text
            assert set(answer.json()) == {"message", "code", "extra"}
        for path in ("/", f"/courses/{ready_lecture['course_slug']}/", "/my/courses/"):
            outage["pages"].add(learner.get(path).status_code)
        outage["healthz"].add(stack.health())
        time.sleep(2)
    print(f"during the Redis outage: {outage}")
    assert outage["beat"] == {503}
    assert outage["pages"] == {200}
    assert outage["healthz"] == {503}

    stack.start_service("redis")
    restarted = time.monotonic()
    wait_until(lambda: beat(learner, grant, position=3, played_from=2).status_code == 204, within=30,
               what="heartbeats accepted again")  # fmt: skip
    beats_back = time.monotonic() - restarted
    wait_until(lambda: stack.health() == 200, within=30, what="/healthz 200 again")
    print(f"Redis back: heartbeats accepted after {beats_back:.1f} s, healthy after "
          f"{time.monotonic() - restarted:.1f} s")  # fmt: skip
    assert starts(stack) == before, "a process was restarted"

    # The buffered heartbeats before the outage survived (append-only file) and are flushed with the
    # ones after; the ones refused with 503 are the documented loss.
    row = wait_until(
        lambda: db("SELECT position_seconds, watched FROM courses_lectureprogress lp JOIN courses_enrollment"
                   " e ON e.id = lp.enrollment_id JOIN accounts_user u ON u.id = e.user_id WHERE u.email = %s"
                   " AND lp.position_seconds >= 3", learner.email),
        within=60, what="the heartbeats flushed",
    )  # fmt: skip
    assert row[0][0] == 3
    reminder = wait_until(lambda: received(smtp, to=ready_lecture["speaker"], kind="reminder"), within=120,
                          what="the reminder after the outage")  # fmt: skip
    print(f"reminder due during the outage sent {time.time() - planned['due_at']:.1f} s after its due time")
    time.sleep(3)
    assert len(received(smtp, to=ready_lecture["speaker"], kind="reminder")) == len(reminder) == 1
    unique_delivery(smtp, to=ready_lecture["speaker"])


def test_postgresql_restarted_health_says_503_pages_answer_a_friendly_503_and_the_outbox_resumes_once(
    stack, db, smtp, browser
):
    world = scenario(stack, "world", tag="pgrestart")
    learner = browser(world["learner"], world["password"])
    scenario(stack, "session", production_id=world["production_id"], speaker_id=world["speaker_id"],
             reminder_in=25)  # fmt: skip
    before = starts(stack)
    stack.stop_service("postgres")
    stopped = time.monotonic()
    seen: dict[str, set] = {"healthz": set(), "pages": set(), "api": set()}
    while time.monotonic() - stopped < 20:
        seen["healthz"].add(stack.health())
        for path in ("/", f"/courses/{world['course_slug']}/", "/my/courses/"):
            page = learner.get(path)
            seen["pages"].add(page.status_code)
            assert "Traceback" not in page.text
            if page.status_code == 503:
                assert "Briefly unavailable" in page.text and page.headers["Retry-After"]
        api = learner.get("/api/v1/courses/")
        seen["api"].add(api.status_code)
        if api.status_code == 503:
            assert api.json()["code"] == "unavailable"
        time.sleep(2)
    print(f"during the PostgreSQL restart: {seen}")
    assert seen == {"healthz": {503}, "pages": {503}, "api": {503}}

    stack.start_service("postgres")
    started = time.monotonic()
    wait_until(lambda: stack.health() == 200, within=60, what="/healthz 200 after the restart")
    healthy = time.monotonic() - started
    wait_until(lambda: learner.get("/my/courses/").status_code == 200, within=30, what="pages again")
    print(f"PostgreSQL back: healthy after {healthy:.1f} s, pages after {time.monotonic() - started:.1f} s")
    assert starts(stack) == before, "a process was restarted"

    for kind in ("invitation", "reminder"):
        wait_until(lambda kind=kind: received(smtp, to=world["speaker"], kind=kind), within=150,
                   what=f"the {kind} after the restart")  # fmt: skip
    time.sleep(3)
    ids = unique_delivery(smtp, to=world["speaker"])
    assert len(ids) == 2
    assert {row[0] for row in emails(db, recipient=world["speaker"])} == {"sent"}


def test_smtp_unreachable_messages_stay_queued_with_retry_times_and_are_delivered_once_after(stack, db, smtp):
    world = scenario(stack, "world", tag="smtp")
    smtp.stop()
    outage = time.monotonic()
    try:
        scenario(stack, "session", production_id=world["production_id"], speaker_id=world["speaker_id"],
                 reminder_in=10)  # fmt: skip

        def tried() -> list:
            rows = emails(db, recipient=world["speaker"])
            return rows if len(rows) == 2 and all(row[1] >= 1 for row in rows) else []

        queued = wait_until(tried, within=150, what="invitation and reminder tried and queued")
        # Each stays queued with the reason and a retry time after its failed attempt (a scan stops at
        # the first unreachable server, so a row whose retry time passed waits for the next scan).
        rows = db(
            "SELECT state, next_attempt_at > created_at + interval '30 seconds', error"
            " FROM production_emaillog"
            " WHERE recipient = %s",
            world["speaker"],
        )
        assert [(state, later) for state, later, _ in rows] == [("queued", True)] * 2, rows
        assert all("unreachable" in error for _, _, error in rows), rows
        wait_until(lambda: time.monotonic() - outage > 90, within=100, what="the outage")
    finally:
        smtp.start()
    back = time.monotonic()
    wait_until(lambda: len(received(smtp, to=world["speaker"])) == 2, within=300, what="delivery after")
    print(f"SMTP down {back - outage:.0f} s; rows retried {[r[1] for r in queued]} times; both delivered "
          f"{time.monotonic() - back:.0f} s after it came back")  # fmt: skip
    time.sleep(3)
    assert len(unique_delivery(smtp, to=world["speaker"])) == 2
    assert {r[0] for r in emails(db, recipient=world["speaker"])} == {"sent"}


def test_a_killed_web_node_fails_no_idempotent_request(stack, browser, ready_lecture):
    learner = browser(ready_lecture["learner"], ready_lecture["password"])
    failures: list[str] = []
    done = threading.Event()
    statuses: list[int] = []

    def load() -> None:
        session = requests.Session()
        while not done.is_set():
            try:
                answer = session.get(f"{stack.url}/courses/{ready_lecture['course_slug']}/", timeout=30)
                statuses.append(answer.status_code)
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code}")
            except requests.RequestException as error:
                failures.append(repr(error))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        stack.kill("web-1", restart=False)  # SIGKILL, and no restart: nginx must route around it
        killed_at = len(statuses)
        time.sleep(10)
        assert learner.get("/my/courses/").status_code == 200
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=40)
        stack.start_service("web-1")
    print(f"web node stopped under load: {len(statuses)} requests, {len(statuses) - killed_at} after the "
          f"stop, failures {failures}")  # fmt: skip
    assert not failures
    assert len(statuses) - killed_at > 20
