"""Reminders: rows planned by the default rules, moved and cancelled when the schedule changes, and
turned into emails by the due scan.

- ``planning``: the rules' due times, ``reminders_sync_item`` (called by the calendar sync after every
  change of an item) and ``reminders_plan`` (team rules and digests, beat every 15 minutes);
- ``rules``: what a due reminder of each kind says, or why it no longer applies;
- ``scanning``: ``reminders_claim_due`` and ``reminders_scan``.

Default rules
- speaker: 7 days and 1 day before a recording session, 1 day before a pre-talk;
- producer team: a script part due in 2 days, or overdue; a session within 72 hours with unconfirmed
  speakers (planned with the schedule, and again whenever a change asks the speakers again: one row
  per team member and version, ``unconfirmed_key``); a held session whose not-before date passed
  without a new date;
- each producer: one digest a day at 08:00 in their time zone, only when there is something to chase.

The scan (``reminders_scan``; beat runs it every minute, ``manage.py send_due_reminders`` once) claims
due rows with ``select_for_update(skip_locked=True)``, re-checks the target's current state, turns the
reminder into a queued email (or cancels it when it no longer applies), and then sends the queued
emails, one locked row per transaction (``outbox.mailer``).

Due times are instants (UTC): "N days before" is N x 24 hours before the start; "at 08:00 local" is
resolved in the zone first (the first 08:00 when it happens twice, the first minute after the jump
when it does not exist) and then compared as an instant.
"""
