"""Fixtures of the learner's side: a real HLS sample, and a progress buffer per test. The conftests
of tests/courses/learning and tests/api/courses import them."""

from __future__ import annotations

import pytest

from tests.courses.learning.media import make_hls


@pytest.fixture(scope="session")
def hls_sample(tmp_path_factory):
    """One real ffmpeg HLS output per test session (copied per test by ``install_video``)."""
    return make_hls(tmp_path_factory.mktemp("hls") / "sample")


@pytest.fixture(autouse=True)
def _progress_buffer(settings, tmp_path):
    """Heartbeats buffer into this test's own folder (or its Redis db when a test sets REDIS_URL)."""
    settings.PROGRESS_BUFFER_DIR = str(tmp_path / "progress")
    settings.REDIS_URL = ""
