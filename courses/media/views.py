"""Studio pages for media (mounted at /studio/media/): upload recordings, follow transcoding, retry,
manage caption tracks. Producers only. Uploads go through Django (streamed to disk) with local storage
and straight to the bucket (presigned POST) with S3; static/js/upload.js drives both and shows progress,
static/js/media-progress.js polls ``video_status`` while a video is processed."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omooc.accounts.permissions import producer_required, producer_required_json
from omooc.exceptions import ApplicationError, json_error

from ..models import Caption, Lecture, Video
from ..permissions import studio_courses_for
from . import access as media_access
from . import services as media_services
from . import storage as media_storage
from .forms import CaptionUploadForm, VideoUploadForm

RECENT_VIDEOS = 10


class SizeCapUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it is larger than the cap (before the disk fills up)."""

    def __init__(self, request=None, *, cap: int) -> None:
        super().__init__(request)
        self.cap = cap
        self.exceeded_at: int | None = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803
        # Fields before the file (the CSRF token) are still read; the file itself is not.
        if content_length and content_length > self.cap + 64 * 1024:
            self.exceeded_at = content_length
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.exceeded_at:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.cap:
            self.exceeded_at = start + len(raw_data)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get(
        "x-requested-with"
    ) == "XMLHttpRequest" or "application/json" in request.headers.get("accept", "")


def video_status_payload(video: Video) -> dict:
    return {
        "uid": str(video.uid),
        "status": video.status,
        "status_display": str(video.get_status_display()),
        "progress_percent": video.progress_percent,
        "eta_seconds": video.eta_seconds,
        "error": video.error,
        "active": video.is_active,
        "ready": video.status == Video.Status.READY,
        "can_retry": video.can_retry,
        "duration_seconds": video.duration_seconds,
        "renditions": [r.get("name") for r in video.renditions],
        "status_url": reverse("courses_media:video_status", kwargs={"uid": video.uid}),
    }


