from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k" * 20 + "9f8e7d6c5b4a3210" + "zyxwvutsrqponm" + "AbCdEfGh"


def run_manage(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "OMOOC_ENV", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", env_extra={"OMOOC_ENV": "production", "ALLOWED_HOSTS": "omooc.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when OMOOC_ENV=production" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", env_extra={"OMOOC_ENV": "production", "SECRET_KEY": SECRET})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when OMOOC_ENV=production" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage(
        "check",
        env_extra={"OMOOC_ENV": "production", "SECRET_KEY": "short", "ALLOWED_HOSTS": "omooc.example.org"},
    )
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_settings_pass_the_deploy_check_at_warning_level():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={"OMOOC_ENV": "production", "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "omooc.example.org"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_defaults_are_dutch_in_amsterdam_time(settings):
    assert settings.LANGUAGE_CODE == "nl"
    assert [code for code, _ in settings.LANGUAGES] == ["nl", "en"]
    assert settings.TIME_ZONE == "Europe/Amsterdam"
    assert settings.USE_TZ is True
