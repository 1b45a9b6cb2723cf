"""The engines of `make stack` on this host, without containers: PostgreSQL (the local server, or a
private instance a test may restart), Redis, an S3 server (moto), nginx rendered from
``deploy/nginx.conf``. No Django here: the stack runner starts before any settings exist."""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
TOPOLOGY = ROOT / "deploy" / "topology.toml"


def topology() -> dict:
    return tomllib.loads(TOPOLOGY.read_text())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for_port(port: int, *, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not answers(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer on port {port} within {within:.0f} s")
        time.sleep(0.2)


def need_binary(name: str, package: str) -> str:
    """The path of ``name``; installed with apt-get (Debian package ``package``) when missing."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found:
        return found
    print(f"stack: installing {package} (Debian package)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
    subprocess.run(command, env=env, check=False)
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        raise RuntimeError(f"{name} is missing: apt-get install {package}")
    return found


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_bin() -> Path:
    """Debian's server binaries (initdb, postgres), the newest major version installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries missing: apt-get install postgresql")
    return Path(found[-1]).parent


def _as_postgres_user() -> dict:
    """Popen keywords that run a server binary as ``postgres`` when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid}


class PrivatePostgres:
    """A PostgreSQL instance of the stack's own (initdb in ``data_dir``, on ``port``): the machine's
    server is shared with others and is never restarted; this one may be."""

    def __init__(self, port: int) -> None:
        # Its own folder under the system's temporary one: the server runs as ``postgres`` and must be
        # able to reach it (a test's temporary folder is private to root).
        self.data_dir = Path(tempfile.mkdtemp(prefix="omooc-stack-pg-"))
        self.port = port
        self.url = f"postgres://postgres@127.0.0.1:{port}/omooc"

    def remove(self) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def init(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        user = _as_postgres_user()
        if user:
            os.chown(self.data_dir, user["user"], user["group"])
            os.chmod(self.data_dir, 0o700)
        subprocess.run(
            [str(postgres_bin() / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, stdout=subprocess.DEVNULL, **user,
        )  # fmt: skip

    def command(self) -> tuple[list[str], dict]:
        return [
            str(postgres_bin() / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.data_dir}",
            "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
        ], _as_postgres_user()  # fmt: skip


def create_database(url: str) -> None:
    """Create the database ``url`` names when it is missing (psql on the maintenance database)."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    found = subprocess.run(
        ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if found != "1":
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)


# --- Redis, S3, SMTP sink ----------------------------------------------------------------------


def redis_command(port: int, data_dir: Path) -> list[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    base = topology()["services"]["redis"]["command"]
    return [*base, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir), "--save", ""]


def s3_command(port: int) -> list[str]:
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def create_bucket(endpoint: str, bucket: str) -> None:
    import boto3

    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="eu-west-1",
        aws_access_key_id="stack", aws_secret_access_key="stack-secret",
    )  # fmt: skip
    names = [b["Name"] for b in client.list_buckets().get("Buckets", [])]
    if bucket not in names:
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})


def smtp_sink_command(port: int) -> list[str]:
    """An SMTP server that prints what it receives (aiosmtpd's debugging handler)."""
    return [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]


# --- nginx -----------------------------------------------------------------------------------


def render_nginx(*, port: int, web_ports: list[int], s3_port: int, media_root: Path, state: Path) -> Path:
    """``deploy/nginx.conf`` (the file compose mounts) rendered for host ports, inside a main config
    that keeps nginx's pid, logs and temporary files under ``state``."""
    server = (ROOT / "deploy" / "nginx.conf").read_text()
    match = re.search(r"server web:8000([^;]*);", server)
    if not match:
        raise RuntimeError("deploy/nginx.conf: no `server web:8000` line in the upstream")
    nodes = " ".join(f"server 127.0.0.1:{p}{match.group(1)};" for p in web_ports)
    server = server.replace(match.group(0), nodes)
    server = server.replace("minio:9000", f"127.0.0.1:{s3_port}")
    server = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", server)
    server = server.replace("/var/lib/omooc/media/", f"{media_root}/")
    state.mkdir(parents=True, exist_ok=True)
    (state / "omooc.conf").write_text(server)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "".join(f"    {kind}_temp_path {state / kind};\n" for kind in kinds)
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main = (
        f"{user}daemon off;\nworker_processes 1;\npid {state / 'nginx.pid'};\n"
        f"error_log {state / 'error.log'} warn;\nevents {{ worker_connections 512; }}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    access_log {state / 'access.log'};\n{temp}"
        f"    include {state / 'omooc.conf'};\n}}\n"
    )
    config = state / "nginx.conf"
    config.write_text(main)
    return config
