"""Learning services: enrollment, progress, completion, certificates, learner emails."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from omooc import mail
from omooc.exceptions import ApplicationError, NotFoundError

from ..models import (
    Certificate,
    Course,
    Enrollment,
    LearnerEmailPreference,
    LearnerNotice,
    Lecture,
    LectureProgress,
)
from . import state
from .progress import Beat

logger = logging.getLogger(__name__)

COMPLETION_RATIO = 0.9
MAX_SPEED = 2.0
# A heartbeat can credit at most this much wall-clock time since the previous one (a paused tab
# that claims an hour of playback gets two minutes' worth).
MAX_CREDITED_GAP_SECONDS = 120.0
NUDGE_AFTER = dt.timedelta(days=7)
RELEASE_NOTICE_WINDOW = dt.timedelta(days=7)


class EnrollmentError(ApplicationError):
    default_code = "enrollment"


# --- Enrollment -----------------------------------------------------------------------------------


@transaction.atomic
def enrollment_create(*, user, course: Course) -> Enrollment:
    """Enroll ``user`` in a published course; enrolling again reactivates (progress is kept)."""
    if not user.is_authenticated:
        raise EnrollmentError("Log in to enroll.", code="login_required")
    if not Course.objects.published().filter(pk=course.pk).exists():
        raise NotFoundError("course: this course is not open for enrollment.", code="course_not_published")
    now = timezone.now()
    enrollment, created = Enrollment.objects.select_for_update().get_or_create(
        user=user, course=course, defaults={"enrolled_at": now}
    )
    if not created and enrollment.status != Enrollment.Status.ACTIVE:
        enrollment.status = Enrollment.Status.ACTIVE
        enrollment.left_at = None
        enrollment.enrolled_at = now
        enrollment.full_clean()
        enrollment.save(update_fields=["status", "left_at", "enrolled_at"])
    logger.info("enrollment user=%s course=%s created=%s", user.pk, course.pk, created)
    return enrollment


@transaction.atomic
def enrollment_leave(*, enrollment: Enrollment) -> Enrollment:
    """Unenroll: media access stops at once (signed URLs re-check the enrollment); progress is kept."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status == Enrollment.Status.LEFT:
        return enrollment
    enrollment.status = Enrollment.Status.LEFT
    enrollment.left_at = timezone.now()
    enrollment.save(update_fields=["status", "left_at"])
    return enrollment


# --- Progress -------------------------------------------------------------------------------------


def merge_intervals(intervals: Iterable[Iterable[float]]) -> list[list[float]]:
    merged: list[list[float]] = []
    for start, end in sorted((float(a), float(b)) for a, b in intervals if float(b) > float(a)):
        if merged and start <= merged[-1][1] + 0.5:  # tolerate a heartbeat's rounding gap
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [[round(a, 3), round(b, 3)] for a, b in merged]


def watched_total(intervals: list[list[float]]) -> float:
    return round(sum(end - start for start, end in intervals), 3)


def credited_interval(beat: Beat, previous_at: float | None) -> tuple[float, float] | None:
    """The stretch of media a heartbeat may credit: what it claims to have played since the
    previous heartbeat, capped at ``MAX_SPEED`` times the wall-clock time since then."""
    if beat.played_from is None or previous_at is None:
        return None
    elapsed = min(max(beat.at - previous_at, 0.0), MAX_CREDITED_GAP_SECONDS)
    end = beat.position
    start = max(beat.played_from, end - MAX_SPEED * elapsed)
    if beat.duration:
        end = min(end, beat.duration)
    if end <= start:
        return None
    return (max(start, 0.0), end)


