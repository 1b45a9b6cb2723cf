"""The studio email log fits a 1366 px screen: long addresses and subjects wrap, the technical
details open on demand, and a failed message can be sent again from its row."""

from __future__ import annotations

import pytest
from django.utils import timezone

from production.models import EmailLog
from production.outbox.queue import Content, email_queue
from tests.factories import UserFactory
from tests.production.factories import SpeakerFactory, make_production

from .axe import serious_violations
from .browsing import log_in_by_cookie

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG = (
    "a.very.long.address.of.a.speaker.with.a.long.name.and.a.department"
    "@ministerie-van-voorbeeldzaken.example.org"
)


def test_the_email_log_fits_1366_px_and_shows_details_on_demand(live_server, new_context):
    member = UserFactory(producer=True)
    production = make_production(team=[member])
    speaker = SpeakerFactory(email=LONG)
    for n in range(12):
        row = email_queue(
            idempotency_key=f"wide-{n}",
            kind=EmailLog.Kind.INVITATION if n % 2 else EmailLog.Kind.TEAM_NOTICE,
            recipient=LONG,
            content=Content(subject="Uitnodiging " + "eenheellangonderwerpzonderspaties" * 4, text="Hallo"),
            ics_method="REQUEST" if n % 2 else "",
            ics_sequence=n if n % 2 else None,
            speaker=speaker,
            production=production,
            related_label="Opname " + "x" * 120,
            send=False,
        )
        if n % 3 == 0:
            EmailLog.objects.filter(pk=row.pk).update(
                state=EmailLog.State.FAILED, attempts=5, error="SMTPDataError: (451, b'" + "y" * 300 + "')"
            )
        else:
            EmailLog.objects.filter(pk=row.pk).update(state=EmailLog.State.SENT, sent_at=timezone.now())
    context = new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    log_in_by_cookie(context, live_server.url, member)
    page = context.new_page()
    page.goto(f"{live_server.url}/studio/emails/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    details = page.locator("details.email-details").first
    assert not details.locator("code").first.is_visible()
    details.locator("summary").click()
    assert details.locator("code").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path="var/screenshots/studio-email-log-1366.png", full_page=True)
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/studio/media/")
    assert page.locator("nav.studio-nav").is_visible()
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/studio/emails/")

    page.get_by_role("button", name="Send again").first.click()
    page.get_by_text("The message is on its way again").wait_for()
    assert EmailLog.objects.filter(idempotency_key__contains="#resend-").count() == 1
