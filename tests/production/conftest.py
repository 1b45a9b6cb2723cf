import pytest
from django.utils import translation

from tests.production.calls import ServiceCalls
from tests.support.mailbox import mailbox  # noqa: F401 - fixture
from tests.support.studio import member, production  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _english():
    """Service and selector messages are asserted in English (the message ids)."""
    with translation.override("en"):
        yield


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run its after-commit hooks (calendar sync, reminders), like a request."""
    return ServiceCalls(django_capture_on_commit_callbacks)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service like a request does (after-commit hooks included), then deliver the outbox."""
    return ServiceCalls(django_capture_on_commit_callbacks, deliver=True)