def _ts(value: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _while_enrolled(enrollment: Enrollment, at: float) -> bool:
    """Whether a heartbeat received at unix time ``at`` falls in the enrollment's active period."""
    if enrollment.enrolled_at and at < enrollment.enrolled_at.timestamp():
        return False
    if enrollment.status != Enrollment.Status.ACTIVE:
        return enrollment.left_at is not None and at < enrollment.left_at.timestamp()
    return True


@transaction.atomic
def progress_apply(*, entries: Iterable[Mapping | Beat]) -> dict[str, int]:
    """Fold buffered heartbeats (buffer entries or ``Beat``s) into ``LectureProgress`` rows with one
    upsert, update each enrollment's "continue watching" pointer, and complete lectures and courses.

    Idempotent: a heartbeat not newer than a row's ``last_heartbeat_at`` is skipped.
    Revocation: a playback token outlives an unenrollment (it is checked without the database), so
    only heartbeats received while the enrollment was active count: none of a deleted enrollment,
    none after ``left_at``, none before the current ``enrolled_at`` (sent while it was left).
    """
    beats = [Beat.from_entry(entry) for entry in entries]
    by_key: dict[tuple[int, int], list[Beat]] = defaultdict(list)
    for beat in beats:
        by_key[beat.key].append(beat)
    if not by_key:
        return {"entries": 0, "rows": 0, "completed": 0}
    enrollments = _enrollments_locked({e for e, _ in by_key})
    lectures = dict(Lecture.objects.filter(pk__in={lec for _, lec in by_key}).values_list("pk", "course_id"))
    existing = _progress_rows_locked(by_key)
    rows: list[LectureProgress] = []
    newly_completed: set[int] = set()
    moved: dict[int, Enrollment] = {}
    for (enrollment_id, lecture_id), group in by_key.items():
        enrollment = enrollments.get(enrollment_id)
        if enrollment is None or lectures.get(lecture_id) != enrollment.course_id:
            continue  # enrollment deleted meanwhile, or a token for another course
        row = existing.get((enrollment_id, lecture_id)) or LectureProgress(
            enrollment_id=enrollment_id, lecture_id=lecture_id
        )
        if not _fold(row, [beat for beat in group if _while_enrolled(enrollment, beat.at)]):
            continue
        if _complete_lecture(row):
            newly_completed.add(enrollment_id)
        rows.append(row)
        if _move_resume_pointer(enrollment, row):
            moved[enrollment_id] = enrollment
    _progress_save(rows, list(moved.values()))
    # bulk writes send no signals: the learners' stored rows (state.py) must not be used again
    state.touch(*{enrollments[row.enrollment_id].user_id for row in rows})
    completed_courses = 0
    if newly_completed:
        completed_courses = len(course_completion_check(enrollment_ids=newly_completed))
    return {"entries": len(beats), "rows": len(rows), "completed": completed_courses}


def _enrollments_locked(ids: set[int]) -> dict[int, Enrollment]:
    fields = ("pk", "user_id", "course_id", "status", "enrolled_at", "left_at")
    pointer = ("last_activity_at", "last_lecture_id", "last_position_seconds")
    locked = Enrollment.objects.select_for_update().filter(pk__in=ids).order_by("pk").only(*fields, *pointer)
    return {enrollment.pk: enrollment for enrollment in locked}


def _progress_rows_locked(keys) -> dict[tuple[int, int], LectureProgress]:
    rows = (
        LectureProgress.objects.select_for_update()
        .filter(enrollment_id__in={e for e, _ in keys}, lecture_id__in={lec for _, lec in keys})
        .order_by("pk")
    )
    return {(row.enrollment_id, row.lecture_id): row for row in rows}


def _fold(row: LectureProgress, beats: list[Beat]) -> bool:
    """Apply the beats newer than the row's last one, in arrival order; whether any was."""
    previous = row.last_heartbeat_at.timestamp() if row.last_heartbeat_at else None
    intervals = list(row.watched or [])
    changed = False
    for beat in sorted(beats, key=lambda item: item.at):
        if previous is not None and beat.at <= previous:
            continue
        span = credited_interval(beat, previous)
        if span:
            intervals.append(list(span))
        row.position_seconds = max(beat.position, 0.0)
        if beat.duration:
            row.duration_seconds = beat.duration
        previous = beat.at
        changed = True
    if changed:
        row.watched = merge_intervals(intervals)
        row.watched_seconds = watched_total(row.watched)
        row.last_heartbeat_at = _ts(previous)
    return changed


def _complete_lecture(row: LectureProgress) -> bool:
    """Mark the lecture complete once enough of it was watched; whether it happened now."""
    if row.completed_at is not None or row.duration_seconds <= 0:
        return False
    if row.watched_seconds < COMPLETION_RATIO * row.duration_seconds:
        return False
    row.completed_at = row.last_heartbeat_at
    return True


def _move_resume_pointer(enrollment: Enrollment, row: LectureProgress) -> bool:
    """Point "continue watching" at this row when it is the enrollment's newest activity."""
    if enrollment.last_activity_at is not None and enrollment.last_activity_at >= row.last_heartbeat_at:
        return False
    enrollment.last_activity_at = row.last_heartbeat_at
    enrollment.last_lecture_id = row.lecture_id
    enrollment.last_position_seconds = row.position_seconds
    return True


def _progress_save(rows: list[LectureProgress], enrollments: list[Enrollment]) -> None:
    if rows:
        LectureProgress.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["enrollment", "lecture"],
            update_fields=[
                "position_seconds",
                "watched",
                "watched_seconds",
                "duration_seconds",
                "last_heartbeat_at",
                "completed_at",
                "updated_at",
            ],
        )
    if enrollments:
        Enrollment.objects.bulk_update(
            enrollments, ["last_activity_at", "last_lecture", "last_position_seconds"]
        )


