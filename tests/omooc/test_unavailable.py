"""The database out of reach (a restart, a failover): a friendly 503 with Retry-After for pages and the
envelope for the API, never a 500 with a trace. Other failures stay 500s. The stack test restarts a
real PostgreSQL under the running topology (tests/stack/test_engine_faults.py)."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def database(monkeypatch):
    def fail_with(error: Exception) -> None:
        def execute(*args, **kwargs):
            raise error

        monkeypatch.setattr(CursorWrapper, "execute", execute)

    return fail_with


@pytest.mark.parametrize(
    "error", [OperationalError("connection refused"), InterfaceError("connection already closed")]
)
def test_a_page_answers_a_friendly_503_while_the_database_is_out_of_reach(database, error):
    database(error)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Briefly unavailable" in body and "Traceback" not in body and "connection" not in body


def test_the_api_answers_503_with_the_envelope_while_the_database_is_out_of_reach(database):
    database(OperationalError("the database system is shutting down"))
    response = Client(raise_request_exception=False).get("/api/v1/courses/")
    assert response.status_code == 503
    assert response.json() == {
        "message": "The service is briefly unavailable; try again in a minute.",
        "code": "unavailable",
        "extra": {},
    }


def test_any_other_failure_stays_a_500(database):
    database(RuntimeError("a bug"))
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
