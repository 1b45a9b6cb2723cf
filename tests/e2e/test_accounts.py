from __future__ import annotations

import re

import pytest

from omooc.accounts.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_learner_signs_up_logs_out_and_logs_in_again(live_server, page, mailoutbox):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Volledige naam").fill("Noor Bakker")
    page.get_by_label("E-mailadres").fill("noor@example.org")
    page.get_by_label("Wachtwoord", exact=True).fill("a-long-passphrase-77")
    page.get_by_label("Wachtwoord nogmaals").fill("a-long-passphrase-77")
    page.get_by_role("button", name="Account aanmaken").click()
    page.get_by_role("heading", name="Kijk in je e-mail").wait_for()
    (message,) = mailoutbox
    link = re.search(r"/accounts/signup/confirm/\S+/", message.body).group(0)
    page.goto(f"{live_server.url}{link}")
    page.get_by_label("Wachtwoord", exact=True).fill("a-long-passphrase-77")
    page.get_by_role("button", name="Bevestigen en inloggen").click()
    page.get_by_text("Je account is klaar").wait_for()
    assert User.objects.filter(email="noor@example.org").exists()

    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_role("link", name="Inloggen").first.click()
    page.get_by_label("E-mailadres").fill("noor@example.org")
    page.get_by_label("Wachtwoord").fill("a-long-passphrase-77")
    page.get_by_role("main").get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="Uitloggen").wait_for()
    assert page.console_errors == []


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(live_server, page):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Naar de hoofdinhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
