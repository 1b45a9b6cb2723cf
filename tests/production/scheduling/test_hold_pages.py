"""The hold pages: form → preview → confirm → the hold's page with undo; the banner on the board;
two teams; query counts of the preview page for 3 and 30 sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from production.models import HistoryEntry, HoldBatch, RecordingSession
from production.outbox.mailer import emails_send_due
from production.scheduling.services import hold_apply, undo
from tests.factories import UserFactory
from tests.production.factories import SpeakerFactory, make_production, make_session

pytestmark = pytest.mark.usefixtures("postgres")


@pytest.fixture
def client(client):
    """The pages in English (the message ids); Dutch is checked in the browser test."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _until(days: int = 40) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _world(run, sessions: int = 3):
    producer = UserFactory(producer=True)
    production = make_production(lectures=1, team=[producer], target_launch_on=timezone.localdate())
    speakers = [SpeakerFactory(), SpeakerFactory()]
    for i in range(sessions):
        run(make_session, production=production, days=10 + i, speakers=speakers, state="scheduled")
    return producer, production


def _held(run, production, producer) -> HoldBatch:
    """A production's recordings on hold, confirmed by ``producer`` just now."""
    until = timezone.localdate() + timedelta(days=40)
    _plan, batch = run(hold_apply, productions=[production], until=until, reason="lockdown", by=producer)
    return batch


def _confirm(client, url: str, page, reason: str = "lockdown"):
    fingerprint = page.context["plan"].fingerprint
    return client.post(url, {"until": _until(), "reason": reason, "plan": fingerprint, "step": "confirm"})


def test_a_producer_previews_confirms_and_undoes_a_production_hold(
    client, run, mailbox, django_capture_on_commit_callbacks
):
    producer, production = _world(run)
    emails_send_due()
    client.force_login(producer)
    url = reverse("production:postpone", kwargs={"pk": production.pk})
    form = client.get(url)
    assert form.status_code == 200 and "Preview the hold" in form.text

    preview = client.post(url, {"until": _until(), "reason": "lockdown"})
    assert preview.status_code == 200
    assert "3 recording sessions go on hold." in preview.text
    assert "6 speaker emails (postponements) will be sent." in preview.text
    assert "Projected after the hold" in preview.text
    assert not RecordingSession.objects.filter(state="on_hold").exists(), "the preview changed nothing"

    with django_capture_on_commit_callbacks(execute=True):
        done = _confirm(client, url, preview)
    batch = HoldBatch.objects.get()
    assert done.status_code == 302 and done.url == reverse("production:hold", kwargs={"pk": batch.pk})
    assert RecordingSession.objects.filter(state="on_hold").count() == 3
    landed = client.get(done.url)
    assert "3 recording sessions put on hold until at least" in landed.text
    assert "You can undo this until" in landed.text and "(10 minutes left)" in landed.text

    board = client.get(reverse("production:board", kwargs={"pk": production.pk}))
    assert 'data-testid="hold-undo-banner"' in board.text

    undone = client.post(reverse("production:hold_undo", kwargs={"pk": batch.pk}), follow=True)
    assert "Hold undone: 3 recording sessions are back as they were." in undone.text
    assert "6 postponements had not left yet and were withdrawn." in undone.text
    assert not RecordingSession.objects.filter(state="on_hold").exists()
    board = client.get(reverse("production:board", kwargs={"pk": production.pk}))
    assert 'data-testid="hold-undo-banner"' not in board.text
    history = client.get(reverse("production:history", kwargs={"pk": production.pk}))
    assert "hold undone" in history.text and "put on hold" in history.text


def test_a_confirmation_after_the_schedule_changed_shows_the_new_preview(client, run, mailbox):
    producer, production = _world(run)
    client.force_login(producer)
    url = reverse("production:postpone", kwargs={"pk": production.pk})
    preview = client.post(url, {"until": _until(), "reason": "lockdown"})
    run(make_session, production=production, days=30, speakers=[SpeakerFactory()], state="scheduled")
    again = _confirm(client, url, preview)
    assert again.status_code == 200
    assert "The schedule changed after the preview was made" in again.text
    assert "4 recording sessions go on hold." in again.text
    assert not HoldBatch.objects.exists()


