"""Mail headers stay within RFC 5322 (lines of at most 78 octets, 998 hard) and RFC 2047 (encoded
words of at most 75 characters), for every kind of email the studio sends, with long Dutch,
accented and emoji names and subjects that must still read exactly as written.

Each message is read as the SMTP server received it (raw bytes) and parsed with the standard
library's strict policy."""

from __future__ import annotations

import datetime as dt
import email
import email.headerregistry
from email import policy

import pytest
from django.utils import timezone

from production.models import EmailLog
from production.outbox.mailer import emails_send_due
from production.outbox.queue import Content, email_queue
from tests.factories import LectureFactory, UserFactory
from tests.support.mailbox import ENCODED_WORD, display_name, header_lines

pytestmark = pytest.mark.django_db

NAMES = [
    # A long non-ASCII name became one 264-octet To: line.
    'Annemarie-Joséphine van der Heijden-Ouwehand, Gemeentelijk Coördinator Digitale Dienstverlening 🎓 "Z"',
    "Çağla Öztürk-Janssens van 's-Hertogenbosch (programmamanager) 🚲🌷 Ëindhoven-Noord-Brabant Ærø",
    "de Vries, Sanne",
    'Jan "Jantje" Smit',
    "Maximiliaan Alexander Frederik Willem van Oranje-Nassau van Amsberg, jonkheer en projectleider",
    "Zoë",
    "🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬🎬",
]
SUBJECT = (
    "[Digitale overheid voor managers in het openbaar bestuur — editie 2026] Spreker “Zoë Ÿsbrand” "
    "heeft de opname van dinsdag 14 april afgezegd 🎬; "
    "graag vóór vrijdag een nieuwe datum kiezen, want de lancering schuift anders op"
)
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//OMOOC//test//EN\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\n"
    "UID:header-test@example.org\r\nSEQUENCE:0\r\nDTSTAMP:20260401T080000Z\r\n"
    "DTSTART:20260414T080000Z\r\nDTEND:20260414T100000Z\r\nSUMMARY:Opname\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
CALENDAR_KINDS = {
    EmailLog.Kind.INVITATION: "REQUEST",
    EmailLog.Kind.UPDATE: "REQUEST",
    EmailLog.Kind.POSTPONEMENT: "CANCEL",
    EmailLog.Kind.CANCELLATION: "CANCEL",
}
LEARNER_KINDS = {
    EmailLog.Kind.LEARNER_LECTURE,
    EmailLog.Kind.LEARNER_NUDGE,
    EmailLog.Kind.LEARNER_CERTIFICATE,
}


def assert_headers_within_limits(raw: bytes) -> email.message.EmailMessage:
    """Every physical header line <= 78 octets (the URL of List-Unsubscribe, which must never be
    encoded or broken, <= 998), every encoded word <= 75 characters; strict parsing finds no defect."""
    for line in header_lines(raw):
        if line.lower().startswith(b"list-unsubscribe:"):
            assert len(line) <= 998 and b"=?" not in line, line
            continue
        assert len(line) <= 78, f"{len(line)} octets: {line!r}"
        for word in ENCODED_WORD.findall(line):
            assert len(word) <= 75, f"{len(word)}-character encoded word: {word!r}"
    message = email.message_from_bytes(raw, policy=policy.strict)
    assert message.defects == []
    for name, value in message.items():
        assert not value.defects, (name, value.defects)
    return message


def deliver() -> None:
    EmailLog.objects.filter(state=EmailLog.State.QUEUED).update(next_attempt_at=timezone.now())
    emails_send_due()


