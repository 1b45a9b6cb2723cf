"""The producer's media pages are studio pages: the studio layout and its menu."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db


def test_the_media_pages_keep_the_studio_menu(producer_client):
    lecture = LectureFactory()
    for url in (
        reverse("courses_media:index"),
        reverse("courses_media:lecture", kwargs={"lecture_id": lecture.pk}),
    ):
        html = producer_client.get(url).content.decode()
        assert 'class="studio-nav"' in html, url
        assert reverse("production:email_log") in html and reverse("production:calendar") in html
        assert 'body class="studio"' in html and "css/studio.css" in html
        assert 'aria-current="page"' in html.split('class="studio-nav"')[1].split("</nav>")[0]
