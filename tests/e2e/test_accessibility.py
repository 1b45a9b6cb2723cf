"""axe-core in Chromium: no serious or critical violations on the pages people use most."""

from __future__ import annotations

import pytest

from tests.e2e.axe import serious_violations
from tests.factories import CourseFactory, LectureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password-reset/"])
def test_public_pages_have_no_serious_accessibility_violations(live_server, page, path):
    course = CourseFactory(title="Publiek leiderschap")
    LectureFactory(course=course)
    page.goto(f"{live_server.url}{path}")
    assert serious_violations(page) == []


def test_a_form_with_errors_stays_accessible(live_server, page):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_role("button", name="Account aanmaken").click()
    page.locator(".error").first.wait_for()
    assert serious_violations(page) == []


def test_the_checker_does_report_a_serious_violation(page):
    page.set_content('<html lang="nl"><body><main><img src="data:,"><button></button></main></body></html>')
    found = serious_violations(page)
    assert any(line.startswith("image-alt") for line in found)
    assert any(line.startswith("button-name") for line in found)
