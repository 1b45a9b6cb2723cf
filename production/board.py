"""The production board and launch readiness: one row per lecture (script, pre-talk, recording, edit,
captions, published), the blockers between the production and its launch (a list of small rules,
applied in order) and the projected launch date. Loaded in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db.models import Count, Prefetch, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from courses.models import Caption, Lecture, Video

from .models import PostProduction, PreTalk, Production, RecordingSession, Rsvp, ScriptPart, StepState

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
    # The day the cell is about (a pre-talk, a recording): pages show it in the reader's language,
    # ``detail`` holds it in ISO 8601 (the API, the spreadsheet).
    day: date | None = None

    def __post_init__(self) -> None:
        if self.day is not None and not self.detail:
            self.detail = self.day.isoformat()


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
        return launch_days_late(self.projected_launch_on, self.target_launch_on)


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
        return Cell("pretalk", "held", str(PreTalk.State.HELD.label), "ok", day=_day(held[-1].starts_at))
    if planned:
        return Cell(
            "pretalk", "planned", str(PreTalk.State.PLANNED.label), "warn", day=_day(planned[0].starts_at)
        )
    return Cell("pretalk", "none", _("Not planned"), "todo")


def _recording_cell(sessions: list[RecordingSession]) -> Cell:
    by_state = defaultdict(list)
    for s in sessions:
        by_state[s.state].append(s)
    if by_state[RecordingSession.State.RECORDED]:
        s = by_state[RecordingSession.State.RECORDED][-1]
        return Cell(
            "recording", "recorded", str(RecordingSession.State.RECORDED.label), "ok", day=_day(s.starts_at)
        )
    for state, tone in (("scheduled", "warn"), ("tentative", "warn")):
        if by_state[state]:
            s = by_state[state][0]
            return Cell(
                "recording", state, str(RecordingSession.State(state).label), tone, day=_day(s.starts_at)
            )
    if by_state[RecordingSession.State.ON_HOLD]:
        s = max(by_state[RecordingSession.State.ON_HOLD], key=lambda x: x.hold_until)
        return Cell(
            "recording",
            "on_hold",
            str(RecordingSession.State.ON_HOLD.label),
            "bad",
            _("until at least %(date)s (%(reason)s)")
            % {"date": formats.date_format(s.hold_until, "DATE_FORMAT"), "reason": s.hold_reason},
        )
    return Cell("recording", "none", _("Not planned"), "todo")


def _step_cell(column: str, manual: str, automatic: bool, automatic_label: str) -> Cell:
    if automatic:
        return Cell(column, "done", str(StepState.DONE.label), "ok", automatic_label)
    tone = {"done": "ok", "in_progress": "warn", "not_started": "todo"}[manual]
    return Cell(column, manual, str(StepState(manual).label), tone)


def _day(dt: datetime) -> date:
    return timezone.localtime(dt).date()


def _date(dt: datetime) -> str:
    return _day(dt).isoformat()


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


# --- readiness rules ------------------------------------------------------------------------
# Each rule reads the facts of one production and returns its blockers; ``READINESS_RULES`` applies
# them in order, which is the order the board lists them in.


@dataclass
class Facts:
    """What the readiness rules look at: a production's board rows and its open items."""

    rows: list[Row]
    sessions: list[RecordingSession]
    pretalks: list[PreTalk]

    @cached_property
    def unapproved(self) -> list[Row]:
        return [r for r in self.rows if r.cell("script").tone != "ok"]

    @cached_property
    def open_pretalks(self) -> list[PreTalk]:
        return [p for p in self.pretalks if p.state == PreTalk.State.PLANNED]

    @cached_property
    def waiting(self) -> list[RecordingSession]:
        open_states = (RecordingSession.State.TENTATIVE, RecordingSession.State.SCHEDULED)
        return [s for s in self.sessions if s.state in open_states]


def _about_lectures(kind: str, message: str, rows: list[Row]) -> list[Blocker]:
    """One blocker naming the lectures, if there are any (``message`` counts them)."""
    return [Blocker(kind, message % {"count": len(rows)}, [r.lecture.title for r in rows])] if rows else []


def _about_items(kind: str, message: str, items: list) -> list[Blocker]:
    """One blocker naming the days of the sessions or pre-talks, if there are any."""
    return (
        [Blocker(kind, message % {"count": len(items)}, [_date(i.starts_at) for i in items])] if items else []
    )


def scripts_not_approved(facts: Facts) -> list[Blocker]:
    n = len(facts.unapproved)
    message = ngettext("%(count)d script part not approved", "%(count)d script parts not approved", n)
    return _about_lectures("script", message, facts.unapproved)


def pretalks_not_held(facts: Facts) -> list[Blocker]:
    planned = sorted(facts.open_pretalks, key=lambda p: p.starts_at)
    message = ngettext("%(count)d pre-talk not held yet", "%(count)d pre-talks not held yet", len(planned))
    return _about_items("pretalk", message, planned)