@pytest.mark.parametrize("kind", sorted(set(EmailLog.Kind.values) - LEARNER_KINDS))
def test_every_kind_of_studio_email_has_headers_within_the_rfc_limits(mailbox, kind):
    method = CALENDAR_KINDS.get(kind, "")
    for number, name in enumerate(NAMES):
        email_queue(
            idempotency_key=f"headers:{kind}:{number}",
            kind=kind,
            recipient=f"person{number}@example.org",
            recipient_name=name,
            content=Content(subject=SUBJECT, text="Hallo, dit is een test.\n", html="<p>Hallo</p>"),
            ics=ICS.format(method=method) if method else "",
            ics_method=method,
        )
    deliver()
    assert len(mailbox.raw) == len(NAMES)
    for raw in mailbox.raw:
        message = assert_headers_within_limits(raw)
        number = int(message["To"].addresses[0].addr_spec.removeprefix("person").split("@")[0])
        assert display_name(raw) == (NAMES[number], f"person{number}@example.org")
        assert message["Subject"] == SUBJECT
        assert message["X-OMOOC-Kind"] == kind
        if method:
            (calendar,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
            assert calendar.get_param("method") == method
            assert f"METHOD:{method}" in calendar.get_content()


def test_a_team_notice_with_a_long_subject_and_long_names_stays_within_the_limits(mailbox):
    from production.outbox.team_notices import team_notice
    from tests.production.factories import make_production

    team = [UserFactory(producer=True, full_name=name, language="nl") for name in NAMES[:3]]
    production = make_production(team=team)
    production.course.title = "Digitale overheid voor managers in het openbaar bestuur — editie 2026 ✨"
    production.course.save()
    headline = "Spreker “Zoë Ÿsbrand” heeft de opname van dinsdag 14 april afgezegd; kies een nieuwe datum"
    team_notice(production=production, key="headers:team", headline=headline, lines=["Één regel."])
    deliver()
    assert len(mailbox.raw) == 3
    names = {user.email: user.full_name for user in team}
    for raw in mailbox.raw:
        message = assert_headers_within_limits(raw)
        shown, address = display_name(raw)
        assert shown == names[address]
        assert message["Subject"] == f"[{production.course.title}] {headline}"


def test_a_speaker_invitation_to_a_long_accented_name_stays_within_the_limits(mailbox, settings):
    from production.models import Target
    from production.outbox.calendar_messages import calendar_sync
    from tests.production.factories import SpeakerFactory, make_production, make_session

    speaker = SpeakerFactory(name=NAMES[0], email="annemarie@example.org")
    session = make_session(make_production(), speakers=[speaker])
    calendar_sync(target_type=Target.SESSION, target_id=session.pk)
    deliver()
    (raw,) = [r for r in mailbox.raw if b"annemarie@example.org" in r]
    message = assert_headers_within_limits(raw)
    assert display_name(raw) == (NAMES[0], "annemarie@example.org")
    assert message["X-OMOOC-Kind"] == EmailLog.Kind.INVITATION


def test_learner_emails_have_headers_within_the_limits_and_keep_the_one_click_opt_out(mailbox):
    from courses.learning.services import certificate_issue, lecture_release_notices_send, nudges_send
    from courses.models import Certificate
    from tests.courses.learning.factories import stopped_watching

    now = timezone.now()
    lecture = LectureFactory(
        title="Één nieuw college over “datagedreven werken” in gemeenten, provincies en waterschappen 💧",
        release_at=now - dt.timedelta(hours=1),
        course__title="Digitale overheid voor managers in het openbaar bestuur — editie 2026 ✨",
    )
    users = [UserFactory(full_name=name) for name in NAMES]
    for user in users:
        stopped_watching(user=user, lecture=lecture, now=now, enrolled_days_ago=20)
    assert lecture_release_notices_send(now=now) == len(NAMES)
    assert nudges_send(now=now) == len(NAMES)
    certificate_issue(enrollment=users[0].enrollments.get())
    deliver()
    assert len(mailbox.raw) == 2 * len(NAMES) + 1
    names = {user.email: user.full_name for user in users}
    kinds = set()
    for raw in mailbox.raw:
        message = assert_headers_within_limits(raw)
        shown, address = display_name(raw)
        assert shown == names[address]
        kinds.add(message["X-OMOOC-Kind"])
        stored = EmailLog.objects.get(message_id=message["Message-ID"])
        assert message["Subject"] == stored.subject
        if message["X-OMOOC-Kind"] == EmailLog.Kind.LEARNER_CERTIFICATE:
            assert "List-Unsubscribe" not in message  # not optional: no opt-out
            (pdf,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
            assert pdf.get_filename() == "certificate.pdf"
            assert pdf.get_content().startswith(b"%PDF-")
            assert Certificate.objects.get().course_title in message["Subject"]
        else:
            assert message["List-Unsubscribe"].startswith("<http")
            assert message["List-Unsubscribe"].endswith(">")
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            url = message["List-Unsubscribe"][1:-1]
            assert url in message.get_body(("plain",)).get_content()
    assert kinds == LEARNER_KINDS


@pytest.mark.parametrize(
    "name",
    [NAMES[0], NAMES[2], NAMES[3], NAMES[4], NAMES[5], "Zoë Ÿsbrand", "J. (Hans) Smit", "a\\b", "O'Neil"],
)
def test_names_whose_accented_stretches_fit_one_encoded_word_read_exactly_in_the_strict_parser_too(name):
    """The standard library's modern address parser keeps the folding space between two adjacent
    encoded words (RFC 2047 6.2 says to ignore it), so it can judge only names that need no split
    inside a stretch of accented words; the folder never puts the text's own spaces outside one."""
    from production.outbox.headers import MAIL_POLICY, MIMEMessage

    message = MIMEMessage(policy=MAIL_POLICY)
    message["To"] = email.headerregistry.Address(display_name=name, addr_spec="a@example.org")
    message["Subject"] = SUBJECT
    message.set_content("x")
    raw = message.as_bytes(linesep="\r\n")
    parsed = assert_headers_within_limits(raw)
    assert parsed["To"].addresses[0].display_name == name
    assert display_name(raw) == (name, "a@example.org")
    assert parsed["Subject"] == SUBJECT
