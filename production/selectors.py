"""Reads of the production tracker: who sees what, the board, launch readiness, the calendar,
conflicts and history. Lists order explicitly and load what they render in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import Caption, Lecture, Video
from omooc.exceptions import NotFoundError

from .models import (
    HistoryEntry,
    PostProduction,
    PreTalk,
    PreTalkSpeaker,
    Production,
    RecordingSession,
    Rsvp,
    ScriptPart,
    SessionSpeaker,
    Speaker,
    StepState,
)

# --- access --------------------------------------------------------------------------------


def can_use_studio(user) -> bool:
    return bool(user and user.is_authenticated and user.is_producer)


def production_visible_to(user) -> QuerySet[Production]:
    """Superusers see every production; a producer only those whose team they are on."""
    qs = Production.objects.select_related("course")
    if not can_use_studio(user):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(team=user)


def studio_courses_for(user) -> QuerySet:
    """Courses a producer may manage and preview (studio media, draft lectures): those of their
    team's productions, and courses no production owns."""
    from courses.models import Course

    return Course.objects.filter(
        Q(production__isnull=True) | Q(production__in=production_visible_to(user).values("pk"))
    )


def production_get_for(*, user, pk) -> Production:
    try:
        return production_visible_to(user).get(pk=pk)
    except (Production.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("No production with this number in your productions.")) from None


def production_list(*, user) -> list[Production]:
    return list(production_visible_to(user).prefetch_related("team").order_by("course__title", "id"))


def script_part_get_for(*, user, pk) -> ScriptPart:
    part = (
        ScriptPart.objects.filter(production__in=production_visible_to(user).values("pk"), pk=pk)
        .select_related("production__course", "lecture", "reviewer")
        .prefetch_related("versions__author")
        .first()
    )
    if part is None:
        raise NotFoundError(_("No script part with this number in your productions."))
    return part


def post_production_get_for(*, user, pk) -> PostProduction:
    item = (
        PostProduction.objects.filter(production__in=production_visible_to(user).values("pk"), pk=pk)
        .select_related("production__course", "lecture")
        .first()
    )
    if item is None:
        raise NotFoundError(_("No post-production item with this number in your productions."))
    return item


# --- the board ----------------------------------------------------------------------------

COLUMNS = ("script", "pretalk", "recording", "edit", "captions", "published")
COLUMN_LABELS = {
    "script": gettext_lazy("Script"),
    "pretalk": gettext_lazy("Pre-talk"),
    "recording": gettext_lazy("Recording"),
    "edit": gettext_lazy("Edit"),
    "captions": gettext_lazy("Captions"),
    "published": gettext_lazy("Published"),
}
TONES = ("ok", "warn", "bad", "todo")
TONE_LABELS = {
    "ok": gettext_lazy("Done"),
    "warn": gettext_lazy("Under way"),
    "bad": gettext_lazy("Blocked"),
    "todo": gettext_lazy("To do"),
}


@dataclass
class Cell:
    column: str
    state: str
    label: str
    tone: str  # ok | warn | bad | todo
    detail: str = ""
    link: str = ""


@dataclass
class Row:
    lecture: Lecture
    cells: list[Cell]
    script_part: ScriptPart | None
    post_production: PostProduction | None
    pretalks: list[PreTalk]
    sessions: list[RecordingSession]

    @property
    def done(self) -> bool:
        return all(c.tone == "ok" for c in self.cells)

    def cell(self, column: str) -> Cell:
        return self.cells[COLUMNS.index(column)]


@dataclass
class Blocker:
    kind: str
    message: str
    items: list[str] = field(default_factory=list)


@dataclass
class Readiness:
    production: Production
    lectures: int
    cells_done: int
    cells_total: int
    script_approved: int
    blockers: list[Blocker]
    last_recording_on: date | None
    projected_launch_on: date | None

    @property
    def percent(self) -> int:
        return round(100 * self.cells_done / self.cells_total) if self.cells_total else 0

    @property
    def script_percent(self) -> int:
        return round(100 * self.script_approved / self.lectures) if self.lectures else 0

    @property
    def target_launch_on(self) -> date | None:
        return self.production.target_launch_on

    @property
    def days_late(self) -> int | None:
        if self.projected_launch_on is None or self.target_launch_on is None:
            return None
        return (self.projected_launch_on - self.target_launch_on).days


