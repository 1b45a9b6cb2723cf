"""The studio's speaker form."""

from __future__ import annotations

from django import forms

from ..models import Speaker


class SpeakerForm(forms.Form):
    """Speaker fields as on the model; uniqueness and validity are decided by the service."""


SpeakerForm.base_fields = forms.fields_for_model(
    Speaker,
    fields=["name", "email", "organisation", "role", "phone", "language", "time_zone", "notes"],
    widgets={"notes": forms.Textarea(attrs={"rows": 3})},
)
