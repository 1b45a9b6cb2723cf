"""The studio's speaker form."""

from __future__ import annotations

from django import forms

from ..models import Speaker
from .services import SPEAKER_FIELDS


class SpeakerForm(forms.Form):
    """Speaker fields as on the model; uniqueness and validity are decided by the service."""


SpeakerForm.base_fields = forms.fields_for_model(
    Speaker,
    fields=list(SPEAKER_FIELDS),
    widgets={"notes": forms.Textarea(attrs={"rows": 3})},
)
