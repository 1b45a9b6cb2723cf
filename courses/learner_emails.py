"""Emails to learners: certificate, new lecture released, "continue where you stopped" nudge.
Optional emails carry an opt-out link (and List-Unsubscribe headers for one-click opt-out)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Certificate, Enrollment, Lecture


def format_position(seconds: float) -> str:
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _unsubscribe_url(user, kind: str) -> str:
    from .services.learning import site_url, unsubscribe_token

    token = unsubscribe_token(user_id=user.pk, kind=kind)
    return site_url(reverse("courses:unsubscribe", kwargs={"token": token}))


def _send(
    *,
    user,
    subject: str,
    template: str,
    context: dict,
    unsubscribe_kind: str | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> None:
    context = {"user": user, "site_url": settings.SITE_URL, **context}
    headers = {}
    if unsubscribe_kind:
        url = _unsubscribe_url(user, unsubscribe_kind)
        context["unsubscribe_url"] = url
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    body = render_to_string(f"emails/{template}.txt", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=headers,
    )
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    message.send()


def send_certificate(certificate: Certificate) -> None:
    from .certificates import render_pdf, verification_url

    user = certificate.enrollment.user
    with translation.override(user.language):
        _send(
            user=user,
            subject=_("Your certificate for %(course)s") % {"course": certificate.course_title},
            template="learner_certificate",
            context={"certificate": certificate, "verify_url": verification_url(certificate)},
            attachments=[
                ("certificate.pdf", render_pdf(certificate, language=user.language), "application/pdf")
            ],
        )


def send_lecture_released(*, user, lecture: Lecture) -> None:
    from .services.learning import site_url

    url = site_url(
        reverse("courses:lecture", kwargs={"slug": lecture.course.slug, "lecture_slug": lecture.slug})
    )
    with translation.override(user.language):
        _send(
            user=user,
            subject=_("New lecture in %(course)s: %(lecture)s")
            % {"course": lecture.course.title, "lecture": lecture.title},
            template="learner_lecture_released",
            context={"lecture": lecture, "course": lecture.course, "lecture_url": url},
            unsubscribe_kind="new_lectures",
        )


def send_nudge(*, enrollment: Enrollment) -> None:
    from .services.learning import site_url

    lecture = enrollment.last_lecture
    url = site_url(
        reverse("courses:lecture", kwargs={"slug": enrollment.course.slug, "lecture_slug": lecture.slug})
    )
    user = enrollment.user
    with translation.override(user.language):
        _send(
            user=user,
            subject=_("Continue %(course)s where you stopped") % {"course": enrollment.course.title},
            template="learner_nudge",
            context={
                "course": enrollment.course,
                "lecture": lecture,
                "position": format_position(enrollment.last_position_seconds),
                "lecture_url": url,
            },
            unsubscribe_kind="nudges",
        )
