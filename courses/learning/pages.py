"""The course page and the lecture page as cached shells with slots for the personal part (ADR 0023,
ADR 0029).

A *shell* is a template's finished HTML, rendered once per catalog version, language and *shape*, with
*slots* (a private-use character pair around a name, which no escaping changes) where the values that
differ per visitor go. Per request only those values are made, escaped and joined into the shell's
literal text: no template is rendered. Two levels use it:

- the page (``shell``): ``course_detail.html`` or ``lecture.html`` with everything every visitor sees
  alike (rendered with a stand-in ``user`` that only says whether someone is logged in), and slots for
  the personal fragments and the CSRF token. New shared content in those templates lands in the shell
  by itself;
- the personal fragments (``fragment``): the enrollment box (``_enrollment_box.html``) and the player
  (``_player.html``), each rendered from one context builder, once per *shape* (which branches the
  template takes: enrolled or not, completed, the next step, a resume point, the caption tracks...) with
  slots for the values (positions, dates, signed URLs, tokens); the same builder gives the real values
  when a page is rendered in full. A shape's key holds every value baked into its shell, so two visitors
  who share a shell see the same text by construction; what is theirs alone is always a slot.

A slot must land in HTML text or a quoted attribute (values are HTML-escaped) and reach the template
unfiltered: a filter that swallows a slot's marker is noticed when the shell is built, and that shape
is then rendered in full on every request (and logged). A request with a query string (the language
form's ``next``) or a message to show gets the page rendered in full, as before.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import escape as html_escape

from django.contrib.messages import get_messages
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.html import conditional_escape, escape, format_html
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext

from ..catalog import cache as catalog_cache
from .emails import format_position

logger = logging.getLogger(__name__)

HOLE = "\ue000{}\ue001"
_HOLES = re.compile("\ue000([a-z0-9_]+)\ue001")


@dataclass(frozen=True)
class Shell:
    """A finished page split at its slots: literal text at even positions, slot names at odd ones.
    ``complete`` is False when a slot the builder gave went missing (a template filtered it away)."""

    parts: tuple[str, ...]
    complete: bool = True

    @classmethod
    def from_html(cls, html: str, expected: tuple[str, ...] = ()) -> Shell:
        parts = tuple(_HOLES.split(html))
        missing = set(expected) - set(parts[1::2])
        if missing:
            logger.error("shell: slots %s did not reach the output; rendering in full", sorted(missing))
        return cls(parts, complete=not missing)

    @property
    def names(self) -> tuple[str, ...]:
        return self.parts[1::2]

    def fill(self, values: dict[str, str]) -> str:
        parts = list(self.parts)
        for index in range(1, len(parts), 2):
            parts[index] = values[parts[index]]
        return "".join(parts)


def hole(name: str) -> str:
    return HOLE.format(name)


class _ShellUser:
    """What a shell's template may know of the visitor: logged in or not. Anything personal read
    from ``user`` renders empty instead of leaking one visitor's data into everyone's shell."""

    def __init__(self, authenticated: bool) -> None:
        self.is_authenticated = authenticated
        self.is_anonymous = not authenticated


def shell_usable(request) -> bool:
    """Whether the page may be joined from a shell: nothing in its frame comes from this request
    beyond the slots (no query string for the language form's ``next``, no message to show)."""
    return not request.META.get("QUERY_STRING") and not len(get_messages(request))


def shell(
    request, template: str, context: Callable[[], dict], *, name: str, key: tuple, is_producer: bool
) -> Shell:
    """The page's shell, built once per catalog version, language and ``key`` from ``template`` and
    ``context()`` (which holds the slots' markers where the personal parts go)."""
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


Builder = Callable[[Callable[[str], str]], dict]


def fragment(
    template: str, build: Builder, *, name: str, key: tuple, slots: dict[str, str], shelled: bool = True
) -> SafeString:
    """``template`` rendered with ``build(slot)``'s context, where ``slot(name)`` is the value of
    ``slots[name]`` (a string; "" when there is none). The shell is built once per catalog version,
    language, ``key`` and the set of non-empty slots, with markers in place of the values; per request
    the escaped values are joined in. ``key`` must hold everything ``build`` bakes in that is not the
    same for every visitor of the page (the shape: counts, branches, ids). ``shelled=False``: a page
    rendered in full renders its fragment in full too."""
    if not shelled:
        return mark_safe(render_to_string(template, build(lambda slot: slots.get(slot, ""))))  # noqa: S308
    present = tuple(sorted(slot for slot, value in slots.items() if value))

    def make() -> Shell:
        context = build(lambda slot: HOLE.format(slot) if slots.get(slot) else "")
        return Shell.from_html(render_to_string(template, context), expected=present)

    cached = catalog_cache.cached(f"fragment-{name}", (*key, get_language(), present), make)
    if not cached.complete:
        return mark_safe(render_to_string(template, build(lambda slot: slots.get(slot, ""))))  # noqa: S308
    # html.escape is Django's escape (which wraps it for lazy strings and marks the result safe)
    return mark_safe(cached.fill({slot: html_escape(str(slots[slot])) for slot in present}))  # noqa: S308


_CSRF_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
_CSRF_BASE = len(CSRF_ALLOWED_CHARS)
_CSRF_LIMIT = 256 - 256 % _CSRF_BASE  # bytes at or above are dropped: every character equally likely


NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def never_cached(view):
    """Django's ``never_cache`` for a sync view, its headers written at once when the response has
    neither (``never_cache`` parses and rebuilds ``Cache-Control`` twice); a test compares the two."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if "Cache-Control" in response.headers or "Expires" in response.headers:
            add_never_cache_headers(response)
        else:
            response.headers["Expires"] = http_date(time.time())
            response.headers["Cache-Control"] = NEVER_CACHE
        return response

    return wrapped


def csrf_token(request) -> str:
    """The visitor's CSRF token for a form, masked afresh as Django's ``get_token`` masks it (so no
    two responses carry the same string, against BREACH), from the secret of the visitor's own CSRF
    cookie. Without a usable cookie it is Django's ``get_token``, which also sets the cookie. Unlike
    ``get_token`` it does not send the existing cookie again (that only renews its one-year expiry)."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or len(secret) != CSRF_SECRET_LENGTH or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return get_token(request)
    try:
        key = [_CSRF_INDEX[char] for char in secret]
    except KeyError:
        return get_token(request)
    mask: list[int] = []
    while len(mask) < CSRF_SECRET_LENGTH:
        mask += [byte % _CSRF_BASE for byte in secrets.token_bytes(48) if byte < _CSRF_LIMIT]
    mask = mask[:CSRF_SECRET_LENGTH]
    chars = CSRF_ALLOWED_CHARS
    return "".join(chars[m] for m in mask) + "".join(
        chars[(k + m) % _CSRF_BASE] for k, m in zip(key, mask, strict=True)
    )


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
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{html_escape(token)}">'


def enrollment_box(page, *, authenticated: bool, csrf: str, path: str, shelled: bool = True) -> SafeString:
    """The course page's enrollment box (``courses/_enrollment_box.html``): progress and the next step
    (never "continue from the end": a completed course congratulates and offers the certificate and
    "watch again"), the enroll button, or the way to log in. A fragment: one shell per shape."""
    from omooc.templatetags.dates import moment

    from ..templatetags.learner import next_step

    enrollment = page.enrollment if page.enrolled else None
    step, kind = None, ""
    if enrollment is not None and not enrollment.completed_at:
        step = next_step(page)
        if step is not None:
            row, position = step
            kind = "continue" if position else ("first" if row == page.first_available else "next")
        elif page.first_available is not None:
            kind = "all_watched"
    first = page.first_available
    completed = enrollment is not None and enrollment.completed_at
    certificate = enrollment.certificate if completed else None
    again = first.lecture.learner_url if first is not None else ""
    # Only the slots the shape's branch shows (a given slot missing from a shell means a filter ate it).
    slots = {
        "csrf": csrf if authenticated and enrollment is None else "",
        "completed_on": moment(enrollment.completed_at, "date") if completed else "",
        "certificate_url": certificate.get_absolute_url() if certificate is not None else "",
        "again_url": again if completed or kind == "all_watched" else "",
        "step_url": step[0].lecture.learner_url if step else "",
        "step_title": step[0].lecture.title if kind in ("continue", "next") else "",
        "step_position": clock(step[1]) if kind == "continue" else "",
    }
    total, done, slug = len(page.rows), page.completed_count, page.course.slug

    def build(slot) -> dict:
        return {
            "enrolled": enrollment is not None,
            "authenticated": authenticated,
            "total": total,
            "completed_count": done,
            "completed_on": slot("completed_on"),
            "certificate_url": slot("certificate_url"),
            "again_url": slot("again_url"),
            "step": kind,
            "step_url": slot("step_url"),
            "step_title": slot("step_title"),
            "step_position": slot("step_position"),
            "enroll_url": reverse("courses:enroll", kwargs={"slug": slug}),
            "request_path": path,
            "csrf_token": slot("csrf"),
        }

    key = (slug, enrollment is not None, authenticated, total, done, kind, path)
    return fragment(
        "courses/_enrollment_box.html", build, name="enrollment-box", key=key, slots=slots, shelled=shelled
    )


def unenroll_form(page, *, csrf: str) -> SafeString:
    if not page.enrolled:
        return mark_safe("")
    slug = page.course.slug

    def build() -> tuple[str, str]:
        action = reverse("courses:unenroll", kwargs={"slug": slug})
        leave = escape(gettext("Leave this course"))
        head = f'<form method="post" action="{escape(action)}" class="unenroll-form">\n  '
        tail = f'\n  <button type="submit" class="button-small button-secondary">{leave}</button>\n</form>'
        return head, tail

    # The same for every learner of the course: made once per catalog version and language.
    head, tail = catalog_cache.cached("unenroll-form", (slug, get_language()), build)
    return mark_safe(head + _csrf_field(csrf) + tail)  # noqa: S308 - every value escaped


# --- the lecture page ---------------------------------------------------------------------------


def player(
    page, *, urls: dict, resume: float, duration: float, token: str, language: str, shelled: bool = True
) -> SafeString:
    """The lecture page's player (``courses/_player.html``): signed media URLs, resume point and
    playback token are slots; the labels, captions' languages and the lecture's links are baked into
    the shell of this lecture, language and shape."""
    captions = urls["captions"]
    languages = [track["language"] for track in captions]
    default = language if language in languages else page.course.language
    default = default if default in languages else (languages[0] if languages else "")
    video = bool(urls["master"])  # poster, captions and the resume prompt show with a video only
    captions = captions if video else []
    slots = {
        "master": urls["master"],
        "poster": urls["poster"] if video else "",
        "token": token,
        "resume_at": f"{resume:.1f}",
        "resume_clock": clock(resume) if resume and video else "",
        **{f"caption_{index}": track["url"] for index, track in enumerate(captions)},
    }
    tracks = tuple((track["language"], str(track["label"])) for track in captions)

    def build(slot) -> dict:
        return {
            "course": page.course,
            "lecture": page.lecture,
            "urls": {
                "master": slot("master"),
                "poster": slot("poster"),
                "expires_in": urls["expires_in"],
                "captions": [
                    {
                        "language": code,
                        "label": label,
                        "default": code == default,
                        "url": slot(f"caption_{n}"),
                    }
                    for n, (code, label) in enumerate(tracks)
                ],
            },
            "resume": slot("resume_clock"),  # the resume prompt shows when there is a point to resume
            "resume_at": slot("resume_at"),
            "resume_clock": slot("resume_clock"),
            "duration": duration,
            "playback_token": slot("token"),
            "player_language": language,
            "LANGUAGE_CODE": language,
        }

    key = (page.lecture.pk, tracks, default, duration, urls["expires_in"])
    return fragment("courses/_player.html", build, name="player", key=key, slots=slots, shelled=shelled)