def course_completion_check(*, enrollment_ids: Iterable[int]) -> list[Certificate]:
    """Complete the enrollments whose every published lecture is complete; issue certificates."""
    candidates = (
        Enrollment.objects.filter(pk__in=list(enrollment_ids), completed_at__isnull=True)
        .select_related("user", "course")
        .annotate(
            done=Count(
                "lecture_progress",
                filter=Q(
                    lecture_progress__completed_at__isnull=False,
                    lecture_progress__lecture__status=Lecture.Status.PUBLISHED,
                ),
                distinct=True,
            )
        )
        .order_by("pk")
    )
    candidates = list(candidates)
    totals = dict(  # published lectures per course, one query for every candidate
        Lecture.objects.published()
        .filter(course_id__in={enrollment.course_id for enrollment in candidates})
        .order_by()
        .values("course_id")
        .annotate(total=Count("id"))
        .values_list("course_id", "total")
    )
    certificates = []
    for enrollment in candidates:
        total = totals.get(enrollment.course_id, 0)
        if total and enrollment.done >= total:
            certificates.append(certificate_issue(enrollment=enrollment))
    return certificates


@transaction.atomic
def certificate_issue(*, enrollment: Enrollment) -> Certificate:
    """Issue the certificate and queue its email (PDF attached) in the same transaction: the
    outbox sends it after the commit and retries it until the server takes it."""
    now = timezone.now()
    Enrollment.objects.filter(pk=enrollment.pk, completed_at__isnull=True).update(completed_at=now)
    state.touch(enrollment.user_id)  # an update sends no signal
    certificate, created = Certificate.objects.get_or_create(
        enrollment=enrollment,
        defaults={
            "learner_name": enrollment.user.full_name or enrollment.user.email,
            "course_title": enrollment.course.title,
            "issued_at": now,
        },
    )
    if created:
        certificate_email_send(certificate_id=certificate.pk)
    return certificate


def certificate_email_send(*, certificate_id: int) -> bool:
    """Queue the certificate email (PDF attached) once; ``False`` when it was queued before.
    A learner without a usable address gets none now (logged); calling this again later queues it."""
    from . import emails

    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update()
            .select_related("enrollment__user", "enrollment__course")
            .filter(pk=certificate_id, emailed_at__isnull=True)
            .first()
        )
        if certificate is None:
            return False
        try:
            with transaction.atomic():
                emails.queue_certificate(certificate)
        except mail.InvalidRecipientError as exc:
            logger.warning("certificate %s not emailed: %s", certificate.pk, exc.message)
            return False
        certificate.emailed_at = timezone.now()  # handed to the outbox
        certificate.save(update_fields=["emailed_at"])
    return True


# --- Learner email preferences and optional emails ------------------------------------------------

UNSUBSCRIBE_SALT = "courses.unsubscribe"
EMAIL_KINDS = {"new_lectures", "nudges"}


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise NotFoundError("This unsubscribe link is not valid.", code="bad_token") from exc
    if kind not in EMAIL_KINDS:
        raise NotFoundError("This unsubscribe link is not valid.", code="bad_token")
    return int(user_id), kind


@transaction.atomic
def learner_email_preference_set(*, user, kind: str, enabled: bool) -> LearnerEmailPreference:
    if kind not in EMAIL_KINDS:
        raise ApplicationError(f"kind: use one of {', '.join(sorted(EMAIL_KINDS))}.", code="invalid")
    preference, _ = LearnerEmailPreference.objects.select_for_update().get_or_create(user=user)
    setattr(preference, kind, enabled)
    preference.save()
    return preference


