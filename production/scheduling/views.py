"""Studio pages of scheduling: recording sessions and pre-talks (one set of helpers for both kinds),
holds and postponement, the calendar, locations and the calendar feed. Each view checks access
(``studio_view`` + the selectors' team filter), parses a form and calls one service; service errors
are shown on the form field they name."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omooc.exceptions import ApplicationError
from production import access, history
from production.models import CalendarFeed, CrewAssignment, Location, ScheduledItem, Speaker
from production.views import _apply, studio_view

from . import feeds, forms, selectors, services

DETAIL = {"session": "production:session", "pretalk": "production:pretalk"}


def _warn_conflicts(request, conflicts: list[str]) -> None:
    for conflict in conflicts:
        messages.warning(request, _("Conflict: %(conflict)s") % {"conflict": conflict})


def _form_page(request, form, production, title) -> HttpResponse:
    return render(request, "production/form.html", {"form": form, "production": production, "title": title})


def _plan(request, pk: int, form_class, create, *, success: str, title: str) -> HttpResponse:
    """Plan a session or pre-talk in a production; conflicts are warnings, not refusals."""
    production = access.production_get_for(user=request.user, pk=pk)
    form = form_class(request.POST or None, production=production)
    if request.method == "POST" and form.is_valid():
        result = {}
        if _apply(
            form,
            lambda: result.setdefault(
                "item", create(production=production, **form.cleaned_data, by=request.user)
            ),
        ):
            item = result["item"]
            messages.success(request, success)
            _warn_conflicts(request, selectors.conflicts_for(item, user=request.user))
            return redirect(DETAIL[item.KIND], pk=item.pk)
    return _form_page(request, form, production, title)


def _change(request, item: ScheduledItem, form_class, initial, update, *, success: str, title: str):
    form = form_class(request.POST or None, initial=initial, production=item.production)
    if request.method == "POST" and form.is_valid() and _apply(form, lambda: update(item, form.cleaned_data)):
        messages.success(request, success)
        _warn_conflicts(request, selectors.conflicts_for(item, user=request.user))
        return redirect(DETAIL[item.KIND], pk=item.pk)
    return _form_page(request, form, item.production, title)


def _item_action(request, item: ScheduledItem, form_class, call, success, title, **form_kwargs):
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid() and _apply(form, lambda: call(item, form.cleaned_data)):
        messages.success(request, success)
        return redirect(DETAIL[item.KIND], pk=item.pk)
    return _form_page(request, form, item.production, title)


def _remove_speaker(request, item: ScheduledItem, speaker_id: int, remove) -> HttpResponse:
    speaker = get_object_or_404(Speaker, pk=speaker_id)
    try:
        remove(item, speaker)
        messages.success(request, _("Speaker removed."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(DETAIL[item.KIND], pk=item.pk)


def _rsvp(request, item: ScheduledItem, speaker_id: int) -> HttpResponse:
    """A producer records a speaker's answer for them."""
    attendance = get_object_or_404(item.attendances, speaker_id=speaker_id)
    form = forms.RsvpForm(request.POST or None, initial={"rsvp": attendance.rsvp})
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(
            form,
            lambda: services.attendance_respond(attendance=attendance, **form.cleaned_data, by=request.user),
        )
    ):
        messages.success(request, _("Response recorded."))
        return redirect(reverse(DETAIL[item.KIND], kwargs={"pk": item.pk}))
    title = _("Response of %(speaker)s") % {"speaker": attendance.speaker}
    return render(request, "production/form.html", {"form": form, "title": title})


# --- recording sessions -------------------------------------------------------------------


@studio_view
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan(
        request,
        pk,
        forms.SessionForm,
        services.recording_session_create,
        success=_("Recording session planned."),
        title=_("Plan a recording session"),
    )


@studio_view
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    return render(
        request,
        "production/session.html",
        {
            "session": session,
            "production": session.production,
            "conflicts": selectors.conflicts_for(session, user=request.user),
            "history": history.history_for(subject=session),
            "state_form": forms.SessionStateForm(session=session),
            "hold_form": forms.HoldForm(),
            "speaker_form": forms.SpeakerChoiceForm(),
            "crew_form": forms.CrewForm(),
            "rsvp_form": forms.RsvpForm(),
            "open": session.state not in ("recorded", "cancelled"),
        },
    )


