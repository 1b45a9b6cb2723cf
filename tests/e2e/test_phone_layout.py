"""Phones (390 × 844) and a laptop (1366 × 900) in Chromium: the header folds into a menu button, no
learner page scrolls sideways, and axe finds no contrast violation. Screenshots go to
var/screenshots/ (not committed) for review."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.axe import axe_source, serious_violations
from tests.e2e.browsing import log_in_by_cookie, player_ready

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def contrast_violations(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['color-contrast']})")
    return [
        f"{node['target']}: {node['any'][0]['message'] if node['any'] else ''}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def learner_pages(world) -> list[tuple[str, str]]:
    from courses.models import Certificate

    course, lecture = world["course"], world["lectures"][1]
    certificate = Certificate.objects.select_related("enrollment__course").get(
        enrollment__user=world["learner"]
    )
    return [
        ("catalog", "/"),
        ("course", course.get_absolute_url()),
        ("course-complete", certificate.enrollment.course.get_absolute_url()),
        ("lecture", f"/courses/{course.slug}/lectures/{lecture.slug}/"),
        ("dashboard", "/my/courses/"),
        ("certificate", f"/certificates/{certificate.uid}/"),
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_learner_pages_fit_a_phone_without_contrast_violations(
    live_server, new_context, learning_world, hls_sample, _progress_buffer, language
):
    from tests.courses.learning.media import install_video

    install_video(learning_world["lectures"][1], sample=hls_sample, duration=8)
    context = new_context(viewport=PHONE, locale="nl-NL" if language == "nl" else "en-GB")
    log_in_by_cookie(context, live_server.url, learning_world["learner"])
    page = context.new_page()
    for name, path in learner_pages(learning_world):
        page.goto(f"{live_server.url}{path}")
        if name == "lecture":
            player_ready(page)
        assert overflow(page) == 0, f"{name} scrolls sideways on a phone"
        assert contrast_violations(page) == [], name
        assert serious_violations(page) == [], name
        shoot(page, f"phone-{language}-{name}")


def test_the_phone_header_is_one_row_with_a_menu_button_that_opens_the_menu(
    live_server, new_context, learning_world
):
    context = new_context(viewport=PHONE, locale="en-GB")
    log_in_by_cookie(context, live_server.url, learning_world["learner"])
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64, f"the header is {header['height']} px high on a phone"
    menu_button = page.get_by_text("Menu", exact=True)
    my_courses = page.get_by_role("link", name="My courses")
    assert menu_button.is_visible() and not my_courses.is_visible()
    menu_button.click()
    assert my_courses.is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()
    shoot(page, "phone-en-menu-open")
    menu_button.click()
    assert not my_courses.is_visible()


def test_the_phone_menu_works_without_javascript(live_server, new_context, learning_world):
    context = new_context(viewport=PHONE, locale="en-GB", java_script_enabled=False)
    log_in_by_cookie(context, live_server.url, learning_world["learner"])
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="My courses").click()
    page.get_by_role("heading", name="My courses", level=1).wait_for()


def test_a_laptop_shows_the_menu_without_a_menu_button(live_server, new_context, learning_world):
    context = new_context(viewport=LAPTOP, locale="en-GB")
    log_in_by_cookie(context, live_server.url, learning_world["learner"])
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    assert not page.get_by_text("Menu", exact=True).is_visible()
    assert page.get_by_role("link", name="My courses").is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()
    assert overflow(page) == 0
    shoot(page, "laptop-en-catalog")


def test_the_certificate_prints_as_the_sheet_alone(live_server, new_context, learning_world):
    from courses.models import Certificate

    certificate = Certificate.objects.get(enrollment__user=learning_world["learner"])
    context = new_context(viewport=LAPTOP, locale="en-GB")
    log_in_by_cookie(context, live_server.url, learning_world["learner"])
    page = context.new_page()
    page.goto(f"{live_server.url}/certificates/{certificate.uid}/")
    assert page.get_by_role("link", name="Download the PDF").is_visible()
    page.emulate_media(media="print")
    assert page.get_by_role("heading", name="Certificate of completion").is_visible()
    assert page.get_by_text(f"/certificates/{certificate.uid}/").is_visible()  # the verification address
    for hidden in ("Download the PDF", "Catalog"):
        assert not page.get_by_role("link", name=hidden).first.is_visible(), hidden
    assert not page.locator(".site-footer").is_visible()
    shoot(page, "print-en-certificate")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_style_guide_passes_axe_and_fits_the_screen(live_server, new_context, viewport):
    from tests.factories import UserFactory

    context = new_context(viewport=viewport, locale="en-GB")
    log_in_by_cookie(context, live_server.url, UserFactory(producer=True))
    page = context.new_page()
    page.goto(f"{live_server.url}/styleguide/")
    page.get_by_role("heading", name="Style guide", level=1).wait_for()
    assert overflow(page) == 0
    assert contrast_violations(page) == []  # every colour pair of the tokens, as swatches
    assert serious_violations(page) == []
    shoot(page, f"{'phone' if viewport is PHONE else 'laptop'}-en-styleguide")
