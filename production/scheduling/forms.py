"""Scheduling forms: sessions, pre-talks, holds and postponement, speakers' answers, crew, locations.
They only parse input; the services decide (and their errors land on the field).

Times are entered as wall-clock times in the current time zone. The night the clocks go back a
wall-clock time happens twice: the form then asks which one (an extra "<field>_occurrence" choice
appears, pre-selected when editing a stored time); a time that does not exist (the night the clocks
go forward) is refused saying why. ``cleaned_data`` holds aware datetimes only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import tzinfo as TzInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.models import Lecture
from production.forms import DateInput
from production.models import CrewAssignment, Location, PreTalk, RecordingSession, Rsvp, Speaker

from .states import SESSION_TRANSITIONS


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# --- wall-clock input across DST changes -----------------------------------------------------

FIRST, SECOND = "first", "second"


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def wall_clock_kind(naive: datetime, zone: TzInfo) -> str:
    """ "once", "twice" (the clocks go back: the time is repeated) or "never" (they go forward)."""
    earlier = naive.replace(tzinfo=zone, fold=0).utcoffset()
    later = naive.replace(tzinfo=zone, fold=1).utcoffset()
    if earlier == later:
        return "once"
    return "twice" if earlier > later else "never"


def occurrence_choices(naive: datetime, zone: TzInfo) -> list[tuple[str, str]]:
    first, second = (naive.replace(tzinfo=zone, fold=fold) for fold in (0, 1))
    return [
        (
            FIRST,
            gettext("the first %(time)s (%(name)s, %(offset)s)")
            % {"time": f"{naive:%H:%M}", "name": first.tzname(), "offset": _offset(first.utcoffset())},
        ),
        (
            SECOND,
            gettext("the second %(time)s (%(name)s, %(offset)s)")
            % {"time": f"{naive:%H:%M}", "name": second.tzname(), "offset": _offset(second.utcoffset())},
        ),
    ]


def local_instant(naive: datetime, zone: TzInfo, occurrence: str = "") -> datetime:
    """The instant a wall-clock time names in ``zone`` (in UTC). A repeated time needs
    ``occurrence`` (first/second); a time in the gap is refused; both with a message saying why."""
    kind = wall_clock_kind(naive, zone)
    when = f"{naive:%Y-%m-%d %H:%M}"
    if kind == "never":
        before = naive.replace(tzinfo=zone, fold=0).utcoffset()
        after = naive.replace(tzinfo=zone, fold=1).utcoffset()
        raise ValidationError(
            gettext(
                "%(time)s does not exist in %(zone)s: the clocks go forward that night (from "
                "%(before)s to %(after)s). Choose a time before or after the jump."
            )
            % {"time": when, "zone": zone, "before": _offset(before), "after": _offset(after)},
            code="nonexistent_time",
        )
    if kind == "twice" and occurrence not in (FIRST, SECOND):
        (_first, first_label), (_second, second_label) = occurrence_choices(naive, zone)
        raise ValidationError(
            gettext(
                "%(time)s happens twice in %(zone)s (the clocks go back that night). Choose which "
                "one below: %(first)s or %(second)s."
            )
            % {"time": when, "zone": zone, "first": first_label, "second": second_label},
            code="ambiguous_time",
        )
    return naive.replace(tzinfo=zone, fold=1 if occurrence == SECOND else 0).astimezone(UTC)


class LocalDateTimeField(forms.DateTimeField):
    """A datetime-local input read in the current time zone by the form (``ZonedTimesMixin``), which
    can ask which of two equal wall-clock times is meant. Input with an explicit UTC offset
    (``2027-10-31T02:30+01:00``) is taken as it is."""

    widget = DateTimeInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        try:
            result = parse_datetime(str(value).strip())
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not result:
            result = forms.fields.BaseTemporalField.to_python(self, value)
        return result  # naive (wall clock) or aware; the form resolves naive values


class ZonedTimesMixin:
    """Resolves every ``LocalDateTimeField`` to an instant in the current time zone, asking which
    one when the wall-clock time happens twice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone()
        for name in [n for n, f in self.fields.items() if isinstance(f, LocalDateTimeField)]:
            naive, selected = self._wall_clock(name, zone)
            if naive is None or wall_clock_kind(naive, zone) != "twice":
                continue
            choice = forms.ChoiceField(
                label=gettext("Which %(time)s?") % {"time": f"{naive:%H:%M}"},
                choices=occurrence_choices(naive, zone),
                widget=forms.RadioSelect,
                required=False,
                initial=selected,
                help_text=_("This time happens twice the night the clocks go back."),
            )
            fields = list(self.fields.items())
            index = [n for n, _f in fields].index(name) + 1
            fields.insert(index, (f"{name}_occurrence", choice))
            self.fields = dict(fields)

    def _wall_clock(self, name: str, zone: TzInfo) -> tuple[datetime | None, str]:
        """The wall-clock value of the field (bound data, or the initial value when editing) and the
        occurrence the initial value is (so editing a stored second 02:30 keeps it)."""
        field = self.fields[name]
        if self.is_bound:
            try:
                value = field.to_python(
                    field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                )
            except ValidationError:
                return None, ""
            if value is None or timezone.is_aware(value):
                return None, ""
            return value, ""
        value = self.get_initial_for_field(field, name)
        if not isinstance(value, datetime) or timezone.is_naive(value):
            return None, ""
        local = value.astimezone(zone)
        return local.replace(tzinfo=None, fold=0), SECOND if local.fold else FIRST

    def clean(self):
        cleaned = super().clean()
        zone = timezone.get_current_timezone()
        for name, field in list(self.fields.items()):
            if not isinstance(field, LocalDateTimeField):
                continue
            occurrence = cleaned.pop(f"{name}_occurrence", "")
            value = cleaned.get(name)
            if value is None or timezone.is_aware(value):
                continue
            try:
                cleaned[name] = local_instant(value, zone, occurrence)
            except ValidationError as exc:
                self.add_error(name, exc)
        return cleaned


class LectureChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Lecture) -> str:
        return f"{obj.position}. {obj.title}"


class PostponeForm(forms.Form):
    until = forms.DateField(label=_("On hold until at least"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("Speakers will see this reason."))


class SessionForm(ZonedTimesMixin, forms.Form):
    starts_at = LocalDateTimeField(label=_("Starts at"))
    ends_at = LocalDateTimeField(label=_("Ends at"))
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.order_by("name"), required=False
    )
    lectures = LectureChoiceField(label=_("Lectures"), queryset=Lecture.objects.none())
    speakers = forms.ModelMultipleChoiceField(
        label=_("Speakers"), queryset=Speaker.objects.order_by("name"), required=False
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            (RecordingSession.State.TENTATIVE, RecordingSession.State.TENTATIVE.label),
            (RecordingSession.State.SCHEDULED, RecordingSession.State.SCHEDULED.label),
        ],
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm_double_booking = forms.BooleanField(
        label=_("Book the location even though it is taken then"), required=False
    )

    def __init__(self, *args, production, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lectures"].queryset = production.course.lectures.order_by("position", "id")


class ChangeForm(forms.Form):
    """Changing a planned item: a reason, and without the fields only planning has (``planning_only``)."""

    planning_only: tuple[str, ...] = ("speakers",)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.planning_only:
            del self.fields[name]


class SessionChangeForm(ChangeForm, SessionForm):
    planning_only = ("speakers", "state")


class SessionStateForm(forms.Form):
    to_state = forms.ChoiceField(label=_("New state"), choices=())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args, session: RecordingSession, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = SESSION_TRANSITIONS[session.state] - {RecordingSession.State.ON_HOLD}
        self.fields["to_state"].choices = [
            (s, RecordingSession.State(s).label) for s in RecordingSession.State.values if s in allowed
        ]


class HoldForm(PostponeForm):
    pass


class SpeakerChoiceForm(forms.Form):
    speaker = forms.ModelChoiceField(label=_("Speaker"), queryset=Speaker.objects.order_by("name"))


class CrewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=CrewAssignment.Role.choices)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("For the call sheet email, if the production sends it."),
    )


class RsvpForm(ZonedTimesMixin, forms.Form):
    rsvp = forms.ChoiceField(label=_("Response"), choices=Rsvp.choices)
    decline_reason = forms.CharField(
        label=_("Reason for declining"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    proposed_starts_at = LocalDateTimeField(label=_("Proposed other time"), required=False)


class PreTalkForm(ZonedTimesMixin, forms.Form):
    speakers = forms.ModelMultipleChoiceField(label=_("Speakers"), queryset=Speaker.objects.order_by("name"))
    lectures = LectureChoiceField(label=_("Lectures"), queryset=Lecture.objects.none())
    starts_at = LocalDateTimeField(label=_("Starts at"))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=480, initial=45
    )
    mode = forms.ChoiceField(label=_("How"), choices=PreTalk.Mode.choices)
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    video_link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")

    def __init__(self, *args, production, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lectures"].queryset = production.course.lectures.order_by("position", "id")


class PreTalkChangeForm(ChangeForm, PreTalkForm):
    pass


class PreTalkHeldForm(forms.Form):
    outcome_notes = forms.CharField(
        label=_("Outcome notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "address", "capacity", "access_notes"]
        widgets = {"access_notes": forms.Textarea(attrs={"rows": 2})}