@producer_required
@require_GET
def media_index(request: HttpRequest) -> HttpResponse:
    """Every lecture of the producer's courses with its video and captions; ``?course=<id>`` keeps one
    course (an unknown id, or another team's course, is a 404: it does not exist for them)."""
    courses = studio_courses_for(request.user)
    course = None
    if request.GET.get("course"):
        wanted = request.GET["course"]
        course = courses.filter(pk=int(wanted)).first() if wanted.isdigit() and len(wanted) < 10 else None
        if course is None:
            raise Http404("No such course")
    lectures = (
        Lecture.objects.filter(**({"course": course} if course else {"course__in": courses}))
        .select_related("course")
        .prefetch_related(
            Prefetch(
                "videos",
                queryset=Video.objects.filter(is_current=True).order_by("-created_at", "-id"),
                to_attr="current_videos",
            ),
            Prefetch("captions", queryset=Caption.objects.order_by("language", "id")),
        )
        .order_by("course__title", "course_id", "position", "id")
    )
    page = Paginator(lectures, 50).get_page(request.GET.get("page"))
    choices = list(courses.order_by("title", "id").values_list("pk", "title"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "courses/studio/media_index.html",
        {"page": page, "course": course, "courses": choices, "keep_query": keep.urlencode()},
    )


def _preview_poster_url(lecture: Lecture, video, user) -> str:
    """The poster through a producer's signed preview link (media is never served unsigned)."""
    if video is None or not video.output_prefix:
        return ""
    return media_access.playback_urls(
        lecture=lecture, video=video, captions=[], enrollment_id=0, user_id=user.pk
    )["poster"]


def _lecture_context(lecture: Lecture, *, user, **extra) -> dict:
    videos = list(lecture.videos.order_by("-created_at", "-id")[:RECENT_VIDEOS])
    current = (
        next((v for v in videos if v.is_current), None) or lecture.videos.filter(is_current=True).first()
    )
    context = {
        "lecture": lecture,
        "videos": videos,
        "current": current,
        "poster_url": _preview_poster_url(lecture, current, user),
        "captions": list(lecture.captions.order_by("language", "id")),
        "direct_upload": media_storage.is_s3(),
        "max_upload": filesizeformat(media_services.max_upload_bytes()),
        "max_upload_bytes": media_services.max_upload_bytes(),
        "upload_form": VideoUploadForm(),
        "caption_form": CaptionUploadForm(initial={"language": lecture.course.language}),
    }
    context.update(extra)
    return context


def _lecture(lecture_id: int, user) -> Lecture:
    """A lecture of a course the producer works on (another team's is a 404)."""
    return get_object_or_404(
        Lecture.objects.filter(course__in=studio_courses_for(user)).select_related("course"), pk=lecture_id
    )


@producer_required
@require_GET
def lecture_media(request: HttpRequest, lecture_id: int) -> HttpResponse:
    return render(
        request,
        "courses/studio/lecture_media.html",
        _lecture_context(_lecture(lecture_id, request.user), user=request.user),
    )


@csrf_exempt
@producer_required
@require_POST
def video_upload(request: HttpRequest, lecture_id: int) -> HttpResponse:
    # The size cap must sit in front of Django's handlers before the body is read, so CSRF is
    # checked in the inner view (Django's documented pattern for custom upload handlers).
    handler = SizeCapUploadHandler(request, cap=media_services.max_upload_bytes())
    request.upload_handlers.insert(0, handler)
    return _video_upload(request, lecture_id, handler)


@csrf_protect
def _video_upload(request: HttpRequest, lecture_id: int, handler: SizeCapUploadHandler) -> HttpResponse:
    lecture = _lecture(lecture_id, request.user)
    form = VideoUploadForm(request.POST, request.FILES)
    try:
        if handler.exceeded_at:
            raise media_services.UploadError(
                _("file: the file is larger than %(limit)s, the most a recording may be.")
                % {"limit": filesizeformat(handler.cap)},
                code="upload_too_large",
                extra={"field": "file"},
            )
        if media_storage.is_s3():
            raise media_services.UploadError(
                _("With S3 storage recordings go straight to the bucket; reload the page."),
                code="upload_mode",
            )
        if not form.is_valid():
            raise media_services.UploadError(
                _("file: choose a recording to upload."), code="upload_missing", extra={"field": "file"}
            )
        video = media_services.video_upload(lecture=lecture, file=form.cleaned_data["file"], by=request.user)
    except ApplicationError as exc:
        if _wants_json(request):
            return json_error(exc, status=413 if exc.code == "upload_too_large" else 400)
        context = _lecture_context(lecture, user=request.user, upload_error=exc.message)
        return render(request, "courses/studio/lecture_media.html", context, status=400)
    if _wants_json(request):
        return JsonResponse(video_status_payload(video), status=201)
    messages.success(request, _("The recording was uploaded and is waiting to be transcoded."))
    return redirect("courses_media:lecture", lecture_id=lecture.pk)


@producer_required_json
@require_POST
def video_upload_start(request: HttpRequest, lecture_id: int) -> JsonResponse:
    lecture = _lecture(lecture_id, request.user)
    try:
        size = int(request.POST.get("size", ""))
    except ValueError:
        return json_error(_("size: give the file size in bytes."), code="invalid", extra={"field": "size"})
    try:
        video, post = media_services.video_upload_start(
            lecture=lecture, filename=request.POST.get("filename", ""), size=size, by=request.user
        )
    except ApplicationError as exc:
        return json_error(exc, status=413 if exc.code == "upload_too_large" else None)
    return JsonResponse(
        {
            "uid": str(video.uid),
            "url": post["url"],
            "fields": post["fields"],
            "complete_url": reverse("courses_media:video_complete", kwargs={"uid": video.uid}),
            "status_url": reverse("courses_media:video_status", kwargs={"uid": video.uid}),
        },
        status=201,
    )


@producer_required_json
@require_POST
def video_upload_complete(request: HttpRequest, uid) -> JsonResponse:
    video = get_object_or_404(Video, uid=uid, lecture__course__in=studio_courses_for(request.user))
    try:
        video = media_services.video_upload_complete(video=video, by=request.user)
    except ApplicationError as exc:
        return json_error(exc)
    return JsonResponse(video_status_payload(video))


@producer_required_json
@require_GET
def video_status(request: HttpRequest, uid) -> JsonResponse:
    video = get_object_or_404(Video, uid=uid, lecture__course__in=studio_courses_for(request.user))
    response = JsonResponse(video_status_payload(video))
    response["Cache-Control"] = "no-store"
    return response


def _video_action(request: HttpRequest, uid, action, done: str) -> HttpResponse:
    """Retry or delete a video of the producer's courses, then back to its lecture's media page."""
    video = get_object_or_404(Video, uid=uid, lecture__course__in=studio_courses_for(request.user))
    try:
        action(video=video, by=request.user)
        messages.success(request, done)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("courses_media:lecture", lecture_id=video.lecture_id)


@producer_required
@require_POST
def video_retry(request: HttpRequest, uid) -> HttpResponse:
    return _video_action(request, uid, media_services.video_retry, _("Transcoding will be tried again."))


@producer_required
@require_POST
def video_delete(request: HttpRequest, uid) -> HttpResponse:
    return _video_action(request, uid, media_services.video_delete, _("The video was removed."))


@producer_required
@require_POST
def caption_upload(request: HttpRequest, lecture_id: int) -> HttpResponse:
    lecture = _lecture(lecture_id, request.user)
    form = CaptionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            caption = media_services.caption_upload(
                lecture=lecture,
                language=form.cleaned_data["language"],
                file=form.cleaned_data["file"],
                by=request.user,
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request,
                _("Captions saved: %(count)s cues in %(language)s.")
                % {"count": caption.cue_count, "language": caption.get_language_display()},
            )
            return redirect("courses_media:lecture", lecture_id=lecture.pk)
    context = _lecture_context(lecture, user=request.user, caption_form=form)
    return render(request, "courses/studio/lecture_media.html", context, status=400)


@producer_required
@require_POST
def caption_delete(request: HttpRequest, caption_id: int) -> HttpResponse:
    caption = get_object_or_404(Caption, pk=caption_id, lecture__course__in=studio_courses_for(request.user))
    lecture_id = caption.lecture_id
    media_services.caption_delete(caption=caption, by=request.user)
    messages.success(request, _("The caption track was removed."))
    return redirect("courses_media:lecture", lecture_id=lecture_id)


@require_http_methods(["GET", "HEAD"])
def media(request: HttpRequest, token: str, path: str) -> HttpResponse:
    try:
        return media_access.serve(request, token, path)
    except media_access.MediaAccessDenied as exc:
        return HttpResponse(exc.message, status=403, content_type="text/plain; charset=utf-8")
