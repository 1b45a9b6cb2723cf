"""The living style page (/styleguide/): staff only, every component on it, the CSP intact."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COMPONENTS = (
    'class="site-menu"',  # the header with its menu button
    'class="card"',
    'class="badge badge-ok"',
    "<progress",
    'class="table-wrap"',
    'class="form"',
    'class="button button-secondary"',
    'class="alert alert-error"',
    'class="empty"',
    'class="skeleton skeleton-media"',
)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/styleguide/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/styleguide/")


def test_a_learner_is_refused(client):
    client.force_login(UserFactory())
    assert client.get("/styleguide/").status_code == 403


def test_a_producer_sees_every_component(client):
    client.force_login(UserFactory(producer=True))
    response = client.get("/styleguide/")
    assert response.status_code == 200
    html = response.content.decode()
    for component in COMPONENTS:
        assert component in html, component


def test_an_administrator_sees_it_with_a_strict_csp_and_no_inline_style(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/styleguide/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert " style=" not in html and "<style" not in html
    assert "<script>" not in html  # only external scripts


def test_only_staff_get_the_style_guide_link_in_the_menu(client):
    client.force_login(UserFactory())
    assert "/styleguide/" not in client.get("/").content.decode()
    client.force_login(UserFactory(producer=True))
    assert 'href="/styleguide/"' in client.get("/").content.decode()
