"""Emails to learners: certificate, new lecture released, "continue where you stopped" nudge.

Nothing here talks to SMTP: each email is rendered and handed to the studio's outbox through the
mail port (``omooc.mail``, docs/adr/0014), inside the caller's transaction. The outbox logs it,
gives it a stable Message-ID (from the idempotency key), sends it after the commit and retries it
with backoff while the server is unreachable. Optional emails carry an opt-out link (and
List-Unsubscribe headers for one-click opt-out)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from omooc import mail

from ..models import Certificate, Enrollment, Lecture


def format_position(seconds: float) -> str:
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _unsubscribe_url(user, kind: str) -> str:
    from .services import site_url, unsubscribe_token

    token = unsubscribe_token(user_id=user.pk, kind=kind)
    return site_url(reverse("courses:unsubscribe", kwargs={"token": token}))


def _queue(
    *,
    key: str,
    kind: str,
    user,
    subject: str,
    template: str,
    context: dict,
    unsubscribe_kind: str | None = None,
    attachments: tuple[mail.Attachment, ...] = (),
) -> mail.Queued:
    """Render one email in the learner's language and queue it (once per ``key``).
    Raises ``mail.InvalidRecipientError`` when the account has no usable address."""
    context = {"user": user, "site_url": settings.SITE_URL, **context}
    unsubscribe_url = ""
    if unsubscribe_kind:
        unsubscribe_url = _unsubscribe_url(user, unsubscribe_kind)
        context["unsubscribe_url"] = unsubscribe_url
    body = render_to_string(f"emails/{template}.txt", context)
    return mail.queue_email(
        mail.Email(
            idempotency_key=key,
            kind=kind,
            recipient=user.email,
            recipient_name=user.full_name,
            language=user.language,
            user_id=user.pk,
            subject=subject,
            text=body,
            unsubscribe_url=unsubscribe_url,
            attachments=attachments,
        )
    )


def queue_certificate(certificate: Certificate) -> mail.Queued:
    from .certificates import render_pdf, verification_url

    user = certificate.enrollment.user
    with translation.override(user.language):
        return _queue(
            key=f"learner:certificate:{certificate.uid}",
            kind=mail.Kind.CERTIFICATE,
            user=user,
            subject=_("Your certificate for %(course)s") % {"course": certificate.course_title},
            template="learner_certificate",
            context={"certificate": certificate, "verify_url": verification_url(certificate)},
            attachments=(
                mail.Attachment(
                    "certificate.pdf", render_pdf(certificate, language=user.language), "application/pdf"
                ),
            ),
        )


def queue_lecture_released(*, user, lecture: Lecture, key: str) -> mail.Queued:
    """``key``: the learner notice's key (one email per learner and lecture)."""
    url = site_url_for(lecture)
    with translation.override(user.language):
        return _queue(
            key=f"learner:lecture_released:{key}:user:{user.pk}",
            kind=mail.Kind.LECTURE_RELEASED,
            user=user,
            subject=_("New lecture in %(course)s: %(lecture)s")
            % {"course": lecture.course.title, "lecture": lecture.title},
            template="learner_lecture_released",
            context={"lecture": lecture, "course": lecture.course, "lecture_url": url},
            unsubscribe_kind="new_lectures",
        )


def queue_nudge(*, enrollment: Enrollment, key: str) -> mail.Queued:
    """``key``: the learner notice's key (one nudge per learner, course and week)."""
    lecture = enrollment.last_lecture
    user = enrollment.user
    with translation.override(user.language):
        return _queue(
            key=f"learner:nudge:{key}:user:{user.pk}",
            kind=mail.Kind.NUDGE,
            user=user,
            subject=_("Continue %(course)s where you stopped") % {"course": enrollment.course.title},
            template="learner_nudge",
            context={
                "course": enrollment.course,
                "lecture": lecture,
                "position": format_position(enrollment.last_position_seconds),
                "lecture_url": site_url_for(lecture),
            },
            unsubscribe_kind="nudges",
        )


def site_url_for(lecture: Lecture) -> str:
    from .services import site_url

    return site_url(lecture.get_absolute_url())