def lectures_without_pretalk(facts: Facts) -> list[Blocker]:
    missing = [r for r in facts.rows if r.cell("pretalk").state == "none"]
    message = ngettext(
        "%(count)d lecture without a pre-talk", "%(count)d lectures without a pre-talk", len(missing)
    )
    return _about_lectures("pretalk", message, missing)


def sessions_on_hold(facts: Facts) -> list[Blocker]:
    held = [s for s in facts.sessions if s.state == RecordingSession.State.ON_HOLD]
    if not held:
        return []
    until = max(s.hold_until for s in held)
    reasons = sorted({s.hold_reason for s in held})
    message = ngettext(
        "%(count)d recording session on hold until at least %(date)s (%(reason)s)",
        "%(count)d recording sessions on hold until at least %(date)s (%(reason)s)",
        len(held),
    ) % {
        "count": len(held),
        "date": formats.date_format(until, "DATE_FORMAT"),
        "reason": ", ".join(reasons),
    }
    return [Blocker("hold", message, [_date(s.starts_at) for s in held])]


def sessions_not_recorded(facts: Facts) -> list[Blocker]:
    message = ngettext(
        "%(count)d recording session not recorded yet",
        "%(count)d recording sessions not recorded yet",
        len(facts.waiting),
    )
    return _about_items("recording", message, facts.waiting)


def lectures_without_session(facts: Facts) -> list[Blocker]:
    unplanned = [r for r in facts.rows if r.cell("recording").state == "none"]
    message = ngettext(
        "%(count)d lecture without a recording session",
        "%(count)d lectures without a recording session",
        len(unplanned),
    )
    return _about_lectures("recording", message, unplanned)


def answers_missing(facts: Facts) -> list[Blocker]:
    """Speakers with no answer yet on an open item (never answered, or asked again after a change)."""
    unconfirmed = sorted(
        (item for item in [*facts.waiting, *facts.open_pretalks] if getattr(item, "unanswered", 0)),
        key=lambda item: (item.starts_at, item.pk),
    )
    if not unconfirmed:
        return []
    count = sum(item.unanswered for item in unconfirmed)
    message = ngettext(
        "%(count)d speaker answer missing (asked again after a change, or not answered)",
        "%(count)d speaker answers missing (asked again after a change, or not answered)",
        count,
    ) % {"count": count}
    return [
        Blocker("answers", message, [f"{_date(item.starts_at)}: {item.unanswered}" for item in unconfirmed])
    ]


def _post_production_done(row: Row) -> bool:
    return (
        row.cell("edit").tone == "ok"
        and row.cell("captions").tone == "ok"
        and row.post_production is not None
        and row.post_production.review == StepState.DONE
    )


def post_production_not_done(facts: Facts) -> list[Blocker]:
    post = [r for r in facts.rows if not _post_production_done(r)]
    message = ngettext(
        "%(count)d lecture with post-production not done",
        "%(count)d lectures with post-production not done",
        len(post),
    )
    return _about_lectures("post_production", message, post)


READINESS_RULES: tuple[Callable[[Facts], list[Blocker]], ...] = (
    scripts_not_approved,
    pretalks_not_held,
    lectures_without_pretalk,
    sessions_on_hold,
    sessions_not_recorded,
    lectures_without_session,
    answers_missing,
    post_production_not_done,
)


def _last_day(session: RecordingSession) -> date:
    """The last day a session may still take: its end, or (on hold) no earlier than its hold date."""
    end = timezone.localtime(session.ends_at).date()
    return max(session.hold_until, end) if session.state == RecordingSession.State.ON_HOLD else end


def projected_launch(production: Production, sessions: list[RecordingSession]) -> date | None:
    """The projected launch: the last day the (not cancelled) sessions may take, plus post-production."""
    last = max((_last_day(s) for s in sessions), default=None)
    return last + timedelta(days=production.post_production_days) if last else None


def launch_days_late(projected: date | None, target: date | None) -> int | None:
    """How many days a projected launch falls after the target (negative: before it); None without
    either date."""
    if projected is None or target is None:
        return None
    return (projected - target).days


def _readiness(
    production: Production, rows: list[Row], sessions: list[RecordingSession], pretalks: list[PreTalk]
) -> Readiness:
    facts = Facts(rows, sessions, pretalks)
    blockers = [blocker for rule in READINESS_RULES for blocker in rule(facts)]
    last = max((_last_day(s) for s in sessions), default=None)
    return Readiness(
        production=production,
        lectures=len(rows),
        cells_done=sum(1 for r in rows for c in r.cells if c.tone == "ok"),
        cells_total=len(rows) * len(COLUMNS),
        script_approved=len(rows) - len(facts.unapproved),
        blockers=blockers,
        last_recording_on=last,
        projected_launch_on=projected_launch(production, sessions),
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
