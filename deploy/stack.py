"""`make stack`: the production topology of ``deploy/topology.toml`` (the list docker-compose.yml
follows) on this host, without containers: nginx rendered from ``deploy/nginx.conf`` in front of two
gunicorn web nodes (``deploy/gunicorn.conf.py``), a Celery worker for ``mail,default`` and one for
``media``, beat, PostgreSQL, a Redis of its own on a spare port, an S3 server (moto) for media, and an
SMTP sink unless ``EMAIL_URL`` is set. Prints the URL; Ctrl-C stops everything.

Like compose's ``restart: unless-stopped``, a process that dies is started again (``kill``), unless it
was stopped on purpose (``stop_service``). Tests drive it through ``Stack`` (tests/stack/).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # `python deploy/stack.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy import engines  # noqa: E402

ROOT = engines.ROOT
APP_ORDER = ("worker-mail", "worker-media", "beat")


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str] | None
    log: Path
    options: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None
    stopped: bool = True  # stopped on purpose: the supervisor leaves it down
    starts: int = 0

    def start(self) -> None:
        with self.log.open("ab") as log:
            # Fixed argument lists from the topology; nothing comes from user input.
            self.process = subprocess.Popen(  # noqa: S603
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, **self.options,
            )  # fmt: skip
        self.stopped = False
        self.starts += 1

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, sig: int) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def stop(self, *, grace: float = 15) -> None:
        self.stopped = True
        if not self.running():
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.signal_group(signal.SIGKILL)  # children left behind (ffmpeg, pool processes)


class Stack:
    """The topology on this host. ``private_postgres``: an initdb'd instance of its own (a test may
    restart it), else a database ``omooc_stack`` on the local server (``DATABASE_URL`` names another)."""

    def __init__(
        self,
        state: Path,
        *,
        private_postgres: bool = False,
        database_url: str | None = None,
        email_url: str | None = None,
        environment: dict[str, str] | None = None,
        web_concurrency: int = 1,
    ) -> None:
        self.state = Path(state)
        self.var = self.state / "var"
        self.logs = self.state / "logs"
        for folder in (self.var, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        self.topology = engines.topology()
        services = self.topology["services"]
        self.web_ports = [engines.free_port() for _ in range(services["web"]["replicas"])]
        self.port, self.redis_port, self.s3_port = (engines.free_port() for _ in range(3))
        self.url = f"http://127.0.0.1:{self.port}"
        self.s3_endpoint = f"http://127.0.0.1:{self.s3_port}"
        self.bucket = self.topology["app"]["bucket"]
        self.postgres: engines.PrivatePostgres | None = None
        if private_postgres:
            self.postgres = engines.PrivatePostgres(engines.free_port())
            self.database_url = self.postgres.url
        else:
            self.database_url = database_url or "postgres://postgres@127.0.0.1:5432/omooc_stack"
        self.smtp_port = None if email_url else engines.free_port()
        self.email_url = email_url or f"smtp://127.0.0.1:{self.smtp_port}"
        self.environment = environment or {}
        self.web_concurrency = web_concurrency
        self.services: dict[str, Service] = {}
        self._supervisor: threading.Thread | None = None
        self._closing = threading.Event()
        self.restarts: list[tuple[str, float]] = []

    # --- environment and commands -----------------------------------------------------------

    def app_env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CELERY_", "AWS_", "PYTEST", "MEDIA_"))
            and key not in ("DATABASE_URL", "REDIS_URL", "REDIS_TEST_URL", "EMAIL_URL", "SITE_URL")
        }
        env.update(
            {
                "OMOOC_ENV": "production",
                "SECRET_KEY": self._secret(),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": self.url,
                # Plain HTTP on the loopback: no redirect to https (browsers treat localhost as secure).
                "SECURE_SSL_REDIRECT": "false",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "EMAIL_URL": self.email_url,
                "AWS_STORAGE_BUCKET_NAME": self.bucket,
                "AWS_S3_ENDPOINT_URL": self.s3_endpoint,
                "AWS_ACCESS_KEY_ID": "stack",
                "AWS_SECRET_ACCESS_KEY": "stack-secret",
                "CSP_MEDIA_ORIGINS": self.s3_endpoint,
                "OMOOC_VAR_DIR": str(self.var),
                "STATIC_ROOT": str(self.var / "static"),
                "MEDIA_WORK_DIR": str(self.work_dir),
                "TMPDIR": str(self.tmp_dir),
                "WEB_CONCURRENCY": str(self.web_concurrency),
                "PYTHONUNBUFFERED": "1",
            }
        )
        missing = set(self.topology["app"]["environment"]) - set(env)
        assert not missing, f"topology variables the stack does not set: {missing}"
        env.update(self.environment)
        return env

    @property
    def work_dir(self) -> Path:
        path = self.var / "media-work"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def tmp_dir(self) -> Path:
        path = self.var / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _secret(self) -> str:
        path = self.state / "secret-key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(60))
        return path.read_text()

    def _argv(self, command: list[str]) -> list[str]:
        head, *rest = (part.replace("{var}", str(self.var)) for part in command)
        if head == "python":
            return [sys.executable, *rest]
        return [sys.executable, "-m", head, *rest]  # gunicorn, celery: the virtualenv's own

    def _service(self, name: str, argv: list[str], env: dict | None = None, **options) -> Service:
        service = Service(name, argv, env, self.logs / f"{name}.log", options)
        self.services[name] = service
        return service

    # --- life cycle -------------------------------------------------------------------------

    def start(self, *, within: float = 240) -> Stack:
        started = time.monotonic()
        engines.need_binary("nginx", "nginx")
        if self.postgres is not None:
            self.postgres.init()
            argv, options = self.postgres.command()
            self._service("postgres", argv, None, **options).start()
            engines.wait_for_port(self.postgres.port, within=60, what="PostgreSQL")
            self._wait_for_postgres(within=60)
        engines.create_database(self.database_url)
        self._service("redis", engines.redis_command(self.redis_port, self.state / "redis")).start()
        self._service("s3", engines.s3_command(self.s3_port)).start()
        if self.smtp_port:
            self._service("smtp", engines.smtp_sink_command(self.smtp_port)).start()
        engines.wait_for_port(self.redis_port, within=30, what="Redis")
        engines.wait_for_port(self.s3_port, within=60, what="the S3 server")
        engines.create_bucket(self.s3_endpoint, self.bucket)

        env = self.app_env()
        for step in (
            self.topology["app"]["prepare"],
            ["python", "manage.py", "compile_translations"],
            ["python", "manage.py", "collectstatic", "--noinput", "-v", "0"],
        ):
            subprocess.run(self._argv(step), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

        web = self._argv(self.topology["services"]["web"]["command"])
        for number, port in enumerate(self.web_ports, start=1):
            self._service(f"web-{number}", [*web, "--bind", f"127.0.0.1:{port}"], env).start()
        for name in APP_ORDER:
            argv = self._argv(self.topology["services"][name]["command"])
            if "worker" in argv:  # one host: each worker needs a node name of its own (compose: hostnames)
                argv += ["-n", f"{name}@%h"]
            self._service(name, argv, env).start()
        config = engines.render_nginx(
            port=self.port, web_ports=self.web_ports, s3_port=self.s3_port,
            media_root=self.var / "media", state=self.state / "nginx",
        )  # fmt: skip
        nginx = engines.need_binary("nginx", "nginx")
        self._service("nginx", [nginx, "-c", str(config), "-p", str(self.state / "nginx")]).start()
        self.wait_healthy(within=max(30.0, within - (time.monotonic() - started)))
        self._supervisor = threading.Thread(target=self._supervise, name="stack-supervisor", daemon=True)
        self._supervisor.start()
        return self

    def _wait_for_postgres(self, *, within: float) -> None:
        deadline = time.monotonic() + within
        while subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", str(self.postgres.port), "-q"], check=False
        ).returncode:
            if time.monotonic() > deadline:
                raise RuntimeError("the stack's PostgreSQL did not accept connections")
            time.sleep(0.2)

    def health(self, *, timeout: float = 5) -> int:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def wait_healthy(self, *, within: float) -> float:
        started = time.monotonic()
        while self.health() != 200:
            for service in self.services.values():
                if not service.stopped and not service.running() and service.name != "smtp":
                    tail = service.log.read_text(errors="replace")[-3000:] if service.log.exists() else ""
                    raise RuntimeError(f"{service.name} exited:\n{tail}")
            if time.monotonic() - started > within:
                raise RuntimeError(f"the stack was not healthy within {within:.0f} s (logs: {self.logs})")
            time.sleep(0.3)
        return time.monotonic() - started

    def _supervise(self) -> None:
        """compose's ``restart: unless-stopped``: start again what died, not what was stopped."""
        while not self._closing.wait(0.5):
            for service in list(self.services.values()):
                if not service.stopped and not service.running():
                    service.signal_group(signal.SIGKILL)  # what the dead process left running
                    self.restarts.append((service.name, time.monotonic()))
                    service.start()

    def kill(self, name: str, sig: int = signal.SIGKILL, *, restart: bool = True) -> None:
        """Kill a service's whole process group (as a container is killed); the supervisor restarts it
        unless ``restart`` is false."""
        service = self.services[name]
        service.stopped = not restart
        service.signal_group(sig)
        if not restart and service.process is not None:
            service.process.wait(timeout=10)

    def stop_service(self, name: str) -> None:
        self.services[name].stop()

    def start_service(self, name: str) -> None:
        self.services[name].start()

    def stop(self) -> None:
        self._closing.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
        order = ["nginx", *[n for n in self.services if n.startswith("web-")], *APP_ORDER]
        order += [n for n in self.services if n not in order]
        for name in order:
            if name in self.services:
                self.services[name].stop(grace=10)
        if self.postgres is not None:
            self.postgres.remove()

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def main() -> None:
    state = Path(os.environ.get("OMOOC_STACK_DIR", ROOT / "var" / "stack"))
    stack = Stack(
        state,
        private_postgres=os.environ.get("STACK_PRIVATE_POSTGRES", "") == "1",
        database_url=os.environ.get("STACK_DATABASE_URL"),
        email_url=os.environ.get("EMAIL_URL"),
    )
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stack.start()
        mail = f"SMTP sink on 127.0.0.1:{stack.smtp_port} (log: {stack.logs / 'smtp.log'})"
        print(
            f"\nOMOOC production stack is running: {stack.url}/  (Ctrl-C stops everything)\n"
            f"  nginx :{stack.port} -> web nodes {', '.join(f':{p}' for p in stack.web_ports)}\n"
            f"  workers: mail,default and media; beat; Redis :{stack.redis_port}; S3 {stack.s3_endpoint}\n"
            f"  database {stack.database_url}; emails: {mail if stack.smtp_port else stack.email_url}\n"
            f"  logs in {stack.logs}\n",
            flush=True,
        )
        stopping.wait()
    finally:
        stack.stop()
        print("Stopped nginx, web nodes, workers, beat and the engines.", flush=True)


if __name__ == "__main__":
    main()
