from tests.support.learning import _progress_buffer, hls_sample  # noqa: F401 - fixtures
