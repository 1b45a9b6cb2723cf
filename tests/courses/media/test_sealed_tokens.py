"""Media grants and playback tokens are sealed with an HMAC-SHA256 under a key derived once per secret
and purpose (``media.access.seal``, ADR 0031): tampering, another lecture or user, expiry, another
purpose and a retired key are refused; a rotated key is still read through ``SECRET_KEY_FALLBACKS``,
and tokens made by ``signing.dumps`` before the change are still read."""

from __future__ import annotations

import base64
import time

import pytest
from django.core import signing
from django.urls import reverse

from courses.learning import progress
from courses.media import access
from omooc.exceptions import AccessDeniedError

OLD_SECRET = "an older secret, long enough to be a real one 0123456789abcdefghijklmn"


def _grant(**changes) -> access.MediaGrant:
    fields = {
        "enrollment_id": 4,
        "lecture_id": 5,
        "user_id": 6,
        "root": "vidéos/2026/a:b/",
        "single_file": False,
        "bearer": True,
        "expires": int(time.time()) + 60,
    }
    return access.MediaGrant(**{**fields, **changes})


def _refused(token: str, code: str = "bad_signature") -> None:
    with pytest.raises(access.MediaAccessDenied) as caught:
        access.unsign(token)
    assert caught.value.code == code


def _reseal_with_mac_of(token: str, text: str) -> str:
    """``text`` as a token's body, carrying the MAC of ``token`` (a forged grant)."""
    body = base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
    return f"{body}.{token.rpartition('.')[2]}"


def test_a_media_grant_reads_back_whatever_its_root_holds():
    for grant in (_grant(), _grant(single_file=True, bearer=False, root="captions/x.vtt", enrollment_id=0)):
        token = access.sign(grant)
        assert access.unsign(token) == grant
        assert "/" not in token and ":" not in token  # one URL path segment


def test_a_tampered_media_token_is_refused():
    token = access.sign(_grant())
    body, _, mac = token.rpartition(".")
    flip = {"A": "B"}
    for forged in (
        f"{body[:-1]}{flip.get(body[-1], 'A')}.{mac}",
        f"{body}.{mac[:-1]}{'0' if mac[-1] != '0' else '1'}",
        f"{body}.{mac[:-2]}",
        body,
        f"{body}.",
        "",
        "é.ü",
        f"{body}x.{mac}",
    ):
        _refused(forged)


def test_a_grant_cannot_be_turned_to_another_lecture_user_enrollment_or_root():
    grant = _grant()
    token = access.sign(grant)
    for other in (
        _grant(lecture_id=99),
        _grant(user_id=99),
        _grant(enrollment_id=99),
        _grant(root="videos/another/"),
        _grant(expires=grant.expires + 3600),
        _grant(bearer=False),
    ):
        text = access.sign(other)
        forged_body = text.rpartition(".")[0]
        _refused(f"{forged_body}.{token.rpartition('.')[2]}")


def test_a_media_grant_of_another_lecture_shaped_by_hand_is_refused():
    token = access.sign(_grant())
    _refused(_reseal_with_mac_of(token, "4:99:6:0:1:1900000000:vidéos/2026/a:b/"))


def test_an_expired_media_grant_is_refused(monkeypatch):
    token = access.sign(_grant(expires=int(time.time()) + 10))
    later = time.time() + 11
    monkeypatch.setattr(time, "time", lambda: later)
    _refused(token, "expired")


def test_a_rotated_key_is_read_through_the_fallbacks_and_a_retired_one_is_refused(settings):
    settings.SECRET_KEY = OLD_SECRET
    media = access.sign(_grant())
    play = progress.playback_token(enrollment_id=1, lecture_id=2, user_id=3, duration=60)
    settings.SECRET_KEY = "the new secret, long enough to be a real one 0123456789abcdefghijklmnop"
    settings.SECRET_KEY_FALLBACKS = [OLD_SECRET]
    assert access.unsign(media) == _grant(expires=access.unsign(media).expires)
    assert progress.read_playback_token(play, user_id=3).lecture_id == 2
    settings.SECRET_KEY_FALLBACKS = []
    _refused(media)
    with pytest.raises(AccessDeniedError) as caught:
        progress.read_playback_token(play, user_id=3)
    assert caught.value.code == "bad_token"


def test_a_media_grant_is_no_playback_token_and_the_other_way_round():
    play = progress.playback_token(enrollment_id=4, lecture_id=5, user_id=6, duration=60)
    _refused(play)
    media = access.sign(_grant())
    with pytest.raises(AccessDeniedError) as caught:
        progress.read_playback_token(media, user_id=6)
    assert caught.value.code == "bad_token"


def test_a_playback_token_names_its_learner_and_expires_with_its_age(monkeypatch):
    token = progress.playback_token(enrollment_id=4, lecture_id=5, user_id=6, duration=61.23456)
    claims = progress.read_playback_token(token, user_id=6)
    assert claims == progress.PlaybackClaims(4, 5, 6, 61.235)
    assert progress.read_playback_token(token, user_id=None) == claims
    with pytest.raises(AccessDeniedError) as caught:
        progress.read_playback_token(token, user_id=7)
    assert caught.value.code == "not_yours"
    body, _, mac = token.rpartition(".")
    for forged in (f"{body}.{mac[::-1]}", _reseal_with_mac_of(token, "4:99:6:61.235:1900000000"), "x"):
        with pytest.raises(AccessDeniedError) as caught:
            progress.read_playback_token(forged, user_id=6)
        assert caught.value.code == "bad_token"
    later = time.time() + 101
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(AccessDeniedError) as caught:
        progress.read_playback_token(token, user_id=6, max_age=100)
    assert caught.value.code == "expired"


def test_tokens_signed_before_the_change_are_still_read():
    grant = _grant()
    legacy = signing.dumps([4, 5, 6, grant.root, 0, 1, grant.expires], salt=access.SALT, compress=True)
    assert access.unsign(legacy) == grant
    play = signing.dumps([4, 5, 6, 60.0], salt=progress.PLAYBACK_SALT)
    assert progress.read_playback_token(play, user_id=6) == progress.PlaybackClaims(4, 5, 6, 60.0)


def test_a_sealed_tokens_media_url_is_what_reverse_gives():
    token = access.sign(_grant())
    for path in ("master.m3u8", "720p/index.m3u8", "ondertiteling/ü%20 #1.vtt"):
        expected = reverse("courses:media", kwargs={"token": token, "path": path})
        assert access.media_url(token, path) == expected
        assert access.media_url(token, path, access.media_prefix()) == expected
