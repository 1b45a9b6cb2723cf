from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings

from courses import demo
from courses.models import Caption, Video

from .helpers import decode_errors

pytestmark = pytest.mark.django_db


def test_demo_media_gives_each_published_lecture_a_playable_video_and_captions_once(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_CLIP_SECONDS", 2)
    courses = demo.seed(users={})
    course = courses["published"]
    demo.seed_media(courses=courses, stdout=io.StringIO())
    lectures = list(course.lectures.all())
    videos = Video.objects.filter(lecture__in=lectures, is_current=True, status="ready")
    assert videos.count() == len(lectures) == 4
    assert Caption.objects.filter(lecture__in=lectures, language="nl").count() == 4
    first = videos.first()
    assert [r["name"] for r in first.renditions] == ["360p", "180p"]
    assert decode_errors(Path(settings.MEDIA_ROOT) / first.master_playlist_name) == ""

    demo.seed_media(courses=courses, stdout=io.StringIO())  # again: nothing new
    assert Video.objects.count() == 4 and Caption.objects.count() == 4
    assert not Video.objects.filter(lecture__course=courses["in_production"]).exists()
