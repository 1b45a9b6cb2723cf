"""Learner API for a mobile client: catalog, enrollments, playback URLs, progress heartbeats."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import encoders
from rest_framework.views import APIView

from courses.catalog import cache as catalog_cache
from courses.catalog import selectors as catalog_selectors
from courses.learning import progress, selectors, services
from courses.models import Course, Enrollment
from omooc.exceptions import AccessDeniedError, ApplicationError, NotFoundError

from .serializers import (
    CourseDetailSerializer,
    CourseListSerializer,
    EnrollmentCreateSerializer,
    EnrollmentSerializer,
    HeartbeatSerializer,
    PlaybackSerializer,
)

HEARTBEAT_INTERVAL_SECONDS = 10


class CourseListView(ListAPIView):
    """The catalog of published courses."""

    serializer_class = CourseListSerializer
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Search in titles and descriptions."),
            OpenApiParameter("language", str, enum=[code for code, _ in settings.LANGUAGES]),
            OpenApiParameter("theme", str, description="Theme slug."),
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args, **kwargs) -> Response:
        # The same for every caller: built once per catalog version (courses/catalog/cache.py). The
        # pagination links are absolute, so the host is part of the key.
        parts = (request.build_absolute_uri(), get_language())

        def data():
            return catalog_cache.cached("api", parts, lambda: super(CourseListView, self).list(request).data)

        if _plain_json(request):  # the JSON text itself, written once per catalog version
            body = catalog_cache.cached("api-json", parts, lambda: _dumps(data()).encode())
            return HttpResponse(body, content_type="application/json")
        return Response(data())

    def get_queryset(self):
        params = self.request.query_params
        return catalog_selectors.course_list_published(
            q=params.get("q", "")[:100], language=params.get("language", ""), theme=params.get("theme", "")
        )


class CourseDetailView(APIView):
    """One published course with its published lectures (and your progress when enrolled)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: CourseDetailSerializer})
    def get(self, request: Request, slug: str) -> Response:
        page = selectors.course_page(slug=slug, user=request.user)
        if page is None:
            raise NotFoundError("No published course with this slug.")
        # The course and its lectures are the same for every caller: serialized once per catalog
        # version; only the caller's own fields are filled in per request.
        if _plain_json(request):
            shell = catalog_cache.cached("api-course-json", (slug,), lambda: _course_json(page))
            return _json_bytes(shell.fill(page))
        shared = catalog_cache.cached("api-course", (slug,), lambda: CourseDetailSerializer(page).data)
        rows = {row.lecture.pk: row for row in page.rows}
        lectures = [
            {
                **lecture,
                "released": rows[lecture["id"]].released,
                "completed": rows[lecture["id"]].complete,
                "watched_percent": rows[lecture["id"]].watched_percent,
            }
            for lecture in shared["lectures"]
            if lecture["id"] in rows  # both read the same catalog version, except during a change
        ]
        return Response({**shared, "enrolled": page.enrolled, "lectures": lectures})


PERSONAL_LECTURE_FIELDS = ("released", "completed", "watched_percent")


def _plain_json(request: Request) -> bool:
    """Whether the response is plain JSON (not the browsable API, not indented): then the view may
    answer with JSON text it joined itself, as ``JSONRenderer`` would have written it."""
    return request.accepted_media_type == "application/json"


_ENCODER = encoders.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _dumps(data) -> str:
    """JSON as DRF's ``JSONRenderer`` writes it with the default settings (compact, UTF-8, strict)."""
    text = _ENCODER.encode(data)  # json.dumps(data, cls=encoders.JSONEncoder, ...) without a new encoder
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")  # as JSONRenderer does


def _json_bytes(text: str) -> HttpResponse:
    return HttpResponse(text.encode(), content_type="application/json")


@dataclass(frozen=True)
class CourseJson:
    """The course endpoint's JSON text split where the caller's own values go: ``enrolled`` and each
    lecture's ``released``, ``completed`` and ``watched_percent``."""

    head: str
    middle: str
    tail: str
    lectures: dict[int, str]  # a lecture's object without its closing brace and personal fields

    def fill(self, page) -> str:
        items = []
        for row in page.rows:
            text = self.lectures.get(row.lecture.pk)
            if text is None:  # both read the same catalog version, except during a change
                continue
            released = "true" if row.released else "false"
            completed = "true" if row.complete else "false"
            items.append(
                f'{text},"released":{released},"completed":{completed},"watched_percent":{int(row.watched_percent)}}}'
            )
        enrolled = "true" if page.enrolled else "false"
        return f"{self.head}{enrolled}{self.middle}[{','.join(items)}]{self.tail}"


