from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_dutch_by_default(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="nl">' in html
    assert "Inloggen" in html
    assert "Wachtwoord vergeten?" in html


def test_the_language_switcher_switches_to_english_without_javascript(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Forgot your password?" in html


def test_plural_forms_are_translated(client):
    from django.utils import translation

    with translation.override("nl"):
        assert translation.ngettext("%(n)s lecture", "%(n)s lectures", 1) % {"n": 1} == "1 college"
        assert translation.ngettext("%(n)s lecture", "%(n)s lectures", 3) % {"n": 3} == "3 colleges"
