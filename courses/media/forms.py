from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .services import ALLOWED_EXTENSIONS


class VideoUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Recording"),
        help_text=_("MP4, MOV, MKV, WebM, AVI, MPEG-TS or MXF, as exported from the edit."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS) + ",video/*"}),
    )


class CaptionUploadForm(forms.Form):
    """Shares the page with the video upload form, so its ids get their own prefix."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "caption_%s")
        super().__init__(*args, **kwargs)

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    file = forms.FileField(
        label=_("Caption file"),
        help_text=_("SubRip (.srt) or WebVTT (.vtt), UTF-8."),
        widget=forms.ClearableFileInput(attrs={"accept": ".srt,.vtt,text/vtt"}),
    )
