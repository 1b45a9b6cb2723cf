"""Studio pages of scheduling: recording sessions and pre-talks (one set of helpers for both kinds),
holds and postponement, locations and the calendar feed (the calendar is in ``calendar_views.py``).
Each view checks access (``studio_view`` + the selectors' team filter), parses a form and calls one
service; service errors are shown on the form field they name."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from omooc.exceptions import ApplicationError
from production import access, history
from production.models import CalendarFeed, CrewAssignment, Location, ScheduledItem, Speaker
from production.views import saved, studio_view

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
    # ?lectures=1&lectures=2 ticks those lectures (the board's "plan a session for the selected")
    initial = {"lectures": request.GET.getlist("lectures")}
    form = form_class(request.POST or None, production=production, initial=initial)
    done = saved(request, form, lambda data: create(production=production, **data, by=request.user), success)
    if done:
        item = done.result
        _warn_conflicts(request, selectors.conflicts_for(item, user=request.user))
        return redirect(DETAIL[item.KIND], pk=item.pk)
    return _form_page(request, form, production, title)


def _change(request, item: ScheduledItem, form_class, initial, update, *, success: str, title: str):
    form = form_class(request.POST or None, initial=initial, production=item.production)
    if saved(request, form, lambda data: update(item, data), success):
        _warn_conflicts(request, selectors.conflicts_for(item, user=request.user))
        return redirect(DETAIL[item.KIND], pk=item.pk)
    return _form_page(request, form, item.production, title)


def _item_action(request, item: ScheduledItem, form_class, call, success, title, **form_kwargs):
    form = form_class(request.POST or None, **form_kwargs)
    if saved(request, form, lambda data: call(item, data), success):
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
    if saved(
        request,
        form,
        lambda data: services.attendance_respond(attendance=attendance, **data, by=request.user),
        _("Response recorded."),
    ):
        return redirect(reverse(DETAIL[item.KIND], kwargs={"pk": item.pk}))
    title = _("Response of %(speaker)s") % {"speaker": attendance.speaker}
    return render(request, "production/form.html", {"form": form, "title": title})


# --- recording sessions and pre-talks -------------------------------------------------------

_l = gettext_lazy
GET_FOR = {"session": selectors.session_get_for, "pretalk": selectors.pretalk_get_for}

# The forms on an item's page, by URL name: the form and the service it calls with the item.
ACTIONS = {
    "session_state": (forms.SessionStateForm, services.recording_session_transition),
    "session_add_speaker": (forms.SpeakerChoiceForm, services.recording_session_add_speaker),
    "session_add_crew": (forms.CrewForm, services.crew_assign),
    "pretalk_held": (forms.PreTalkHeldForm, services.pretalk_mark_held),
    "pretalk_cancel": (forms.ReasonForm, services.pretalk_cancel),
    "pretalk_add_speaker": (forms.SpeakerChoiceForm, services.pretalk_add_speaker),
}
# What the pages say: the message when done and the page title.
WORDS = {
    "session_state": (_l("State changed."), _l("Change the state of the recording session")),
    "session_add_speaker": (_l("Speaker added."), _l("Add a speaker")),
    "session_add_crew": (_l("Crew member added."), _l("Add a crew member")),
    "pretalk_held": (_l("Pre-talk marked as held."), _l("Mark the pre-talk as held")),
    "pretalk_cancel": (_l("Pre-talk cancelled."), _l("Cancel the pre-talk")),
    "pretalk_add_speaker": (_l("Speaker added."), _l("Add a speaker")),
    "session_create": (_l("Recording session planned."), _l("Plan a recording session")),
    "pretalk_create": (_l("Pre-talk planned."), _l("Plan a pre-talk")),
}


def _action(name: str):
    """The view of one form on a session's or pre-talk's page (``ACTIONS``): the service gets the
    item (``session=`` or ``pretalk=``), the form's data and the producer."""
    form_class, service = ACTIONS[name]
    success, title = WORDS[name]
    get_for = GET_FOR[name.split("_")[0]]

    def view(request: HttpRequest, pk: int) -> HttpResponse:
        item = get_for(user=request.user, pk=pk)
        form_kwargs = {"session": item} if form_class is forms.SessionStateForm else {}
        return _item_action(
            request,
            item,
            form_class,
            lambda i, data: service(**{i.KIND: i}, **data, by=request.user),
            success,
            title,
            **form_kwargs,
        )

    view.__name__ = view.__qualname__ = name
    return studio_view(view)


(
    session_state,
    session_add_speaker,
    session_add_crew,
    pretalk_held,
    pretalk_cancel,
    pretalk_add_speaker,
) = (_action(name) for name in ACTIONS)


