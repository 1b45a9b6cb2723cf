"""The board's changes in place (ADR 0025): a cell's form and the bulk form, with htmx (a fragment
back) and without (POST, redirect, message); two teams; all or nothing; constant queries."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from courses.models import Caption
from production.models import HistoryEntry, PostProduction, ScriptPart
from production.scripts import services as scripts
from tests.factories import UserFactory
from tests.production.factories import make_production

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def production():
    """A production of three lectures; its team is one producer."""
    return make_production(lectures=3, team=[UserFactory(producer=True)])


@pytest.fixture
def member(production):
    return production.team.get()


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def other_team():
    """Another team's producer and production."""
    outsider = UserFactory(producer=True)
    return outsider, make_production(lectures=3, team=[outsider])


def lectures_of(production):
    return list(production.course.lectures.order_by("position", "id"))


def cell_url(production, lecture, column):
    return reverse("production:board_cell", args=[production.pk, lecture.pk, column])


def bulk_url(production):
    return reverse("production:board_bulk", args=[production.pk])


def step(lecture, name):
    return getattr(PostProduction.objects.get(lecture=lecture), name)


def row_html(html: str, lecture) -> str:
    match = re.search(rf'<tr data-lecture="{lecture.pk}".*?</tr>', html, re.S)
    assert match, f"no row for lecture {lecture.pk}"
    return match.group(0)


# --- one cell ------------------------------------------------------------------------------------


