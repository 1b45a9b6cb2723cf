"""Refuse to migrate a database that applied only part of the migrations a squashed one replaces.

The replaced files are gone (ADR 0033). Django then leaves such an app out of the plan without a word,
so `migrate` and `migrate --check` would report success on a database that lacks columns. This check
runs with `migrate` (a database-tagged system check) and names the app and the fix instead."""

from __future__ import annotations

from django.core import checks
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

ADR = "docs/adr/0033-squashed-migrations.md"


def part_way(connection) -> list[tuple[tuple[str, str], list[str]]]:
    """The squashed migrations of which the database recorded some replaced names but not all,
    each with the replaced names it lacks."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    applied = set(recorder.applied_migrations())
    found = []
    for key, migration in sorted(MigrationLoader(None, ignore_no_migrations=True).disk_migrations.items()):
        replaced = [tuple(name) for name in migration.replaces]
        missing = [name for app, name in replaced if (app, name) not in applied]
        if replaced and 0 < len(missing) < len(replaced):
            found.append((key, missing))
    return found


@checks.register(checks.Tags.database)
def check_squashed_history(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for alias in databases or ():
        for (app, name), missing in part_way(connections[alias]):
            errors.append(
                checks.Error(
                    f"Database '{alias}' applied only part of the migrations that {app}.{name} "
                    f"replaces; it lacks {', '.join(missing)}.",
                    hint=(
                        "Migrate with the release before the squash first (it still has the old "
                        f"migration files), then with this one. See {ADR}."
                    ),
                    id="omooc.E001",
                )
            )
    return errors
