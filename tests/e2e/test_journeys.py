"""The three user journeys end to end: Chromium against the live server, with a real Celery worker
(subprocess, Redis broker, the same PostgreSQL test database) sending to a real SMTP server.

1. A producer holds every recording of a production, then reschedules the session; the speaker gets
   the postponement and the new invitation (with .ics), confirms from the emailed link, and the
   studio shows it.
2. A learner signs up, enrolls, watches every lecture, the worker flushes the progress, the course
   completes, the certificate PDF downloads and the completion email arrives.
"""

from __future__ import annotations

import io
import re
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from courses.models import Certificate, Enrollment, LectureProgress
from production.models import RecordingSession, SessionSpeaker
from tests.courses.learning.media import install_video, make_hls
from tests.e2e.browsing import log_in, player_ready, wait_for
from tests.e2e.stack import start_stack, web_publishes_to
from tests.factories import CourseFactory, LectureFactory, UserFactory
from tests.production.factories import SpeakerFactory, make_production, make_session
from tests.production.speakers.helpers import calendar_part, replay, speaker_link, text_body
from tests.support.dates import shown_date
from tests.support.studio_pages import hold_all_recordings

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

LECTURE_SECONDS = 6
SPEED = "1.5"  # completion credits at most 2x wall-clock time; 1.5x leaves room for request jitter


@pytest.fixture
def stack(live_server, redis_url, smtp_server, settings, tmp_path, postgres):
    settings.SITE_URL = live_server.url  # links in emails point at the live server
    settings.REDIS_URL = redis_url  # heartbeats go to the Redis buffer that the worker flushes
    with web_publishes_to(redis_url):
        stack = start_stack(
            base=live_server.url,
            redis_url=redis_url,
            smtp_server=smtp_server,
            tmp_path=tmp_path,
            media_root=str(settings.MEDIA_ROOT),
        )
        try:
            yield stack
        finally:
            stack.worker.stop()
    assert "Traceback" not in stack.worker.output(), stack.worker.output()[-4000:]


def kind(message) -> str:
    return message["X-OMOOC-Kind"] or ""


def browser_page(new_context, errors: list[str], **kwargs):
    page = new_context(**kwargs).new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


# --- 1. Producer and speaker ---------------------------------------------------------------------


