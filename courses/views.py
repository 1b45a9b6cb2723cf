"""Learner pages: catalog, course, enrollment, dashboard, lecture player, heartbeats, signed media,
certificates and email opt-out. Logic lives in selectors/services; these only wire HTTP."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omooc.exceptions import ApplicationError

from . import beacon, catalog_cache, catalog_cards, media_access, progress, selectors
from .models import Certificate, Course, Enrollment, LearnerEmailPreference
from .services import learning as services

CATALOG_PAGE_SIZE = 12


def _catalog_filters(request: HttpRequest) -> dict[str, str]:
    languages = {code for code, _name in settings.LANGUAGES}
    language = request.GET.get("language", "")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "language": language if language in languages else "",
        "theme": request.GET.get("theme", "").strip()[:100],
        "sort": request.GET.get("sort", "") if request.GET.get("sort", "") in catalog_cards.SORTS else "",
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    filters = _catalog_filters(request)
    page_number = request.GET.get("page", "")[:10]
    query = urlencode({key: value for key, value in filters.items() if value})

    def results() -> str:
        # The same for every visitor: built once per catalog version (courses/catalog_cache.py).
        page = Paginator(catalog_cards.course_cards(**filters), CATALOG_PAGE_SIZE).get_page(page_number)
        page.object_list = list(page.object_list)
        catalog_cards.course_cards_speakers(page.object_list)
        searched = any(value for key, value in filters.items() if key != "sort")
        context = {"page": page, "query": query, "filtered": searched}
        return render_to_string("courses/_catalog_results.html", context)

    language = translation.get_language()
    return render(
        request,
        "courses/home.html",
        {
            "results": catalog_cache.cached("home", (filters, page_number, language), results),
            "filters": filters,
            "themes": catalog_cache.cached("themes", (), lambda: list(selectors.theme_list_in_catalog())),
            "languages": settings.LANGUAGES,
        },
    )


@require_GET
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.course_page(slug=slug, user=request.user)
    if page is None:
        raise Http404(_("No such course."))
    # Title, description, speakers: the same for every visitor, rendered once per catalog version.
    header = catalog_cache.cached(
        "course-header",
        (slug, translation.get_language()),
        lambda: render_to_string("courses/_course_header.html", {"page": page, "course": page.course}),
    )
    context = {"page": page, "course": page.course, "header": mark_safe(header)}  # noqa: S308 - our template's output
    return render(request, "courses/course_detail.html", context)


@require_POST
def enroll(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("courses:course_detail", kwargs={"slug": slug}))
    course = get_object_or_404(Course.objects.published(), slug=slug)
    services.enrollment_create(user=request.user, course=course)
    messages.success(request, _("You are enrolled in %(course)s.") % {"course": course.title})
    return redirect("courses:course_detail", slug=slug)


@require_POST
@login_required
def unenroll(request: HttpRequest, slug: str) -> HttpResponse:
    enrollment = get_object_or_404(Enrollment, user=request.user, course__slug=slug)
    services.enrollment_leave(enrollment=enrollment)
    messages.success(
        request,
        _("You left %(course)s. Your progress is kept if you enroll again.")
        % {"course": enrollment.course.title},
    )
    return redirect("courses:dashboard")


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    enrollments = list(selectors.dashboard_enrollments(user=request.user))
    preference = LearnerEmailPreference.objects.filter(user=request.user).first()
    return render(
        request,
        "courses/dashboard.html",
        {"enrollments": enrollments, "preference": preference or LearnerEmailPreference(user=request.user)},
    )


@require_POST
@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    for kind in sorted(services.EMAIL_KINDS):
        services.learner_email_preference_set(
            user=request.user, kind=kind, enabled=request.POST.get(kind) == "on"
        )
    messages.success(request, _("Your email preferences are saved."))
    return redirect("courses:dashboard")


def resume_position(page: selectors.LecturePage) -> float:
    """The last position on any device: the buffer's newest heartbeat, else the database's."""
    if page.enrollment is None:
        return 0.0
    position, at = 0.0, 0.0
    if page.progress is not None:
        position = page.progress.position_seconds
        at = page.progress.last_heartbeat_at.timestamp() if page.progress.last_heartbeat_at else 0.0
    latest = progress.latest_position(enrollment_id=page.enrollment.pk, lecture_id=page.lecture.pk)
    if latest and latest[1] > at:
        position = latest[0]
    duration = selectors.lecture_duration(page)
    if duration and position >= duration - 5:
        return 0.0  # finished: start again from the beginning
    return round(position, 1)


@require_GET
@never_cache
def lecture(request: HttpRequest, slug: str, lecture_slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    page = selectors.lecture_page(slug=slug, lecture_slug=lecture_slug, user=request.user)
    if page is None:
        raise Http404(_("No such lecture."))
    # page.access: the one lecture-access rule (courses/permissions.py), as the API and media views
    if page.access.code == "not_enrolled":
        messages.info(request, _("Enroll in this course to watch its lectures."))
        return redirect("courses:course_detail", slug=slug)
    context = {"page": page, "course": page.course, "lecture": page.lecture}
    if page.access.code == "not_released":
        return render(request, "courses/lecture_unreleased.html", context, status=200)
    enrollment_id = page.enrollment.pk if page.enrollment else 0
    urls = media_access.playback_urls(
        lecture=page.lecture,
        video=page.video,
        captions=page.captions,
        enrollment_id=enrollment_id,
        user_id=request.user.pk,
    )
    languages = [track["language"] for track in urls["captions"]]
    default = request.LANGUAGE_CODE if request.LANGUAGE_CODE in languages else page.course.language
    default = default if default in languages else (languages[0] if languages else "")
    for track in urls["captions"]:
        track["default"] = track["language"] == default
    context.update(
        urls=urls,
        resume=resume_position(page),
        duration=selectors.lecture_duration(page),
        playback_token=(
            progress.playback_token(
                enrollment_id=enrollment_id,
                lecture_id=page.lecture.pk,
                user_id=request.user.pk,
                duration=selectors.lecture_duration(page),
            )
            if page.enrollment
            else ""
        ),
        player_language=request.LANGUAGE_CODE,
    )
    return render(request, "courses/lecture.html", context)


@require_GET
@never_cache
def lecture_media(request: HttpRequest, slug: str, lecture_slug: str) -> HttpResponse:
    """Fresh signed URLs for a page that has been open longer than ``MEDIA_URL_TTL``."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"message": _("Log in again to keep watching."), "code": "not_authenticated"}, status=403
        )
    page = selectors.lecture_page(slug=slug, lecture_slug=lecture_slug, user=request.user)
    if page is None or not page.access.allowed:
        message = _("Enroll in this course to watch its lectures.")
        return JsonResponse({"message": message, "code": "not_enrolled"}, status=403)
    urls = media_access.playback_urls(
        lecture=page.lecture,
        video=page.video,
        captions=[],
        enrollment_id=page.enrollment.pk if page.enrollment else 0,
        user_id=request.user.pk,
    )
    token = ""
    if page.enrollment:  # a fresh playback token too: on /progress/beat/ it is the only credential
        token = progress.playback_token(
            enrollment_id=page.enrollment.pk,
            lecture_id=page.lecture.pk,
            user_id=request.user.pk,
            duration=selectors.lecture_duration(page),
        )
    return JsonResponse({"master": urls["master"], "expires_in": urls["expires_in"], "token": token})


