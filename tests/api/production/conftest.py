import pytest
from django.utils import translation

from tests.support.studio import member, production  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
