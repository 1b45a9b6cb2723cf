"""Forms of the studio's production pages: a production, its board filter, post-production steps."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from courses.models import Course

from ..board import COLUMN_LABELS, TONE_LABELS
from ..forms import DateInput, producers
from ..models import StepState


class ProductionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    client = forms.CharField(label=_("Commissioning client"), max_length=200)
    team = forms.ModelMultipleChoiceField(
        label=_("Producer team"), queryset=get_user_model().objects.none(), required=False
    )
    target_launch_on = forms.DateField(label=_("Target launch date"), required=False, widget=DateInput())
    post_production_days = forms.IntegerField(
        label=_("Post-production lead time (days)"),
        min_value=0,
        max_value=365,
        initial=21,
        help_text=_("Days from the last recording to launch."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    call_sheet_emails = forms.BooleanField(
        label=_("Email the call sheet the day before"),
        required=False,
        help_text=_("Crew with an email address and speakers get the next day's call sheet by email."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = producers()
        if editing:
            del self.fields["course"]
        else:
            self.fields["course"].queryset = Course.objects.filter(production__isnull=True).order_by("title")


class PostProductionForm(forms.Form):
    edit = forms.ChoiceField(label=_("Edit"), choices=StepState.choices)
    captions = forms.ChoiceField(label=_("Captions"), choices=StepState.choices)
    review = forms.ChoiceField(label=_("Review"), choices=StepState.choices)
    reason = forms.CharField(label=_("Note"), required=False, max_length=300)


class BoardFilterForm(forms.Form):
    column = forms.ChoiceField(label=_("Column"), required=False)
    tone = forms.ChoiceField(label=_("Status"), required=False)
    blocked = forms.BooleanField(label=_("Only lectures that are not finished"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].choices = [("", _("Any column"))] + list(COLUMN_LABELS.items())
        self.fields["tone"].choices = [("", _("Any status"))] + list(TONE_LABELS.items())


class BoardCellForm(forms.Form):
    """One cell of the board changed in place (script state, edit or captions step). ``seen`` is the
    state the producer saw: a change over a state that moved on since is refused as stale."""

    state = forms.CharField(label=_("New state"), max_length=30)
    seen = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Which changes are needed?"), required=False, max_length=300)


class BoardBulkForm(forms.Form):
    """The selected lectures and what to do with them: set a post-production step, or plan a recording
    session for them (the session form opens with those lectures ticked)."""

    ACTIONS = (("step", _("Set the step")), ("session", _("Plan a recording session")))

    action = forms.ChoiceField(choices=ACTIONS)
    step = forms.ChoiceField(label=_("Step"), choices=(("edit", _("Edit")), ("captions", _("Captions"))))
    state = forms.ChoiceField(label=_("Set to"), choices=StepState.choices, initial=StepState.DONE)
    lectures = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any number is accepted here; the view answers 404 for a lecture outside the production.
        self.fields["lectures"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        data = super().clean()
        if not data.get("lectures"):
            raise forms.ValidationError(_("Select at least one lecture first."), code="empty")
        return data