@dataclass
class Board:
    production: Production
    rows: list[Row]
    readiness: Readiness


def _script_cell(part: ScriptPart | None) -> Cell:
    state = part.state if part else ScriptPart.State.DRAFT
    tone = {"approved": "ok", "in_review": "warn", "changes_requested": "bad", "draft": "todo"}[state]
    return Cell("script", state, str(ScriptPart.State(state).label), tone)


def _pretalk_cell(pretalks: list[PreTalk]) -> Cell:
    held = [p for p in pretalks if p.state == PreTalk.State.HELD]
    planned = sorted((p for p in pretalks if p.state == PreTalk.State.PLANNED), key=lambda p: p.starts_at)
    if held:
        return Cell("pretalk", "held", str(PreTalk.State.HELD.label), "ok", _date(held[-1].starts_at))
    if planned:
        return Cell(
            "pretalk", "planned", str(PreTalk.State.PLANNED.label), "warn", _date(planned[0].starts_at)
        )
    return Cell("pretalk", "none", _("Not planned"), "todo")


def _recording_cell(sessions: list[RecordingSession]) -> Cell:
    by_state = defaultdict(list)
    for s in sessions:
        by_state[s.state].append(s)
    if by_state[RecordingSession.State.RECORDED]:
        s = by_state[RecordingSession.State.RECORDED][-1]
        return Cell(
            "recording", "recorded", str(RecordingSession.State.RECORDED.label), "ok", _date(s.starts_at)
        )
    for state, tone in (("scheduled", "warn"), ("tentative", "warn")):
        if by_state[state]:
            s = by_state[state][0]
            return Cell(
                "recording", state, str(RecordingSession.State(state).label), tone, _date(s.starts_at)
            )
    if by_state[RecordingSession.State.ON_HOLD]:
        s = max(by_state[RecordingSession.State.ON_HOLD], key=lambda x: x.hold_until)
        return Cell(
            "recording",
            "on_hold",
            str(RecordingSession.State.ON_HOLD.label),
            "bad",
            _("until at least %(date)s (%(reason)s)")
            % {"date": s.hold_until.isoformat(), "reason": s.hold_reason},
        )
    return Cell("recording", "none", _("Not planned"), "todo")


def _step_cell(column: str, manual: str, automatic: bool, automatic_label: str) -> Cell:
    if automatic:
        return Cell(column, "done", str(StepState.DONE.label), "ok", automatic_label)
    tone = {"done": "ok", "in_progress": "warn", "not_started": "todo"}[manual]
    return Cell(column, manual, str(StepState(manual).label), tone)


def _date(dt: datetime) -> str:
    return timezone.localtime(dt).date().isoformat()


