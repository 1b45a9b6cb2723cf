"""Forms of the script page: a new version, a transition, reviewer and due date."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ..forms import DateInput, producers
from ..models import ScriptPart
from .states import SCRIPT_TRANSITIONS


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
