"""ADR 0027 with S3 (moto's server): posters stay private objects; the public route redirects to a
presigned GET of an hour, and the redirect is cached for less."""

from __future__ import annotations

import re
import urllib.request

import pytest
from django.core.files.base import ContentFile

from tests.courses.catalog.images import image_bytes
from tests.courses.learning.test_media_access_s3 import s3  # noqa: F401 - the moto server fixture
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_an_s3_poster_is_served_by_a_redirect_to_a_presigned_url(client, s3):  # noqa: F811
    course = CourseFactory(title="Data delen")
    course.poster.save("poster.png", ContentFile(image_bytes("PNG", (800, 450))), save=True)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    url = re.search(r'<div class="card-media"><img src="([^"]+)"', html).group(1)
    response = client.get(url)
    assert response.status_code == 302 and response["Cache-Control"] == "public, max-age=600"
    location = response["Location"]
    assert location.startswith(s3) and "X-Amz-Signature=" in location and "X-Amz-Expires=3600" in location
    with urllib.request.urlopen(location) as fetched:  # noqa: S310 - the local moto server
        assert fetched.read()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(urllib.error.HTTPError):  # the object itself is private
        urllib.request.urlopen(location.split("?")[0])  # noqa: S310
