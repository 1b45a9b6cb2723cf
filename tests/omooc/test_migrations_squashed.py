"""The migrations of accounts, courses and production are squashed, one per app (ADR 0033).

A deployment at the old heads is already migrated; one part-way through an old history is refused
with the fix; a fresh database is built from the squashed migrations. The in-process tests rewrite
the test database's django_migrations rows inside the test's transaction; the last test runs the real
`manage.py migrate` on a database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]

SQUASHED = {
    "accounts": "0001_squashed_0002_user_signup_pending",
    "courses": "0001_squashed_0006_course_page_content",
    "production": "0001_squashed_0011_hold_undo",
}
# The migration files of the release before the squash: what an existing deployment has recorded.
OLD = {
    "accounts": ["0001_initial", "0002_user_signup_pending"],
    "courses": [
        "0001_initial",
        "0002_media",
        "0003_learning",
        "0003_video_processing",
        "0004_merge_0003_learning_0003_video_processing",
        "0005_lecture_presenters",
        "0006_course_page_content",
    ],
    "production": [
        "0001_initial",
        "0002_outbox",
        "0003_speaker_created_by",
        "0004_learner_emails_in_the_outbox",
        "0005_answer_rounds",
        "0006_emaillog_superseded",
        "0007_call_sheet_fields",
        "0008_emaillog_resent_as",
        "0009_emaillog_lease",
        "0010_production_archived_at",
        "0011_hold_undo",
    ],
}
DDL = ("CREATE ", "DROP ", "ALTER ")
RECORD = "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, now())"


def _record_only(recorded: dict[str, list[str]], execute=None) -> None:
    """Leave in django_migrations exactly these names for the three squashed apps (through `execute`,
    by default on the test connection)."""
    if execute is None:
        with connection.cursor() as cursor:
            return _record_only(recorded, cursor.execute)
    execute("DELETE FROM django_migrations WHERE app = ANY(%s)", [list(SQUASHED)])
    for app, names in recorded.items():
        for name in names:
            execute(RECORD, [app, name])


def _recorded(app: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM django_migrations WHERE app = %s", [app])
        return {name for (name,) in cursor.fetchall()}


def _migrate(*args: str, **options) -> str:
    out = StringIO()
    call_command("migrate", *args, skip_checks=False, interactive=False, stdout=out, **options)
    return out.getvalue()


def test_each_app_has_one_squashed_migration_that_replaces_every_old_one():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for app, name in SQUASHED.items():
        assert [key[1] for key in loader.disk_migrations if key[0] == app] == [name]
        migration = loader.disk_migrations[(app, name)]
        assert sorted(migration.replaces) == sorted((app, old) for old in OLD[app])
    production = loader.disk_migrations[("production", SQUASHED["production"])]
    assert ("courses", SQUASHED["courses"]) in production.dependencies
    courses = loader.disk_migrations[("courses", SQUASHED["courses"])]
    assert not [dependency for dependency in courses.dependencies if dependency[0] == "production"]


def test_a_fresh_database_is_built_from_the_squashed_migrations(db):
    # pytest-django built the test database with `migrate`: the squashed migrations ran, and Django
    # recorded the names they replace as well.
    loader = MigrationLoader(connection)
    leaves = {key for key in loader.graph.leaf_nodes() if key[0] in SQUASHED}
    assert leaves == set(SQUASHED.items())
    for app, name in SQUASHED.items():
        assert _recorded(app) == {name, *OLD[app]}
    assert "No migrations to apply." in _migrate()


def test_a_database_at_the_old_heads_is_fully_migrated_and_nothing_runs(db):
    _record_only(OLD)

    _migrate(check_unapplied=True)  # exits 1 (SystemExit) when anything is left to apply
    with CaptureQueriesContext(connection) as queries:
        out = _migrate()

    assert "No migrations to apply." in out
    assert [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(DDL)] == []
    # Django finishes the recording: the squashed names join the old ones.
    for app, name in SQUASHED.items():
        assert _recorded(app) == {name, *OLD[app]}


@pytest.mark.parametrize(
    ("app", "recorded", "missing"),
    [
        ("production", OLD["production"][:9], "0010_production_archived_at"),
        ("accounts", ["0001_initial"], "0002_user_signup_pending"),
        ("courses", ["0001_initial", "0002_media", "0003_learning"], "0003_video_processing"),
    ],
)
def test_a_database_part_way_through_an_old_history_is_refused_with_the_fix(db, app, recorded, missing):
    _record_only({**OLD, app: recorded})

    for options in ({"check_unapplied": True}, {}):
        with CaptureQueriesContext(connection) as queries, pytest.raises(SystemCheckError) as refused:
            _migrate(**options)
        message = str(refused.value)
        assert f"{app}.{SQUASHED[app]}" in message
        assert missing in message
        assert "release before the squash" in message
        assert "docs/adr/0033-squashed-migrations.md" in message
        assert [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(DDL)] == []
    assert _recorded(app) == set(recorded)


@pytest.fixture
def own_database(worker_id: str):
    """A PostgreSQL database of this test's own, dropped afterwards."""
    import psycopg

    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"{default['NAME']}_squash_{worker_id}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_manage_py_migrate_builds_accepts_and_refuses_on_a_real_database(own_database):
    import psycopg

    env = {**os.environ, "DATABASE_URL": own_database, "DJANGO_SETTINGS_MODULE": "omooc.settings"}

    def manage(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "manage.py", *args]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    built = manage("migrate", "--noinput")
    assert built.returncode == 0, built.stderr[-3000:]
    assert "Applying production.0001_squashed_0011_hold_undo... OK" in built.stdout

    with psycopg.connect(own_database, autocommit=True) as db:
        _record_only(OLD, db.execute)
    checked = manage("migrate", "--check")
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]

    with psycopg.connect(own_database, autocommit=True) as db:
        db.execute("DELETE FROM django_migrations WHERE app = 'production' AND name > '0009'")
    refused = manage("migrate", "--noinput")
    assert refused.returncode == 1
    assert "production.0001_squashed_0011_hold_undo" in refused.stderr
    assert "release before the squash" in refused.stderr
    assert "Traceback" not in refused.stderr