@studio_view
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    initial = {
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "location": session.location,
        "lectures": list(session.lectures.all()),
        "notes": session.notes,
    }
    return _change(
        request,
        session,
        forms.SessionChangeForm,
        initial,
        lambda s, d: services.recording_session_update(session=s, **d, by=request.user),
        success=_("Recording session changed."),
        title=_("Reschedule or move the recording session"),
    )


def _session_action(request, pk, form_class, call, success, title, **form_kwargs):
    session = selectors.session_get_for(user=request.user, pk=pk)
    if form_class is forms.SessionStateForm:
        form_kwargs["session"] = session
    return _item_action(request, session, form_class, call, success, title, **form_kwargs)


@studio_view
def session_state(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_action(
        request,
        pk,
        forms.SessionStateForm,
        lambda s, d: services.recording_session_transition(session=s, **d, by=request.user),
        _("State changed."),
        _("Change the state of the recording session"),
    )


@studio_view
def session_hold(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_action(
        request,
        pk,
        forms.HoldForm,
        lambda s, d: services.recording_session_hold(session=s, **d, by=request.user),
        _("The session is on hold."),
        _("Put the recording session on hold"),
    )


@studio_view
def session_add_speaker(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_action(
        request,
        pk,
        forms.SpeakerChoiceForm,
        lambda s, d: services.recording_session_add_speaker(session=s, speaker=d["speaker"], by=request.user),
        _("Speaker added."),
        _("Add a speaker"),
    )


@studio_view
def session_add_crew(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_action(
        request,
        pk,
        forms.CrewForm,
        lambda s, d: services.crew_assign(session=s, **d, by=request.user),
        _("Crew member added."),
        _("Add a crew member"),
    )


@require_POST
@studio_view
def session_remove_speaker(request: HttpRequest, pk: int, speaker_id: int) -> HttpResponse:
    return _remove_speaker(
        request,
        selectors.session_get_for(user=request.user, pk=pk),
        speaker_id,
        lambda s, speaker: services.recording_session_remove_speaker(
            session=s, speaker=speaker, by=request.user
        ),
    )


@require_POST
@studio_view
def session_remove_crew(request: HttpRequest, pk: int, crew_id: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    crew = get_object_or_404(CrewAssignment, pk=crew_id, session=session)
    services.crew_remove(crew=crew, by=request.user)
    messages.success(request, _("Crew member removed."))
    return redirect("production:session", pk=session.pk)


@studio_view
def session_rsvp(request: HttpRequest, pk: int, speaker_id: int) -> HttpResponse:
    return _rsvp(request, selectors.session_get_for(user=request.user, pk=pk), speaker_id)


# --- pre-talks --------------------------------------------------------------------------


@studio_view
def pretalk_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan(
        request,
        pk,
        forms.PreTalkForm,
        services.pretalk_create,
        success=_("Pre-talk planned."),
        title=_("Plan a pre-talk"),
    )


@studio_view
def pretalk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pretalk = selectors.pretalk_get_for(user=request.user, pk=pk)
    return render(
        request,
        "production/pretalk.html",
        {
            "pretalk": pretalk,
            "production": pretalk.production,
            "conflicts": selectors.conflicts_for(pretalk, user=request.user)
            if pretalk.state == "planned"
            else [],
            "history": history.history_for(subject=pretalk),
            "held_form": forms.PreTalkHeldForm(),
            "cancel_form": forms.ReasonForm(),
            "speaker_form": forms.SpeakerChoiceForm(),
        },
    )


@studio_view
def pretalk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pretalk = selectors.pretalk_get_for(user=request.user, pk=pk)
    initial = {
        "starts_at": pretalk.starts_at,
        "duration_minutes": pretalk.duration_minutes,
        "mode": pretalk.mode,
        "place": pretalk.place,
        "video_link": pretalk.video_link,
        "lectures": list(pretalk.lectures.all()),
    }
    return _change(
        request,
        pretalk,
        forms.PreTalkChangeForm,
        initial,
        lambda p, d: services.pretalk_update(pretalk=p, **d, by=request.user),
        success=_("Pre-talk changed."),
        title=_("Change the pre-talk"),
    )


def _pretalk_action(request, pk, form_class, call, success, title):
    pretalk = selectors.pretalk_get_for(user=request.user, pk=pk)
    return _item_action(request, pretalk, form_class, call, success, title)


@studio_view
def pretalk_held(request: HttpRequest, pk: int) -> HttpResponse:
    return _pretalk_action(
        request,
        pk,
        forms.PreTalkHeldForm,
        lambda p, d: services.pretalk_mark_held(pretalk=p, **d, by=request.user),
        _("Pre-talk marked as held."),
        _("Mark the pre-talk as held"),
    )


@studio_view
def pretalk_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _pretalk_action(
        request,
        pk,
        forms.ReasonForm,
        lambda p, d: services.pretalk_cancel(pretalk=p, **d, by=request.user),
        _("Pre-talk cancelled."),
        _("Cancel the pre-talk"),
    )


@studio_view
def pretalk_add_speaker(request: HttpRequest, pk: int) -> HttpResponse:
    return _pretalk_action(
        request,
        pk,
        forms.SpeakerChoiceForm,
        lambda p, d: services.pretalk_add_speaker(pretalk=p, speaker=d["speaker"], by=request.user),
        _("Speaker added."),
        _("Add a speaker"),
    )


@require_POST
@studio_view
def pretalk_remove_speaker(request: HttpRequest, pk: int, speaker_id: int) -> HttpResponse:
    return _remove_speaker(
        request,
        selectors.pretalk_get_for(user=request.user, pk=pk),
        speaker_id,
        lambda p, speaker: services.pretalk_remove_speaker(pretalk=p, speaker=speaker, by=request.user),
    )


@studio_view
def pretalk_rsvp(request: HttpRequest, pk: int, speaker_id: int) -> HttpResponse:
    return _rsvp(request, selectors.pretalk_get_for(user=request.user, pk=pk), speaker_id)


# --- holds of whole productions, calendar, locations, feed ---------------------------------


@studio_view
def production_postpone(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    production = access.production_get_for(user=request.user, pk=pk) if pk else None
    form = forms.PostponeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        targets = [production] if production else access.production_list(user=request.user)
        result = {}

        def call():
            result["changed"] = services.production_postpone_recordings(
                productions=targets, **form.cleaned_data, by=request.user
            )

        if _apply(form, call):
            messages.success(
                request,
                _("%(count)d recording session(s) put on hold until at least %(date)s.")
                % {"count": len(result["changed"]), "date": form.cleaned_data["until"].isoformat()},
            )
            return (
                redirect("production:board", pk=production.pk) if production else redirect("production:home")
            )
    return render(
        request,
        "production/form.html",
        {
            "form": form,
            "production": production,
            "title": _("Hold all recordings of %(name)s") % {"name": production}
            if production
            else _("Hold all recordings of all my productions"),
            "submit": _("Put on hold"),
        },
    )


@studio_view
def calendar(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("view", "week")
    try:
        anchor = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else None
    except ValueError:
        anchor = None
        messages.error(request, _("Use a date like 2026-04-06."))
    view = selectors.calendar_for(user=request.user, mode=mode, anchor=anchor)
    return render(request, "production/calendar.html", {"cal": view})


@studio_view
def location_list(request: HttpRequest) -> HttpResponse:
    form = forms.LocationForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _apply(form, lambda: services.location_create(**form.cleaned_data))
    ):
        messages.success(request, _("Location added."))
        return redirect("production:locations")
    return render(
        request,
        "production/locations.html",
        {"locations": Location.objects.order_by("name", "id"), "form": form},
    )


@studio_view
def feed_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        feeds.calendar_feed_rotate(user=request.user)
        messages.success(request, _("A new feed address was made; the old one no longer works."))
        return redirect("production:feed_settings")
    feed = feeds.calendar_feed_get_or_create(user=request.user)
    url = request.build_absolute_uri(reverse("production:feed", kwargs={"token": feed.token}))
    return render(request, "production/feed.html", {"feed_url": url})


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret-URL iCalendar feed: no login (calendar apps cannot log in); the token is the key."""
    feed_row = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed_row is None or not feed_row.user.is_active or not feed_row.user.is_producer:
        raise Http404
    sessions, pretalks = selectors.schedule_for_feed(user=feed_row.user)
    response = HttpResponse(
        feeds.schedule_calendar(sessions=sessions, pretalks=pretalks),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="omooc-studio.ics"'
    return response
