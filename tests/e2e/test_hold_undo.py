"""A producer previews a hold of every recording of a production, confirms it, and undoes it from
the banner; the speakers' mailboxes (a real aiosmtpd server) then hold exactly one correction per
session whose postponement had reached them, and nothing at all when the undo came before the
outbox sent anything. Screenshots of the preview and of the undo banner at 1366×900 and 390×844
(var/screenshots/), and axe finds nothing on those pages, in English and in Dutch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from production.models import HoldBatch, RecordingSession
from production.outbox.mailer import emails_send_due
from tests.factories import UserFactory
from tests.production.factories import SpeakerFactory, make_production, make_session
from tests.production.scheduling.mailboxes import calendar_messages, calendars, duplicates
from tests.support.mailbox import mailbox  # noqa: F401 - the fixture

from .axe import all_violations
from .browsing import log_in_by_cookie
from .screens import LAPTOP, PHONE, save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"1366": LAPTOP, "390": PHONE}
LOCALES = {"en": "en-US", "nl": "nl-NL"}


def _preview(page, base: str, production, until: str, reason: str) -> None:
    page.goto(f"{base}/studio/productions/{production.pk}/postpone/")
    page.fill("input[name=until]", until)
    page.fill("input[name=reason]", reason)
    page.locator("form.form button[type=submit]").click()
    page.locator("[data-testid=hold-sessions]").wait_for()


def _no_horizontal_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_producer_previews_confirms_and_undoes_a_hold_and_speakers_get_exactly_the_corrections(
    live_server,
    new_context,
    mailbox,  # noqa: F811 - the fixture imported above
):
    producer = UserFactory(producer=True)
    production = make_production(lectures=2, team=[producer], target_launch_on=timezone.localdate())
    anna, bert = SpeakerFactory(name="Anna de Vries"), SpeakerFactory(name="Bert Jansen", language="en")
    sessions = [
        make_session(production, days=9, speakers=[anna, bert], state="scheduled"),
        make_session(production, days=12, speakers=[anna], state="scheduled"),
    ]
    emails_send_due()  # the invitations reached the speakers
    assert len(mailbox.raw) == 3
    until = (timezone.localdate() + timedelta(days=45)).isoformat()

    # The preview in both languages and both sizes: nothing changes.
    for language, locale in LOCALES.items():
        for size, viewport in SIZES.items():
            context = new_context(locale=locale, viewport=viewport)
            log_in_by_cookie(context, live_server.url, producer)
            page = context.new_page()
            _preview(page, live_server.url, production, until, "lockdown")
            assert page.locator("[data-testid=hold-sessions] > li").count() == 2
            assert page.locator("[data-message=postponement]").count() == 3
            save_screenshot(page, f"studio-hold-preview-{language}-{size}")
            _no_horizontal_scroll(page, viewport["width"])
            assert all_violations(page) == [], (language, size)
    assert not RecordingSession.objects.filter(state="on_hold").exists()

    # Confirm (English, laptop): the hold's page with the undo banner.
    context = new_context(locale="en-US", viewport=LAPTOP)
    log_in_by_cookie(context, live_server.url, producer)
    page = context.new_page()
    _preview(page, live_server.url, production, until, "lockdown")
    page.get_by_role("button", name="Confirm: put on hold").click()
    banner = page.locator("[data-testid=hold-undo-banner]")
    banner.wait_for()
    assert "minutes left" in banner.inner_text()
    assert RecordingSession.objects.filter(state="on_hold").count() == 2
    batch = HoldBatch.objects.get()
    for language, locale in LOCALES.items():
        for size, viewport in SIZES.items():
            view = new_context(locale=locale, viewport=viewport)
            log_in_by_cookie(view, live_server.url, producer)
            shot = view.new_page()
            shot.goto(f"{live_server.url}/studio/holds/{batch.pk}/")
            shot.locator("[data-testid=hold-undo-banner]").wait_for()
            save_screenshot(shot, f"studio-hold-undo-banner-{language}-{size}")
            _no_horizontal_scroll(shot, viewport["width"])
            assert all_violations(shot) == [], (language, size)
    # The board offers the undo too.
    page.goto(f"{live_server.url}/studio/productions/{production.pk}/")
    assert page.locator("[data-testid=hold-undo-banner]").count() == 1

    emails_send_due()  # the postponements reach the speakers: Anna 2, Bert 1
    before = len(mailbox.raw)
    assert before == 6
    page.locator("[data-testid=hold-undo-banner]").get_by_role("button", name="Undo the hold").click()
    page.get_by_text("Hold undone: 2 recording sessions are back as they were.").wait_for()
    emails_send_due()
    corrections = calendar_messages(mailbox)[before:]
    assert sorted((who, method) for who, _uid, method, _seq, _ev in corrections) == [
        (anna.email, "REQUEST"),
        (anna.email, "REQUEST"),
        (bert.email, "REQUEST"),
    ], "exactly one correction per speaker and session"
    assert duplicates(mailbox) == []
    ends = calendars(mailbox)  # and none of them stale
    for session in RecordingSession.objects.filter(pk__in=[s.pk for s in sessions]):
        assert session.state == "scheduled"
        for speaker in session.speakers.all():
            method, sequence, vevent = ends[(speaker.email, str(session.ical_uid))]
            assert (method, sequence) == ("REQUEST", session.ical_sequence)
            assert vevent["dtstart"].dt == session.starts_at

    # A second hold, undone (in Dutch, on a phone) before the outbox sent anything: no email at all.
    context = new_context(locale="nl-NL", viewport=PHONE)
    log_in_by_cookie(context, live_server.url, producer)
    phone = context.new_page()
    later = (timezone.localdate() + timedelta(days=60)).isoformat()
    _preview(phone, live_server.url, production, later, "verbouwing")
    phone.locator("button[name=step][value=confirm]").click()
    phone.locator("[data-testid=hold-undo-banner] button").click()
    phone.locator("[data-testid=hold-undone]").wait_for()
    arrived = len(mailbox.raw)
    emails_send_due()
    assert len(mailbox.raw) == arrived, "nothing had left the outbox: nothing to correct"
    assert not RecordingSession.objects.filter(state="on_hold").exists()
