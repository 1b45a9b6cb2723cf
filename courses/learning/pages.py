"""The course page and the lecture page as a cached shell plus a small personal part (ADR 0023).

The shell is the whole page rendered by its template once per catalog version, language and the few
facts about the visitor that change its frame (logged in, producer, previewing); the places that
differ per visitor are *holes* in it (a private-use character pair around a name, which no escaping
changes). Per request only the personal part is made, in Python, from the enrollment and progress
read in one query: the enrollment box, the lecture list, the CSRF token, the player; the shell's
literal text is joined around it. A request with a query string or a message to show gets the page
rendered in full, as before (the language form's ``next`` and the messages come from the request).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext

from ..catalog import cache as catalog_cache
from .emails import format_position

HOLE = "\ue000{}\ue001"
_HOLES = re.compile("\ue000([a-z_]+)\ue001")


@dataclass(frozen=True)
class Shell:
    """A finished page split at its holes: literal text at even positions, hole names at odd ones."""

    parts: tuple[str, ...]

    @classmethod
    def from_html(cls, html: str) -> Shell:
        return cls(tuple(_HOLES.split(html)))

    def fill(self, values: dict[str, str]) -> str:
        parts = list(self.parts)
        for index in range(1, len(parts), 2):
            parts[index] = values[parts[index]]
        return "".join(parts)


class _ShellUser:
    """What a shell's template may know of the visitor: logged in or not. Anything personal read
    from ``user`` renders empty instead of leaking one visitor's data into everyone's shell."""

    def __init__(self, authenticated: bool) -> None:
        self.is_authenticated = authenticated
        self.is_anonymous = not authenticated


def shell_usable(request) -> bool:
    """Whether the page may be joined from a shell: nothing in its frame comes from this request
    beyond the holes (no query string for the language form's ``next``, no message to show)."""
    return not request.META.get("QUERY_STRING") and not len(get_messages(request))


def shell(
    request, template: str, context: Callable[[], dict], *, name: str, key: tuple, is_producer: bool
) -> Shell:
    """The page's shell, built once per catalog version, language and ``key`` from ``template`` and
    ``context()`` (which holds the holes' markers where the personal parts go)."""
    authenticated = request.user.is_authenticated

    def build() -> Shell:
        frame = {
            **context(),
            "user": _ShellUser(authenticated),
            "is_producer": is_producer,
            "csrf_token": HOLE.format("csrf"),
            "messages": (),
        }
        return Shell.from_html(render_to_string(template, frame, request))

    return catalog_cache.cached(name, (*key, get_language(), authenticated, is_producer), build)


def hole(name: str) -> str:
    return HOLE.format(name)


# --- the course page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LectureItem:
    """What a lecture's row on the course page shows alike to everyone, in one language."""

    lecture_id: int
    linked: str  # the title as a link (an enrolled learner, a released lecture)
    plain: str  # the title as text
    presenters: str
    duration: str
    release: str  # "· available on <date>" (shown while not released)


def lecture_item(lecture) -> LectureItem:
    title = lecture.title
    names = lecture.presenter_names
    when = ""
    if lecture.release_at is not None:
        date = date_format(localtime(lecture.release_at), "DATETIME_FORMAT")
        when = format_html("· {}", gettext("available on %(date)s") % {"date": date})
    return LectureItem(
        lecture_id=lecture.pk,
        linked=format_html('<a href="{}">{}</a>', lecture.learner_url, title),
        plain=format_html("<span>{}</span>", title),
        presenters=format_html(' <span class="meta">{} {}</span>', gettext("with"), names) if names else "",
        duration=conditional_escape(clock(lecture.shown_duration)) if lecture.shown_duration else "",
        release=when,
    )


def clock(seconds) -> str:
    """Seconds as m:ss (or h:mm:ss): 755 -> "12:35"."""
    try:
        return format_position(float(seconds or 0))
    except (TypeError, ValueError):
        return ""


def lecture_list(rows, items: list[LectureItem]) -> SafeString:
    """The course page's ``<li>`` per lecture, from each lecture's shared parts and the learner's row
    (link, release, progress)."""
    completed = format_html('· <span class="badge badge-ok">{}</span>', gettext("completed"))
    by_id = {item.lecture_id: item for item in items}
    out = []
    for row in rows:
        item = by_id.get(row.lecture.pk) or lecture_item(row.lecture)
        meta = [item.duration] if item.duration else []
        if not row.released:
            meta.append(item.release)
        if row.complete:
            meta.append(completed)
        elif row.watched_percent:
            meta.append(escape(f"· {gettext('%(p)s%% watched') % {'p': row.watched_percent}}"))
        out.append(
            '<li class="lecture-item{}">{}{} <span class="meta">{}</span></li>'.format(
                " is-complete" if row.complete else "",
                item.linked if row.link else item.plain,
                item.presenters,
                " ".join(meta),
            )
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every part escaped above


def _csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


def enrollment_box(page, *, user, csrf: str, path: str) -> SafeString:
    """The course page's enrollment box: progress and the next step (never "continue from the end":
    a completed course congratulates and offers the certificate and "watch again"), the enroll
    button, or the way to log in. A small template of its own, rendered per request."""
    context = {"page": page, "course": page.course, "user": user, "csrf_token": csrf, "request_path": path}
    return mark_safe(render_to_string("courses/_enrollment_box.html", context))  # noqa: S308 - template output


def unenroll_form(page, *, csrf: str) -> SafeString:
    if not page.enrolled:
        return mark_safe("")
    action = reverse("courses:unenroll", kwargs={"slug": page.course.slug})
    leave = escape(gettext("Leave this course"))
    return mark_safe(  # noqa: S308 - every value escaped
        f'<form method="post" action="{escape(action)}" class="unenroll-form">\n  {_csrf_field(csrf)}\n'
        f'  <button type="submit" class="button-small button-secondary">{leave}</button>\n</form>'
    )
