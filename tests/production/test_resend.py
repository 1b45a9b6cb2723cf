"""Sending a failed or bounced message again: a new row (new Message-ID) linked to the old one,
delivered once; refused for rows that went out or wait; producers of the email's team only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from omooc.exceptions import ApplicationError
from production.models import BouncedAddress, EmailLog
from production.outbox.actions import email_resend
from production.outbox.mailer import emails_send_due
from production.outbox.queue import Content, email_queue
from tests.factories import UserFactory

from .factories import SpeakerFactory, make_production, make_session

pytestmark = pytest.mark.django_db


def _row(production, *, state, key="k-team", recipient="lead@example.org"):
    email = email_queue(
        idempotency_key=key,
        kind=EmailLog.Kind.TEAM_NOTICE,
        recipient=recipient,
        content=Content(subject="Note", text="Hello"),
        production=production,
        send=False,
    )
    sent_at = timezone.now() if state == EmailLog.State.SENT else None
    EmailLog.objects.filter(pk=email.pk).update(
        state=state, attempts=5, error="451 try later", sent_at=sent_at
    )
    email.refresh_from_db()
    return email


def test_a_failed_row_sent_again_is_a_new_row_delivered_once(smtp_server, member, production):
    old = _row(production, state=EmailLog.State.FAILED)
    new = email_resend(email=old, by=member)
    old.refresh_from_db()
    assert new.pk != old.pk and new.state == EmailLog.State.QUEUED
    assert new.message_id != old.message_id and new.idempotency_key.startswith(old.idempotency_key)
    assert old.resent_as_id == new.pk and old.state == EmailLog.State.FAILED
    assert emails_send_due() == 1 and emails_send_due() == 0
    assert [m["Message-ID"] for m in smtp_server.messages] == [new.message_id]
    with pytest.raises(ApplicationError, match="already"):
        email_resend(email=old, by=member)


@pytest.mark.parametrize("state", [EmailLog.State.SENT, EmailLog.State.QUEUED, EmailLog.State.SUPERSEDED])
def test_rows_that_went_out_wait_or_were_replaced_are_refused(member, production, state):
    old = _row(production, state=state)
    with pytest.raises(ApplicationError):
        email_resend(email=old, by=member)
    assert EmailLog.objects.count() == 1


def test_a_bounced_address_is_cleared_by_an_explicit_resend(smtp_server, member, production):
    BouncedAddress.objects.create(email="lead@example.org", code=550)
    old = _row(production, state=EmailLog.State.BOUNCED)
    new = email_resend(email=old, by=member)
    assert not BouncedAddress.objects.exists()
    assert production.history.filter(action="bounce_cleared", by=member).exists()
    emails_send_due()
    new.refresh_from_db()
    assert new.state == EmailLog.State.SENT


def test_the_resend_view_is_post_only_and_for_the_team_of_the_production(client, member, production):
    old = _row(production, state=EmailLog.State.FAILED)
    url = reverse("production:email_resend", args=[old.pk])
    client.force_login(member)
    assert client.get(url).status_code == 405
    other = UserFactory(producer=True)
    make_production(team=[other])
    client.force_login(other)
    assert client.post(url).status_code in (403, 404)
    learner = UserFactory()
    client.force_login(learner)
    assert client.post(url).status_code in (302, 403, 404)
    assert EmailLog.objects.count() == 1
    client.force_login(member)
    response = client.post(url)
    assert response.status_code == 302
    assert EmailLog.objects.count() == 2


def test_a_learner_email_without_a_production_is_resent_by_superusers_only(client, member):
    old = _row(None, state=EmailLog.State.FAILED, recipient="learner@example.org")
    EmailLog.objects.filter(pk=old.pk).update(kind=EmailLog.Kind.LEARNER_NUDGE)
    client.force_login(member)
    assert client.post(reverse("production:email_resend", args=[old.pk])).status_code in (403, 404)
    client.force_login(UserFactory(is_superuser=True, is_staff=True, producer=True))
    assert client.post(reverse("production:email_resend", args=[old.pk])).status_code == 302
    assert EmailLog.objects.count() == 2


def _a_failed_invitation(run, production):
    """A scheduled session whose speaker's invitation failed for good (five attempts)."""
    speaker = SpeakerFactory()
    session = run(make_session, production=production, speakers=[speaker], state="scheduled")
    (invitation,) = EmailLog.objects.filter(speaker=speaker, kind=EmailLog.Kind.INVITATION)
    EmailLog.objects.filter(pk=invitation.pk).update(state=EmailLog.State.FAILED, attempts=5)
    return session, invitation


def test_a_failed_invitation_is_sent_again_through_the_calendar_sync(smtp_server, member, production, run):
    session, invitation = _a_failed_invitation(run, production)
    invitation.refresh_from_db()
    new = email_resend(email=invitation, by=member)
    assert new.kind == EmailLog.Kind.INVITATION and new.ics_sequence == session.ical_sequence
    assert new.message_id != invitation.message_id
    emails_send_due()
    assert [m["Message-ID"] for m in smtp_server.messages] == [new.message_id]
    # the sync sees the resend as the speaker's message: nothing more is queued
    from production.outbox.calendar_messages import calendar_sync

    assert calendar_sync(target_type="session", target_id=session.pk) == []


def _a_day_later(run, session, by):
    run.reschedule(session, session.starts_at + timedelta(days=1), session.ends_at + timedelta(days=1), by=by)


def test_a_stale_calendar_message_is_not_sent_again(member, production, run):
    session, invitation = _a_failed_invitation(run, production)
    _a_day_later(run, session, by=member)
    invitation.refresh_from_db()
    with pytest.raises(ApplicationError, match="newer"):
        email_resend(email=invitation, by=member)


def test_the_speaker_email_page_offers_the_resend_button_for_a_failed_message(client, member, production):
    speaker = SpeakerFactory(email="talks@example.org")
    make_session(production, speakers=[speaker])
    failed = _row(production, state=EmailLog.State.FAILED, recipient="talks@example.org")
    EmailLog.objects.filter(pk=failed.pk).update(speaker=speaker)
    sent = _row(production, state=EmailLog.State.SENT, key="k-sent", recipient="talks@example.org")
    EmailLog.objects.filter(pk=sent.pk).update(speaker=speaker)
    client.force_login(member)
    html = client.get(reverse("production:email_speaker", args=[speaker.pk])).content.decode()
    assert reverse("production:email_resend", args=[failed.pk]) in html
    assert reverse("production:email_resend", args=[sent.pk]) not in html


def test_a_speaker_reminder_written_before_the_item_changed_is_not_sent_again(member, production, run):
    speaker = SpeakerFactory()
    session = run(make_session, production=production, speakers=[speaker], state="scheduled")
    reminder = email_queue(
        idempotency_key="k-reminder",
        kind=EmailLog.Kind.REMINDER,
        recipient=speaker.email,
        content=Content(subject="Tomorrow", text="At 10:00"),
        speaker=speaker,
        production=production,
        target_type="session",
        target_id=session.pk,
        send=False,
    )
    EmailLog.objects.filter(pk=reminder.pk).update(state=EmailLog.State.FAILED, attempts=5)
    _a_day_later(run, session, by=member)
    reminder.refresh_from_db()
    with pytest.raises(ApplicationError, match="old details"):
        email_resend(email=reminder, by=member)
