"""One way to show a date per language (omooc/templatetags/dates.py), in the site's time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation


def render(source: str, **context) -> str:
    return Template("{% load dates %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nl", "2 december 2026 17:22"), ("en", "Dec. 2, 2026, 5:22 p.m.")],
)
def test_a_moment_is_shown_in_the_languages_own_format_and_the_sites_time_zone(settings, language, expected):
    settings.TIME_ZONE = "Europe/Amsterdam"
    utc = dt.datetime(2026, 12, 2, 16, 22, tzinfo=dt.UTC)
    with translation.override(language):
        assert render("{{ at|moment }}", at=utc) == expected


def test_a_date_has_no_time_and_nothing_shows_for_nothing():
    with translation.override("nl"):
        assert render('{{ on|moment:"date" }}', on=dt.date(2026, 4, 6)) == "6 april 2026"
        assert render("{{ on|moment }}", on=dt.date(2026, 4, 6)) == "6 april 2026"
        assert render("{{ on|moment }}", on=None) == ""


def test_an_unknown_kind_is_a_template_error_not_a_silent_format():
    with pytest.raises(TemplateSyntaxError):
        render('{{ on|moment:"Y-m-d" }}', on=dt.date(2026, 4, 6))
