"""Studio forms. They only parse input; the services decide (and their errors land on the field).
The scheduling forms (sessions, pre-talks, wall-clock times across DST changes) are in
``production/scheduling/forms.py``.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import Course

from .models import ScriptPart, Speaker, StepState


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def producers():
    from django.conf import settings

    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True) | Q(groups__name=settings.PRODUCERS_GROUP, is_staff=True), is_active=True
        )
        .distinct()
        .order_by("full_name", "email")
    )


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


class ScriptVersionForm(forms.Form):
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(label=_("File"), required=False, help_text=_("PDF, Word or text, at most 10 MB."))

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class ScriptStateForm(forms.Form):
    to_state = forms.ChoiceField(label=_("New state"), choices=())
    reason = forms.CharField(
        label=_("Reason or requested changes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, part: ScriptPart, **kwargs):
        from .services import SCRIPT_TRANSITIONS

        super().__init__(*args, **kwargs)
        allowed = SCRIPT_TRANSITIONS[part.state]
        self.fields["to_state"].choices = [
            (s, ScriptPart.State(s).label) for s in ScriptPart.State.values if s in allowed
        ]


class ScriptMetaForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"), queryset=get_user_model().objects.none(), required=False
    )
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = producers()


class PostProductionForm(forms.Form):
    edit = forms.ChoiceField(label=_("Edit"), choices=StepState.choices)
    captions = forms.ChoiceField(label=_("Captions"), choices=StepState.choices)
    review = forms.ChoiceField(label=_("Review"), choices=StepState.choices)
    reason = forms.CharField(label=_("Note"), required=False, max_length=300)


class SpeakerForm(forms.Form):
    """Speaker fields as on the model; uniqueness and validity are decided by the service."""


SpeakerForm.base_fields = forms.fields_for_model(
    Speaker,
    fields=["name", "email", "organisation", "role", "phone", "language", "time_zone", "notes"],
    widgets={"notes": forms.Textarea(attrs={"rows": 3})},
)


class BoardFilterForm(forms.Form):
    column = forms.ChoiceField(label=_("Column"), required=False)
    tone = forms.ChoiceField(label=_("Status"), required=False)
    blocked = forms.BooleanField(label=_("Only lectures that are not finished"), required=False)

    def __init__(self, *args, **kwargs):
        from .selectors import COLUMN_LABELS, TONE_LABELS

        super().__init__(*args, **kwargs)
        self.fields["column"].choices = [("", _("Any column"))] + list(COLUMN_LABELS.items())
        self.fields["tone"].choices = [("", _("Any status"))] + list(TONE_LABELS.items())
