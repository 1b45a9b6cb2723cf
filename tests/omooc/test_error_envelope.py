from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound

from api.exceptions import api_exception_handler
from omooc.exceptions import ApplicationError, ConflictError


def test_application_errors_become_the_envelope_with_their_status():
    response = api_exception_handler(
        ConflictError("Studio A is booked then.", code="location_conflict", extra={"session": 7}), {}
    )
    assert response.status_code == 409
    assert response.data == {
        "message": "Studio A is booked then.",
        "code": "location_conflict",
        "extra": {"session": 7},
    }


def test_django_validation_errors_name_the_field():
    response = api_exception_handler(ValidationError({"ends_at": ["End must be after start."]}), {})
    assert response.status_code == 400
    assert response.data["message"] == "ends_at: End must be after start."
    assert response.data["extra"]["fields"]["ends_at"] == ["End must be after start."]


def test_not_found_keeps_its_status():
    response = api_exception_handler(NotFound(), {})
    assert response.status_code == 404
    assert response.data["code"] == "not_found"


def test_unexpected_errors_stay_500s():
    assert api_exception_handler(RuntimeError("boom"), {}) is None


def test_application_error_defaults():
    error = ApplicationError("Something is off.")
    assert (error.message, error.code, error.extra, error.status_code) == (
        "Something is off.",
        "invalid",
        {},
        400,
    )


def test_an_unknown_api_path_answers_404_in_the_envelope(client, db):
    response = client.get("/api/v1/courses/%0C%5D/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Not found.", "code": "not_found", "extra": {}}


def test_an_unknown_page_answers_404_with_the_site_page(client, db):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
