from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory

from .factories import SpeakerFactory, make_production, make_session

pytestmark = pytest.mark.django_db

MODELS = [
    "location",
    "speaker",
    "production",
    "scriptpart",
    "recordingsession",
    "pretalk",
    "postproduction",
    "historyentry",
    "calendarfeed",
]


def test_the_admin_lists_and_opens_every_production_model(client):
    production = make_production(lectures=2)
    session = make_session(production, speakers=[SpeakerFactory()])
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for model in MODELS:
        response = client.get(reverse(f"admin:production_{model}_changelist"))
        assert response.status_code == 200, model
    assert (
        client.get(reverse("admin:production_recordingsession_change", args=[session.pk])).status_code == 200
    )
    filtered = client.get(
        reverse("admin:production_recordingsession_changelist"), {"state__exact": "tentative"}
    )
    assert str(production) in filtered.content.decode()