def _course_json(page) -> CourseJson:
    shared = CourseDetailSerializer(page).data
    marks = {name: f"\ue000{name}\ue001" for name in ("enrolled", "lectures")}
    text = _dumps({**shared, **marks})
    head, rest = text.split(f'"{marks["enrolled"]}"')
    middle, tail = rest.split(f'"{marks["lectures"]}"')
    lectures = {}
    for lecture in shared["lectures"]:
        common = {key: value for key, value in lecture.items() if key not in PERSONAL_LECTURE_FIELDS}
        lectures[lecture["id"]] = _dumps(common)[:-1]
    return CourseJson(head=head, middle=middle, tail=tail, lectures=lectures)


class EnrollmentListView(ListAPIView):
    """Your enrollments (GET) and enrolling in a course (POST)."""

    serializer_class = EnrollmentSerializer

    def get_queryset(self):
        return selectors.dashboard_enrollments(user=self.request.user)

    @extend_schema(request=EnrollmentCreateSerializer, responses={201: EnrollmentSerializer})
    def post(self, request: Request) -> Response:
        data = EnrollmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = Course.objects.published().filter(slug=data.validated_data["course"]).first()
        if course is None:
            raise NotFoundError("course: no published course with this slug.", code="course_not_published")
        enrollment = services.enrollment_create(user=request.user, course=course)
        enrollment = selectors.dashboard_enrollments(user=request.user).get(pk=enrollment.pk)
        return Response(EnrollmentSerializer(enrollment, context={"request": request}).data, status=201)


class EnrollmentDetailView(APIView):
    """Leave a course (your progress is kept if you enroll again)."""

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        enrollment = get_object_or_404(Enrollment, pk=pk, user=request.user)
        services.enrollment_leave(enrollment=enrollment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaybackView(APIView):
    """Short-lived signed URLs to play a lecture, the resume position and a heartbeat token."""

    @extend_schema(responses={200: PlaybackSerializer})
    def get(self, request: Request, pk: int) -> Response:
        page = selectors.lecture_page(lecture_id=pk, user=request.user)
        if page is None:
            raise NotFoundError("No such lecture.")
        # page.access: the one lecture-access rule (courses/permissions.py); producers preview
        if page.access.code == "not_enrolled":
            raise AccessDeniedError("Enroll in this course to watch its lectures.", code="not_enrolled")
        if page.access.code == "not_released":
            raise AccessDeniedError(
                "This lecture is not released yet.",
                code="not_released",
                extra={"release_at": page.lecture.release_at.isoformat()},
            )
        play = selectors.playback(page, user_id=request.user.pk, bearer=True)
        urls = play.urls
        # build_absolute_uri of a path is this prefix and the path (our paths are quoted ASCII)
        origin = request.build_absolute_uri("/")[:-1]

        def absolute(path: str) -> str:
            return origin + path

        payload = {
            "lecture_id": page.lecture.pk,
            "title": page.lecture.title,
            "master_url": absolute(urls["master"]) if urls["master"] else "",
            "poster_url": absolute(urls["poster"]) if urls["poster"] else "",
            "expires_in_seconds": urls["expires_in"],
            "duration_seconds": play.duration,
            "resume_position_seconds": selectors.resume_position(page),
            "captions": [{**track, "url": absolute(track["url"])} for track in urls["captions"]],
            "heartbeat": {
                "url": absolute(_progress_path()),
                "token": play.token,  # "" for a preview: it records no progress
                "interval_seconds": HEARTBEAT_INTERVAL_SECONDS,
            },
            "next_lecture_id": page.next.pk if page.next else None,
        }
        # Built in the documented shape (PlaybackSerializer; the schema tests check every response).
        return _json_bytes(_dumps(payload)) if _plain_json(request) else Response(payload)


_progress_paths: dict[str, str] = {}


def _progress_path() -> str:
    """``reverse("v1:progress")``, once per script prefix."""
    script = get_script_prefix()
    path = _progress_paths.get(script)
    if path is None:
        path = _progress_paths.setdefault(script, reverse("v1:progress"))
    return path


class ProgressView(APIView):
    """A playback heartbeat: buffered, written to the database in bulk within seconds."""

    @extend_schema(request=HeartbeatSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        # The hot path: checked by hand (same rules as HeartbeatSerializer, a tenth of the cost).
        data = request.data if isinstance(request.data, dict) else {}
        fields = {
            "position": data.get("position"),
            "played_from": data.get("played_from"),
            "event": data.get("event") or "tick",
        }
        progress.parse_beat(**fields)
        token = data.get("token")
        if not isinstance(token, str) or not token:
            raise ApplicationError(
                "token: give the playback token from the playback endpoint.", code="invalid"
            )
        claims = progress.read_playback_token(token, user_id=request.user.pk)
        progress.record(claims=claims, **fields)
        return Response(status=status.HTTP_202_ACCEPTED)
