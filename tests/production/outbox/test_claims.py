"""A scan's claims give the rows as the ORM reads them (ADR 0032): the synchronous claim and the claim
pipelined with a group's round trip return the same instances (every field the ORM would load, the
times nothing on the way out reads left deferred and loaded when asked for, attachments prefetched),
lease them to the scan, and a pipelined claim's lease commits with its group."""

from __future__ import annotations

import pytest
from django.db import transaction

from production.models import EmailLog
from production.models.outbox import EmailAttachment
from production.outbox.lease import Lease, Pipeline, claimed
from production.outbox.queue import Content, email_queue
from tests.production.factories import SpeakerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.usefixtures("postgres"),
]


def _queue_three() -> list[int]:
    speaker = SpeakerFactory()
    plain = email_queue(
        idempotency_key="claims:plain",
        kind="reminder",
        recipient="plain@example.org",
        content=Content(subject="Herinnering", text="Tot morgen.\n", html="<p>Tot morgen.</p>"),
        send=False,
    )
    calendar = email_queue(
        idempotency_key="claims:calendar",
        kind="invitation",
        recipient="zoe@example.org",
        recipient_name="Zoë Ÿsbrand",
        content=Content(subject="Uitnodiging", text="Welkom\n"),
        ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        ics_method="REQUEST",
        ics_sequence=2,
        speaker=speaker,
        target_type="session",
        target_id=41,
        send=False,
    )
    certificate = email_queue(
        idempotency_key="claims:attachment",
        kind="learner_certificate",
        recipient="learner@example.org",
        content=Content(subject="Certificaat", text="Proficiat\n"),
        send=False,
    )
    EmailAttachment.objects.create(
        email=certificate, filename="c.pdf", mimetype="application/pdf", content=b"%PDF-1.4"
    )
    EmailLog.objects.filter(pk=certificate.pk).update(has_attachments=True)
    return [plain.pk, calendar.pk, certificate.pk]


def _same_as_the_orm(emails: list[EmailLog], token: int) -> None:
    for email in emails:
        stored = EmailLog.objects.get(pk=email.pk)
        assert email._state.adding is False and email._state.db == "default"
        assert email.get_deferred_fields() == {"created_at", "lease_until", "sent_at"}
        for field in EmailLog._meta.concrete_fields:
            assert getattr(email, field.attname) == getattr(stored, field.attname), field.name
        assert stored.lease_holder == token and stored.lease_until is not None
    with_files = [email for email in emails if email.has_attachments]
    assert [a.filename for a in with_files[0].attachments.all()] == ["c.pdf"]


def test_a_claim_reads_each_row_as_the_orm_does():
    pks = _queue_three()
    lease = Lease.open()
    try:
        emails = lease.claim(limit=10)
        assert [email.pk for email in emails] == pks, "oldest due first"
        _same_as_the_orm(emails, lease.token)
        # A claimed row is a model instance like any other: it saves what it is told to.
        emails[0].error = "noted"
        emails[0].save(update_fields=["error"])
        assert EmailLog.objects.get(pk=pks[0]).error == "noted"
    finally:
        lease.close()


def test_a_claim_pipelined_with_a_group_reads_the_same_rows_and_leases_them_with_its_commit():
    pks = _queue_three()
    lease = Lease.open()
    pipeline = Pipeline()
    try:
        with transaction.atomic(), pipeline.guard():
            pipe = pipeline.send(["BEGIN", lease.claim_statement(10), "SELECT 1"])
            emails = claimed(pipe.result(1))
            assert [email.pk for email in emails] == pks
            # Any other query on the connection first reads what the pipe has left.
            assert EmailLog.objects.filter(pk__in=pks, lease_holder=lease.token).count() == 3
            assert pipe.rows(2) == [(b"1",)]
            pipeline.send(["COMMIT"]).finish()
        _same_as_the_orm(emails, lease.token)
    finally:
        lease.close()
    assert not EmailLog.objects.exclude(lease_holder=None).exists(), "given back when the lease ends"
