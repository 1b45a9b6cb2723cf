"""The course page's syllabus (issue 13): the lectures grouped by module, each module with its
lecture count and video time and, for an enrolled learner, how many of its lectures they completed.
Personal (the progress), so it is made per request and joined into the page's shell (ADR 0023); the
rows themselves come from ``pages.lecture_list``."""

from __future__ import annotations

from itertools import groupby

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from ..templatetags.learner import minutes
from . import pages


def _module_heading(module, rows) -> str:
    count = len(rows)
    seconds = sum(row.lecture.shown_duration or 0 for row in rows)
    facts = [ngettext("%(n)s lecture", "%(n)s lectures", count) % {"n": count}]
    if seconds:
        m = minutes(seconds)
        facts.append(ngettext("%(m)s minute", "%(m)s minutes", m) % {"m": m})
    done = sum(1 for row in rows if row.complete)
    if any(row.progress for row in rows):
        facts.append(gettext("%(done)s of %(n)s completed") % {"done": done, "n": count})
    return format_html(
        '<h3 id="module-{}" class="module-title">{} <span class="meta">· {}</span></h3>',
        module.pk,
        module.title,
        " · ".join(facts),
    )


def syllabus(rows, items) -> SafeString:
    """The lecture list, one ``<ol class="lecture-list">`` per run of lectures of the same module
    (numbered on across modules); lectures outside a module get no heading."""
    out, number = [], 1
    for _module_id, run in groupby(rows, key=lambda row: row.lecture.module_id):
        run = list(run)
        module = run[0].lecture.module
        start = f' start="{number}"' if number > 1 else ""
        lectures = f'<ol class="lecture-list"{start}>\n{pages.lecture_list(run, items)}\n</ol>'
        if module is None:
            out.append(lectures)
        else:
            section = '<section class="syllabus-module" aria-labelledby="module-{}">{}\n{}</section>'
            out.append(section.format(module.pk, _module_heading(module, run), lectures))
        number += len(run)
    return mark_safe("\n".join(out))  # noqa: S308 - headings by format_html, rows escaped by pages.lecture_list
