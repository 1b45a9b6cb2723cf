"""Fixtures of the scheduling tests: a producer (English pages) with a production of their own (the
calendar), a real SMTP mailbox (aiosmtpd, ``tests/support/mailbox.py``) and a runner that calls a
service like a request does, its after-commit work included (holds, ADR 0024)."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.production.factories import make_production

from .mailboxes import mailbox  # noqa: F401 - the fixture


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


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and the work it announces after commit (the calendar sync and reminders)."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return call
