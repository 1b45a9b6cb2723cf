"""S3 mode against a real S3 API (moto's server): playlists rewritten to presigned segment URLs,
everything else redirected to a presigned URL; Django never streams the video bytes."""

from __future__ import annotations

import urllib.request
import uuid
from pathlib import Path

import pytest

from courses.learning.services import enrollment_create
from courses.models import Caption, Video
from tests.factories import LectureFactory, UserFactory

from .player_page import player_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3(settings):
    import boto3
    from moto.server import ThreadedMotoServer

    # moto keeps its buckets per process, across servers: each use gets a bucket of its own.
    bucket = f"omooc-test-{uuid.uuid4().hex[:12]}"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="eu-west-1",
    ).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "eu-west-1",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
                "querystring_expire": 300,
                "signature_version": "s3v4",
                "addressing_style": "path",
            },
        },
    }
    yield endpoint
    server.stop()


def test_s3_mode_serves_media_through_presigned_urls(client, s3, hls_sample):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    lecture = LectureFactory()
    prefix = "videos/s3-sample"
    for path in Path(hls_sample).rglob("*"):
        if path.is_file():
            default_storage.save(f"{prefix}/{path.relative_to(hls_sample)}", ContentFile(path.read_bytes()))
    Video.objects.create(lecture=lecture, is_current=True, status=Video.Status.READY, output_prefix=prefix,
                         duration_seconds=24)  # fmt: skip
    caption = Caption(lecture=lecture, language="nl")
    caption.vtt.save("s3.vtt", ContentFile(b"WEBVTT\n\n00:00.000 --> 00:02.000\nHallo\n"), save=False)
    caption.save()
    learner = UserFactory()
    enrollment_create(user=learner, course=lecture.course)
    client.force_login(learner)
    body = client.get(f"/courses/{lecture.course.slug}/lectures/{lecture.slug}/").content.decode()
    urls = player_config(body)

    master = client.get(urls["master"])
    assert master.status_code == 200 and "180p/index.m3u8" in master.content.decode()
    variant = client.get(urls["master"].rsplit("/", 1)[0] + "/180p/index.m3u8").content.decode()
    segment_urls = [line for line in variant.splitlines() if line and not line.startswith("#")]
    assert segment_urls and all(url.startswith(s3) and "X-Amz-Signature=" in url for url in segment_urls)
    with urllib.request.urlopen(segment_urls[0], timeout=10) as response:  # noqa: S310 - local moto
        assert response.read(1) == b"G"

    poster = client.get(urls["poster"])
    assert poster.status_code == 302 and "X-Amz-Signature=" in poster["Location"]
    vtt = client.get(urls["captions"][0]["url"])
    assert vtt.status_code == 302
    with urllib.request.urlopen(vtt["Location"], timeout=10) as response:  # noqa: S310 - local moto
        assert response.read().startswith(b"WEBVTT")

    client.logout()
    assert client.get(urls["master"]).status_code == 403
    unsigned = segment_urls[0].split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(unsigned, timeout=10)  # noqa: S310 - the bucket is private
    assert denied.value.code == 403