def test_a_producer_holds_and_reschedules_and_the_speaker_confirms_from_the_emailed_invitation(
    stack, new_context
):
    producer = UserFactory(producer=True, email="lead@example.org", full_name="Lea de Boer", language="en")
    speaker = SpeakerFactory(name="Anna de Vries", email="anna@example.org", language="en")
    production = make_production(lectures=2, team=[producer])
    course = production.course
    session = make_session(production, days=10, speakers=[speaker], state="scheduled")
    first = stack.wait_for_mail(lambda m: kind(m) == "invitation", what="the first invitation")
    assert calendar_part(first)[0] == "REQUEST"

    errors: list[str] = []
    studio = browser_page(new_context, errors, locale="en-US")
    log_in(studio, stack.base, producer.email)
    studio.goto(f"{stack.base}/studio/")
    studio.get_by_role("link", name=course.title).first.click()

    # a) Hold every recording of the production until a date.
    until = timezone.localdate() + timedelta(days=30)
    hold_all_recordings(studio, until=until, reason="lockdown")
    studio.locator(".message-success", has_text="put on hold until at least").wait_for()
    studio.get_by_role("link", name="Back to the board").click()  # the hold page first
    assert f"until at least {shown_date(until)} (lockdown)" in studio.get_by_test_id("blockers").inner_text()
    held = studio.get_by_test_id("board").locator('td[data-column="recording"][data-state="on_hold"]')
    assert held.count() == 2  # both lectures of the session

    postponement = stack.wait_for_mail(lambda m: kind(m) == "postponement", what="the postponement")
    method, calendar = calendar_part(postponement)
    assert method == "CANCEL" and postponement["To"].endswith("<anna@example.org>")
    assert "On hold" in postponement["Subject"] and "lockdown" in text_body(postponement)
    assert any(part.get_filename() == "invite.ics" for part in postponement.iter_attachments())

    # Then reschedule the session to a day after the hold: the hold is cleared.
    zone = zoneinfo.ZoneInfo("Europe/Amsterdam")
    new_start = datetime.combine(until + timedelta(days=5), time(10, 0), tzinfo=zone)
    held.first.get_by_role("link").click()
    studio.get_by_role("link", name="Reschedule or move").click()
    studio.get_by_label("Starts at").fill(new_start.strftime("%Y-%m-%dT%H:%M"))
    studio.get_by_label("Ends at").fill((new_start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    studio.get_by_label("Reason for the change").fill("the lockdown is over")
    studio.get_by_role("button", name="Save").click()
    studio.get_by_text("Recording session changed.").wait_for()
    assert "Scheduled" in studio.get_by_role("main").inner_text()
    session.refresh_from_db()
    assert session.state == RecordingSession.State.SCHEDULED and session.hold_until is None
    assert session.starts_at == new_start

    # b) The speaker receives the new invitation and answers from its personal link.
    invitation = stack.wait_for_mail(
        lambda m: kind(m) == "invitation" and m["Message-ID"] != first["Message-ID"],
        what="the new invitation",
    )
    method, calendar = calendar_part(invitation)
    assert method == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == new_start and int(event["sequence"]) == session.ical_sequence
    speaker_mail = [m for m in stack.inbox.messages if "anna@example.org" in m["To"]]
    assert [kind(m) for m in speaker_mail] == ["invitation", "postponement", "invitation"]
    (final,) = replay(speaker_mail).values()  # the speaker's calendar ends at the current truth
    assert not isinstance(final, str), "the session is not cancelled in the calendar"
    assert final.decoded("dtstart") == new_start

    speaker_page = browser_page(new_context, errors, locale="en-GB")
    speaker_page.goto(speaker_link(invitation))
    speaker_page.get_by_role("heading", name="Speaker page of Anna de Vries").wait_for()
    card = speaker_page.locator(f"#session-{session.pk}")
    assert new_start.strftime("%-d %B %Y") in card.inner_text()
    card.get_by_role("button", name="Confirm").click()
    speaker_page.get_by_text("you confirmed").wait_for()
    assert "Accepted" in speaker_page.locator(f"#session-{session.pk}").inner_text()
    assert SessionSpeaker.objects.get(session=session, speaker=speaker).rsvp == "accepted"

    # The team hears of it by email, and the studio shows it.
    notice = stack.wait_for_mail(lambda m: kind(m) == "speaker_answer", what="the note to the team")
    assert "lead@example.org" in notice["To"] and "Anna de Vries" in notice["Subject"]
    studio.reload()
    assert "Accepted" in studio.get_by_role("row").filter(has_text="Anna de Vries").inner_text()
    assert errors == []


# --- 2. Learner ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory):
    return make_hls(tmp_path_factory.mktemp("journey-hls") / "clip", duration=LECTURE_SECONDS)


def watch_to_the_end(page) -> None:
    player_ready(page)
    page.get_by_label("Speed").select_option(SPEED)
    page.focus("#lecture-video")
    page.keyboard.press("k")
    wait_for(page, "document.getElementById('lecture-video').currentTime > 0.5")
    assert page.evaluate("document.getElementById('lecture-video').playbackRate") == float(SPEED)
    wait_for(page, "document.getElementById('lecture-video').ended", timeout=LECTURE_SECONDS * 3)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_learner_signs_up_enrolls_watches_everything_and_gets_the_certificate_by_download_and_email(
    stack, new_context, short_clip
):
    course = CourseFactory(title="Digitale overheid", summary="Dienstverlening voor iedereen.")
    lectures = [
        LectureFactory(course=course, position=1, title="Gebruikers centraal"),
        LectureFactory(course=course, position=2, title="Aanbesteden"),
    ]
    for lecture in lectures:
        install_video(lecture, sample=short_clip, duration=LECTURE_SECONDS)

    errors: list[str] = []
    page = browser_page(new_context, errors, locale="en-US")
    page.goto(f"{stack.base}/accounts/signup/")
    page.get_by_label("Full name").fill("Noor Bakker")
    page.get_by_label("Email address").fill("noor@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-passphrase-77")
    page.get_by_label("Password again").fill("a-long-passphrase-77")
    page.get_by_role("main").get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    confirm = stack.wait_for_mail(lambda m: m["To"] == "noor@example.org", what="the signup confirmation")
    link = re.search(r"https?://\S+/accounts/signup/confirm/\S+/", confirm.get_body(("plain",)).get_content())
    page.goto(link.group(0))
    page.get_by_label("Password").fill("a-long-passphrase-77")
    page.get_by_role("button", name="Confirm and log in").click()
    page.get_by_role("button", name="Log out").wait_for()

    page.goto(f"{stack.base}/")
    page.get_by_role("link", name="Digitale overheid").click()
    page.get_by_role("button", name="Enroll for free").click()
    page.get_by_text("You are enrolled").first.wait_for()
    page.get_by_role("link", name="Start the first lecture").click()
    page.get_by_role("heading", name="Gebruikers centraal").wait_for()
    watch_to_the_end(page)
    page.locator("#next-lecture").click()
    page.get_by_role("heading", name="Aanbesteden").wait_for()
    watch_to_the_end(page)

    # The beat task's flush, run by the worker until it has folded in the final heartbeats.
    enrollment = Enrollment.objects.get(user__email="noor@example.org", course=course)
    for _ in range(40):
        stack.client.send_task("courses.learning.progress_flush", queue="default")
        page.wait_for_timeout(500)
        enrollment.refresh_from_db()
        if enrollment.completed_at:
            break
    progress = LectureProgress.objects.filter(enrollment=enrollment).order_by("lecture__position")
    assert [(p.lecture.title, p.completed_at is not None) for p in progress] == [
        ("Gebruikers centraal", True),
        ("Aanbesteden", True),
    ], stack.worker.output()[-3000:]
    assert all(p.watched_seconds >= 0.9 * LECTURE_SECONDS for p in progress)  # really watched
    assert enrollment.completed_at is not None

    page.goto(f"{stack.base}/my/courses/")
    card = page.locator(".card").filter(has_text="Digitale overheid")
    assert "2 of 2 lectures completed" in card.inner_text() and "Completed" in card.inner_text()
    card.get_by_role("link", name="Your certificate").click()
    page.get_by_role("heading", name="Certificate of completion").wait_for()
    href = page.get_by_role("link", name="Download the PDF").get_attribute("href")
    response = page.request.get(f"{stack.base}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "Noor Bakker" in text and "Digitale overheid" in text

    mail = stack.wait_for_mail(
        lambda m: (
            m["To"].addresses[0].addr_spec == "noor@example.org" and "Digitale overheid" in m["Subject"]
        ),
        what="the certificate email",
    )
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "certificate.pdf"
    attached = attachment.get_content()
    assert attached.startswith(b"%PDF-") and "Noor Bakker" in pdf_text(attached)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.emailed_at is not None and str(certificate.uid) in text_body(mail)
    assert errors == []