def boards_for(productions: list[Production]) -> dict[int, Board]:
    """Boards (rows + readiness) of several productions in a fixed number of queries."""
    if not productions:
        return {}
    by_course = {p.course_id: p for p in productions}
    prod_ids = [p.pk for p in productions]
    lectures = list(
        Lecture.objects.filter(course_id__in=by_course)
        .select_related("script_part", "post_production")
        .prefetch_related(
            Prefetch(
                "videos",
                queryset=Video.objects.filter(is_current=True, status=Video.Status.READY).only(
                    "id", "lecture_id"
                ),
                to_attr="ready_videos",
            ),
            Prefetch(
                "captions",
                queryset=Caption.objects.only("id", "lecture_id", "language"),
                to_attr="caption_list",
            ),
        )
        .order_by("course_id", "position", "id")
    )
    # ``unanswered``: speakers with no answer yet (never answered, or asked again after a change)
    unanswered = Count("attendances", filter=Q(attendances__rsvp=Rsvp.PENDING))
    pretalks = {
        p.pk: p
        for p in PreTalk.objects.filter(production_id__in=prod_ids)
        .exclude(state=PreTalk.State.CANCELLED)
        .annotate(unanswered=unanswered)
    }
    pretalks_by_lecture = defaultdict(list)
    for pt_id, lec_id in PreTalk.lectures.through.objects.filter(pretalk_id__in=pretalks).values_list(
        "pretalk_id", "lecture_id"
    ):
        pretalks_by_lecture[lec_id].append(pretalks[pt_id])
    sessions = {
        s.pk: s
        for s in RecordingSession.objects.filter(production_id__in=prod_ids)
        .exclude(state=RecordingSession.State.CANCELLED)
        .annotate(unanswered=unanswered)
        .order_by("starts_at", "id")
    }
    sessions_by_lecture = defaultdict(list)
    for s_id, lec_id in RecordingSession.lectures.through.objects.filter(
        recordingsession_id__in=sessions
    ).values_list("recordingsession_id", "lecture_id"):
        sessions_by_lecture[lec_id].append(sessions[s_id])
    for items in sessions_by_lecture.values():
        items.sort(key=lambda s: (s.starts_at, s.pk))

    rows_by_prod: dict[int, list[Row]] = defaultdict(list)
    for lecture in lectures:
        production = by_course[lecture.course_id]
        part = getattr(lecture, "script_part", None)
        post = getattr(lecture, "post_production", None)
        lecture_pretalks = pretalks_by_lecture.get(lecture.pk, [])
        lecture_sessions = sessions_by_lecture.get(lecture.pk, [])
        cells = [
            _script_cell(part),
            _pretalk_cell(lecture_pretalks),
            _recording_cell(lecture_sessions),
            _step_cell(
                "edit", post.edit if post else "not_started", bool(lecture.ready_videos), _("video ready")
            ),
            _step_cell(
                "captions",
                post.captions if post else "not_started",
                bool(lecture.caption_list),
                ", ".join(sorted(c.language for c in lecture.caption_list)),
            ),
            Cell(
                "published",
                lecture.status,
                str(Lecture.Status(lecture.status).label),
                "ok" if lecture.status == Lecture.Status.PUBLISHED else "todo",
            ),
        ]
        rows_by_prod[production.pk].append(
            Row(lecture, cells, part, post, lecture_pretalks, lecture_sessions)
        )

    boards = {}
    for production in productions:
        rows = rows_by_prod.get(production.pk, [])
        prod_sessions = [s for s in sessions.values() if s.production_id == production.pk]
        prod_pretalks = [p for p in pretalks.values() if p.production_id == production.pk]
        boards[production.pk] = Board(
            production, rows, _readiness(production, rows, prod_sessions, prod_pretalks)
        )
    return boards


def board_for(production: Production) -> Board:
    return boards_for([production])[production.pk]


def _titles(rows: list[Row]) -> list[str]:
    return [r.lecture.title for r in rows]


