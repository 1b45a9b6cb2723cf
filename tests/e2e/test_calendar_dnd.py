"""The studio calendar in Chromium: a producer drags a recording session onto another day, is asked
about the location's double booking, confirms, and the session moved (speakers asked again through
the outbox); the same move by keyboard only; axe finds nothing on the month, week and location
views at laptop and phone sizes in English and Dutch (screenshots in var/screenshots/)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from production.models import EmailLog, RecordingSession
from tests.e2e.axe import all_violations
from tests.e2e.browsing import log_in_by_cookie, wait_for
from tests.e2e.screens import LAPTOP, PHONE, save_screenshot
from tests.factories import UserFactory
from tests.production.factories import LocationFactory, SpeakerFactory, make_production

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _monday() -> datetime.date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())  # next week: every day in the future


def _local(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def studio_week(django_capture_on_commit_callbacks):
    from production.scheduling import services as scheduling

    producer = UserFactory(producer=True, full_name="Pim Producent")
    production = make_production(lectures=3, team=[producer], client="Gemeente Utrecht")
    noord = LocationFactory(
        name="Studio Noord", address="Noorderweg 5, Utrecht", access_notes="Bel aan bij de regie"
    )
    monday = _monday()
    lectures = list(production.course.lectures.all())
    ada = SpeakerFactory(name="Ada de Vries", email="ada@example.org")

    def plan(day_offset, hour, lecture, speakers=()):
        return scheduling.recording_session_create(
            production=production,
            starts_at=_local(monday + timedelta(days=day_offset), hour),
            ends_at=_local(monday + timedelta(days=day_offset), hour + 2),
            lectures=[lecture],
            location=noord,
            speakers=speakers,
            state="scheduled",
            by=producer,
        )

    with django_capture_on_commit_callbacks(execute=True):
        tuesday = plan(1, 10, lectures[0])
        thursday = plan(3, 10, lectures[1], speakers=[ada])
        friday = plan(4, 14, lectures[2])
        scheduling.pretalk_create(
            production=production,
            speakers=[ada],
            lectures=[lectures[1]],
            starts_at=_local(monday + timedelta(days=2), 9),
            mode="phone",
            by=producer,
        )
    return {
        "producer": producer,
        "production": production,
        "location": noord,
        "monday": monday,
        "tuesday": tuesday,
        "thursday": thursday,
        "friday": friday,
        "ada": ada,
    }


def _week_url(base, monday) -> str:
    return f"{base}/studio/calendar/?view=week&date={monday.isoformat()}"


def test_a_producer_drags_a_session_onto_a_booked_day_confirms_and_it_moved(
    live_server, new_context, studio_week
):
    context = new_context(locale="en-US", viewport=LAPTOP)
    log_in_by_cookie(context, live_server.url, studio_week["producer"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    monday, thursday = studio_week["monday"], studio_week["thursday"]
    tuesday_slot = f'td[data-slot="{(monday + timedelta(days=1)).isoformat()}T10"]'
    page.goto(_week_url(live_server.url, monday))

    page.get_by_test_id(f"cal-event-session-{thursday.pk}").drag_to(page.locator(tuesday_slot))

    dialog = page.get_by_test_id("move-dialog")
    dialog.wait_for(state="visible")
    question = dialog.inner_text()
    assert "Studio Noord is already booked then for" in question
    assert str(studio_week["production"]) in question and f"{monday + timedelta(days=1)} 10:00" in question
    save_screenshot(page, "calendar-week-conflict-question-en-laptop")
    thursday.refresh_from_db()
    assert timezone.localtime(thursday.starts_at).date() == monday + timedelta(days=3)  # asked, not moved

    dialog.get_by_role("button", name="Book it anyway").click()
    page.get_by_text("Recording session moved to").wait_for()
    thursday.refresh_from_db()
    assert thursday.starts_at == _local(monday + timedelta(days=1), 10)
    assert thursday.ends_at == _local(monday + timedelta(days=1), 12)
    moved = page.locator(tuesday_slot).get_by_test_id(f"cal-event-session-{thursday.pk}")
    assert moved.count() == 1
    assert EmailLog.objects.filter(
        speaker=studio_week["ada"], target_id=thursday.pk, ics_method="REQUEST", ics_sequence=1
    ).exists()  # the speaker's update went into the outbox
    assert errors == []


def test_a_drag_into_the_past_is_refused_with_a_message(live_server, new_context, studio_week):
    context = new_context(locale="en-US", viewport=LAPTOP)
    log_in_by_cookie(context, live_server.url, studio_week["producer"])
    page = context.new_page()
    friday = studio_week["friday"]
    # A session that was due yesterday (still scheduled) is dropped two hours later, still yesterday.
    yesterday = timezone.localdate() - timedelta(days=1)
    RecordingSession.objects.filter(pk=friday.pk).update(
        starts_at=_local(yesterday, 14), ends_at=_local(yesterday, 16)
    )
    page.goto(_week_url(live_server.url, yesterday))
    target = page.locator(f'td[data-slot="{yesterday.isoformat()}T16"]')
    page.get_by_test_id(f"cal-event-session-{friday.pk}").drag_to(target)
    status = page.get_by_test_id("move-status")
    wait_for(page, "document.getElementById('move-status').textContent.length > 0")
    assert "is in the past" in status.inner_text()
    friday.refresh_from_db()
    assert friday.starts_at == _local(yesterday, 14)


def test_a_producer_moves_a_session_with_the_keyboard_only(live_server, new_context, studio_week):
    context = new_context(locale="en-US", viewport=LAPTOP)
    log_in_by_cookie(context, live_server.url, studio_week["producer"])
    page = context.new_page()
    monday, friday = studio_week["monday"], studio_week["friday"]
    page.goto(_week_url(live_server.url, monday))
    move = page.get_by_test_id(f"cal-event-session-{friday.pk}").get_by_role("link", name="Move")
    href = move.get_attribute("href")
    for _ in range(300):  # Tab through the page to the event's "Move" link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.getAttribute('href')") == href:
            break
    else:
        raise AssertionError("the Move link cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Move the recording session").wait_for()

    page.keyboard.press("Tab")
    field = page.get_by_label("New start")
    field.focus()
    field.fill(f"{(monday + timedelta(days=1)).isoformat()}T11:00")
    page.keyboard.press("Enter")  # submits the form
    question = page.get_by_test_id("move-question")
    question.wait_for()
    assert "Studio Noord is already booked then for" in question.inner_text()
    save_screenshot(page, "calendar-move-form-question-en-laptop")
    assert all_violations(page) == []
    book = question.get_by_role("button", name="Book it anyway")
    for _ in range(40):
        page.keyboard.press("Tab")
        if (
            page.evaluate("document.activeElement && document.activeElement.textContent.trim()")
            == "Book it anyway"
        ):
            break
    else:
        raise AssertionError("the confirm button cannot be reached with Tab")
    assert book.is_visible()
    page.keyboard.press("Enter")
    page.get_by_text("Recording session moved to").wait_for()
    friday.refresh_from_db()
    assert friday.starts_at == _local(monday + timedelta(days=1), 11)
    assert friday.ends_at == _local(monday + timedelta(days=1), 13)


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_the_calendar_views_have_no_accessibility_violations(
    live_server, new_context, studio_week, language, size
):
    viewport = LAPTOP if size == "laptop" else PHONE
    context = new_context(locale="en-US" if language == "en" else "nl-NL", viewport=viewport)
    log_in_by_cookie(context, live_server.url, studio_week["producer"])
    page = context.new_page()
    monday = studio_week["monday"]
    location = studio_week["location"]
    empty_week = monday - timedelta(days=14)  # nothing planned: the empty state links the next event
    views = {
        "week": _week_url(live_server.url, monday),
        "month": f"{live_server.url}/studio/calendar/?view=month&date={monday.isoformat()}",
        "location": f"{live_server.url}/studio/calendar/locations/{location.pk}/"
        f"?view=week&date={monday.isoformat()}",
        "empty-week": _week_url(live_server.url, empty_week),
    }
    found = {}
    for name, url in views.items():
        page.goto(url)
        page.get_by_test_id("calendar").or_(page.get_by_test_id("calendar-empty")).first.wait_for()
        assert page.locator("html").get_attribute("lang") == language
        save_screenshot(page, f"calendar-{name}-{language}-{size}")
        if name == "empty-week":  # the next event is linked, and the week it is in
            empty = page.get_by_test_id("calendar-empty")
            assert empty.locator(f'a[href="/studio/sessions/{studio_week["tuesday"].pk}/"]').count() == 1
        found[name] = all_violations(page)
    assert found == {name: [] for name in views}
    # The page itself never scrolls sideways; the grid scrolls inside its own region.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
