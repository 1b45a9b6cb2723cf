"""The Celery app: JSON only, late acks, prefetch 1, time limits, three queues, one beat schedule.

Business schedules (reminders, digests, progress flushes) are database rows or buffers scanned by
periodic tasks defined here; never long countdown/ETA tasks (ARCHITECTURE.md, "Reminders").
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omooc.settings")

app = Celery("omooc")
app.config_from_object("django.conf:settings", namespace="CELERY")

# The beat schedule: the single place periodic work is declared. Entries name tasks by their
# registered name so this module imports no domain code.
BEAT_SCHEDULE: dict[str, dict] = {
    # Reminder outbox: claim due rows every minute; re-plan reminder rows from the current truth.
    "production-reminders-scan": {"task": "production.reminders_scan", "schedule": 60.0},
    "production-reminders-plan": {"task": "production.reminders_plan", "schedule": 900.0},
    # Speaker calendars: re-run the calendar sync of items whose after-commit sync failed.
    "production-calendar-resync": {"task": "production.calendar_resync", "schedule": 900.0},
    # Call sheets: the day before, to crew and speakers of productions that opted in (idempotent).
    "production-call-sheet-emails": {"task": "production.call_sheet_emails", "schedule": 900.0},
    # Media: requeue videos a dead worker left half-done.
    "media-requeue-stale": {"task": "courses.media.video_requeue_stale", "schedule": 300.0},
    # Learner delivery: heartbeat flush, new-lecture emails, weekly nudges.
    "courses-progress-flush": {"task": "courses.learning.progress_flush", "schedule": 15.0},
    "courses-lecture-release-notices": {
        "task": "courses.learning.lecture_release_notices",
        "schedule": 900.0,
    },
    "courses-nudges": {"task": "courses.learning.nudges", "schedule": 6 * 60 * 60.0},
}


def _beat_schedule(settings) -> dict[str, dict]:
    """The schedule; the stale-video scan runs as often as a video may stay silent before it counts as
    abandoned (``MEDIA_STALE_SECONDS``, at most every 5 minutes), so recovery takes at most twice that."""
    schedule = {name: dict(entry) for name, entry in BEAT_SCHEDULE.items()}
    stale = getattr(settings, "MEDIA_STALE_SECONDS", None)
    if stale:
        schedule["media-requeue-stale"]["schedule"] = float(min(300, max(5, int(stale))))
    return schedule


def configure(app: Celery) -> None:
    from django.conf import settings

    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=int(os.environ.get("CELERY_SOFT_TIME_LIMIT", 300)),
        task_time_limit=int(os.environ.get("CELERY_TIME_LIMIT", 360)),
        task_default_queue="default",
        task_queues=(Queue("default"), Queue("mail"), Queue("media")),
        task_routes={
            "production.*": {"queue": "mail"},
            "courses.media.*": {"queue": "media"},
            "courses.transcode*": {"queue": "media"},
        },
        task_ignore_result=not bool(settings.CELERY_RESULT_BACKEND),
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        beat_schedule=_beat_schedule(settings),
        timezone=settings.TIME_ZONE,
        enable_utc=True,
        beat_schedule_filename=str(Path(settings.VAR_DIR) / "celerybeat-schedule"),
    )
    if app.conf.broker_url.startswith("filesystem"):
        base = Path(settings.CELERY_BROKER_DIR)
        for sub in ("queue", "processed", "control"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        app.conf.broker_transport_options = {
            "data_folder_in": str(base / "queue"),
            "data_folder_out": str(base / "queue"),
            "processed_folder": str(base / "processed"),
            "store_processed": False,
            "control_folder": str(base / "control"),
        }
    elif app.conf.broker_url.startswith("redis"):
        # Longer than the hard time limit, so an unacked long task is not redelivered while running.
        app.conf.broker_transport_options = {"visibility_timeout": 3600}


@app.on_after_configure.connect
def _on_after_configure(sender: Celery, **kwargs) -> None:
    configure(sender)


app.autodiscover_tasks()
# Sub-packages of an app that hold tasks of their own (the apps' ``tasks`` modules are found above).
app.autodiscover_tasks(["production.studio"])