def _readiness(
    production: Production, rows: list[Row], sessions: list[RecordingSession], pretalks: list[PreTalk]
) -> Readiness:
    blockers: list[Blocker] = []
    unapproved = [r for r in rows if r.cell("script").tone != "ok"]
    if unapproved:
        blockers.append(
            Blocker(
                "script",
                _("%(count)d script part(s) not approved") % {"count": len(unapproved)},
                _titles(unapproved),
            )
        )
    open_pretalks = [p for p in pretalks if p.state == PreTalk.State.PLANNED]
    no_pretalk = [r for r in rows if r.cell("pretalk").state == "none"]
    if open_pretalks:
        blockers.append(
            Blocker(
                "pretalk",
                _("%(count)d pre-talk(s) not held yet") % {"count": len(open_pretalks)},
                [_date(p.starts_at) for p in sorted(open_pretalks, key=lambda p: p.starts_at)],
            )
        )
    if no_pretalk:
        blockers.append(
            Blocker(
                "pretalk",
                _("%(count)d lecture(s) without a pre-talk") % {"count": len(no_pretalk)},
                _titles(no_pretalk),
            )
        )
    held = [s for s in sessions if s.state == RecordingSession.State.ON_HOLD]
    if held:
        until = max(s.hold_until for s in held)
        reasons = sorted({s.hold_reason for s in held})
        blockers.append(
            Blocker(
                "hold",
                _("%(count)d recording session(s) on hold until at least %(date)s (%(reason)s)")
                % {"count": len(held), "date": until.isoformat(), "reason": ", ".join(reasons)},
                [_date(s.starts_at) for s in held],
            )
        )
    waiting = [
        s for s in sessions if s.state in (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED)
    ]
    if waiting:
        blockers.append(
            Blocker(
                "recording",
                _("%(count)d recording session(s) not recorded yet") % {"count": len(waiting)},
                [_date(s.starts_at) for s in waiting],
            )
        )
    unplanned = [r for r in rows if r.cell("recording").state == "none"]
    if unplanned:
        blockers.append(
            Blocker(
                "recording",
                _("%(count)d lecture(s) without a recording session") % {"count": len(unplanned)},
                _titles(unplanned),
            )
        )
    unconfirmed = sorted(
        (item for item in [*waiting, *open_pretalks] if getattr(item, "unanswered", 0)),
        key=lambda item: (item.starts_at, item.pk),
    )
    if unconfirmed:
        blockers.append(
            Blocker(
                "answers",
                _("%(count)d speaker answer(s) missing (asked again after a change, or not answered)")
                % {"count": sum(item.unanswered for item in unconfirmed)},
                [f"{_date(item.starts_at)}: {item.unanswered}" for item in unconfirmed],
            )
        )
    post = [
        r
        for r in rows
        if r.cell("edit").tone != "ok"
        or r.cell("captions").tone != "ok"
        or (r.post_production is None or r.post_production.review != StepState.DONE)
    ]
    if post:
        blockers.append(
            Blocker(
                "post_production",
                _("%(count)d lecture(s) with post-production not done") % {"count": len(post)},
                _titles(post),
            )
        )

    last: date | None = None
    for s in sessions:
        day = (
            s.hold_until
            if s.state == RecordingSession.State.ON_HOLD
            else timezone.localtime(s.ends_at).date()
        )
        if s.state == RecordingSession.State.ON_HOLD:
            day = max(day, timezone.localtime(s.ends_at).date())
        last = day if last is None or day > last else last
    projected = last + timedelta(days=production.post_production_days) if last else None
    cells_total = len(rows) * len(COLUMNS)
    cells_done = sum(1 for r in rows for c in r.cells if c.tone == "ok")
    return Readiness(
        production=production,
        lectures=len(rows),
        cells_done=cells_done,
        cells_total=cells_total,
        script_approved=len(rows) - len(unapproved),
        blockers=blockers,
        last_recording_on=last,
        projected_launch_on=projected,
    )


def board_filter(
    rows: list[Row], *, column: str = "", tone: str = "", blocked_only: bool = False
) -> list[Row]:
    if blocked_only:
        rows = [r for r in rows if not r.done]
    if column in COLUMNS and tone in TONES:
        rows = [r for r in rows if r.cell(column).tone == tone]
    elif tone in TONES:
        rows = [r for r in rows if any(c.tone == tone for c in r.cells)]
    return rows


# --- speakers and history -----------------------------------------------------------------


def speaker_list(*, search: str = "") -> QuerySet[Speaker]:
    qs = Speaker.objects.all()
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(email__icontains=search) | Q(organisation__icontains=search)
        )
    return qs.order_by("name", "id")


def speaker_items(*, user, speaker: Speaker) -> tuple[list[SessionSpeaker], list[PreTalkSpeaker]]:
    visible = production_visible_to(user).values("pk")
    sessions = list(
        SessionSpeaker.objects.filter(speaker=speaker, session__production__in=visible)
        .select_related("session__production__course", "session__location")
        .order_by("-session__starts_at", "id")
    )
    pretalks = list(
        PreTalkSpeaker.objects.filter(speaker=speaker, pretalk__production__in=visible)
        .select_related("pretalk__production__course")
        .order_by("-pretalk__starts_at", "id")
    )
    return sessions, pretalks


def history_for_production(*, production: Production) -> QuerySet[HistoryEntry]:
    return HistoryEntry.objects.filter(production=production).select_related("by").order_by("-at", "-id")


def history_for(*, subject) -> list[HistoryEntry]:
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    return list(
        HistoryEntry.objects.filter(content_type=ct, object_id=subject.pk)
        .select_related("by")
        .order_by("-at", "-id")
    )
