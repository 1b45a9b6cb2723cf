"""A double booking names the other session only to who may see it: a location is shared by every
team, its sessions are not (ADR 0013). The edit form, the create form and the API all go through the
one service check, so the check itself decides what the message says."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from production.errors import LocationDoubleBookedError
from tests.factories import UserFactory
from tests.production.factories import LocationFactory, at, make_production, make_session

pytestmark = pytest.mark.django_db

SECRET = "Opdrachtgever-Geheim-5521"


@pytest.fixture
def two_teams():
    studio = LocationFactory(name="Studio Noord")
    alice, bob = UserFactory(producer=True), UserFactory(producer=True)
    theirs = make_production(team=[alice])
    theirs.course.title = SECRET
    theirs.course.save()
    make_session(theirs, days=9, location=studio, by=alice)
    mine = make_production(team=[bob])
    return {"studio": studio, "alice": alice, "bob": bob, "theirs": theirs, "mine": mine}


def test_another_teams_session_is_not_named_in_the_services_refusal(two_teams):
    with pytest.raises(LocationDoubleBookedError) as refused:
        make_session(two_teams["mine"], days=9, location=two_teams["studio"], by=two_teams["bob"])
    assert SECRET not in str(refused.value)
    assert "another team" in str(refused.value)


def test_the_own_teams_session_is_named(two_teams):
    with pytest.raises(LocationDoubleBookedError) as refused:
        make_session(two_teams["theirs"], days=9, location=two_teams["studio"], by=two_teams["alice"])
    assert SECRET in str(refused.value)


def test_the_edit_form_does_not_show_another_teams_production(two_teams):
    session = make_session(two_teams["mine"], days=12, location=two_teams["studio"], by=two_teams["bob"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(two_teams["bob"])
    start = at(9).strftime("%Y-%m-%dT%H:%M")
    end = at(9, hour=11).strftime("%Y-%m-%dT%H:%M")
    response = client.get(reverse("production:session_edit", args=[session.pk]))
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(starts_at=start, ends_at=end, location=two_teams["studio"].pk)
    data["lectures"] = [lecture.pk for lecture in session.lectures.all()]
    response = client.post(reverse("production:session_edit", args=[session.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and "already booked" in page
    assert SECRET not in page
