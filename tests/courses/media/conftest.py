from __future__ import annotations

import pytest

from tests.factories import LectureFactory, UserFactory
from tests.support.media import make_test_video


@pytest.fixture(autouse=True)
def _small_ladder(settings):
    """Tiny renditions keep the suite fast on two cores; the ladder logic is the same."""
    settings.MEDIA_LADDER = [360, 180]
    settings.MEDIA_X264_PRESET = "ultrafast"


@pytest.fixture(scope="session")
def source_video(tmp_path_factory):
    """A 3-second 640×360 test pattern with a tone (made once per session; copy before changing it)."""
    return make_test_video(tmp_path_factory.mktemp("src") / "lecture.mp4", seconds=3, width=640, height=360)


@pytest.fixture
def lecture(db):
    return LectureFactory()


@pytest.fixture
def producer(db):
    return UserFactory(producer=True)


@pytest.fixture
def producer_client(client, producer):
    client.force_login(producer)
    return client


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the Dutch translations are checked in test_views)."""
    from django.utils import translation

    with translation.override("en"):
        yield
