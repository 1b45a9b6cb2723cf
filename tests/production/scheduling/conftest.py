"""Fixtures of the calendar tests: a producer (English pages) with a production of their own."""

import pytest

from tests.factories import UserFactory
from tests.production.factories import make_production


@pytest.fixture
def producer():
    return UserFactory(producer=True, language="en")


@pytest.fixture
def production(producer):
    return make_production(lectures=3, team=[producer], client="Gemeente Alfa")


@pytest.fixture
def client_in(client, producer):
    client.force_login(producer)
    return client
