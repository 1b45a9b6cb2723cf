from __future__ import annotations

import pytest

from courses.media.selectors import lecture_media_summary
from courses.models import Caption, Video
from tests.factories import LectureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [1, 10])
def test_the_media_summary_tells_video_state_and_caption_languages_in_two_queries(
    count, django_assert_num_queries
):
    lectures = [LectureFactory() for _ in range(count)]
    Video.objects.create(lecture=lectures[0], status="ready", is_current=True, duration_seconds=90)
    Video.objects.create(lecture=lectures[0], status="transcoding")
    Caption.objects.create(lecture=lectures[0], language="nl", vtt="captions/a.vtt")
    Caption.objects.create(lecture=lectures[0], language="en", vtt="captions/b.vtt")
    with django_assert_num_queries(2):
        summary = lecture_media_summary(lecture_ids=[lecture.pk for lecture in lectures])
    first = summary[lectures[0].pk]
    assert first.video_ready and first.video_status == "ready" and first.duration_seconds == 90
    assert first.caption_languages == ["en", "nl"]
    if count > 1:
        assert summary[lectures[1].pk].video_status is None and not summary[lectures[1].pk].video_ready
