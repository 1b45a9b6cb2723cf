"""The journeys through nginx on the production topology (deploy/stack.py): a producer uploads a
recording straight to S3, the media worker transcodes it with ffmpeg, a learner plays it through
signed URLs, heartbeats flow and completion mails a certificate; a speaker gets an invitation and a
reminder. Every email arrives once."""

from __future__ import annotations

import time

import pytest

from .client import emails, received, scenario, wait_until
from .media import make_video, play, upload, wait_ready, watch

pytestmark = [pytest.mark.stack]


def test_a_recording_uploaded_to_s3_is_transcoded_played_over_signed_urls_and_completion_mails_a_certificate(
    stack, db, smtp, browser, tmp_path
):
    world = scenario(stack, "world", tag="journey")
    producer = browser(world["producer"], world["password"])
    uid = upload(producer, lecture_id=world["lecture_id"], path=make_video(tmp_path / "talk.mp4", seconds=4))
    video = wait_ready(db, uid, within=180)
    assert video["attempts"] == 1 and video["is_current"]
    keys = stack_keys(stack)
    assert any(k.startswith(video["prefix"] + "/") and k.endswith(".m3u8") for k in keys)
    assert not [k for k in keys if k.startswith("uploads/incoming/")], "the upload stayed in incoming/"

    learner = browser(world["learner"], world["password"])
    enrolled = learner.post(f"/courses/{world['course_slug']}/enroll/")
    assert enrolled.status_code == 200, enrolled.status_code
    grant = play(learner, lecture_id=world["lecture_id"])
    duration = grant["duration_seconds"]
    assert 3.5 <= duration <= 4.5
    assert set(watch(learner, grant, seconds=duration, step=1.0)) == {204}

    # The beat task flushes the buffer every 15 s; completion issues the certificate by email.
    certificate = wait_until(
        lambda: received(smtp, to=world["learner"], kind="learner_certificate"),
        within=90,
        what="the certificate email",
    )
    time.sleep(2)
    assert len(received(smtp, to=world["learner"], kind="learner_certificate")) == 1
    assert [row[0] for row in emails(db, recipient=world["learner"], kind="learner_certificate")] == ["sent"]
    assert certificate[0]["Message-ID"]
    ((watched, completed),) = db(
        "SELECT watched_seconds, completed_at FROM courses_lectureprogress WHERE lecture_id = %s",
        world["lecture_id"],
    )
    assert completed is not None and watched >= 0.9 * duration


def test_a_speaker_gets_the_invitation_at_once_and_the_reminder_when_it_falls_due(stack, db, smtp):
    world = scenario(stack, "world", tag="speaker")
    planned = scenario(
        stack, "session", production_id=world["production_id"], speaker_id=world["speaker_id"], reminder_in=5
    )
    invitation = wait_until(
        lambda: received(smtp, to=world["speaker"], kind="invitation"), within=60, what="the invitation"
    )
    assert "METHOD:REQUEST" in invitation[0].as_string()
    reminder = wait_until(
        lambda: received(smtp, to=world["speaker"], kind="reminder"), within=100, what="the reminder"
    )
    latency = time.time() - planned["due_at"]
    print(f"speaker reminder sent {latency:.1f} s after it fell due (idle stack)")
    assert latency < 90
    time.sleep(2)
    kinds = sorted(str(m["X-OMOOC-Kind"]) for m in received(smtp, to=world["speaker"]))
    assert kinds == ["invitation", "reminder"], kinds
    assert len(reminder) == 1


def stack_keys(stack) -> list[str]:
    import boto3

    client = boto3.client(
        "s3", endpoint_url=stack.s3_endpoint, region_name="eu-west-1",
        aws_access_key_id="stack", aws_secret_access_key="stack-secret",
    )  # fmt: skip
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=stack.bucket)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]
