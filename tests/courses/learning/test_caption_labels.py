"""Caption labels are the model's display values (worked out once per language, ADR 0031); the tokens'
own tests are in tests/courses/media/test_sealed_tokens.py."""

from __future__ import annotations

from django.utils import translation

from courses.media import access
from courses.models import Caption


def test_a_caption_label_is_its_display_value_in_the_language_shown():
    caption = Caption(language="nl")
    for language in ("en", "nl"):
        with translation.override(language):
            assert access.language_label(caption) == caption.get_language_display()
    with translation.override("nl"), translation.override("en"):
        assert access.language_label(Caption(language="en")) == "English"
