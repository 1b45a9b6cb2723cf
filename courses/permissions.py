"""Who may work on which course in the studio, and who may watch a lecture (courses never imports
production). The studio's ``producer_required`` decorators live in ``omooc.accounts.permissions``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# --- which courses a producer may work on in the studio --------------------------------------
#
# Courses never import production, yet a course made by a production belongs to its producer team.
# The production app registers the rule at start-up (``ProductionConfig.ready``); without one, every
# producer may work on every course.

_studio_scope = None


def studio_scope_register(scope) -> None:
    """``scope(user)`` returns the Course queryset a (non-superuser) producer may work on."""
    global _studio_scope
    _studio_scope = scope


def studio_courses_for(user):
    """The courses a user may manage and preview in the studio: none for non-producers, all for
    superusers, else those the registered scope allows."""
    from .models import Course

    if not (user is not None and user.is_authenticated and user.is_active and user.is_producer):
        return Course.objects.none()
    if user.is_superuser or _studio_scope is None:
        return Course.objects.all()
    return _studio_scope(user)


# --- may this user watch this lecture --------------------------------------------------------------
#
# THE rule, used by the lecture page (selectors.lecture_page / views.lecture), the playback API
# (api/courses/learning/views.PlaybackView) and every signed media request (media_access.check_still_allowed).


@dataclass(frozen=True)
class LectureAccess:
    """The answer to "may this user watch this lecture", with the reason when not."""

    allowed: bool
    preview: bool  # watching as a producer of the course's team: no enrollment, no progress recorded
    code: str = ""  # why not: "not_found" (a draft, to outsiders), "not_enrolled", "not_released"

    @property
    def learner(self) -> bool:
        """Watching through an enrollment (progress is recorded)."""
        return self.allowed and not self.preview


def lecture_access(
    *, published: bool, released: bool, enrolled: bool, team_producer: bool | Callable[[], bool]
) -> LectureAccess:
    """May a user watch a lecture? ``published``: the lecture and its course are published;
    ``released``: its release time has come; ``enrolled``: the user has an active enrollment in the
    course; ``team_producer``: the user may manage the course in the studio (``studio_courses_for``),
    a callable to ask only when needed (an enrolled learner on a released lecture needs no role query).

    Enrolled learners watch published, released lectures; the course's producers preview everything
    of their course (drafts and unreleased lectures included); nobody else watches anything. A draft
    is "not found" to everyone else, so its existence is not revealed."""
    if published and released and enrolled:
        return LectureAccess(allowed=True, preview=False)
    if team_producer() if callable(team_producer) else team_producer:
        return LectureAccess(allowed=True, preview=True)
    if not published:
        return LectureAccess(allowed=False, preview=False, code="not_found")
    if not enrolled:
        return LectureAccess(allowed=False, preview=False, code="not_enrolled")
    return LectureAccess(allowed=False, preview=False, code="not_released")


def is_team_producer(user, course_id: int) -> bool:
    """The user may manage (and so preview) the course in the studio."""
    return user is not None and studio_courses_for(user).filter(pk=course_id).exists()
