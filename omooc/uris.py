"""What a URI is (RFC 3986): the one check for links we store and hand on. Django's ``URLValidator``
also takes IRIs and characters a URI must percent-encode (``http://exämple.com``, ``/a|b``, ``%zz``);
the API's schema says ``format: uri`` and mail clients cut such links short, so both checks apply."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

_CHAR = r"[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2}"  # unreserved, sub-delims, percent-encoded
_PCHAR = rf"(?:{_CHAR}|[:@])"
URI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+.\-]*://(?:(?:{_CHAR}|:)*@)?(?:\[[0-9A-Fa-f:.]+\]|(?:{_CHAR})*)(?::[0-9]*)?"
    rf"(?:/{_PCHAR}*)*(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
)


def is_web_link(value: str) -> bool:
    """An http(s) address Django accepts that is also a URI."""
    try:
        URLValidator()(value)
    except ValidationError:
        return False
    return URI.fullmatch(value) is not None
