"""Celery tasks of the courses app, one module per area; importing this package registers them."""

from . import learning, media  # noqa: F401
