"""The outbox: reminders due at a time, every email the studio sends, bounced addresses, and the
personal links speakers use instead of an account.

A reminder is a row, never a countdown task (ARCHITECTURE.md, "Reminders"). A due scan claims rows
with ``select_for_update(skip_locked=True)`` and holds the row lock while it works; the claim dies
with the worker's database connection, so a killed worker leaves the row as it was, for the next scan.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omooc.models import Timestamped, optional_ref, user_ref


class Target(models.TextChoices):
    """What a reminder or an email is about (``target_type`` + ``target_id``)."""

    SESSION = "session", _("recording session")
    PRETALK = "pretalk", _("pre-talk")
    SCRIPT_PART = "script_part", _("script part")
    PRODUCTION = "production", _("production")
    SPEAKER = "speaker", _("speaker")
    NONE = "", _("nothing in particular")


class OutboxRow(models.Model):
    """What a reminder and an email have in common: to whom, about what, sent once (by its
    idempotency key) and how often sending was tried."""

    recipient = models.EmailField(_("recipient"))
    target_type = models.CharField(_("about"), max_length=20, choices=Target.choices, blank=True)
    target_id = models.PositiveBigIntegerField(_("item id"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        abstract = True


def _target_index(name: str) -> models.Index:
    """The rows about one item (cancelling or superseding what is still to be sent)."""
    return models.Index(fields=["target_type", "target_id"], name=name)


def _sent_has_time(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(state="sent", sent_at__isnull=False) | ~Q(state="sent"), name=name
    )


class Reminder(OutboxRow, Timestamped):
    class Kind(models.TextChoices):
        SESSION_SPEAKER_7D = "session_speaker_7d", _("speaker, 7 days before a session")
        SESSION_SPEAKER_1D = "session_speaker_1d", _("speaker, 1 day before a session")
        PRETALK_SPEAKER_1D = "pretalk_speaker_1d", _("speaker, 1 day before a pre-talk")
        SCRIPT_DUE_SOON = "script_due_soon", _("team, script part due in 2 days")
        SCRIPT_OVERDUE = "script_overdue", _("team, script part overdue")
        SESSION_UNCONFIRMED = "session_unconfirmed", _("team, unconfirmed speakers within 72 hours")
        HOLD_PASSED = "hold_passed", _("team, hold date passed without a new date")
        DIGEST = "digest", _("producer's daily digest")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("cancelled")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    # A reminder goes with what it is for (an email stays in the log: its references empty).
    production = optional_ref(
        "production.Production", _("production"), related_name="reminders", on_delete=models.CASCADE
    )
    speaker = optional_ref(
        "production.Speaker", _("speaker"), related_name="reminders", on_delete=models.CASCADE
    )
    user = user_ref(_("producer"), related_name="production_reminders", on_delete=models.CASCADE)
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    email = optional_ref("production.EmailLog", _("email"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at", "id"]
        indexes = [
            # The due scan: WHERE state = 'pending' AND due_at <= now ORDER BY due_at, id.
            models.Index(fields=["due_at", "id"], name="reminder_pending_due", condition=Q(state="pending")),
            _target_index("reminder_target"),
        ]
        constraints = [_sent_has_time("reminder_sent_has_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} @ {self.due_at:%Y-%m-%d %H:%M}"


class EmailLog(OutboxRow):
    """One email the studio sends, from queued to sent (or failed/bounced).

    The rendered content is stored at the moment of the change it reports, so a retry sends the same
    message with the same Message-ID (derived from the idempotency key). The speaker's personal link
    is not stored: the body holds ``LINK_PLACEHOLDER`` and a fresh link is minted when it is sent.
    """

    LINK_PLACEHOLDER = "SPEAKER-LINK-TOKEN"

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        UPDATE = "update", _("update")
        CANCELLATION = "cancellation", _("cancellation")
        POSTPONEMENT = "postponement", _("postponement notice")
        REMINDER = "reminder", _("reminder")
        TEAM_NOTICE = "team_notice", _("note to the producer team")
        SPEAKER_ANSWER = "speaker_answer", _("speaker's answer")
        BOUNCE = "bounce", _("bounce report")
        DIGEST = "digest", _("daily digest")
        LINK = "link", _("personal link")
        CALL_SHEET = "call_sheet", _("call sheet")
        # Learner emails, queued by ``courses`` through the mail port (omooc.mail, docs/adr/0014).
        LEARNER_LECTURE = "learner_lecture", _("learner: new lecture released")
        LEARNER_NUDGE = "learner_nudge", _("learner: continue where you stopped")
        LEARNER_CERTIFICATE = "learner_certificate", _("learner: certificate")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        BOUNCED = "bounced", _("bounced")
        # A newer calendar message (or the item's current state) replaced it before it was sent;
        # it is never sent (ADR 0011).
        SUPERSEDED = "superseded", _("not sent: replaced by a newer message")

    message_id = models.CharField(_("Message-ID"), max_length=300, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=5, default="nl")
    speaker = optional_ref("production.Speaker", _("speaker"), related_name="emails")
    # a producer, or the learner of a learner email
    user = user_ref(_("user"), related_name="production_emails")
    production = optional_ref("production.Production", _("production"), related_name="emails")
    related_label = models.CharField(_("related item"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("plain text"))
    body_html = models.TextField(_("HTML"), blank=True)
    ics = models.TextField(_("calendar invite"), blank=True)
    ics_method = models.CharField(_("iTIP method"), max_length=10, blank=True)
    ics_sequence = models.PositiveIntegerField(_("SEQUENCE"), null=True, blank=True)
    # One-click opt-out of an optional email (List-Unsubscribe, RFC 2369 + RFC 8058).
    unsubscribe_url = models.URLField(_("opt-out link"), max_length=900, blank=True)
    # Files sent with the message are stored with it (EmailAttachment): a retry sends the same bytes.
    has_attachments = models.BooleanField(_("has attachments"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # The lease of the scan sending the row's batch (ADR 0021): the scan's token, and until when.
    lease_holder = models.BigIntegerField(_("leased by"), null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(_("leased until"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    superseded_by = optional_ref("self", _("replaced by"))
    # A failed or bounced message a producer sent again (outbox.actions.email_resend): the new row.
    resent_as = optional_ref("self", _("sent again as"), related_name="resend_of")

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("email log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"], name="email_queued_due", condition=Q(state="queued")
            ),
            _target_index("email_target"),
        ]
        constraints = [
            _sent_has_time("email_sent_has_time"),
            models.CheckConstraint(
                condition=~Q(state="superseded", sent_at__isnull=False),
                name="email_superseded_never_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}: {self.subject}"

    @staticmethod
    def message_id_for(idempotency_key: str) -> str:
        """A stable Message-ID: the same key always gives the same id (retries included)."""
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
        domain = settings.STUDIO_MAILBOX.rpartition("@")[2] or "omooc.invalid"
        return f"<{digest}@{domain}>"


class EmailAttachment(models.Model):
    """A file sent with an email (a learner's certificate PDF), stored with the message so every
    retry sends the same bytes."""

    email = models.ForeignKey(
        EmailLog, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("email")
    )
    filename = models.CharField(_("file name"), max_length=200)
    mimetype = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("email attachment")
        verbose_name_plural = _("email attachments")
        ordering = ["email", "id"]

    def __str__(self) -> str:
        return self.filename


class BouncedAddress(models.Model):
    """An address a server refused permanently (SMTP 5xx). Nothing more is sent to it until cleared."""

    email = models.EmailField(_("email address"), unique=True)
    code = models.PositiveIntegerField(_("SMTP code"))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("bounced at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bounced address")
        verbose_name_plural = _("bounced addresses")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.email


class SpeakerLink(models.Model):
    """A personal no-login link for a speaker. Only the SHA-256 of the token is stored.

    A link is valid until it is revoked and until ``LINK_VALID_AFTER_LAST_ITEM`` after the speaker's
    last session or pre-talk (computed on use, so a new session extends every link).
    """

    speaker = models.ForeignKey(
        "production.Speaker", on_delete=models.CASCADE, related_name="links", verbose_name=_("speaker")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = user_ref()

    class Meta:
        verbose_name = _("speaker link")
        verbose_name_plural = _("speaker links")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.created_at:%Y-%m-%d})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
