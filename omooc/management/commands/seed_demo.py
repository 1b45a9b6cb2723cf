"""Demo data for ``make run``: invented people at example.org. Safe to run again (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_PASSWORD = "omooc-demo"  # noqa: S105 - demo only, printed by make run


class Command(BaseCommand):
    help = "Create or refresh the demo users and content. Running it twice changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-media", action="store_true", help="Skip generating and transcoding demo videos."
        )

    def handle(self, *args, **options) -> None:
        from courses import demo as courses_demo
        from omooc.accounts import demo as accounts_demo
        from production import demo as production_demo

        with transaction.atomic():
            users = accounts_demo.seed(password=DEMO_PASSWORD)
            courses = courses_demo.seed(users=users)
            production_demo.seed(users=users, courses=courses)
        if not options["no_media"]:
            courses_demo.seed_media(courses=courses, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  producer: producer@example.org / {DEMO_PASSWORD}")
        self.stdout.write(f"  learner:  learner@example.org / {DEMO_PASSWORD}")
