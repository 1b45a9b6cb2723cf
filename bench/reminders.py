"""Reminder due scan on 100,000 scheduled reminders: time of the claim query and whether PostgreSQL
uses the partial index. Target (ARCHITECTURE.md): uses an index, under 50 ms.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.reminders
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import timedelta

from bench._django import setup
from bench._report import line

TOTAL = 100_000
DUE = 1_000
BATCH = 100


def main() -> None:
    setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from production.models import Reminder

    if connection.vendor != "postgresql":
        raise SystemExit("bench.reminders needs PostgreSQL: set DATABASE_URL")
    Reminder.objects.filter(idempotency_key__startswith="bench:").delete()
    now = timezone.now()
    rows = []
    for n in range(TOTAL):
        due = now - timedelta(minutes=1 + n % 60) if n < DUE else now + timedelta(minutes=n)
        state = Reminder.State.PENDING if n < TOTAL * 0.7 or n < DUE else Reminder.State.SENT
        rows.append(
            Reminder(
                kind=Reminder.Kind.SESSION_SPEAKER_7D,
                target_type="session",
                target_id=n,
                recipient=f"bench{n}@example.org",
                due_at=due,
                state=state,
                sent_at=now if state == Reminder.State.SENT else None,
                idempotency_key=f"bench:{n}",
            )
        )
    started = time.perf_counter()
    Reminder.objects.bulk_create(rows, batch_size=5000)
    print(f"# inserted {TOTAL:,} reminders ({DUE:,} due) in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE production_reminder")
    try:
        claim = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=Reminder.State.PENDING, due_at__lte=timezone.now())
            .order_by("due_at", "id")
        )
        with transaction.atomic(), connection.cursor() as cursor:
            sql, params = claim[:BATCH].query.sql_with_params()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        timings = []
        for _ in range(30):
            with transaction.atomic():
                t0 = time.perf_counter()
                got = list(claim[:BATCH])
                timings.append((time.perf_counter() - t0) * 1000)
        assert len(got) == BATCH
        uses_index = "reminder_pending_due" in plan
        if os.environ.get("BENCH_VERBOSE"):
            print(plan)
        median = statistics.median(timings)
        verdict = "PASS" if uses_index and max(timings) < 50 else "FAIL"
        line(
            "reminders.due_scan.median",
            median,
            "ms",
            baseline=50,
            note=f"claim {BATCH} of {DUE:,} due among {TOTAL:,}; max {max(timings):.2f} ms; target < 50 ms",
        )
        line(
            "reminders.due_scan.uses_index",
            1 if uses_index else 0,
            "bool",
            note=f"reminder_pending_due {'in' if uses_index else 'NOT in'} the plan; {verdict}",
        )
    finally:
        Reminder.objects.filter(idempotency_key__startswith="bench:").delete()


if __name__ == "__main__":
    main()
