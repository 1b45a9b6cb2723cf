from __future__ import annotations

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("broker_url", "status", "expected"),
    [
        pytest.param(None, 200, {"status": "ok", "database": True, "broker": True}, id="all-up"),
        # Port 1 on loopback refuses connections: a broker that is down.
        pytest.param(
            "redis://127.0.0.1:1/0",
            503,
            {"status": "unavailable", "database": True, "broker": False},
            id="broker-down",
        ),
    ],
)
def test_health_reports_database_and_broker_as_json_and_answers_503_when_the_broker_is_down(
    client, settings, broker_url, status, expected
):
    if broker_url is not None:
        settings.CELERY_BROKER_URL = broker_url
    response = client.get("/healthz")
    assert response.status_code == status
    body = response.json()
    assert body["status"] == expected["status"]
    assert body["database"]["ok"] is expected["database"]
    assert body["broker"]["ok"] is expected["broker"]


@pytest.mark.django_db
def test_health_answers_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "detail": "OperationalError"}
