"""Dates as the pages write them (Django's localization, the |moment filter's formats), for assertions."""

from __future__ import annotations

from django.utils import formats, translation


def shown_date(value, *, language: str = "en") -> str:
    """``value`` as a page in ``language`` shows a date: "March 6, 2026", "6 maart 2026"."""
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")