def test_the_session_hold_form_previews_one_session(client, run, mailbox):
    producer, production = _world(run, sessions=1)
    session = RecordingSession.objects.get()
    client.force_login(producer)
    url = reverse("production:session_hold", kwargs={"pk": session.pk})
    preview = client.post(url, {"until": _until(), "reason": "ill"})
    assert "1 recording session goes on hold." in preview.text
    done = _confirm(client, url, preview, reason="ill")
    assert done.status_code == 302
    session.refresh_from_db()
    assert (session.state, session.hold_reason) == ("on_hold", "ill")


def test_a_bad_date_stays_on_the_form_with_the_reason(client, run):
    producer, production = _world(run, sessions=1)
    client.force_login(producer)
    url = reverse("production:postpone", kwargs={"pk": production.pk})
    page = client.post(url, {"until": _until(-3), "reason": "lockdown"})
    assert page.status_code == 200 and "is in the past; pick today or later" in page.text
    assert "plan" not in page.context


def test_another_teams_producer_gets_404_for_the_hold_its_undo_and_the_forms(client, run, mailbox):
    producer, production = _world(run)
    batch = _held(run, production, producer)
    other = UserFactory(producer=True)
    make_production(lectures=1, team=[other])
    client.force_login(other)
    assert client.get(reverse("production:hold", kwargs={"pk": batch.pk})).status_code == 404
    assert client.post(reverse("production:hold_undo", kwargs={"pk": batch.pk})).status_code == 404
    assert client.get(reverse("production:postpone", kwargs={"pk": production.pk})).status_code == 404
    session = RecordingSession.objects.filter(production=production).first()
    assert client.get(reverse("production:session_hold", kwargs={"pk": session.pk})).status_code == 404
    # The studio-wide hold of the other producer previews only their own (none) sessions.
    preview = client.post(reverse("production:postpone_all"), {"until": _until(), "reason": "lockdown"})
    assert "0 recording sessions go on hold." in preview.text
    assert undo.hold_undo_offers(user=other) == []
    learner = UserFactory()
    client.force_login(learner)
    assert client.post(reverse("production:hold_undo", kwargs={"pk": batch.pk})).status_code in (302, 403)
    assert RecordingSession.objects.filter(state="on_hold").count() == 3


def test_the_undo_is_refused_on_the_page_after_ten_minutes(client, run, mailbox):
    producer, production = _world(run, sessions=1)
    batch = _held(run, production, producer)
    client.force_login(producer)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        page = client.post(reverse("production:hold_undo", kwargs={"pk": batch.pk}), follow=True)
        board = client.get(reverse("production:board", kwargs={"pk": production.pk}))
    assert "it is too late now" in page.text
    assert "Undo was possible until" in page.text
    assert 'data-testid="hold-undo-banner"' not in board.text
    assert not HistoryEntry.objects.filter(action="hold_undone").exists()


@pytest.mark.parametrize("sessions", [3, 30])
def test_the_preview_page_costs_the_same_queries_for_3_and_30_sessions(
    sessions, client, run, mailbox, django_assert_num_queries
):
    producer, production = _world(run, sessions=sessions)
    emails_send_due()
    client.force_login(producer)
    url = reverse("production:postpone", kwargs={"pk": production.pk})
    client.get(url)  # warm the session and content types
    # The login session and user (2), the production and its team check (2), the plan (5): the same
    # for 3 and 30 sessions.
    with django_assert_num_queries(PREVIEW_PAGE_QUERIES):
        page = client.post(url, {"until": _until(), "reason": "lockdown"})
    assert len(page.context["plan"].sessions) == sessions


PREVIEW_PAGE_QUERIES = 9
