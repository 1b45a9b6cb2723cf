"""A speaker opens the link from the invitation they received, confirms, and the studio shows it."""

from __future__ import annotations

import re

import pytest

from production.outbox.mailer import emails_send_due
from tests.factories import PASSWORD, UserFactory
from tests.production.factories import SpeakerFactory, make_production, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_speaker_confirms_from_the_emailed_link_and_the_studio_shows_it(
    live_server, new_context, smtp_server, settings
):
    settings.SITE_URL = live_server.url
    producer = UserFactory(producer=True, email="lead@example.org")
    speaker = SpeakerFactory(name="Anna de Vries", email="anna@example.org", language="en")
    production = make_production(lectures=2, team=[producer])
    session = make_session(production, days=10, speakers=[speaker], state="scheduled")
    emails_send_due()

    (invitation,) = smtp_server.messages
    html = invitation.get_body(preferencelist=("html",)).get_content()
    link = re.search(r'href="(http[^"]+/s/[^"]+/)"', html).group(1)

    speaker_page = new_context(locale="en-GB").new_page()
    errors: list[str] = []
    speaker_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    speaker_page.goto(link)
    speaker_page.get_by_role("heading", name="Speaker page of Anna de Vries").wait_for()
    # Speakers have no account: the header offers no log in or sign up.
    header = speaker_page.get_by_role("banner")
    assert header.get_by_role("link", name=re.compile("Log in|Sign up|Inloggen|Registreren")).count() == 0
    assert header.get_by_role("link", name="Catalog").count() == 1
    card = speaker_page.locator(f"#session-{session.pk}")
    card.get_by_role("button", name="Confirm").click()
    speaker_page.get_by_text("you confirmed").wait_for()
    assert "Accepted" in card.inner_text()

    studio = new_context().new_page()
    studio.goto(f"{live_server.url}/accounts/login/?next=/studio/sessions/{session.pk}/")
    studio.get_by_label("E-mailadres").fill(producer.email)
    studio.get_by_label("Wachtwoord").fill(PASSWORD)
    studio.get_by_role("main").get_by_role("button", name="Inloggen").click()
    studio.wait_for_url(f"**/studio/sessions/{session.pk}/")
    row = studio.get_by_role("row").filter(has_text="Anna de Vries")
    assert re.search(r"Geaccepteerd|Aanvaard|Accepted|Bevestigd", row.inner_text())
    assert errors == []
