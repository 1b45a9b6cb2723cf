"""An SMTP outage loses and doubles nothing: with the server refusing connections for a while, every
kind of email (speaker, team and learner) is delivered exactly once after it returns, each with the
Message-ID stored in the log. The outbox scan (``emails_send_due``, what the per-minute beat task
runs) does the work, as in the product.

The documented window (docs/adr/0005): a crash between the server's 250 and our commit repeats a
message with the same Message-ID, so a Message-ID may arrive at most twice; with no crash, once."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from production.models import EmailLog
from production.outbox.mailer import MAX_ATTEMPTS, emails_send_due
from production.outbox.queue import Content, email_queue
from tests.factories import LectureFactory, UserFactory
from tests.support.mailbox import SMTPServer, point_email_at

pytestmark = pytest.mark.django_db

# Longer than the retry limit for a message the server refuses: an outage must never fail a message.
OUTAGE_SCANS = MAX_ATTEMPTS + 2
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//OMOOC//test//EN\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\n"
    "UID:outage-{key}@example.org\r\nSEQUENCE:0\r\nDTSTAMP:20260401T080000Z\r\n"
    "DTSTART:20260414T080000Z\r\nDTEND:20260414T100000Z\r\nSUMMARY:Opname\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
CALENDAR_METHODS = {
    EmailLog.Kind.INVITATION: "REQUEST",
    EmailLog.Kind.UPDATE: "REQUEST",
    EmailLog.Kind.POSTPONEMENT: "CANCEL",
    EmailLog.Kind.CANCELLATION: "CANCEL",
}


def _queue_one_of_every_studio_kind() -> None:
    learner_kinds = {
        EmailLog.Kind.LEARNER_LECTURE,
        EmailLog.Kind.LEARNER_NUDGE,
        EmailLog.Kind.LEARNER_CERTIFICATE,
    }
    for kind in sorted(set(EmailLog.Kind.values) - learner_kinds):
        method = CALENDAR_METHODS.get(kind, "")
        email_queue(
            idempotency_key=f"outage:{kind}",
            kind=kind,
            recipient=f"{kind}@example.org",
            recipient_name=f"Ontvanger {kind}",
            content=Content(subject=f"Bericht: {kind}", text="Hallo\n", html="<p>Hallo</p>"),
            ics=ICS.format(method=method, key=kind) if method else "",
            ics_method=method,
        )


def _queue_the_learner_kinds() -> None:
    """Through the courses services and the mail port, as the beat tasks and the progress flush do."""
    from courses.learning.services import certificate_issue, lecture_release_notices_send, nudges_send
    from tests.courses.learning.factories import EnrollmentFactory

    now = timezone.now()
    lecture = LectureFactory(release_at=now - dt.timedelta(hours=1))
    enrollment = EnrollmentFactory(
        user=UserFactory(email="learner@example.org", full_name="Zoë de Wit"),
        course=lecture.course,
        enrolled_at=now - dt.timedelta(days=20),
        last_lecture=lecture,
        last_position_seconds=300,
        last_activity_at=now - dt.timedelta(days=8),
    )
    assert lecture_release_notices_send(now=now) == 1
    assert nudges_send(now=now) == 1
    certificate_issue(enrollment=enrollment)


def _scan() -> int:
    """One scan after the clock has passed every backoff."""
    EmailLog.objects.filter(state=EmailLog.State.QUEUED).update(next_attempt_at=timezone.now())
    return emails_send_due()


def test_after_an_smtp_outage_every_kind_of_email_arrives_exactly_once_with_its_message_id(settings):
    server = SMTPServer()
    point_email_at(settings, server.port)  # nothing listens there yet: connections are refused
    _queue_one_of_every_studio_kind()
    _queue_the_learner_kinds()
    queued = list(EmailLog.objects.order_by("kind"))
    assert {email.kind for email in queued} == set(EmailLog.Kind.values), "one of every kind"

    for _ in range(OUTAGE_SCANS):
        # The first refused connection ends the scan: one probe per scan, not one timeout per message.
        assert _scan() == 1
    probed = EmailLog.objects.exclude(attempts=0)
    assert sum(email.attempts for email in probed) == OUTAGE_SCANS
    for email in probed:
        assert "Mail server unreachable" in email.error and "Connection refused" in email.error, email.error
    for email in EmailLog.objects.all():
        assert email.state == EmailLog.State.QUEUED, (email.kind, email.attempts)  # none given up

    mailbox = server.start()
    try:
        scans = 0
        while EmailLog.objects.filter(state=EmailLog.State.QUEUED).exists():
            _scan()
            scans += 1
            assert scans < 5, "the outbox empties once the server is back"
        assert _scan() == 0
    finally:
        server.stop()

    arrived = Counter(mailbox.message_ids())
    assert set(arrived) == {email.message_id for email in queued}
    assert max(arrived.values()) == 1, "each message arrives once"
    by_id = {str(message["Message-ID"]): message for message in mailbox.messages}
    for email in EmailLog.objects.all():
        assert email.state == EmailLog.State.SENT, (email.kind, email.error)
    assert sum(email.attempts for email in EmailLog.objects.all()) == OUTAGE_SCANS + len(queued)
    for email in EmailLog.objects.all():
        message = by_id[email.message_id]
        assert message["X-OMOOC-Kind"] == email.kind
        assert message["To"].addresses[0].addr_spec == email.recipient
    certificate = by_id[EmailLog.objects.get(kind=EmailLog.Kind.LEARNER_CERTIFICATE).message_id]
    (pdf,) = list(certificate.iter_attachments())
    assert pdf.get_content_type() == "application/pdf" and pdf.get_content().startswith(b"%PDF-")