def test_an_htmx_cell_change_saves_and_answers_with_the_row_and_the_readiness_out_of_band(
    member_client, production, member
):
    lecture = lectures_of(production)[1]
    response = member_client.post(
        cell_url(production, lecture, "edit"), {"state": "in_progress", "seen": "not_started"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr data-lecture="{lecture.pk}"'), "the row is the main content"
    assert 'data-column="edit" data-state="in_progress"' in row_html(html, lecture)
    assert re.search(r'<section [^>]*id="board-summary"[^>]*hx-swap-oob="true"', html)
    assert "Ready for launch" in html
    assert f"Edit of “{lecture}” saved." in html
    assert step(lecture, "edit") == "in_progress"
    entry = HistoryEntry.objects.get(object_id=PostProduction.objects.get(lecture=lecture).pk, action="edit")
    assert (entry.from_value, entry.to_value, entry.by) == ("not_started", "in_progress", member)


def test_without_javascript_a_cell_form_posts_and_redirects_back_to_the_row_with_a_message(
    member_client, production
):
    lecture = lectures_of(production)[0]
    response = member_client.post(cell_url(production, lecture, "captions"), {"state": "done"})
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("production:board", args=[production.pk]) + f"#lecture-{lecture.pk}"
    )
    assert step(lecture, "captions") == "done"
    page = member_client.get(response["Location"]).content.decode()
    assert f"Captions of “{lecture}” saved." in page
    assert 'data-column="captions" data-state="done"' in row_html(page, lecture)


def test_the_board_page_has_a_plain_form_per_changeable_cell_that_htmx_also_submits(
    member_client, production
):
    page = member_client.get(reverse("production:board", args=[production.pk])).content.decode()
    lecture = lectures_of(production)[0]
    row = row_html(page, lecture)
    for column in ("script", "edit", "captions"):
        url = cell_url(production, lecture, column)
        assert f'method="post" action="{url}" hx-post="{url}"' in row
    assert "csrfmiddlewaretoken" in row
    assert 'form="board-bulk"' in row
    assert "htmx.min.js" in page and "js/board.js" in page
    assert '"allowEval":false' in page and '"includeIndicatorStyles":false' in page


def test_an_illegal_script_transition_answers_422_with_the_row_and_the_rule_never_a_500(
    member_client, production
):
    lecture = lectures_of(production)[0]
    response = member_client.post(
        cell_url(production, lecture, "script"), {"state": "approved", "seen": "draft"}, **HTMX
    )
    assert response.status_code == 422
    row = row_html(response.content.decode(), lecture)
    assert "cannot go from “Draft” to “Approved”" in row
    assert 'aria-invalid="true"' in row
    assert ScriptPart.objects.get(lecture=lecture).state == "draft"


def test_a_change_over_a_state_a_colleague_changed_meanwhile_is_refused_as_stale(
    member_client, production, member
):
    lecture = lectures_of(production)[0]
    colleague = Client()
    colleague.force_login(member)
    colleague.post(cell_url(production, lecture, "edit"), {"state": "done", "seen": "not_started"})
    # the first producer's page still shows "not started"
    response = member_client.post(
        cell_url(production, lecture, "edit"), {"state": "in_progress", "seen": "not_started"}, **HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert f"Edit of “{lecture}” was changed meanwhile to “Done”" in html
    assert 'data-column="edit" data-state="done"' in row_html(html, lecture), "the row shows the truth"
    assert step(lecture, "edit") == "done"


def test_asking_for_script_changes_without_a_reason_asks_for_it_in_the_row_then_saves_it(
    member_client, production, member
):
    lecture = lectures_of(production)[0]
    part = ScriptPart.objects.get(lecture=lecture)
    scripts.script_version_add(part=part, text="Tekst", by=member)
    scripts.script_part_transition(part=part, to_state="in_review", by=member)
    url = cell_url(production, lecture, "script")
    refused = member_client.post(url, {"state": "changes_requested", "seen": "in_review"}, **HTMX)
    assert refused.status_code == 422
    row = row_html(refused.content.decode(), lecture)
    assert "Say which changes are needed." in row
    assert 'name="reason"' in row and "autofocus" in row
    assert '<option value="changes_requested" selected>' in row
    saved = member_client.post(
        url, {"state": "changes_requested", "seen": "in_review", "reason": "Inleiding korter"}, **HTMX
    )
    assert saved.status_code == 200
    part.refresh_from_db()
    assert part.state == "changes_requested"


def test_a_step_set_by_a_caption_track_has_no_form_and_cannot_be_set_back(member_client, production):
    lecture = lectures_of(production)[0]
    Caption.objects.create(lecture=lecture, language="nl", vtt="captions/x.vtt")
    page = member_client.get(reverse("production:board", args=[production.pk])).content.decode()
    assert cell_url(production, lecture, "captions") not in row_html(page, lecture)
    response = member_client.post(cell_url(production, lecture, "captions"), {"state": "not_started"}, **HTMX)
    assert response.status_code == 422
    assert "has caption tracks (nl)" in response.content.decode()


def test_another_teams_lecture_or_production_is_not_found_and_nothing_changes(
    member_client, production, other_team
):
    _, theirs = other_team
    their_lecture = lectures_of(theirs)[0]
    mine = lectures_of(production)[0]
    for url in (
        cell_url(production, their_lecture, "edit"),  # their lecture under my production
        cell_url(theirs, their_lecture, "edit"),  # their production
        cell_url(theirs, mine, "edit"),
    ):
        for extra in ({}, HTMX):
            assert member_client.post(url, {"state": "done"}, **extra).status_code == 404, url
    assert member_client.post(cell_url(production, mine, "recording"), {"state": "done"}).status_code == 404
    assert step(their_lecture, "edit") == "not_started"
    assert step(mine, "edit") == "not_started"


def test_a_lecture_of_another_production_of_the_same_team_is_not_found(member_client, production, member):
    second = make_production(lectures=1, team=[member])
    stranger = lectures_of(second)[0]
    response = member_client.post(
        bulk_url(production), {"action": "step", "step": "edit", "state": "done", "lectures": [stranger.pk]}
    )
    assert response.status_code == 404
    assert step(stranger, "edit") == "not_started"


def test_cell_and_bulk_forms_need_the_csrf_token_and_a_producer(production, member):
    lecture = lectures_of(production)[0]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(cell_url(production, lecture, "edit"), {"state": "done"}, **HTMX).status_code == 403
    assert strict.post(bulk_url(production), {"action": "step", "lectures": [lecture.pk]}).status_code == 403
    assert step(lecture, "edit") == "not_started"
    learner = Client()
    learner.force_login(UserFactory())
    assert learner.post(cell_url(production, lecture, "edit"), {"state": "done"}).status_code in (302, 403)
    assert step(lecture, "edit") == "not_started"
    assert Client().get(cell_url(production, lecture, "edit")).status_code in (302, 403, 405)


# --- bulk ------------------------------------------------------------------------------------------


def test_bulk_setting_captions_to_done_changes_every_selected_lecture_and_answers_their_rows(
    member_client, production, member
):
    lectures = lectures_of(production)
    response = member_client.post(
        bulk_url(production),
        {"action": "step", "step": "captions", "state": "done", "lectures": [lec.pk for lec in lectures]},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    for lecture in lectures:
        row = row_html(html, lecture)
        assert 'hx-swap-oob="true"' in row and 'data-column="captions" data-state="done"' in row
        assert " checked" in row, "the selection stays"
        assert step(lecture, "captions") == "done"
    assert "Captions set to “Done” for 3 lectures" in html
    assert HistoryEntry.objects.filter(action="captions", to_value="done", by=member).count() == 3


def test_a_bulk_change_is_all_or_nothing_and_names_the_lecture_that_cannot_take_it(member_client, production):
    first, second, third = lectures_of(production)
    Caption.objects.create(lecture=second, language="en", vtt="captions/y.vtt")
    data = {
        "action": "step",
        "step": "captions",
        "state": "in_progress",
        "lectures": [first.pk, second.pk, third.pk],
    }
    response = member_client.post(bulk_url(production), data, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was changed." in html and f"“{second}” has caption tracks (en)" in html
    assert str(first) not in html.split("Nothing was changed.")[1]
    assert [step(lec, "captions") for lec in (first, second, third)] == ["not_started"] * 3
    plain = member_client.post(bulk_url(production), data)
    assert plain.status_code == 302
    page = member_client.get(plain["Location"]).content.decode()
    assert f"“{second}” has caption tracks (en)" in page
    assert not HistoryEntry.objects.filter(action="captions").exists()


def test_a_bulk_change_with_one_foreign_lecture_is_not_found_and_changes_nothing(
    member_client, production, other_team
):
    _, theirs = other_team
    mine = lectures_of(production)
    data = {
        "action": "step",
        "step": "edit",
        "state": "done",
        "lectures": [mine[0].pk, lectures_of(theirs)[0].pk],
    }
    assert member_client.post(bulk_url(production), data, **HTMX).status_code == 404
    assert step(mine[0], "edit") == "not_started"


def test_a_bulk_action_without_a_selection_says_to_select_lectures(member_client, production):
    response = member_client.post(
        bulk_url(production), {"action": "step", "step": "edit", "state": "done"}, **HTMX
    )
    assert response.status_code == 422
    assert "Select at least one lecture first." in response.content.decode()


def test_planning_a_session_for_the_selected_lectures_opens_the_session_form_with_them_ticked(
    member_client, production
):
    first, second, third = lectures_of(production)
    data = {"action": "session", "step": "edit", "state": "done", "lectures": [first.pk, third.pk]}
    plain = member_client.post(bulk_url(production), data)
    assert plain.status_code == 302
    target = reverse("production:session_create", args=[production.pk])
    assert plain["Location"] == f"{target}?lectures={first.pk}&lectures={third.pk}"
    htmx = member_client.post(bulk_url(production), data, **HTMX)
    assert htmx["HX-Redirect"] == plain["Location"]
    form = member_client.get(plain["Location"]).content.decode()
    ticked = set(re.findall(r'<input type="checkbox" name="lectures" value="(\d+)"[^>]*checked', form))
    assert ticked == {str(first.pk), str(third.pk)}


def test_the_board_in_dutch_offers_the_forms_and_refusals_in_dutch(member_client, production):
    lecture = lectures_of(production)[0]
    page = member_client.get(reverse("production:board", args=[production.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    html = page.content.decode()
    assert "Opslaan" in html and "Met de geselecteerde colleges" in html
    refused = member_client.post(
        cell_url(production, lecture, "script"),
        {"state": "approved", "seen": "draft"},
        HTTP_ACCEPT_LANGUAGE="nl",
        **HTMX,
    )
    assert refused.status_code == 422
    assert "kan niet van" in refused.content.decode()


# --- queries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_the_board_and_its_fragments_use_the_same_number_of_queries_for_3_and_30_lectures(
    client, django_assert_num_queries, size
):
    user = UserFactory(producer=True)
    production = make_production(lectures=size, team=[user])
    lectures = lectures_of(production)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    board = reverse("production:board", args=[production.pk])
    client.get(board)
    with django_assert_num_queries(10):  # 9, and the offer to undo a recent hold (ADR 0024)
        page = client.get(board)
    assert page.content.decode().count("<tr data-lecture=") == size
    ContentType.objects.get_for_model(PostProduction)  # cached per process: the history's subject type
    with django_assert_num_queries(17):
        cell = client.post(cell_url(production, lectures[-1], "edit"), {"state": "done"}, **HTMX)
    assert cell.status_code == 200
    everyone = {
        "action": "step",
        "step": "captions",
        "state": "done",
        "lectures": [lec.pk for lec in lectures],
    }
    with django_assert_num_queries(17):
        bulk = client.post(bulk_url(production), everyone, **HTMX)
    assert bulk.status_code == 200
    assert bulk.content.decode().count("<tr data-lecture=") == size
    assert PostProduction.objects.filter(production=production, captions="done").count() == size
