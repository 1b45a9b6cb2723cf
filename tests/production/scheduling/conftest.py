"""Fixtures of the scheduling tests: a producer (English pages) with a production of their own, and
the client logged in as them (tests/support/producer.py). The SMTP ``mailbox`` and the ``run`` of a
service like a request are tests/production/conftest.py's."""

from __future__ import annotations

from tests.support.producer import (  # noqa: F401 - fixtures
    client_logged_in,
    english_producer,
    producers_production,
)
