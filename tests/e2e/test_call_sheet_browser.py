"""A producer on set, in Chromium: from the calendar's week to the day's call sheet, and its PDF
downloaded as a browser downloads it; the PDF says the same as the page. Screenshots of the sheet at
both sizes; axe finds nothing on it."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.e2e.axe import all_violations
from tests.e2e.browsing import log_in_by_cookie
from tests.e2e.screens import LAPTOP, PHONE, save_screenshot
from tests.factories import UserFactory
from tests.production.factories import LocationFactory, SpeakerFactory, make_production, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recording_day():
    producer = UserFactory(producer=True, language="en")
    production = make_production(lectures=2, team=[producer])
    studio = LocationFactory(name="Studio Noord", address="Voorbeeldstraat 1, Utrecht")
    speaker = SpeakerFactory(name="Anna de Vries", email="anna@example.org", phone="+31 6 1234 5678")
    session = make_session(production, days=3, location=studio, speakers=[speaker], state="scheduled")
    return {"producer": producer, "session": session, "production": production}


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_a_producer_opens_the_days_call_sheet_from_the_calendar_and_downloads_its_pdf(
    live_server, new_context, recording_day, size
):
    session = recording_day["session"]
    day = timezone.localtime(session.starts_at).date()
    context = new_context(
        locale="en-GB", viewport=LAPTOP if size == "laptop" else PHONE, accept_downloads=True
    )
    log_in_by_cookie(context, live_server.url, recording_day["producer"])
    page = context.new_page()
    page.goto(f"{live_server.url}/studio/calendar/?view=week&date={day.isoformat()}")
    page.get_by_role("link", name="Call sheet").first.click()
    page.get_by_role("heading", level=1).wait_for()
    assert f"/studio/call-sheet/{day.isoformat()}/" in page.url
    sheet = page.get_by_role("main").inner_text()
    for expected in ("Studio Noord", "Voorbeeldstraat 1, Utrecht", "Anna de Vries", "+31 6 1234 5678"):
        assert expected in sheet, expected
    assert all_violations(page) == []
    save_screenshot(page, f"call-sheet-{size}")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(pdf.path()).read_bytes())).pages)
    for expected in (
        "Studio Noord",
        "Anna de Vries",
        "+31 6 1234 5678",
        recording_day["production"].course.title,
    ):
        assert expected in text, expected
    assert timezone.localtime(session.starts_at).strftime("%H:%M") in text
    assert (day + timedelta(days=1)).isoformat() not in page.url
