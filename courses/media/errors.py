"""The media wing's refusals, in one place: what the upload check and the transcoder raise and the
services turn into a video's state and message."""

from __future__ import annotations

from omooc.exceptions import ApplicationError


class MediaRejectedError(ApplicationError):
    """The file is not a recording we will process; ``message`` says why, in words."""

    default_code = "media_rejected"


class TranscodeError(ApplicationError):
    """ffmpeg could not make the renditions; ``message`` says why, in words."""

    default_code = "transcode_failed"
