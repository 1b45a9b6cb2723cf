"""Fixtures of the learner's side: a real HLS sample, and a progress buffer per test. The conftests
of tests/courses/learning and tests/api/courses import them (every test there buffers its own
heartbeats); browser tests import ``hls_sample`` and ``_progress_buffer`` where they play a lecture
(tests/e2e/test_learner_player.py), or ``progress_buffer`` to let each test ask for it (tests/e2e)."""

from __future__ import annotations

import pytest

from tests.courses.learning.media import make_hls


@pytest.fixture(scope="session")
def hls_sample(tmp_path_factory):
    """One real ffmpeg HLS output per test session (copied per test by ``install_video``)."""
    return make_hls(tmp_path_factory.mktemp("hls") / "sample")


def buffer_progress_per_test(settings, tmp_path):
    """Heartbeats buffer into this test's own folder (or its Redis db when a test sets REDIS_URL)."""
    settings.PROGRESS_BUFFER_DIR = str(tmp_path / "progress")
    settings.REDIS_URL = ""


# For every test where it is imported; ``progress_buffer`` only for the tests that ask for it by name.
_progress_buffer = pytest.fixture(autouse=True, name="_progress_buffer")(buffer_progress_per_test)
progress_buffer = pytest.fixture(name="_progress_buffer")(buffer_progress_per_test)
