"""Run one reminder scan in the foreground (for operators and cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from production.outbox.reminders.planning import reminders_plan
from production.outbox.reminders.scanning import reminders_scan


class Command(BaseCommand):
    help = "Plan reminders by the default rules, then send every due reminder and queued email once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-plan", action="store_true", help="Skip planning; only send what is due.")

    def handle(self, *args, **options) -> None:
        planned = 0 if options["no_plan"] else reminders_plan()
        result = reminders_scan()
        self.stdout.write(
            f"planned {planned} reminder(s); handled {result['reminders']} due reminder(s); "
            f"sent or retried {result['emails']} email(s)"
        )
