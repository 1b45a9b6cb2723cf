"""Template filters for learner pages."""

from __future__ import annotations

from django import template

from ..learning.pages import clock

register = template.Library()

# Seconds as m:ss (or h:mm:ss): 755 -> "12:35"; the course page's shell uses the same function.
register.filter("clock", clock)


@register.filter
def minutes(seconds) -> int:
    """Whole minutes, at least 1 for any non-zero duration."""
    try:
        value = float(seconds or 0)
    except (TypeError, ValueError):
        return 0
    return max(1, round(value / 60)) if value else 0


@register.simple_tag
def next_step(page):
    """Where the course page sends an enrolled learner: ``(row, position)`` of the lecture to watch
    next, or ``None`` once the course is complete (then the page congratulates and offers the
    certificate and "watch again", never "continue from the end").

    The lecture watched last, at its last position, unless it is complete: then the first released
    lecture after it that is not complete (else the first one before it), from the start."""
    enrollment = page.enrollment
    if enrollment is None or enrollment.completed_at:
        return None
    rows = [row for row in page.rows if row.released]
    last = page.resume_row
    if last is not None and last.released and not last.complete:
        return last, enrollment.last_position_seconds
    after = rows.index(last) + 1 if last in rows else 0
    for row in rows[after:] + rows[:after]:
        if not row.complete:
            return row, 0
    return None


@register.filter
def verification_url(certificate) -> str:
    """The certificate's public check page as a full address (printed on the page and the PDF)."""
    from ..learning.certificates import verification_url as absolute

    return absolute(certificate)


@register.filter
def dashboard_sections(enrollments) -> dict:
    """The dashboard's three sections from one list (no extra query): in progress, completed and the
    certificates, each in the order the selector gave (latest activity first)."""
    enrollments = list(enrollments)
    return {
        "in_progress": [e for e in enrollments if not e.completed_at],
        "completed": [e for e in enrollments if e.completed_at],
        "certificates": [e.certificate for e in enrollments if _certificate(e) is not None],
    }


def _certificate(enrollment):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return enrollment.certificate
    except ObjectDoesNotExist:
        return None


@register.filter
def is_released(lecture) -> bool:
    """Whether learners can watch ``lecture`` now ("up next" never counts down to a locked page)."""
    from django.utils import timezone

    return bool(lecture) and (lecture.release_at is None or lecture.release_at <= timezone.now())
