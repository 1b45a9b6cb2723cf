"""Set up Django for a benchmark in a database of its own next to DATABASE_URL's (created and migrated
first), so a benchmark never writes into the application's data and needs no database made by hand."""

from __future__ import annotations

import os
import re


def _own_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return  # the benchmarks that need PostgreSQL say so themselves
    base, name = url.rsplit("/", 1)
    name = os.environ.get("BENCH_ROWS_DB", f"{name.split('?')[0]}_bench_rows")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"BENCH_ROWS_DB must be a plain database name, not {name!r}")
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"


def setup() -> None:
    _own_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omooc.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
