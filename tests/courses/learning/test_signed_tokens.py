"""Media grants and playback tokens are signed as ``signing.dumps`` signs them, a key derivation fewer
(``media.access.signed_dumps``, ADR 0031); caption labels are the model's display values."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.utils import translation

from courses.media import access
from courses.models import Caption


@pytest.mark.parametrize(
    ("payload", "salt", "compress", "compressed"),
    [
        ([1, 2, 3, "videos/2026/abc/", 0, 1, 1_800_000_000], access.SALT, True, False),
        ([7, 8, 9, "x" * 300, 1, 0, 1_800_000_000], access.SALT, True, True),
        ([1, 2, 3, 12.5], "courses.playback", False, False),
        ({"é": "ünïcode"}, "another", False, False),
    ],
)
def test_signed_dumps_is_signing_dumps(payload, salt, compress, compressed, settings, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_800_000_123.4)
    ours = access.signed_dumps(payload, salt=salt, compress=compress)
    assert ours == signing.dumps(payload, salt=salt, compress=compress)
    assert ours.startswith(".") is compressed
    assert signing.loads(ours, salt=salt) == payload
    settings.SECRET_KEY = "another secret entirely, long enough to be a real one 0123456789"
    rotated = access.signed_dumps(payload, salt=salt, compress=compress)
    assert rotated == signing.dumps(payload, salt=salt, compress=compress) != ours


def test_a_caption_label_is_its_display_value_in_the_language_shown():
    caption = Caption(language="nl")
    for language in ("en", "nl"):
        with translation.override(language):
            assert access.language_label(caption) == caption.get_language_display()
    with translation.override("nl"), translation.override("en"):
        assert access.language_label(Caption(language="en")) == "English"
