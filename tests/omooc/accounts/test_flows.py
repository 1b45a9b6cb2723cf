from __future__ import annotations

import re

import pytest
from django.urls import reverse

from omooc.accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_learner_signs_up_with_email_confirms_it_and_is_logged_in(client, smtp_server):
    response = client.post(
        reverse("accounts:signup"),
        {
            "full_name": "Fenna de Vries",
            "email": "Fenna@Example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "fenna@example.org"
    assert user.check_password(PASSWORD)
    (message,) = smtp_server.messages
    assert message["To"] == "fenna@example.org"
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", body).group(1)
    assert client.post(link, {"password": PASSWORD}).status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == user


def test_signup_with_an_email_that_exists_in_another_case_makes_no_second_account(client, smtp_server):
    UserFactory(email="taken@example.org")
    response = client.post(
        reverse("accounts:signup"),
        {"full_name": "X", "email": "TAKEN@example.org", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302  # the same answer as for a new address (test_signup.py)
    assert User.objects.count() == 1
    assert [m["To"] for m in smtp_server.messages] == ["taken@example.org"]


def test_signup_explains_mismatched_and_weak_passwords(client):
    response = client.post(
        reverse("accounts:signup"),
        {"full_name": "X", "email": "x@example.org", "password1": PASSWORD, "password2": "something-else-1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The two passwords differ" in response.content.decode()
    response = client.post(
        reverse("accounts:signup"),
        {"full_name": "X", "email": "x@example.org", "password1": "12345678", "password2": "12345678"},
    )
    assert response.context["form"].errors["password1"]
    assert not User.objects.exists()


def test_login_with_email_any_case_and_logout(client):
    user = UserFactory(email="ada@example.org")
    response = client.post(reverse("accounts:login"), {"username": "ADA@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_password_shows_an_error(client):
    UserFactory(email="ada@example.org")
    response = client.post(reverse("accounts:login"), {"username": "ada@example.org", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_over_smtp(client, smtp_server):
    user = UserFactory(email="reset@example.org")
    client.post(reverse("accounts:password_reset"), {"email": "reset@example.org"})
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "reset@example.org"
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", body).group(1)

    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a-fresh-passphrase-42", "new_password2": "a-fresh-passphrase-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-fresh-passphrase-42")


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, smtp_server):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert smtp_server.messages == []
