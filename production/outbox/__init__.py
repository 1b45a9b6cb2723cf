"""The outbox: every email the studio sends, from rendering to the SMTP result (ADR 0005, 0011, 0014).

Layers, each importing only the ones below it (import-linter holds this, pyproject.toml):

    views, tasks, mail_port    pages of the email log; Celery tasks; the mail port for ``courses``
    actions                    producer actions (send a failed or bounced message again)
    calendar_resync            the safety net of the after-commit calendar sync
    calendar_messages          speaker invitations, updates, cancellations; ``on_item_changed``
    reminders/                 planning, rules, scanning of reminder rows
    mailer                     claim, send, retry, supersede at send time
    message, lease, envelope,  a row's MIME message (built ahead); a scan's lease on a batch;
    retry                      the SMTP envelope sent ahead of DATA (ADR 0021, 0030); the retry
                               policy (backoff) and how a failure is written down
    team_notices               notes to the producer team (bounces, speaker answers)
    items                      a session or pre-talk as emails describe it (the ``Item`` adapter)
    rendering                  templates, times in the recipient's zone, links
    selectors                  reads of the email log
    queue                      ``email_queue``: one log row per idempotency key
    headers                    headers within the RFCs

Below all of them: ``production.models`` and ``production.ical`` (the RFC 5545 builder, a leaf).
Scheduling never imports the outbox: the outbox subscribes to its ``ItemChanged`` events (ADR 0019).
"""
