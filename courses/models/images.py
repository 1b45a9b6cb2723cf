"""Checks for the public images producers upload (course posters, speaker photos; ADR 0027): the
content is read with Pillow, never trusted from the file name, and every refusal names the problem
and the fix. Used as model-field validators, so the admin and ``full_clean`` refuse alike and nothing
is saved."""

from __future__ import annotations

import posixpath
import uuid

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000
# Formats a browser shows everywhere, with the file-name endings each may carry.
FORMATS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",), "WEBP": (".webp",)}
CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


@deconstructible
class PublicImageValidator:
    """A JPEG, PNG or WebP image (by content) of at most ``MAX_BYTES``, whose name ends as its
    format does, at least ``min_width`` × ``min_height`` and at most ``MAX_SIDE`` pixels a side."""

    def __init__(self, min_width: int, min_height: int) -> None:
        self.min_width, self.min_height = min_width, min_height

    def __eq__(self, other) -> bool:
        return isinstance(other, PublicImageValidator) and (self.min_width, self.min_height) == (
            other.min_width,
            other.min_height,
        )

    def __call__(self, value) -> None:
        if not value:
            return
        if getattr(value, "_committed", False):
            return  # already stored: checked when it was uploaded
        size = value.size
        if size > MAX_BYTES:
            raise ValidationError(
                _("The image is %(size)s; the limit is %(limit)s. Save it smaller and upload it again.")
                % {"size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)},
                code="image_too_large",
            )
        fmt, width, height = _inspect(value)
        ending = posixpath.splitext(value.name or "")[1].lower()
        if ending not in FORMATS[fmt]:
            raise ValidationError(
                _(
                    "The file is named “%(ending)s” but holds a %(format)s image. "
                    "Rename it to end in %(right)s, or save it in the format its name says."
                )
                % {"ending": ending or _("(no ending)"), "format": fmt, "right": FORMATS[fmt][0]},
                code="image_name_mismatch",
            )
        if width < self.min_width or height < self.min_height:
            raise ValidationError(
                _("The image is %(w)s × %(h)s pixels; it must be at least %(mw)s × %(mh)s.")
                % {"w": width, "h": height, "mw": self.min_width, "mh": self.min_height},
                code="image_too_small",
            )
        if width > MAX_SIDE or height > MAX_SIDE:
            raise ValidationError(
                _("The image is %(w)s × %(h)s pixels; at most %(max)s pixels a side, please.")
                % {"w": width, "h": height, "max": MAX_SIDE},
                code="image_too_big",
            )


def _inspect(value) -> tuple[str, int, int]:
    """(format, width, height) read from the content; a clear error for anything else."""
    from PIL import Image, UnidentifiedImageError

    not_an_image = ValidationError(
        _("This file is not a JPEG, PNG or WebP image. Upload a photo or picture in one of those formats."),
        code="not_an_image",
    )
    try:
        value.seek(0)
        with Image.open(value) as image:
            fmt, (width, height) = image.format, image.size
            if fmt not in FORMATS:
                raise not_an_image
            if width * height > MAX_SIDE * MAX_SIDE:
                raise ValidationError(
                    _("The image is %(w)s × %(h)s pixels; at most %(max)s pixels a side, please.")
                    % {"w": width, "h": height, "max": MAX_SIDE},
                    code="image_too_big",
                )
            image.verify()  # a truncated or corrupted file fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise not_an_image from exc
    finally:
        value.seek(0)
    return fmt, width, height


validate_poster = PublicImageValidator(640, 360)
validate_presenter_photo = PublicImageValidator(160, 160)


def _public_name(folder: str, filename: str) -> str:
    ending = posixpath.splitext(filename)[1].lower()
    return f"public/{folder}/{uuid.uuid4().hex}{ending if ending in CONTENT_TYPES else ''}"


def poster_upload_to(instance, filename: str) -> str:
    return _public_name("posters", filename)


def presenter_photo_upload_to(instance, filename: str) -> str:
    return _public_name("speakers", filename)
