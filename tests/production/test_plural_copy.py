"""Issue 13, copy: counted things read as proper plurals in both languages ("1 lecture", "3 lectures";
"1 college", "3 colleges"), never "lecture(s)"; dates in messages are written as the language writes
them; the Dutch catalogue holds no "(s)"/"(en)" and a plural form for every counted message."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from production.board import board_for
from production.models import SpeakerLink
from production.scheduling import services as scheduling
from tests.factories import UserFactory
from tests.support.dates import shown_date

from .factories import SpeakerFactory, at, make_production, make_session

pytestmark = pytest.mark.django_db


def speaker_link_issue(*, speaker) -> None:
    """A link as the mailer mints it (only the token's hash is stored)."""
    SpeakerLink.objects.create(speaker=speaker, token_hash=SpeakerLink.hash_token(secrets.token_urlsafe(24)))


CATALOGUE = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def _blockers(production, language: str) -> dict[str, str]:
    with translation.override(language):
        return {b.kind: b.message for b in board_for(production).readiness.blockers}


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        (
            "en",
            ["1 script part not approved", "1 lecture without a pre-talk", "1 lecture without a recording"],
            [
                "3 script parts not approved",
                "3 lectures without a pre-talk",
                "3 lectures without a recording",
            ],
        ),
        (
            "nl",
            [
                "1 scriptdeel niet goedgekeurd",
                "1 college zonder voorgesprek",
                "1 college zonder opnamesessie",
            ],
            [
                "3 scriptdelen niet goedgekeurd",
                "3 colleges zonder voorgesprek",
                "3 colleges zonder opnamesessie",
            ],
        ),
    ],
)
def test_the_boards_blockers_count_in_singular_and_plural(language, one, many):
    single = " | ".join(_blockers(make_production(lectures=1), language).values())
    several = " | ".join(_blockers(make_production(lectures=3), language).values())
    for text in one:
        assert text in single, (text, single)
    for text in many:
        assert text in several, (text, several)
    assert "(s)" not in single + several and "(en)" not in single + several


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1 recording session put on hold until at least {date}."),
        ("nl", "1 opnamesessie aangehouden tot ten minste {date}."),
    ],
)
def test_holding_one_session_says_so_with_the_date_as_the_language_writes_it(client, language, expected):
    member = UserFactory(producer=True)
    production = make_production(lectures=1, team=[member])
    make_session(production, days=5, speakers=[SpeakerFactory()], state="scheduled")
    until = timezone.localdate() + timedelta(days=40)
    client.force_login(member)
    page = client.post(
        reverse("production:postpone", args=[production.pk]),
        {"until": until.isoformat(), "reason": "lockdown", "step": "confirm"},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    ).content.decode()
    assert expected.format(date=shown_date(until, language=language)) in page
    held = _blockers(production, language)["hold"]
    assert shown_date(until, language=language) in held and until.isoformat() not in held


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 link withdrawn.", "2 links withdrawn."),
        ("nl", "1 link ingetrokken.", "2 links ingetrokken."),
    ],
)
def test_withdrawing_a_speakers_links_counts_them(client, language, one, two):
    lead = UserFactory(producer=True)
    speaker = SpeakerFactory()
    production = make_production(lectures=1, team=[lead])
    make_session(production, days=5, speakers=[speaker], state="scheduled")
    client.force_login(lead)
    url = reverse("production:speaker_links_revoke", args=[speaker.pk])
    speaker_link_issue(speaker=speaker)
    assert one in client.post(url, HTTP_ACCEPT_LANGUAGE=language, follow=True).content.decode()
    speaker_link_issue(speaker=speaker)
    speaker_link_issue(speaker=speaker)
    assert two in client.post(url, HTTP_ACCEPT_LANGUAGE=language, follow=True).content.decode()
    assert not SpeakerLink.objects.filter(speaker=speaker, revoked_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Choose at least one speaker to talk with."),
        ("nl", "Kies ten minste één spreker voor het gesprek."),
    ],
)
def test_a_pretalk_without_speakers_asks_for_at_least_one(language, expected):
    production = make_production(lectures=1)
    with translation.override(language), pytest.raises(Exception) as raised:
        scheduling.pretalk_create(
            production=production,
            speakers=[],
            lectures=[production.course.lectures.first()],
            starts_at=at(2),
            mode="phone",
            by=None,
        )
    assert raised.value.message == expected


def test_the_dutch_catalogue_has_no_lazy_plurals_and_every_counted_message_has_both_forms():
    catalogue = polib.pofile(str(CATALOGUE))
    lazy = re.compile(r"\w\((s|en|ken|'s)\)")
    assert [e.msgid for e in catalogue if lazy.search(e.msgid) or lazy.search(e.msgstr)] == []
    for entry in catalogue:
        if entry.msgid_plural:
            assert all(entry.msgstr_plural.get(i) for i in (0, 1)), entry.msgid
