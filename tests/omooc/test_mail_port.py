"""The mail port (omooc/mail.py): courses queues emails without importing production; the
production app backs the port with its outbox at start-up."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from omooc import mail

pytestmark = pytest.mark.django_db


def _email(**overrides) -> mail.Email:
    values = {
        "idempotency_key": "port:1",
        "kind": mail.Kind.CERTIFICATE,
        "recipient": "noor@example.org",
        "recipient_name": "Noor Bakker",
        "subject": "Uw certificaat",
        "text": "Gefeliciteerd\n",
        "attachments": (mail.Attachment("certificate.pdf", b"%PDF-1.4 test", "application/pdf"),),
        "unsubscribe_url": "",
    }
    return mail.Email(**{**values, **overrides})


def test_the_production_app_backs_the_port_with_the_outbox_once_per_key():
    from production.models import EmailAttachment, EmailLog

    first = mail.queue_email(_email())
    again = mail.queue_email(_email(subject="changed"))
    assert first.created and not again.created
    assert first.message_id == again.message_id == EmailLog.message_id_for("port:1")
    (row,) = EmailLog.objects.all()
    assert (row.kind, row.subject, row.has_attachments) == (
        EmailLog.Kind.LEARNER_CERTIFICATE,
        "Uw certificaat",
        True,
    )
    assert [bytes(a.content) for a in EmailAttachment.objects.filter(email=row)] == [b"%PDF-1.4 test"]


def test_an_unusable_address_is_an_application_error_that_names_the_field():
    with pytest.raises(mail.InvalidRecipientError, match="recipient"):
        mail.queue_email(_email(recipient="no-at-sign"))


def test_a_kind_the_port_does_not_carry_is_refused():
    with pytest.raises(ValueError, match="kind"):
        mail.queue_email(_email(kind="invitation"))


def test_without_a_registered_outbox_nothing_is_sent_silently(monkeypatch):
    monkeypatch.setattr(mail, "_outbox", None)
    with pytest.raises(ImproperlyConfigured):
        mail.queue_email(_email())
