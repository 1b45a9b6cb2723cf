"""Public images of the catalog (ADR 0027): a course's poster (the uploaded one, else the poster frame
of its first lecture with a ready video, else none) and its speakers' photos.

The catalog is public while lecture media is private and signed (ADR 0007), so these images have a
route of their own that serves only what is flagged public: the poster or photo a producer uploaded
to a published course, or the poster frame of a published lecture's current video. Nothing in the
URL names a file: the view works the file out again from the database, and the ``key`` (a digest
of the stored name) only has to match, so a changed poster gets a new URL and old URLs stop working.
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from ..models import Course, Lecture, PresenterProfile, Video
from ..models.images import CONTENT_TYPES

LOCAL_MAX_AGE = 3600  # a browser keeps an image an hour; a changed poster has a new URL anyway
S3_URL_TTL = 3600  # presigned GET for S3; the redirect itself is cached for less
S3_REDIRECT_MAX_AGE = 600


def image_key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def video_poster_name(output_prefix: str | None) -> str:
    return f"{output_prefix}/poster.jpg" if output_prefix else ""


def first_ready_video(field: str, course: str = "pk") -> Subquery:
    """An annotation on courses: ``field`` of the current ready video of the course's first
    published lecture (by position) that has one."""
    videos = Video.objects.filter(
        lecture__course=OuterRef(course),
        lecture__status=Lecture.Status.PUBLISHED,
        is_current=True,
        status=Video.Status.READY,
    ).order_by("lecture__position", "lecture_id")
    return Subquery(videos.values(field)[:1])


@dataclass(frozen=True)
class Poster:
    """A course's poster: its public URL and what it shows (for the ``alt`` text)."""

    url: str
    description: str = ""  # the producer's description of an uploaded poster
    lecture_title: str = ""  # the poster frame of this lecture's video
    course_title: str = ""

    @property
    def alt(self) -> str:
        """Read when the page renders, so it is in the page's language."""
        if self.description:
            return self.description
        if self.lecture_title:
            return gettext("A still from the lecture “%(title)s”") % {"title": self.lecture_title}
        return gettext("Poster of the course “%(title)s”") % {"title": self.course_title}


def course_poster(course: Course, *, video_prefix: str | None, lecture_title: str = "") -> Poster | None:
    """The fallback chain: the uploaded poster, else the first ready lecture video's poster frame
    (``video_prefix``: that video's ``output_prefix``), else none."""
    name = course.poster.name if course.poster else ""
    if name:
        key = image_key(name)
        return Poster(
            url=_poster_url(course.slug, key), description=course.poster_alt, course_title=course.title
        )
    return lecture_frame(slug=course.slug, video_prefix=video_prefix, lecture_title=lecture_title)


def lecture_frame(*, slug: str, video_prefix: str | None, lecture_title: str) -> Poster | None:
    """The poster frame of a lecture's ready video (``video_prefix``), on the course's public route."""
    name = video_poster_name(video_prefix)
    if not name:
        return None
    return Poster(url=_poster_url(slug, image_key(name)), lecture_title=lecture_title)


def _poster_url(slug: str, key: str) -> str:
    return reverse("courses:course_poster", kwargs={"slug": slug, "key": key})


def presenter_photo_url(*, slug: str, profile_id: int, photo: str) -> str:
    if not photo:
        return ""
    return reverse(
        "courses:presenter_photo", kwargs={"slug": slug, "pk": profile_id, "key": image_key(photo)}
    )


# --- serving ---------------------------------------------------------------------------------------


def _current_poster_name(slug: str) -> str:
    course = (
        Course.objects.published()
        .filter(slug=slug)
        .annotate(video_prefix=first_ready_video("output_prefix"))
        .values("poster", "video_prefix")
        .first()
    )
    if course is None:
        return ""
    return course["poster"] or video_poster_name(course["video_prefix"])


def _serve(name: str, key: str) -> HttpResponse:
    if not name or image_key(name) != key:
        raise Http404(gettext("No such image."))
    content_type = CONTENT_TYPES.get(posixpath.splitext(name)[1].lower())
    if content_type is None:
        raise Http404(gettext("No such image."))
    if getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""):
        response = HttpResponseRedirect(default_storage.url(name, expire=S3_URL_TTL))
        response["Cache-Control"] = f"public, max-age={S3_REDIRECT_MAX_AGE}"
        return response
    if getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", ""):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX.rstrip("/") + "/" + name
    else:
        try:
            response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        except FileNotFoundError as exc:
            raise Http404(gettext("No such image.")) from exc
    response["Cache-Control"] = f"public, max-age={LOCAL_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def poster(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """A published course's poster, public (the catalog is). A draft's or archived course's: 404."""
    return _serve(_current_poster_name(slug), key)


@require_GET
def presenter_photo(request: HttpRequest, slug: str, pk: int, key: str) -> HttpResponse:
    """A speaker's photo on a published course's page, public like the page."""
    photo = (
        PresenterProfile.objects.filter(pk=pk, course__in=Course.objects.published().filter(slug=slug))
        .values_list("photo", flat=True)
        .first()
    )
    return _serve(photo or "", key)
