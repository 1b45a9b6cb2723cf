"""Render the studio's emails: HTML and plain text, in the recipient's language, with times in the
recipient's time zone and the zone named.

Templates live in ``templates/emails/<name>.subject.txt``, ``<name>.txt`` and ``<name>.html``.
Subjects are squeezed onto one line (no control characters), so no value can add a header.
Also the links emails carry (a speaker's personal page, the studio) and the short date forms.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from ..ical import one_line
from ..models.outbox import EmailLog
from .queue import Content


def speaker_url(token: str = EmailLog.LINK_PLACEHOLDER) -> str:
    """A speaker's personal page; the placeholder becomes a fresh link when the message is sent."""
    return f"{settings.SITE_URL}/s/{token}/"


def studio_url(path: str = "") -> str:
    return f"{settings.SITE_URL}/studio/{path.lstrip('/')}"


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def supported_language(code: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return code if code in codes else settings.LANGUAGE_CODE


@dataclass(frozen=True)
class When:
    """A time span as the recipient should read it."""

    local_date: str
    local_start: str
    local_end: str
    zone: str
    abbreviation: str
    utc_start: str
    utc_end: str

    def __str__(self) -> str:
        return (
            f"{self.local_date}, {self.local_start}–{self.local_end} ({self.zone}, {self.abbreviation}; "
            f"{self.utc_start}–{self.utc_end} UTC)"
        )


def when(starts_at: datetime, ends_at: datetime, *, time_zone: str, language: str) -> When:
    zone = _zone(time_zone)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    utc = zoneinfo.ZoneInfo("UTC")
    with translation.override(supported_language(language)):
        local_date = formats.date_format(start, "l j F Y")
    return When(
        local_date=local_date,
        local_start=start.strftime("%H:%M"),
        local_end=end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M"),
        zone=zone.key,
        abbreviation=start.tzname() or zone.key,
        utc_start=starts_at.astimezone(utc).strftime("%H:%M"),
        utc_end=ends_at.astimezone(utc).strftime("%H:%M"),
    )


def short_when(dt: datetime, *, time_zone: str, language: str) -> str:
    """One instant, short, in the recipient's zone and language ("6 april 2026 10:00 CEST")."""
    local = dt.astimezone(zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE))
    with translation.override(language):
        return f"{formats.date_format(local, 'j F Y')} {local:%H:%M} {local.tzname()}"


def date_text(value: date | None, *, language: str) -> str:
    """A date in full in the recipient's language ("maandag 6 april 2026"); "" for no date."""
    if value is None:
        return ""
    with translation.override(language):
        return formats.date_format(value, "l j F Y")


def render(name: str, context: dict, *, language: str, time_zone: str) -> Content:
    """Render ``emails/<name>`` as subject, text and HTML for one recipient."""
    language = supported_language(language)
    zone = _zone(time_zone)
    ctx = {"site_url": settings.SITE_URL, "studio_mailbox": settings.STUDIO_MAILBOX, **context}
    with translation.override(language), timezone.override(zone):
        ctx["time_zone_name"] = zone.key
        subject = one_line(render_to_string(f"emails/{name}.subject.txt", ctx))
        text = render_to_string(f"emails/{name}.txt", ctx)
        html = render_to_string(f"emails/{name}.html", ctx)
    return Content(subject=subject, text=text.strip() + "\n", html=html)
