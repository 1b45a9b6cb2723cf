"""Fixtures of one producer's own studio: ``producer`` (reads English pages), ``production`` (theirs:
three lectures, for the client Gemeente Alfa) and ``client_in`` (the test client logged in as them).
Conftests and test modules import them by their function names (``english_producer``,
``producers_production``, ``client_logged_in``); tests ask for them by the fixture names, which no
import shadows."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.production.factories import make_production


@pytest.fixture(name="producer")
def english_producer():
    return UserFactory(producer=True, language="en")


@pytest.fixture(name="production")
def producers_production(producer):
    return make_production(lectures=3, team=[producer], client="Gemeente Alfa")


@pytest.fixture(name="client_in")
def client_logged_in(client, producer):
    client.force_login(producer)
    return client
