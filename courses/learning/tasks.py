"""Learning tasks (queue: default): progress flushes, queueing learner emails (the outbox sends
them). Periodic ones are declared in ``omooc/celery.py`` (BEAT_SCHEDULE)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="courses.learning.progress_flush", acks_late=True, ignore_result=True)
def progress_flush() -> int:
    """Move buffered heartbeats into the database in bulk (idempotent; one flush at a time)."""
    from .progress import buffer
    from .services import progress_apply

    count = buffer().drain(lambda entries: progress_apply(entries=entries))
    if count:
        logger.info("progress flush: %s heartbeats", count)
    return count


@shared_task(name="courses.learning.certificate_email", acks_late=True, ignore_result=True)
def certificate_email(*, certificate_id: int) -> bool:
    """Queue a certificate's email in the outbox (idempotent). ``certificate_issue`` queues it itself
    now; this task stays for messages already on the broker and for queueing one again by hand."""
    from .services import certificate_email_send

    return certificate_email_send(certificate_id=certificate_id)


@shared_task(name="courses.learning.lecture_release_notices", acks_late=True, ignore_result=True)
def lecture_release_notices() -> int:
    from .services import lecture_release_notices_send

    return lecture_release_notices_send()


@shared_task(name="courses.learning.nudges", acks_late=True, ignore_result=True)
def nudges() -> int:
    from .services import nudges_send

    return nudges_send()