# Planning one, by kind: the form and the services that plan one and take a speaker off it.
PLANNING = {
    "session": (
        forms.SessionForm,
        services.recording_session_create,
        services.recording_session_remove_speaker,
    ),
    "pretalk": (forms.PreTalkForm, services.pretalk_create, services.pretalk_remove_speaker),
}


def _item_views(kind: str):
    """The views both kinds have, written once: plan one, take a speaker off, record an answer."""
    form_class, create, remove = PLANNING[kind]
    planned, title = WORDS[f"{kind}_create"]

    @studio_view
    def plan(request: HttpRequest, pk: int) -> HttpResponse:
        return _plan(request, pk, form_class, create, success=planned, title=title)

    @require_POST
    @studio_view
    def remove_speaker(request: HttpRequest, pk: int, speaker_id: int) -> HttpResponse:
        item = GET_FOR[kind](user=request.user, pk=pk)
        return _remove_speaker(
            request,
            item,
            speaker_id,
            lambda i, speaker: remove(**{kind: i}, speaker=speaker, by=request.user),
        )

    @studio_view
    def rsvp(request: HttpRequest, pk: int, speaker_id: int) -> HttpResponse:
        return _rsvp(request, GET_FOR[kind](user=request.user, pk=pk), speaker_id)

    return plan, remove_speaker, rsvp


session_create, session_remove_speaker, session_rsvp = _item_views("session")
pretalk_create, pretalk_remove_speaker, pretalk_rsvp = _item_views("pretalk")


def _detail(request, item: ScheduledItem, conflicts: list[str], **forms_on_page) -> HttpResponse:
    context = {item.KIND: item, "item": item, "production": item.production, "conflicts": conflicts}
    context["history"] = history.history_for(subject=item)
    context["speaker_form"] = forms.SpeakerChoiceForm()
    return render(request, f"production/{item.KIND}.html", {**context, **forms_on_page})


@studio_view
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    return _detail(
        request,
        session,
        selectors.conflicts_for(session, user=request.user),
        state_form=forms.SessionStateForm(session=session),
        hold_form=forms.HoldForm(),
        crew_form=forms.CrewForm(),
        rsvp_form=forms.RsvpForm(),
        open=session.state not in ("recorded", "cancelled"),
    )


@studio_view
def pretalk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pretalk = selectors.pretalk_get_for(user=request.user, pk=pk)
    planned = pretalk.state == "planned"
    conflicts = selectors.conflicts_for(pretalk, user=request.user) if planned else []
    return _detail(
        request,
        pretalk,
        conflicts,
        held_form=forms.PreTalkHeldForm(),
        cancel_form=forms.ReasonForm(),
        open=planned,
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


@studio_view
def pretalk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pretalk = selectors.pretalk_get_for(user=request.user, pk=pk)
    fields = ("starts_at", "duration_minutes", "mode", "place", "video_link")
    initial = {name: getattr(pretalk, name) for name in fields} | {"lectures": list(pretalk.lectures.all())}
    update = services.pretalk_update
    return _change(
        request,
        pretalk,
        forms.PreTalkChangeForm,
        initial,
        lambda p, d: update(pretalk=p, **d, by=request.user),
        success=_("Pre-talk changed."),
        title=_("Change the pre-talk"),
    )


@require_POST
@studio_view
def session_remove_crew(request: HttpRequest, pk: int, crew_id: int) -> HttpResponse:
    session = selectors.session_get_for(user=request.user, pk=pk)
    crew = get_object_or_404(CrewAssignment, pk=crew_id, session=session)
    services.crew_remove(crew=crew, by=request.user)
    messages.success(request, _("Crew member removed."))
    return redirect("production:session", pk=session.pk)


# --- locations, feed (the calendar: calendar_views.py; holds: hold_views.py) ----------------------


@studio_view
def location_list(request: HttpRequest) -> HttpResponse:
    form = forms.LocationForm(request.POST or None)
    if saved(request, form, lambda data: services.location_create(**data), _("Location added.")):
        return redirect("production:locations")
    return render(
        request,
        "production/locations.html",
        {"locations": Location.objects.order_by("name", "id"), "form": form, "title": _("Locations")},
    )


@studio_view
def feed_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        feeds.calendar_feed_rotate(user=request.user)
        messages.success(request, _("A new feed address was made; the old one no longer works."))
        return redirect("production:feed_settings")
    feed = feeds.calendar_feed_get_or_create(user=request.user)
    url = request.build_absolute_uri(reverse("production:feed", kwargs={"token": feed.token}))
    return render(request, "production/feed.html", {"feed_url": url, "title": _("Calendar feed")})


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
