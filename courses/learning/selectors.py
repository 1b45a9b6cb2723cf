"""Reads for learner pages and the API. Lists order explicitly and fetch what they render in a
constant number of queries (pinned by tests for 5 and 50 lectures).

What every visitor of a published course or lecture sees alike (the course outline; a lecture's
video, captions and neighbours) comes from ``courses.catalog`` (built once per catalog version); what
is personal (enrollment, progress, the producer's preview right) is read per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, F, FloatField, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.base import ModelState
from django.db.models.functions import Coalesce
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from ..catalog import cache as catalog_cache
from ..catalog.selectors import course_outline, published_lecture_count, shared_lecture, video_duration
from ..media import access as media_access
from ..models import Caption, Course, Enrollment, Lecture, LectureProgress, Video
from ..permissions import LectureAccess, is_team_producer, lecture_access
from . import progress, state


def enrollment_get(*, user, course: Course) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course=course).first()


def _reader(model, connection) -> tuple[list[str], list[str], list]:
    """Attribute names, quoted columns and per-column converters of ``model``, as the ORM's
    compiler applies them to raw values (e.g. SQLite's datetimes become aware)."""
    names, quoted, converters = [], [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.get_col(model._meta.db_table)
        names.append(model_field.attname)
        quoted.append(connection.ops.quote_name(model_field.column))
        converters.append(
            (column, connection.ops.get_db_converters(column) + model_field.get_db_converters(connection))
        )
    return names, quoted, converters


def _convert(values, converters, connection) -> list:
    out = []
    for value, (column, functions) in zip(values, converters, strict=True):
        for function in functions:
            value = function(value, column, connection)
        out.append(value)
    return out


def _from_db(model, db: str, names: list[str], values: list):
    """``model.from_db(db, names, values)`` for a row of every concrete field, without the cost of
    ``Model.__init__`` (a setattr through each field's descriptor): the attributes are set as
    ``__init__`` would leave them on a fresh instance. Models with ``pre_init``/``post_init``
    receivers (file and image fields, trackers) go through ``from_db``."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(db, names, values)
    instance = model.__new__(model)
    instance.__dict__.update(zip(names, values, strict=True))
    state = instance._state = ModelState()
    state.adding, state.db = False, db
    return instance


_progress_statements: dict[tuple[str, bool], tuple] = {}


def _progress_statement(alias: str, one_lecture: bool) -> tuple:
    """The SQL and the readers of ``enrollment_with_progress``, built once per database."""
    statement = _progress_statements.get((alias, one_lecture))
    if statement is None:
        connection = connections[alias]
        q = connection.ops.quote_name
        enrollment = _reader(Enrollment, connection)
        progress = _reader(LectureProgress, connection)
        select = ", ".join([f"e.{c}" for c in enrollment[1]] + [f"p.{c}" for c in progress[1]])
        on = f"p.{q('enrollment_id')} = e.{q('id')}"
        if one_lecture:
            on += f" AND p.{q('lecture_id')} = %s"
        tables = f"{q(Enrollment._meta.db_table)} e LEFT JOIN {q(LectureProgress._meta.db_table)} p ON {on}"
        where = f"e.{q('user_id')} = %s AND e.{q('course_id')} = %s"
        # Identifiers come from the models' metadata, quoted by the backend; values are parameters.
        sql = f"SELECT {select} FROM {tables} WHERE {where}"  # noqa: S608
        statement = _progress_statements.setdefault((alias, one_lecture), (sql, enrollment, progress))
    return statement


def enrollment_with_progress(*, user, course: Course, lecture: Lecture | None = None, found=None):
    """The learner's enrollment in ``course`` and its progress rows (of ``lecture`` only, if given),
    as ``(enrollment, {lecture_id: progress})``, in one query. Progress of a left enrollment is not
    returned.

    This runs on every course page, lecture page, course API and playback API request, and the ORM's
    compilation of this join cost several times the query itself. So the statement is written once
    from the models' own table and column names and the rows become model instances as the ORM makes
    them: the backend's converters, then the instance as ``Model.from_db`` leaves it (``_from_db``).
    Pinned against the ORM by a test.

    ``found``: what ``state.read`` found for this page; its rows (the same query's, kept in Redis
    under the learner's generation) replace the query, and a miss stores the query's rows."""
    if not user.is_authenticated:
        return None, {}
    db = Enrollment.objects.db
    connection = connections[db]
    sql, (e_names, _, e_converters), (p_names, _, p_converters) = _progress_statement(db, lecture is not None)
    if found is not None and found.rows is not None:
        rows = found.rows
    else:
        params = ([lecture.pk] if lecture is not None else []) + [user.pk, course.pk]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        enrollment_id = rows[0][e_names.index("id")] if rows else 0
        state.store(found, rows=rows, enrollment_id=enrollment_id, lecture_id=lecture.pk if lecture else 0)
    if not rows:
        return None, {}
    k = len(e_names)
    enrollment = _from_db(Enrollment, db, e_names, _convert(rows[0][:k], e_converters, connection))
    if not enrollment.is_active:
        return enrollment, {}
    progress = {}
    for row in rows:
        if row[k] is not None:  # the LEFT JOIN's empty side: no progress yet
            item = _from_db(LectureProgress, db, p_names, _convert(row[k:], p_converters, connection))
            item.enrollment = enrollment
            progress[item.lecture_id] = item
    return enrollment, progress


@dataclass
class LectureRow:
    lecture: Lecture
    released: bool
    progress: LectureProgress | None = None
    link: str = ""  # the lecture page, for an enrolled learner once the lecture is released

    @property
    def complete(self) -> bool:
        return bool(self.progress and self.progress.completed_at)

    @property
    def watched_percent(self) -> int:
        if not self.progress or not self.progress.duration_seconds:
            return 0
        return min(100, round(100 * self.progress.watched_seconds / self.progress.duration_seconds))


@dataclass
class CoursePage:
    course: Course
    enrollment: Enrollment | None
    rows: list[LectureRow] = field(default_factory=list)

    @property
    def enrolled(self) -> bool:
        return bool(self.enrollment and self.enrollment.is_active)

    @property
    def completed_count(self) -> int:
        return sum(1 for row in self.rows if row.complete)

    @property
    def total_duration(self) -> float:
        return sum(row.lecture.shown_duration or 0 for row in self.rows)

    @property
    def presenters(self) -> list:
        """Everyone presenting in this course, once each, in lecture order."""
        seen: dict[str, object] = {}
        for row in self.rows:
            for presenter in row.lecture.presenters.all():
                seen.setdefault(presenter.name.casefold(), presenter)
        return list(seen.values())

    @property
    def first_available(self) -> LectureRow | None:
        return next((row for row in self.rows if row.released), None)

    @property
    def resume_row(self) -> LectureRow | None:
        """The row of the lecture the learner watched last, if it is still published."""
        last = self.enrollment.last_lecture_id if self.enrollment else None
        return next((row for row in self.rows if row.lecture.pk == last), None) if last else None


def course_page(*, slug: str, user) -> CoursePage | None:
    found = state.read(user, f"c:{slug}")  # with the catalog version: one round trip
    outline = course_outline(slug=slug)
    if outline is None:
        return None
    enrollment, progress = enrollment_with_progress(user=user, course=outline.course, found=found)
    enrolled = bool(enrollment and enrollment.is_active)
    now = timezone.now()
    rows = []
    for lecture in outline.lectures:
        released = lecture.release_at is None or lecture.release_at <= now
        rows.append(
            LectureRow(
                lecture=lecture,
                released=released,
                progress=progress.get(lecture.pk),
                link=lecture.learner_url if enrolled and released else "",
            )
        )
    return CoursePage(course=outline.course, enrollment=enrollment, rows=rows)


def dashboard_enrollments(*, user) -> QuerySet[Enrollment]:
    """The learner's active enrollments with counts for the progress bar and the resume pointer."""
    done = (
        LectureProgress.objects.filter(
            enrollment=OuterRef("pk"), completed_at__isnull=False, lecture__status=Lecture.Status.PUBLISHED
        )
        .order_by()
        .values("enrollment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Video time still to watch: the shown duration (video's, else lecture's) of published lectures
    # this enrollment has not completed; part of the same single query.
    left = (
        Lecture.objects.published()
        .filter(course=OuterRef("course_id"))
        .exclude(
            pk__in=LectureProgress.objects.filter(
                enrollment=OuterRef(OuterRef("pk")), completed_at__isnull=False
            ).values("lecture_id")
        )
        .annotate(shown=Coalesce(video_duration(), F("duration_seconds"), output_field=FloatField()))
        .order_by()
        .values("course")
        .annotate(s=Sum("shown"))
        .values("s")
    )
    return (
        Enrollment.objects.active()
        .filter(user=user, course__in=Course.objects.published())
        .select_related("course", "course__theme", "last_lecture", "certificate")
        .annotate(
            lecture_total=published_lecture_count("course_id"),
            lecture_done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
            seconds_left=Coalesce(Subquery(left, output_field=FloatField()), Value(0.0)),
        )
        .order_by(F("last_activity_at").desc(nulls_last=True), "-enrolled_at", "id")
    )


UNKNOWN = object()


@dataclass
class LecturePage:
    course: Course
    lecture: Lecture
    enrollment: Enrollment | None  # None when watching as a previewing producer
    access: LectureAccess
    preview: bool
    released: bool
    video: Video | None
    captions: list[Caption]
    progress: LectureProgress | None
    previous: Lecture | None
    next: Lecture | None
    # The newest buffered position, when it came with the stored rows (``state.read``).
    latest: tuple[float, float] | None | object = UNKNOWN


def lecture_page(
    *, slug: str = "", lecture_slug: str = "", lecture_id: int | None = None, user
) -> LecturePage | None:
    """Everything the lecture page shows. Producers may preview drafts; learners see published
    lectures of published courses only. Found by course and lecture slug, or by ``lecture_id``.

    A published lecture's shared part is cached per catalog version; a draft (producer preview) is
    read from the database every time. Per request: the enrollment and the progress row (the
    producer role is asked only when the user is not enrolled)."""
    key = ("id", lecture_id) if lecture_id is not None else ("slug", slug, lecture_slug)
    # With the catalog version: one round trip (the rows' own check is the generation and version).
    found = state.read(user, f"i:{lecture_id}" if lecture_id is not None else f"l:{slug}/{lecture_slug}")
    find = {"slug": slug, "lecture_slug": lecture_slug, "lecture_id": lecture_id}
    shared = catalog_cache.cached("lecture", key, lambda: shared_lecture(**find, published_only=True))
    if shared is None:
        shared = shared_lecture(**find, published_only=False)
    if shared is None:
        return None
    course, lecture = shared.course, shared.lecture
    enrollment, progress = enrollment_with_progress(user=user, course=course, lecture=lecture, found=found)
    if enrollment is not None and not enrollment.is_active:
        enrollment = None
    released = lecture.release_at is None or lecture.release_at <= timezone.now()
    # The one lecture-access rule (courses/permissions.py). An enrolled learner on a published,
    # released lecture (the common case) needs no role query.
    access = lecture_access(
        published=shared.published,
        released=released,
        enrolled=enrollment is not None,
        team_producer=lambda: is_team_producer(user, course.pk),
    )
    if access.code == "not_found":
        return None
    return LecturePage(
        course=course,
        lecture=lecture,
        enrollment=enrollment if access.learner or not access.allowed else None,
        access=access,
        preview=access.preview,
        released=released,
        video=shared.video,
        captions=shared.captions,
        progress=progress.get(lecture.pk),
        previous=shared.previous,
        next=shared.next,
        latest=found.latest if found is not None and found.rows is not None else UNKNOWN,
    )


def lecture_duration(page: LecturePage) -> float:
    if page.video and page.video.duration_seconds:
        return float(page.video.duration_seconds)
    return float(page.lecture.duration_seconds or 0)


def resume_position(page: LecturePage) -> float:
    """The last position on any device: the buffer's newest heartbeat, else the database's."""
    if page.enrollment is None:
        return 0.0
    position, at = 0.0, 0.0
    if page.progress is not None:
        position = page.progress.position_seconds
        at = page.progress.last_heartbeat_at.timestamp() if page.progress.last_heartbeat_at else 0.0
    latest = page.latest
    if latest is UNKNOWN:
        latest = progress.latest_position(enrollment_id=page.enrollment.pk, lecture_id=page.lecture.pk)
    if latest and latest[1] > at:
        position = latest[0]
    duration = lecture_duration(page)
    if duration and position >= duration - 5:
        return 0.0  # finished: start again from the beginning
    return round(position, 1)


@dataclass
class Playback:
    """What a player needs for one lecture: signed media URLs (``media.access.playback_urls``), the
    heartbeat's playback token ("" for a producer's preview: no progress is recorded) and the
    duration."""

    urls: dict
    token: str
    duration: float


def playback(page: LecturePage, *, user_id: int, captions: bool = True, bearer: bool = False) -> Playback:
    """Signed URLs and playback token for a page the user may watch (``page.access.allowed``).
    ``bearer``: for a native player, which cannot renew URLs mid-stream, so they stay valid for the
    whole lecture (and pauses)."""
    enrollment_id = page.enrollment.pk if page.enrollment else 0  # 0: a producer's preview
    duration = lecture_duration(page)
    urls = media_access.playback_urls(
        lecture=page.lecture,
        video=page.video,
        captions=page.captions if captions else [],
        enrollment_id=enrollment_id,
        user_id=user_id,
        bearer=bearer,
        lifetime=media_access.ttl_seconds() + int(2 * duration) if bearer else 0,
    )
    token = ""
    if enrollment_id:  # on /progress/beat/ the token is the only credential (ADR 0009)
        token = progress.playback_token(
            enrollment_id=enrollment_id, lecture_id=page.lecture.pk, user_id=user_id, duration=duration
        )
    return Playback(urls=urls, token=token, duration=duration)
