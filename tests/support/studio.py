"""Fixtures of a producer's world: a member of a production's team, and that production (three
lectures). Conftests that want them import them (``from tests.support.studio import member, production``)."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.production.factories import make_production


@pytest.fixture
def member():
    return UserFactory(producer=True)


@pytest.fixture
def production(member):
    return make_production(lectures=3, team=[member])
