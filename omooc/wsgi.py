"""WSGI entry point (gunicorn, and ``runserver`` through ``WSGI_APPLICATION``).

One exact path skips Django: the player's heartbeats (``POST /progress/beat/``, ADR 0009) go to the
small WSGI app in ``courses.learning.beacon``; every other request reaches Django's handler unchanged.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omooc.settings")
django_application = get_wsgi_application()

from courses.learning import beacon  # noqa: E402 - needs the settings configured above

BEAT_PATH = beacon.BEAT_PATH
beat_application = beacon.application


def application(environ, start_response):
    if environ.get("PATH_INFO") == BEAT_PATH:
        return beat_application(environ, start_response)
    return django_application(environ, start_response)