def _wants(kind: str) -> Q:
    # No preference row means "yes".
    return Q(user__learner_email_preference__isnull=True) | Q(
        **{f"user__learner_email_preference__{kind}": True}
    )


def lecture_release_notices_send(*, now: dt.datetime | None = None) -> int:
    """Queue an email for every learner about lectures released (``release_at`` passed) since they
    enrolled. The notice row and the outbox row commit together, so nothing is lost when SMTP is
    down (the outbox retries) and nothing is sent twice (both are unique per learner and lecture).
    A notice recorded without an email (before the outbox) gets its email now. A learner whose
    address is unusable is skipped and logged; the others still get theirs. Returns how many
    emails this run queued."""
    from . import emails

    now = now or timezone.now()
    lectures = list(
        Lecture.objects.published()
        .filter(
            release_at__lte=now,
            release_at__gt=now - RELEASE_NOTICE_WINDOW,
            course__in=Course.objects.published(),
        )
        .select_related("course")
        .order_by("release_at", "id")
    )
    queued = 0
    for lecture in lectures:
        enrollments = (
            Enrollment.objects.active()
            .filter(course_id=lecture.course_id, enrolled_at__lt=lecture.release_at)
            .filter(_wants("new_lectures"))
            .exclude(
                user__in=LearnerNotice.objects.filter(
                    kind=LearnerNotice.Kind.LECTURE_RELEASED,
                    key=f"lecture:{lecture.pk}",
                    sent_at__isnull=False,
                ).values("user")
            )
            .select_related("user")
            .order_by("pk")
        )
        for enrollment in enrollments:
            try:
                with transaction.atomic():
                    notice, _ = LearnerNotice.objects.select_for_update().get_or_create(
                        user=enrollment.user,
                        kind=LearnerNotice.Kind.LECTURE_RELEASED,
                        key=f"lecture:{lecture.pk}",
                        defaults={"lecture": lecture},
                    )
                    if notice.sent_at is not None:
                        continue  # another run queued it meanwhile
                    emails.queue_lecture_released(user=enrollment.user, lecture=lecture, key=notice.key)
                    notice.sent_at = timezone.now()  # handed to the outbox
                    notice.save(update_fields=["sent_at"])
            except mail.InvalidRecipientError as exc:
                logger.warning("new-lecture email to user %s not queued: %s", enrollment.user_id, exc.message)
                continue
            queued += 1
    return queued


def nudges_send(*, now: dt.datetime | None = None) -> int:
    """Weekly: "you stopped at 12:35 of lecture 4" for learners who have not been back for a week.
    Queued through the outbox in the transaction that marks the enrollment nudged; a learner whose
    address is unusable is skipped (and tried again next run), the others still get theirs."""
    from . import emails

    now = now or timezone.now()
    enrollments = (
        Enrollment.objects.active()
        .filter(
            completed_at__isnull=True,
            last_lecture__isnull=False,
            last_activity_at__lt=now - NUDGE_AFTER,
            course__in=Course.objects.published(),
        )
        .filter(Q(nudged_at__isnull=True) | Q(nudged_at__lt=now - NUDGE_AFTER))
        .filter(_wants("nudges"))
        .select_related("user", "course", "last_lecture__course")
        .order_by("pk")
    )
    queued = 0
    year, week, _ = now.isocalendar()
    for enrollment in enrollments:
        try:
            with transaction.atomic():
                locked = (
                    Enrollment.objects.select_for_update(skip_locked=True)
                    .filter(pk=enrollment.pk)
                    .filter(Q(nudged_at__isnull=True) | Q(nudged_at__lt=now - NUDGE_AFTER))
                    .first()
                )
                if locked is None:
                    continue
                notice, created = LearnerNotice.objects.get_or_create(
                    user=enrollment.user,
                    kind=LearnerNotice.Kind.NUDGE,
                    key=f"course:{enrollment.course_id}:{year}-W{week:02d}",
                    defaults={"lecture": enrollment.last_lecture, "sent_at": now},
                )
                locked.nudged_at = now
                locked.save(update_fields=["nudged_at"])
                if not created:
                    continue
                emails.queue_nudge(enrollment=enrollment, key=notice.key)
        except mail.InvalidRecipientError as exc:
            logger.warning("nudge to user %s not queued: %s", enrollment.user_id, exc.message)
            continue
        queued += 1
    return queued


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