@require_POST
def heartbeat(request: HttpRequest) -> HttpResponse:
    """The session-checked heartbeat (form-encoded with the CSRF token), kept for pages loaded before
    the player moved to ``/progress/beat/`` (``beat`` below). Writes only to the buffer; the flush
    task moves it to the database."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"message": _("Log in again to save your progress."), "code": "not_authenticated"}, status=403
        )
    try:
        claims = progress.read_playback_token(request.POST.get("token", ""), user_id=request.user.pk)
        progress.record(
            claims=claims,
            position=request.POST.get("position"),
            played_from=request.POST.get("played_from"),
            event=request.POST.get("event", "tick"),
        )
    except ApplicationError as exc:
        return JsonResponse(
            {"message": exc.message, "code": exc.code, "extra": exc.extra}, status=exc.status_code
        )
    return HttpResponse(status=204)


@csrf_exempt  # the playback token in the body is the whole credential; no cookie is used (ADR 0009)
def beat(request: HttpRequest) -> HttpResponse:
    """The player's heartbeat without a session: ``courses.beacon``, mounted in Django's URLconf."""
    return beacon.respond(request)


@require_http_methods(["GET", "HEAD"])
def media(request: HttpRequest, token: str, path: str) -> HttpResponse:
    try:
        return media_access.serve(request, token, path)
    except media_access.MediaAccessDenied as exc:
        return HttpResponse(exc.message, status=403, content_type="text/plain; charset=utf-8")


@require_GET
def certificate_verify(request: HttpRequest, uid) -> HttpResponse:
    certificate = get_object_or_404(Certificate.objects.select_related("enrollment__course"), uid=uid)
    return render(request, "courses/certificate_verify.html", {"certificate": certificate})


@require_GET
def certificate_pdf(request: HttpRequest, uid) -> HttpResponse:
    from .certificates import render_pdf

    certificate = get_object_or_404(Certificate, uid=uid)
    response = HttpResponse(
        render_pdf(certificate, language=request.LANGUAGE_CODE), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.uid}.pdf"'
    return response


@csrf_exempt  # the signed token authorises; mail clients post one-click opt-outs without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    from omooc.accounts.models import User

    try:
        user_id, kind = services.read_unsubscribe_token(token)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    user = get_object_or_404(User, pk=user_id)
    done = False
    if request.method == "POST":
        services.learner_email_preference_set(user=user, kind=kind, enabled=False)
        done = True
    return render(request, "courses/unsubscribe.html", {"kind": kind, "done": done, "now": timezone.now()})
