"""Media tasks (queue: media, by their ``courses.media.`` names): probing and transcoding."""

from __future__ import annotations

from celery import shared_task

from . import ffmpeg  # noqa: F401 - a media worker says at start which ffmpeg it runs, and why

# A transcode is bounded by its own ffmpeg timeout (MEDIA_TRANSCODE_TIMEOUT_FACTOR × duration);
# the task limits are the outer safety net for the longest accepted recording.
TASK_SOFT_TIME_LIMIT = 8 * 3600
TASK_TIME_LIMIT = TASK_SOFT_TIME_LIMIT + 120


@shared_task(
    name="courses.media.video_process",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=TASK_SOFT_TIME_LIMIT,
    time_limit=TASK_TIME_LIMIT,
)
def video_process(*, video_id: int) -> str | None:
    from .services import video_process as process

    video = process(video_id=video_id)
    return video.status if video else None


@shared_task(name="courses.media.video_requeue_stale", acks_late=True, soft_time_limit=60, time_limit=90)
def video_requeue_stale() -> int:
    """Beat, every 5 minutes: recover videos a dead worker left half-processed."""
    from .services import video_requeue_stale as requeue

    return len(requeue())
