"""One way to show a date or time per language: ``{{ value|moment }}`` (date and time),
``|moment:"date"``, ``|moment:"time"``. Aware datetimes are shown in the site's time zone; the format
is the active language's (Django's localization: "2 december 2026 14:30" in Dutch, "Dec. 2, 2026,
2:30 p.m." in English). Pages use this filter instead of spelling formats like "Y-m-d H:i"."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format

register = template.Library()

FORMATS = {"date": "DATE_FORMAT", "datetime": "DATETIME_FORMAT", "time": "TIME_FORMAT"}


@register.filter
def moment(value, kind: str = "datetime") -> str:
    if value in (None, ""):
        return ""
    if kind not in FORMATS:
        raise template.TemplateSyntaxError(f"moment takes one of {sorted(FORMATS)}, not {kind!r}")
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if kind == "time":
        return time_format(value, FORMATS[kind])
    if kind == "datetime" and not isinstance(value, dt.datetime):
        kind = "date"  # a plain date has no time to show
    return date_format(value, FORMATS[kind])
