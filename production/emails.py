"""Render the studio's emails: HTML and plain text, in the recipient's language, with times in the
recipient's time zone and the zone named.

Templates live in ``templates/emails/<name>.subject.txt``, ``<name>.txt`` and ``<name>.html``.
Subjects are squeezed onto one line (no control characters), so no value can add a header.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from .calendar import one_line
from .mailer import Content


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _language(code: str | None) -> str:
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
    with translation.override(_language(language)):
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


def render(name: str, context: dict, *, language: str, time_zone: str) -> Content:
    """Render ``emails/<name>`` as subject, text and HTML for one recipient."""
    language = _language(language)
    zone = _zone(time_zone)
    ctx = {"site_url": settings.SITE_URL, "studio_mailbox": settings.STUDIO_MAILBOX, **context}
    with translation.override(language), timezone.override(zone):
        ctx["time_zone_name"] = zone.key
        subject = one_line(render_to_string(f"emails/{name}.subject.txt", ctx))
        text = render_to_string(f"emails/{name}.txt", ctx)
        html = render_to_string(f"emails/{name}.html", ctx)
    return Content(subject=subject, text=text.strip() + "\n", html=html)
