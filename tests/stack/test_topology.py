"""docker-compose.yml and `make stack` run one topology: deploy/topology.toml. These fail when compose
drifts from it (a service, a command, a replica count, an app variable) or the stack stops using it."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from deploy import engines
from deploy.stack import APP_ORDER, Stack

ROOT = Path(__file__).resolve().parents[2]
VAR = "/var/lib/omooc"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


@pytest.fixture(scope="module")
def topology() -> dict:
    return engines.topology()


def _compose_name(name: str, spec: dict) -> str:
    return spec.get("compose", name)


def _argv(command) -> list[str]:
    """A compose command as an argument list; ``sh -c "a && b"`` gives the last step, the server."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] == ["sh", "-c"]:
        return shlex.split(argv[2].split("&&")[-1])
    return argv


def _without_bind(argv: list[str]) -> list[str]:
    if "--bind" in argv:
        at = argv.index("--bind")
        return argv[:at] + argv[at + 2 :]
    return argv


def test_compose_runs_exactly_the_services_of_the_topology(compose, topology):
    expected = {_compose_name(name, spec) for name, spec in topology["services"].items()}
    assert set(compose) == expected


def test_every_app_service_runs_the_topology_command_with_its_replicas(compose, topology):
    for name, spec in topology["services"].items():
        if spec["kind"] != "app":
            continue
        wanted = [part.replace("{var}", VAR) for part in spec["command"]]
        assert _without_bind(_argv(compose[name]["command"])) == wanted, name
        assert compose[name]["deploy"]["replicas"] == spec["replicas"], name
    assert topology["services"]["beat"]["replicas"] == 1, "beat must stay single"


def test_the_web_service_prepares_the_database_as_the_topology_says(compose, topology):
    command = compose["web"]["command"]
    first_step = shlex.split(shlex.split(command)[2].split("&&")[0])
    assert first_step == topology["app"]["prepare"]


def test_app_containers_get_exactly_the_topology_variables(compose, topology):
    for name, spec in topology["services"].items():
        if spec["kind"] == "app":
            assert set(compose[name]["environment"]) == set(topology["app"]["environment"]), name
    assert compose["web"]["environment"]["AWS_STORAGE_BUCKET_NAME"] == topology["app"]["bucket"]


def test_engines_run_the_topology_images_commands_and_config(compose, topology):
    services = topology["services"]
    assert compose["redis"]["command"].split() == services["redis"]["command"]
    assert compose["postgres"]["image"] == services["postgres"]["image"]
    assert compose["redis"]["image"] == services["redis"]["image"]
    assert compose["nginx"]["image"] == services["nginx"]["image"]
    mount = compose["nginx"]["volumes"][0].split(":")[0]
    assert Path(mount).as_posix().lstrip("./") == services["nginx"]["config"]
    assert compose["nginx"]["ports"] == [f"{services['nginx']['port']}:{services['nginx']['port']}"]
    assert compose["minio"]["command"].split()[0] == "server"
    assert f":{services['s3']['port']}" in compose["web"]["environment"]["AWS_S3_ENDPOINT_URL"]


def test_the_stack_starts_the_topology_commands_and_sets_every_app_variable(tmp_path, topology):
    stack = Stack(tmp_path, database_url="postgres://postgres@127.0.0.1:5432/omooc_stack")
    env = stack.app_env()
    assert set(topology["app"]["environment"]) <= set(env)
    assert env["AWS_STORAGE_BUCKET_NAME"] == topology["app"]["bucket"]
    for name in APP_ORDER:
        argv = stack._argv(topology["services"][name]["command"])
        assert argv[3:] == [
            p.replace("{var}", str(stack.var)) for p in topology["services"][name]["command"][1:]
        ]
    assert len(stack.web_ports) == topology["services"]["web"]["replicas"]
    assert engines.redis_command(6379, tmp_path)[:3] == topology["services"]["redis"]["command"]


def test_nginx_is_rendered_from_the_compose_file_with_one_server_line_per_web_node(tmp_path):
    config = engines.render_nginx(port=8080, web_ports=[9001, 9002], s3_port=9100, media_root=tmp_path,
                                  state=tmp_path / "nginx")  # fmt: skip
    rendered = (config.parent / "omooc.conf").read_text()
    shipped = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server 127.0.0.1:9001 max_fails=1 fail_timeout=10s;" in rendered
    assert "server 127.0.0.1:9002 max_fails=1 fail_timeout=10s;" in rendered
    assert "proxy_next_upstream error timeout http_502;" in shipped
    # Everything else is the shipped file, line for line.
    assert len(rendered.splitlines()) == len(shipped.splitlines())
