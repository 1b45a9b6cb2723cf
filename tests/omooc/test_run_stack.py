"""``make run`` (``manage.py run_stack``): mail never waits for media, and everything starts and stops
together. Real Celery workers on a real Redis broker, started with the commands ``make run`` uses."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from celery import Celery

from omooc.management.commands.run_stack import stack_commands

ROOT = Path(__file__).resolve().parents[2]
HOLD_SECONDS = 40


def _env(redis_url: str, tmp_path: Path) -> dict[str, str]:  # for run_stack
    env = {**os.environ, "REDIS_URL": redis_url, "OMOOC_ENV": "test", "OMOOC_VAR_DIR": str(tmp_path)}
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CELERY_RESULT_BACKEND", None)
    # The stack's own database is the embedded SQLite under OMOOC_VAR_DIR, as with `make run`: never
    # the application database a DATABASE_URL names (a new machine may not have it).
    env.pop("DATABASE_URL", None)
    env.pop("SITE_URL", None)  # as on a newcomer's machine
    return env


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def _workers() -> dict[str, list[str]]:
    return {
        name: command
        for name, command in stack_commands(addrport="127.0.0.1:0").items()
        if "worker" in command
    }


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)  # the held tasks would make a warm shutdown wait
    process.wait(timeout=20)


@pytest.fixture
def stack_redis_url(redis_url):
    """A Redis database of this test's own, emptied before and after: the killed workers leave held
    tasks unacknowledged on the broker, and a later test's worker (the journeys' stack) on the same
    database would be handed them ("unregistered task tests.hold")."""
    import redis

    base, _, db = redis_url.rpartition("/")
    url = f"{base}/{int(db) - 8}"  # the per-worker databases count down from 15; these from 7
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(params=["redis", "filesystem"])
def broker(request, tmp_path):
    """The broker ``make run`` uses: Redis when ``REDIS_URL`` is set, else the embedded filesystem one.
    Returns the workers' environment and a client app on the same broker."""
    env = {**os.environ, "OMOOC_ENV": "test", "OMOOC_VAR_DIR": str(tmp_path)}
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    if request.param == "redis":
        env["REDIS_URL"] = request.getfixturevalue("stack_redis_url")
        client = Celery("omooc-test-client", broker=env["REDIS_URL"])
    else:
        env["CELERY_BROKER_URL"] = "filesystem://"
        folders = {sub: tmp_path / "celery" / sub for sub in ("queue", "processed", "control")}
        for folder in folders.values():
            folder.mkdir(parents=True)
        client = Celery("omooc-test-client", broker="filesystem://")
        client.conf.broker_transport_options = {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "store_processed": False,
            "control_folder": str(folders["control"]),
        }
    client.conf.update(task_serializer="json", accept_content=["json"])
    return env, client


def test_make_run_starts_a_worker_for_mail_and_default_apart_from_media():
    queues = {name: set(_option(command, "-Q").split(",")) for name, command in _workers().items()}
    assert {"mail", "default"} in queues.values()
    assert {"media"} in queues.values()


def _wait_for(markers: list[Path], *, within: float) -> float:
    started = time.monotonic()
    while not all(m.exists() for m in markers):
        if time.monotonic() - started > within:
            return float("inf")
        time.sleep(0.1)
    return time.monotonic() - started


def test_a_mail_task_runs_promptly_while_uploads_occupy_every_media_process(broker, tmp_path):
    env, client = broker
    workers = _workers()
    processes = []
    try:
        for name, command in workers.items():
            argv = [*command, "--include", "tests.omooc.celery_probe", "-n", f"{name}-{os.getpid()}@%h"]
            argv[argv.index("-l") + 1] = "WARNING"
            processes.append(subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True))  # noqa: S603
        # As many long "transcodes" as there are processes taking media tasks: all of them busy.
        media_slots = sum(
            int(_option(command, "-c"))
            for command in workers.values()
            if "media" in _option(command, "-Q").split(",")
        )
        busy = [tmp_path / f"media-{i}" for i in range(media_slots)]
        for marker in busy:
            client.send_task("tests.hold", kwargs={"seconds": HOLD_SECONDS, "started_marker": str(marker)},
                             queue="media")  # fmt: skip
        assert _wait_for(busy, within=60) < 60, "the media tasks never started"

        for queue in ("mail", "default"):
            marker = tmp_path / f"{queue}-ran"
            client.send_task("tests.hold", kwargs={"seconds": 0, "started_marker": str(marker)}, queue=queue)
            assert _wait_for([marker], within=10) < 10, f"a {queue} task waited for the media tasks"
    finally:
        for process in processes:
            _stop(process)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_run_stack_starts_web_both_workers_and_beat_and_ctrl_c_stops_them_all(stack_redis_url, tmp_path):
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "run_stack", "--addrport", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=_env(stack_redis_url, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "the web server never answered"
            time.sleep(0.3)
        children = _children(process.pid)
        argv = {pid: Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in children}
        queues = sorted(a[a.index(b"-Q") + 1].decode() for a in argv.values() if b"-Q" in a)
        assert queues == ["mail,default", "media"]
        assert sum(b"beat" in a for a in argv.values()) == 1
        assert sum(b"runserver" in a for a in argv.values()) == 1
        # Links in emails (speaker pages, certificates) point at the port the stack serves, not :8000.
        for pid in children:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert f"SITE_URL=http://127.0.0.1:{port}".encode() in environ, argv[pid]

        process.send_signal(signal.SIGINT)  # Ctrl-C
        output, _ = process.communicate(timeout=30)
        assert "Stopped web, workers and beat." in output
        assert not [pid for pid in children if _alive(pid)]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for pid in children:  # each child runs in its own session: never leave one behind
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)


def test_run_stack_keeps_an_explicit_site_url_and_otherwise_serves_links_from_its_own_address():
    from omooc.management.commands.run_stack import stack_environment

    assert stack_environment(addrport="127.0.0.1:8765", environ={})["SITE_URL"] == "http://127.0.0.1:8765"
    assert stack_environment(addrport="8765", environ={})["SITE_URL"] == "http://127.0.0.1:8765"
    assert stack_environment(addrport="0.0.0.0:9000", environ={})["SITE_URL"] == "http://localhost:9000"
    kept = stack_environment(addrport="127.0.0.1:8765", environ={"SITE_URL": "https://omooc.example.org"})
    assert kept["SITE_URL"] == "https://omooc.example.org"
