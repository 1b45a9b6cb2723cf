from __future__ import annotations

import pytest

from tests.courses.learning.media import make_hls


@pytest.fixture(scope="session")
def hls_sample(tmp_path_factory):
    return make_hls(tmp_path_factory.mktemp("hls") / "sample")


@pytest.fixture(autouse=True)
def _progress_buffer(settings, tmp_path):
    settings.PROGRESS_BUFFER_DIR = str(tmp_path / "progress")
    settings.REDIS_URL = ""
