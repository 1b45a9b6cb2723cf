"""The production board in Chromium (ADR 0025): bulk and single changes in place without a page load,
by keyboard alone, and a phone-sized board (390 × 844) of cards with no sideways scrolling and no word
broken inside; axe finds nothing in English or Dutch at either size. Screenshots in var/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.e2e.axe import all_violations
from tests.e2e.browsing import log_in_by_cookie, wait_for
from tests.e2e.screens import LAPTOP, PHONE, save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLES = [
    "Verandermanagement in gemeentelijke samenwerkingsverbanden",
    "Informatiebeveiliging",
    "Aanbestedingsrecht voor beleidsmedewerkers",
    "Data delen tussen overheidsorganisaties",
    "Burgerparticipatie",
]

# Every word piece (between spaces, hyphens, slashes and punctuation) of the visible text in <main>
# whose characters lie on more than one line: a word broken inside. And any element that allows it.
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest('.visually-hidden, select, option, template')) continue;
    if (!el.getClientRects().length) continue;
    const piece = /[^\\s\\-–—\\/,.;:()“”"']+/g;
    let m;
    while ((m = piece.exec(node.data))) {
      if (m[0].length < 2) continue;
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
      const lines = new Set(rects.map(r => Math.round(r.bottom)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""

BREAK_ANYWHERE = """() => Array.from(document.querySelectorAll('main *')).filter(el => {
  const style = getComputedStyle(el);
  return style.wordBreak === 'break-all' || style.overflowWrap === 'anywhere';
}).map(el => el.tagName + '.' + el.className)"""


@pytest.fixture
def board_world(django_capture_on_commit_callbacks):
    from django.utils import timezone

    from courses.models import Lecture
    from production.scheduling import services as scheduling
    from tests.factories import UserFactory
    from tests.production.factories import SpeakerFactory, at, make_production, make_session

    producer = UserFactory(producer=True, email="lead@example.org")
    production = make_production(
        lectures=len(TITLES), team=[producer], client="Ministerie van Binnenlandse Zaken"
    )
    lectures = list(production.course.lectures.order_by("position"))
    for lecture, title in zip(lectures, TITLES, strict=True):
        Lecture.objects.filter(pk=lecture.pk).update(title=title)
    lectures = list(production.course.lectures.order_by("position"))
    speaker = SpeakerFactory(name="Anna de Vries")
    with django_capture_on_commit_callbacks(execute=True):
        make_session(production, days=10, speakers=[speaker], lectures=lectures[:3], state="scheduled")
        held = make_session(production, days=12, speakers=[speaker], lectures=lectures[3:])
        scheduling.recording_session_hold(
            session=held, until=timezone.localdate() + timedelta(days=30), reason="lockdown", by=None
        )
        scheduling.pretalk_create(
            production=production,
            speakers=[speaker],
            lectures=lectures[:2],
            starts_at=at(2),
            mode="phone",
            by=None,
        )
    return {"producer": producer, "production": production, "lectures": lectures}


def open_board(new_context, live_server, world, *, viewport=LAPTOP, language="en"):
    context = new_context(viewport=viewport, locale="en-GB" if language == "en" else "nl-NL")
    log_in_by_cookie(context, live_server.url, world["producer"])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    page.goto(f"{live_server.url}/studio/productions/{world['production'].pk}/")
    page.get_by_test_id("board").wait_for()
    wait_for(
        page,
        "typeof window.htmx !== 'undefined' && !document.querySelector('[data-board-select-all]').hidden",
    )
    page.evaluate("window.boardMarker = 'same page'")  # gone if the page reloads
    return page


def state_of(lecture, column) -> str:
    """A JS expression: the state a cell of the board shows now."""
    selector = f'tr[data-lecture="{lecture.pk}"] td[data-column="{column}"]'
    return f"document.querySelector('{selector}').dataset.state"


def cell(page, lecture, column):
    return page.locator(f'tr[data-lecture="{lecture.pk}"] td[data-column="{column}"]')


def test_a_producer_bulk_sets_captions_to_done_for_three_lectures_without_a_page_load(
    live_server, new_context, board_world
):
    from production.models import PostProduction

    page = open_board(new_context, live_server, board_world)
    chosen = board_world["lectures"][:3]
    for lecture in chosen:
        page.get_by_label(f"{lecture.position}. {lecture.title}").check()
    assert page.locator("#board-selected-count").inner_text() == "3 of 5 selected"
    page.get_by_label("Step").select_option("captions")
    page.get_by_label("Set to").select_option("done")
    page.get_by_role("button", name="Apply to the selected lectures").click()
    wait_for(page, "document.getElementById('board-status').textContent.includes('Captions set to')")
    for lecture in chosen:
        assert cell(page, lecture, "captions").get_attribute("data-state") == "done"
        assert page.locator(f"#select-{lecture.pk}").is_checked(), "the selection stays"
    untouched = board_world["lectures"][3]
    assert cell(page, untouched, "captions").get_attribute("data-state") == "not_started"
    assert page.evaluate("window.boardMarker") == "same page", "no full reload"
    assert "Captions set to “Done” for 3 lectures" in page.locator("#board-status").inner_text()
    states = dict(PostProduction.objects.filter(lecture__in=chosen).values_list("lecture_id", "captions"))
    assert set(states.values()) == {"done"}
    assert page.console_errors == []
    save_screenshot(page, "board-bulk-captions-laptop")

    # "select all" selects every lecture; the readiness summary followed the change out of band
    page.get_by_label("Select all").check()
    assert page.locator("#board-selected-count").inner_text() == "5 of 5 selected"
    assert page.locator("input.board-select:checked").count() == 5

    # a refused bulk change (422) still shows its reason in the status line, and changes nothing
    page.get_by_label("Select all").uncheck()
    page.get_by_role("button", name="Apply to the selected lectures").click()
    wait_for(page, "document.getElementById('board-status').textContent.includes('Select at least one')")
    assert page.evaluate("window.boardMarker") == "same page"


def test_a_producer_changes_a_cell_with_the_keyboard_only_and_keeps_the_focus(
    live_server, new_context, board_world
):
    from production.models import PostProduction

    page = open_board(new_context, live_server, board_world)
    lecture = board_world["lectures"][1]
    target = f"state-{lecture.pk}-edit"
    for _ in range(200):  # Tab through the page until the edit state of the second lecture
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == target:
            break
    else:
        raise AssertionError(f"Tab never reached #{target}")
    page.keyboard.press("ArrowDown")  # not started → in progress
    assert page.evaluate(f"document.getElementById('{target}').value") == "in_progress"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"save-{lecture.pk}-edit"
    page.keyboard.press("Enter")
    wait_for(page, f"{state_of(lecture, 'edit')} === 'in_progress'")
    assert page.evaluate("document.activeElement.id") == f"save-{lecture.pk}-edit", "focus stays on Save"
    assert "Edit of “Informatiebeveiliging” saved." in page.locator("#board-status").inner_text()
    assert page.evaluate("window.boardMarker") == "same page"
    assert PostProduction.objects.get(lecture=lecture).edit == "in_progress"

    # A refused change (draft → approved is not a review step) comes back in the row, by keyboard too
    script = f"state-{lecture.pk}-script"
    page.focus(f"#{script}")
    page.locator(f"#{script}").select_option("in_review")  # no version yet: refused with the reason
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_for(page, f"!!document.getElementById('error-{lecture.pk}-script')")
    error = page.locator(f"#error-{lecture.pk}-script").inner_text()
    assert "Add a version of the script before sending it for review." in error
    assert page.locator(f"#{script}").get_attribute("aria-describedby") == f"error-{lecture.pk}-script"
    # Chromium logs the refusal's 422 as a failed resource; nothing else (no CSP violation, no error)
    assert [e for e in page.console_errors if "status of 422" not in e] == []


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_board_fits_a_phone_as_cards_with_no_broken_words_and_no_axe_findings(
    live_server, new_context, board_world, language
):
    for name, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page = open_board(new_context, live_server, board_world, viewport=viewport, language=language)
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), (
            f"{name}: the board scrolls sideways "
            f"({page.evaluate('document.scrollingElement.scrollWidth')} > {viewport['width']})"
        )
        assert page.evaluate(BREAK_ANYWHERE) == []
        assert page.evaluate(BROKEN_WORDS) == [], f"{name}: words broken inside"
        if name == "laptop":
            wrap = "document.querySelector('.board-wrap')"
            assert page.evaluate(f"{wrap}.scrollWidth <= {wrap}.clientWidth"), "the table fits 1366 px"
        else:  # one card per lecture: rows stacked, full width, each with the same forms
            boxes = page.evaluate(
                "Array.from(document.querySelectorAll('table.board tbody tr'))"
                ".map(r => r.getBoundingClientRect().toJSON())"
            )
            assert len(boxes) == len(TITLES)
            assert all(b["bottom"] <= n["top"] for b, n in zip(boxes, boxes[1:], strict=False)), "stacked"
            assert all(b["width"] > 300 for b in boxes)
            assert page.locator("tbody tr").first.locator("form.cell-form").count() == 3
        assert all_violations(page) == [], f"{name} ({language})"
        save_screenshot(page, f"board-{language}-{name}")
        assert page.console_errors == []


def test_on_a_phone_a_card_changes_in_place_too(live_server, new_context, board_world):
    from production.models import PostProduction

    page = open_board(new_context, live_server, board_world, viewport=PHONE, language="nl")
    lecture = board_world["lectures"][4]
    page.locator(f"#state-{lecture.pk}-captions").select_option("in_progress")
    page.locator(f"#save-{lecture.pk}-captions").click()
    wait_for(page, f"{state_of(lecture, 'captions')} === 'in_progress'")
    assert "opgeslagen" in page.locator("#board-status").inner_text()
    assert page.evaluate("window.boardMarker") == "same page"
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    assert PostProduction.objects.get(lecture=lecture).captions == "in_progress"
    save_screenshot(page, "board-nl-phone-after-change")


def test_the_broken_word_checks_do_see_the_old_squeezed_board(live_server, new_context, board_world):
    """The checks above can fail: the board as it was (fixed layout, words broken anywhere) at 390 px."""
    page = open_board(new_context, live_server, board_world, viewport=PHONE)
    page.evaluate(
        """() => document.querySelectorAll('table.board, table.board *').forEach(el => {
            el.style.display = ''; el.style.overflowWrap = 'anywhere';
        })"""
    )
    page.evaluate(
        """() => { const t = document.querySelector('table.board'); t.style.display = 'table';
        t.style.tableLayout = 'fixed'; t.style.width = '100%';
        t.querySelectorAll('thead, tbody').forEach(e => e.style.display = 'table-row-group');
        t.querySelectorAll('tr').forEach(e => e.style.display = 'table-row');
        t.querySelectorAll('th, td').forEach(e => e.style.display = 'table-cell'); }"""
    )
    assert page.evaluate(BREAK_ANYWHERE) != []
    assert "Verandermanagement" in page.evaluate(BROKEN_WORDS)
