"""Fixtures of the scheduling tests: a producer (English pages) with a production of their own. The
SMTP ``mailbox`` and the ``run`` of a service like a request are tests/production/conftest.py's."""

from __future__ import annotations

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
