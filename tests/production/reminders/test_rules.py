"""The default reminder rules, moving and cancelling rows with the schedule, and the due scan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from production.models import EmailLog, Reminder, ScriptPart
from production.outbox.reminders.planning import reminders_plan
from production.outbox.reminders.scanning import reminders_claim_due, reminders_scan
from tests.factories import UserFactory
from tests.production.factories import SpeakerFactory, at, make_production, make_session

pytestmark = pytest.mark.django_db


def _speaker_rows(session):
    return {
        (r.kind, r.speaker_id): r
        for r in Reminder.objects.filter(target_id=session.pk, speaker__isnull=False, state="pending")
    }


def test_a_speaker_on_a_session_gets_reminders_7_days_and_1_day_before(run):
    speaker = SpeakerFactory()
    session = run(make_session, production=make_production(lectures=1), days=10, speakers=[speaker])
    rows = _speaker_rows(session)
    assert rows[("session_speaker_7d", speaker.pk)].due_at == session.starts_at - timedelta(days=7)
    assert rows[("session_speaker_1d", speaker.pk)].due_at == session.starts_at - timedelta(days=1)


def test_rescheduling_moves_the_pending_reminders(run):
    speaker = SpeakerFactory()
    session = run(make_session, production=make_production(lectures=1), days=10, speakers=[speaker])
    before = {k: r.pk for k, r in _speaker_rows(session).items()}
    session = run.reschedule(session, at(20), at(20) + timedelta(hours=2))
    after = _speaker_rows(session)
    assert {k: r.pk for k, r in after.items()} == before, "the same rows, moved"
    assert after[("session_speaker_1d", speaker.pk)].due_at == at(19)
    assert Reminder.objects.filter(speaker__isnull=False).count() == 2


def test_cancelling_a_session_cancels_its_reminders_and_the_scan_sends_none(run, smtp_server):
    speaker = SpeakerFactory()
    session = run(make_session, production=make_production(lectures=1), days=10, speakers=[speaker])
    run.transition(session, "cancelled", reason="budget")
    assert set(Reminder.objects.values_list("state", flat=True)) == {"cancelled"}


def test_a_due_reminder_rechecks_its_target_before_sending(run, smtp_server):
    speaker = SpeakerFactory(language="en")
    session = run(make_session, production=make_production(lectures=1), days=10, speakers=[speaker])
    Reminder.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    # The speaker declined meanwhile (no hook ran): the scan sees it and sends nothing.
    attendance = session.attendances.get()
    type(attendance).objects.filter(pk=attendance.pk).update(rsvp="declined")
    assert reminders_claim_due() == 3  # 7 and 1 day before, and the team's "unconfirmed speakers"
    assert set(Reminder.objects.values_list("state", flat=True)) == {"cancelled"}
    assert not EmailLog.objects.filter(kind="reminder").exists()


def test_the_scan_turns_a_due_reminder_into_one_email_in_the_speakers_language(run, smtp_server):
    speaker = SpeakerFactory(language="en", email="anna@example.org")
    session = run(make_session, production=make_production(lectures=1), days=10, speakers=[speaker])
    EmailLog.objects.update(state="sent", sent_at=timezone.now())  # the invitation went out already
    Reminder.objects.filter(kind="session_speaker_7d").update(due_at=timezone.now())
    assert reminders_scan() == {"reminders": 1, "emails": 1}
    assert reminders_scan() == {"reminders": 0, "emails": 0}
    (message,) = smtp_server.messages
    assert message["Subject"].startswith("Reminder: recording session on ")
    assert "/s/" in message.get_body(preferencelist=("plain",)).get_content()
    assert Reminder.objects.get(kind="session_speaker_7d").state == "sent"
    assert session.pk == Reminder.objects.get(kind="session_speaker_7d").target_id


def test_send_due_reminders_runs_one_scan_in_the_foreground(run, smtp_server, capsys):
    speaker = SpeakerFactory()
    run(make_session, production=make_production(lectures=1), days=10, speakers=[speaker])
    call_command("send_due_reminders", "--no-plan")
    assert "sent or retried 1 email(s)" in capsys.readouterr().out
    assert len(smtp_server.messages) == 1  # the invitation


def test_the_team_hears_about_a_script_part_due_in_two_days_and_when_it_is_overdue(smtp_server):
    lead = UserFactory(producer=True, email="lead@example.org", language="en")
    production = make_production(lectures=1, team=[lead])
    part = ScriptPart.objects.get(production=production)
    ScriptPart.objects.filter(pk=part.pk).update(due_on=timezone.localdate() + timedelta(days=2))
    reminders_plan()
    assert reminders_plan() == 0, "planning is idempotent"
    soon = Reminder.objects.get(kind="script_due_soon")
    assert soon.user == lead and soon.due_at <= timezone.now() + timedelta(days=1)
    Reminder.objects.filter(pk=soon.pk).update(due_at=timezone.now())
    reminders_scan()
    (message,) = [m for m in smtp_server.messages if "Script" in m["Subject"]]
    assert "is due on" in message["Subject"]

    ScriptPart.objects.filter(pk=part.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    reminders_plan()
    Reminder.objects.filter(kind="script_overdue").update(due_at=timezone.now())
    reminders_scan()
    assert any("overdue" in m["Subject"] for m in smtp_server.messages)


def test_the_team_hears_about_unconfirmed_speakers_within_72_hours(run, smtp_server):
    lead = UserFactory(producer=True, language="en")
    speaker = SpeakerFactory(name="Carla Jansen")
    run(make_session, production=make_production(lectures=1, team=[lead]), days=2, speakers=[speaker])
    reminders_plan()
    row = Reminder.objects.get(kind="session_unconfirmed")
    assert row.due_at <= timezone.now() + timedelta(seconds=5)
    reminders_scan()
    notice = [m for m in smtp_server.messages if "Unconfirmed" in m["Subject"]]
    assert len(notice) == 1
    assert "Carla Jansen" in notice[0].get_body(preferencelist=("plain",)).get_content()


def test_the_team_hears_when_a_hold_date_passed_without_a_new_date(run, smtp_server):
    lead = UserFactory(producer=True, language="en")
    production = make_production(lectures=1, team=[lead])
    session = run(make_session, production=production, days=10, speakers=[SpeakerFactory()])
    run.hold(session, days=1)
    reminders_plan()
    row = Reminder.objects.get(kind="hold_passed")
    assert row.due_at > timezone.now()
    type(session).objects.filter(pk=session.pk).update(hold_until=timezone.localdate() - timedelta(days=1))
    Reminder.objects.filter(pk=row.pk).update(
        due_at=timezone.now(), idempotency_key=f"hold_passed:{session.pk}:moved"
    )
    reminders_scan()
    assert any("needs a new date" in m["Subject"] for m in smtp_server.messages)


def test_a_producer_gets_a_digest_only_when_there_is_something_to_chase(smtp_server):
    quiet = UserFactory(producer=True, email="quiet@example.org", language="en", time_zone="Asia/Tokyo")
    busy = UserFactory(producer=True, email="busy@example.org", language="en")
    make_production(lectures=1, team=[quiet])
    production = make_production(lectures=1, team=[busy])
    ScriptPart.objects.filter(production=production).update(due_on=timezone.localdate() - timedelta(days=3))
    reminders_plan()
    digests = {r.user_id: r for r in Reminder.objects.filter(kind="digest")}
    assert set(digests) == {quiet.pk, busy.pk}
    tokyo = digests[quiet.pk].due_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    assert (tokyo.hour, tokyo.minute) == (8, 0), "08:00 in the producer's own time zone"
    Reminder.objects.filter(kind="digest").update(due_at=timezone.now())
    reminders_scan()
    digest_mails = [m for m in smtp_server.messages if m["X-OMOOC-Kind"] == "digest"]
    assert [m["To"] for m in digest_mails] == [f"{busy.full_name} <busy@example.org>"]
    assert Reminder.objects.get(user=quiet, kind="digest").state == "cancelled"
    assert "Overdue script reviews" in digest_mails[0].get_body(preferencelist=("plain",)).get_content()


def test_the_due_scan_uses_the_partial_index(postgres):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = (
            Reminder.objects.filter(state="pending", due_at__lte=timezone.now())
            .order_by("due_at", "id")[:100]
            .query.sql_with_params()
        )
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "reminder_pending_due" in plan
