"""S3 round trip against moto's S3 server on localhost: presigned POST from a 'browser', the complete
call, processing (download, probe, transcode, publish) and reading the results back."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import requests
from django.core.files.storage import default_storage
from django.urls import reverse

from courses.media.services import video_process
from courses.models import Video
from tests.support.media import make_concat_list

from .helpers import decode_errors

pytestmark = pytest.mark.django_db
BUCKET = "omooc-media-test"


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(settings, moto_endpoint, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    existing = [b["Name"] for b in client.list_buckets().get("Buckets", [])]
    if BUCKET in existing:
        for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    else:
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_endpoint,
                "region_name": "eu-west-1",
                "access_key": "testing",
                "secret_key": "testing",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "file_overwrite": False,
                "default_acl": None,
                "querystring_auth": True,
            },
        },
    }
    assert default_storage.bucket_name == BUCKET
    return client


def _keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def _direct_upload(producer_client, lecture, path: Path) -> dict:
    start = producer_client.post(
        reverse("courses_media:video_upload_start", kwargs={"lecture_id": lecture.pk}),
        {"filename": path.name, "size": str(path.stat().st_size)},
    )
    assert start.status_code == 201, start.content
    ticket = start.json()
    with path.open("rb") as handle:  # what the browser does with the presigned POST
        sent = requests.post(
            ticket["url"], data=ticket["fields"], files={"file": (path.name, handle)}, timeout=30
        )
    assert sent.status_code == 201, sent.text
    return ticket


def test_a_recording_goes_to_the_bucket_directly_and_comes_back_transcoded(
    s3, producer_client, lecture, source_video, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("courses.media.tasks.video_process.delay", lambda **kw: None)
    ticket = _direct_upload(producer_client, lecture, source_video)
    assert ticket["fields"]["key"].startswith("uploads/incoming/")
    video = Video.objects.get(uid=ticket["uid"])
    assert video.status == Video.Status.PENDING

    complete = producer_client.post(ticket["complete_url"])
    assert complete.status_code == 200 and complete.json()["status"] == "queued"

    with django_capture_on_commit_callbacks(execute=True):
        video = video_process(video_id=video.pk)
    assert video.status == Video.Status.READY, video.error
    keys = _keys(s3)
    assert not [k for k in keys if k.startswith("uploads/incoming/")]
    assert f"uploads/{video.uid}/source.mp4" in keys
    assert f"{video.output_prefix}/master.m3u8" in keys
    assert f"{video.output_prefix}/360p/seg_00000.ts" in keys

    # Read every output back and play it with ffmpeg from a local copy.
    local = tmp_path / "back"
    for key in keys:
        if key.startswith(video.output_prefix + "/"):
            target = local / key[len(video.output_prefix) + 1 :]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    assert decode_errors(local / "master.m3u8") == ""
    head = s3.head_object(Bucket=BUCKET, Key=f"{video.output_prefix}/360p/index.m3u8")
    assert head["ContentType"] == "application/vnd.apple.mpegurl"

    # Objects are private: no anonymous read; a signed URL works.
    assert (
        requests.get(f"{s3.meta.endpoint_url}/{BUCKET}/{video.master_playlist_name}", timeout=10).status_code
        == 403
    )
    assert requests.get(default_storage.url(video.master_playlist_name), timeout=10).text.startswith(
        "#EXTM3U"
    )


def test_a_hostile_direct_upload_is_refused_and_removed_from_the_bucket(
    s3, producer_client, lecture, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("courses.media.tasks.video_process.delay", lambda **kw: None)
    ticket = _direct_upload(producer_client, lecture, make_concat_list(tmp_path / "recording.mp4"))
    producer_client.post(ticket["complete_url"])
    with django_capture_on_commit_callbacks(execute=True):
        video = video_process(video_id=Video.objects.get(uid=ticket["uid"]).pk)
    assert video.status == Video.Status.REJECTED
    assert "lijst van bestanden" in video.error  # the uploader's preferred language (Dutch by default)
    assert _keys(s3) == []


def test_completing_an_upload_that_never_arrived_says_so(s3, producer_client, lecture):
    start = producer_client.post(
        reverse("courses_media:video_upload_start", kwargs={"lecture_id": lecture.pk}),
        {"filename": "talk.mp4", "size": "5000"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    response = producer_client.post(start.json()["complete_url"], HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["message"] == "The file has not arrived in the storage. Upload it again."


def test_a_direct_upload_over_the_cap_is_refused_before_a_url_is_issued(
    s3, producer_client, lecture, settings
):
    settings.MEDIA_MAX_UPLOAD_BYTES = 1000
    response = producer_client.post(
        reverse("courses_media:video_upload_start", kwargs={"lecture_id": lecture.pk}),
        {"filename": "talk.mp4", "size": "5000"},
    )
    assert response.status_code == 413
    assert not Video.objects.exists()


def test_the_presigned_post_limits_the_size_and_keeps_the_object_private(s3, producer_client, lecture):
    start = producer_client.post(
        reverse("courses_media:video_upload_start", kwargs={"lecture_id": lecture.pk}),
        {"filename": "talk.mp4", "size": "5000"},
    ).json()
    import base64
    import json

    policy = json.loads(base64.b64decode(start["fields"]["policy"]))
    assert ["content-length-range", 1, 20 * 1024**3] in policy["conditions"]
    assert not any("acl" in str(c) for c in policy["conditions"])


def test_with_s3_the_upload_form_sends_files_straight_to_the_bucket(s3, producer_client, lecture):
    html = producer_client.get(
        reverse("courses_media:lecture", kwargs={"lecture_id": lecture.pk})
    ).content.decode()
    assert 'data-upload-mode="direct"' in html
    assert reverse("courses_media:video_upload_start", kwargs={"lecture_id": lecture.pk}) in html
