"""Holds (ADR 0024): a real SMTP mailbox (aiosmtpd, ``tests/support/mailbox.py``) and a runner that
calls a service like a request does (its after-commit work runs)."""

from __future__ import annotations

import pytest

from .mailboxes import mailbox  # noqa: F401 - the fixture


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and the work it announces after commit (the calendar sync and reminders)."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return call
