"""Learner pages: course, enrollment, dashboard, lecture player, heartbeats, certificates and email
opt-out. Logic lives in selectors/services; these only wire HTTP."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omooc.exceptions import ApplicationError, json_error

from ..catalog import cache as catalog_cache
from ..models import Certificate, Course, Enrollment, LearnerEmailPreference
from . import beacon, certificates, pages, progress, selectors, services, syllabus

COURSE_PERSONAL = ("enrollment_box", "lecture_list", "unenroll_form")


@require_GET
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.course_page(slug=slug, user=request.user)
    if page is None:
        raise Http404(_("No such course."))
    language = translation.get_language()

    def header() -> str:
        # Title, description, speakers: the same for every visitor, rendered once per catalog version.
        return catalog_cache.cached(
            "course-header",
            (slug, language),
            lambda: render_to_string("courses/_course_header.html", {"page": page, "course": page.course}),
        )

    items = catalog_cache.cached(
        "course-items", (slug, language), lambda: [pages.lecture_item(row.lecture) for row in page.rows]
    )
    csrf = pages.csrf_token(request)
    authenticated = request.user.is_authenticated
    usable = pages.shell_usable(request)
    personal = {
        "enrollment_box": pages.enrollment_box(
            page, authenticated=authenticated, csrf=csrf, path=request.path, shelled=usable
        ),
        "lecture_list": syllabus.syllabus(page.rows, items),  # by module (issue 13)
        "unenroll_form": pages.unenroll_form(page, csrf=csrf),
    }
    context = {"page": page, "course": page.course}
    if not usable:
        context.update(personal, header=mark_safe(header()))  # noqa: S308 - our template's output
        return render(request, "courses/course_detail.html", context)
    shell = pages.shell(
        request,
        "courses/course_detail.html",
        lambda: {
            # Only what every visitor sees alike: the lectures, not the visitor's progress in them.
            "page": SimpleNamespace(rows=[row.lecture for row in page.rows]),
            "course": page.course,
            "header": mark_safe(header()),  # noqa: S308 - our template's output
            **{k: pages.hole(k) for k in COURSE_PERSONAL},
        },
        name="course-page",
        key=(slug,),
        is_producer=authenticated and request.user.is_producer,
    )
    return HttpResponse(shell.fill({**personal, "csrf": csrf}))


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


@require_GET
@pages.never_cached
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
    play = selectors.playback(page, user_id=request.user.pk)
    urls = play.urls
    resume = selectors.resume_position(page)
    language = request.LANGUAGE_CODE
    usable = page.access.learner and pages.shell_usable(request)
    html = pages.player(
        page,
        urls=urls,
        resume=resume,
        duration=play.duration,
        token=play.token,
        language=language,
        shelled=usable,
    )
    if not usable:
        player = {**context, "urls": urls, "resume": resume, "duration": play.duration}
        player.update(playback_token=play.token, player=html)
        return render(request, "courses/lecture.html", player)
    # What the shell shows of the player's media: whether there is a video and captions (the same
    # for everyone), never the signed URLs.
    shown = {"master": bool(urls["master"]), "captions": bool(urls["captions"])}
    shell = pages.shell(
        request,
        "courses/lecture.html",
        lambda: {
            # Only what every viewer sees alike: the neighbours, never the enrollment or progress.
            "page": SimpleNamespace(preview=False, previous=page.previous, next=page.next),
            "course": page.course,
            "lecture": page.lecture,
            "urls": shown,
            "player": pages.hole("player"),
        },
        name="lecture-page",
        key=(slug, lecture_slug, shown["master"], shown["captions"]),
        is_producer=request.user.is_producer,
    )
    return HttpResponse(shell.fill({"player": html, "csrf": pages.csrf_token(request)}))


@require_GET
@pages.never_cached
def lecture_media(request: HttpRequest, slug: str, lecture_slug: str) -> HttpResponse:
    """Fresh signed URLs for a page that has been open longer than ``MEDIA_URL_TTL``."""
    if not request.user.is_authenticated:
        return json_error(_("Log in again to keep watching."), code="not_authenticated", status=403)
    page = selectors.lecture_page(slug=slug, lecture_slug=lecture_slug, user=request.user)
    if page is None or not page.access.allowed:
        return json_error(_("Enroll in this course to watch its lectures."), code="not_enrolled", status=403)
    play = selectors.playback(page, user_id=request.user.pk, captions=False)
    return JsonResponse(
        {"master": play.urls["master"], "expires_in": play.urls["expires_in"], "token": play.token}
    )


@require_POST
def heartbeat(request: HttpRequest) -> HttpResponse:
    """The session-checked heartbeat (form-encoded with the CSRF token), kept for pages loaded before
    the player moved to ``/progress/beat/`` (``beat`` below). Writes only to the buffer; the flush
    task moves it to the database."""
    if not request.user.is_authenticated:
        return json_error(_("Log in again to save your progress."), code="not_authenticated", status=403)
    try:
        claims = progress.read_playback_token(request.POST.get("token", ""), user_id=request.user.pk)
        progress.record(
            claims=claims,
            position=request.POST.get("position"),
            played_from=request.POST.get("played_from"),
            event=request.POST.get("event", "tick"),
        )
    except ApplicationError as exc:
        return json_error(exc)
    return HttpResponse(status=204)


@csrf_exempt  # the playback token in the body is the whole credential; no cookie is used (ADR 0009)
def beat(request: HttpRequest) -> HttpResponse:
    """The player's heartbeat without a session: ``courses.learning.beacon``, mounted in Django's URLconf."""
    return beacon.respond(request)


@require_GET
def certificate_verify(request: HttpRequest, uid) -> HttpResponse:
    """The public check page (the address printed and encoded on the certificate): the minimum a
    verifier needs. Its owner sees the designed sheet there instead, with the PDF, QR code and LinkedIn."""
    certificate = get_object_or_404(Certificate.objects.select_related("enrollment"), uid=uid)
    if certificates.is_owner(certificate, request.user):
        response = render(request, "courses/certificate.html", certificates.owner_page(certificate))
    else:
        response = render(request, "courses/certificate_verify.html", {"certificate": certificate})
    patch_cache_control(response, private=True, no_cache=True)  # one address, two pages: never shared
    return response


@require_GET
@login_required
def certificate_pdf(request: HttpRequest, uid) -> HttpResponse:
    """The PDF, for its owner only: anybody else (another learner, a producer) gets a 404."""
    certificate = get_object_or_404(Certificate, uid=uid, enrollment__user=request.user)
    response = HttpResponse(
        certificates.render_pdf(certificate, language=request.LANGUAGE_CODE), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.uid}.pdf"'
    patch_cache_control(response, private=True, no_cache=True)
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
