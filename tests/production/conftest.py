import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Service and selector messages are asserted in English (the message ids)."""
    with translation.override("en"):
        yield
