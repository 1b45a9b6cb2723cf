"""Media for learners only through short-lived signed URLs scoped to an enrollment.

A URL looks like ``/media/s/<token>/<path>``. The token (signed, timestamped, ``MEDIA_URL_TTL``
seconds) names the enrollment, the lecture and a storage *root*: the video's output folder (then
``<path>`` is relative to it, so the relative URLs inside HLS playlists keep working) or one file
(a caption). Every request re-checks that the enrollment is still active and the lecture still
published and released; producers get preview tokens (enrollment 0) checked against their role.

Serving: local storage answers Range requests with 206 (seeking), or hands the file to nginx with
``X-Accel-Redirect`` when ``MEDIA_ACCEL_REDIRECT_PREFIX`` is set. With S3, playlists are rewritten
so each segment is a presigned S3 URL, and other files redirect to a presigned URL: Django never
streams video bytes in production.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import mimetypes
import posixpath
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef, Q
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.translation import get_language

from omooc.exceptions import AccessDeniedError

SALT = "courses.media"
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".aac": "audio/aac",
}
CHUNK = 64 * 1024


def ttl_seconds() -> int:
    return int(getattr(settings, "MEDIA_URL_TTL", 300))


@dataclass(frozen=True)
class MediaGrant:
    enrollment_id: int  # 0: a producer's preview
    lecture_id: int
    user_id: int
    root: str
    single_file: bool
    # Web tokens also need the learner's session; bearer tokens (mobile API: native players cannot
    # add an Authorization header to segment requests) rely on the signature and short lifetime.
    bearer: bool = False
    expires: int = 0  # unix time; 0 means "now + MEDIA_URL_TTL" when signing


class MediaAccessDenied(AccessDeniedError):
    default_code = "media_access_denied"


# What ``reverse`` leaves unquoted in a URL (RFC 3986 sub-delimiters and /~:@).
URL_SAFE = "!$&'()*+,;=/~:@"


_keys: dict[tuple[str, str], object] = {}
_TO_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def _keyed(secret: str, purpose: str):
    """An HMAC-SHA256 keyed with ``sha256(purpose + secret)``, derived once per secret and purpose."""
    keyed = _keys.get((secret, purpose))
    if keyed is None:
        key = hashlib.sha256(f"omooc.seal|{purpose}|".encode() + force_bytes(secret)).digest()
        keyed = _keys.setdefault((secret, purpose), hmac.new(key, digestmod=hashlib.sha256))
    return keyed.copy()


def seal(text: str, *, purpose: str) -> str:
    """``text`` as ``<base64url text>.<hex HMAC-SHA256>``, keyed by ``SECRET_KEY`` and ``purpose``: the
    construction of ``signing.dumps`` (a full HMAC-SHA256 under a key derived from the secret and a
    salt) without its JSON, compression and timestamp, for the tokens every lecture page signs."""
    body = binascii.b2a_base64(text.encode(), newline=False).translate(_TO_URL_SAFE).rstrip(b"=")
    mac = _keyed(settings.SECRET_KEY, purpose)
    mac.update(body)
    return f"{body.decode()}.{mac.hexdigest()}"


def unseal(token: str, *, purpose: str) -> str | None:
    """The text ``seal`` sealed for ``purpose`` under ``SECRET_KEY`` or one of its
    ``SECRET_KEY_FALLBACKS`` (compared in constant time); ``None`` for anything else."""
    body, dot, digest = token.rpartition(".")
    if not dot or not body.isascii() or not digest.isascii():
        return None
    raw = body.encode()
    for secret in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        mac = _keyed(secret, purpose)
        mac.update(raw)
        if hmac.compare_digest(mac.hexdigest(), digest):
            try:
                return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4)).decode()
            except (binascii.Error, ValueError):
                return None
    return None


def sign(grant: MediaGrant) -> str:
    expires = grant.expires or int(time.time()) + ttl_seconds()
    return _grant_token(
        grant.enrollment_id,
        grant.lecture_id,
        grant.user_id,
        grant.root,
        grant.single_file,
        grant.bearer,
        expires,
    )


def _grant_token(e: int, lecture: int, user: int, root: str, single: bool, bearer: bool, expires: int) -> str:
    """``sign(MediaGrant(...))`` (``unsign`` splits at the first six colons: the root comes last)."""
    return seal(f"{e}:{lecture}:{user}:{int(single)}:{int(bearer)}:{expires}:{root}", purpose=SALT)


def unsign(token: str) -> MediaGrant:
    try:
        if ":" in token:  # signed by signing.dumps before ADR 0031's seal (valid MEDIA_URL_TTL at most)
            e, lecture, user, root, single, bearer, expires = signing.loads(token, salt=SALT)
        else:
            text = unseal(token, purpose=SALT)
            if text is None:
                raise signing.BadSignature
            e, lecture, user, single, bearer, expires, root = text.split(":", 6)
            single, bearer = int(single), int(bearer)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise MediaAccessDenied("This media link is not valid.", code="bad_signature") from exc
    if time.time() > int(expires):
        raise MediaAccessDenied("This media link has expired; reload the page.", code="expired")
    return MediaGrant(int(e), int(lecture), int(user), str(root), bool(single), bool(bearer), int(expires))


def signed_url(grant: MediaGrant, path: str) -> str:
    return media_url(sign(grant), path)


_media_prefixes: dict[str, str] = {}
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]+\Z")  # what ``quote`` leaves as it is (a sealed token)


def media_prefix() -> str:
    """``reverse("courses:media", ...)`` up to the token, reversed once per script prefix."""
    script = get_script_prefix()
    prefix = _media_prefixes.get(script)
    if prefix is None:
        prefix = reverse("courses:media", kwargs={"token": "t", "path": "p"})[: -len("t/p")]
        _media_prefixes[script] = prefix
    return prefix


@functools.lru_cache(maxsize=4096)
def _quoted(path: str) -> str:
    return quote(path, safe=URL_SAFE)


def media_url(token: str, path: str, prefix: str = "") -> str:
    """``reverse("courses:media", kwargs={"token": token, "path": path})`` as a string join, with the
    same quoting as ``reverse`` (a test compares the two); ``prefix``: ``media_prefix()``, if known."""
    token = token if _UNQUOTED.match(token) else quote(token, safe=URL_SAFE)
    return f"{prefix or media_prefix()}{token}/{_quoted(path)}"


def absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None and url else url


def resolve(grant: MediaGrant, path: str) -> str:
    """The storage name for ``path`` under the grant's root, refusing anything outside it."""
    if grant.single_file:
        if path != posixpath.basename(grant.root):
            raise MediaAccessDenied("This media link is not valid for that file.", code="bad_path")
        return grant.root
    clean = posixpath.normpath(path)
    if clean.startswith(("/", "..")) or "/../" in f"/{clean}/" or "\\" in path or clean == ".":
        raise MediaAccessDenied("This media link is not valid for that file.", code="bad_path")
    return f"{grant.root.rstrip('/')}/{clean}"


def check_still_allowed(grant: MediaGrant) -> None:
    """The grant's user may still watch the lecture, by the one lecture-access rule
    (``permissions.lecture_access``): through the grant's enrollment, or as a producer previewing."""
    from ..models import Course, Enrollment, Lecture
    from ..permissions import is_team_producer, lecture_access

    now = timezone.now()
    lecture = (
        Lecture.objects.filter(pk=grant.lecture_id)
        .annotate(
            published=Q(status=Lecture.Status.PUBLISHED)
            & Q(course__status=Course.Status.PUBLISHED, course__published_at__lte=now),
            released=Q(release_at__isnull=True) | Q(release_at__lte=now),
            enrolled=Exists(
                Enrollment.objects.active().filter(
                    pk=grant.enrollment_id, user_id=grant.user_id, course_id=OuterRef("course_id")
                )
            ),
        )
        .values("course_id", "published", "released", "enrolled")
        .first()
    )
    if lecture is None:
        raise MediaAccessDenied("This media link is not valid.", code="not_found")

    def team_producer() -> bool:
        from omooc.accounts.models import User

        user = User.objects.filter(pk=grant.user_id, is_active=True).first()
        return is_team_producer(user, lecture["course_id"])

    access = lecture_access(
        published=lecture["published"],
        released=lecture["released"],
        enrolled=grant.enrollment_id != 0 and lecture["enrolled"],
        team_producer=team_producer if grant.enrollment_id == 0 else False,
    )
    if not access.allowed:
        message = (
            "Only the course's producers may preview its media."
            if grant.enrollment_id == 0
            else "You need to be enrolled in this course to watch it."
        )
        raise MediaAccessDenied(message, code=access.code)


def content_type_for(name: str) -> str:
    suffix = posixpath.splitext(name)[1].lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def serve(request: HttpRequest, token: str, path: str) -> HttpResponse:
    grant = unsign(token)
    name = resolve(grant, path)
    if not grant.bearer and getattr(request.user, "pk", None) != grant.user_id:
        raise MediaAccessDenied("Log in as the learner this media link was made for.", code="wrong_user")
    check_still_allowed(grant)
    content_type = content_type_for(name)
    if getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""):
        response = _serve_s3(name, content_type)
    elif getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", ""):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX.rstrip("/") + "/" + name
    else:
        response = ranged_file_response(request, name, content_type)
    response["Cache-Control"] = f"private, max-age={ttl_seconds()}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _serve_s3(name: str, content_type: str) -> HttpResponse:
    if not name.endswith(".m3u8"):
        return HttpResponseRedirect(default_storage.url(name))
    with default_storage.open(name, "rb") as handle:
        text = handle.read().decode("utf-8")
    folder = posixpath.dirname(name)
    return HttpResponse(rewrite_playlist(text, folder, default_storage.url), content_type=content_type)


_URI_ATTR = re.compile(r'URI="([^"]+)"')


def rewrite_playlist(text: str, folder: str, url_for) -> str:
    """Point segment and init-section URIs at presigned URLs; nested playlists stay relative (they come
    back through the signed view and are rewritten in turn)."""

    def absolute(uri: str) -> str:
        if "://" in uri or uri.endswith(".m3u8"):
            return uri
        return url_for(posixpath.normpath(posixpath.join(folder, uri)))

    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            lines.append(absolute(stripped))
        elif stripped.startswith("#EXT-X-MAP") or stripped.startswith("#EXT-X-KEY"):
            lines.append(_URI_ATTR.sub(lambda m: f'URI="{absolute(m.group(1))}"', line))
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def ranged_file_response(request: HttpRequest, name: str, content_type: str) -> HttpResponse:
    """A file from local storage, answering a single ``Range: bytes=a-b`` with 206."""
    try:
        size = default_storage.size(name)
    except (FileNotFoundError, OSError):
        return HttpResponse(status=404)
    match = _RANGE.match(request.headers.get("Range", "").strip())
    handle = default_storage.open(name, "rb")
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # suffix range: the last N bytes
            start = max(size - int(last), 0)
            end = size - 1
        if start >= size or start > end:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        response = StreamingHttpResponse(
            _read(handle, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    return response


def _read(handle, length: int) -> Iterator[bytes]:
    try:
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


# --- What the player gets -------------------------------------------------------------------------


def playback_urls(
    *, lecture, video, captions, enrollment_id: int, user_id: int, bearer: bool = False, lifetime: int = 0
) -> dict:
    """Signed URLs for one lecture's master playlist, poster and caption tracks, valid ``lifetime``
    seconds (default ``MEDIA_URL_TTL``; the web player renews them while it plays)."""
    lifetime = lifetime or ttl_seconds()
    expires = int(time.time()) + lifetime
    result: dict = {"master": "", "poster": "", "captions": [], "expires_in": lifetime}
    prefix = media_prefix()
    if video is not None and video.output_prefix:
        token = _grant_token(enrollment_id, lecture.pk, user_id, video.output_prefix, False, bearer, expires)
        result["master"] = media_url(token, "master.m3u8", prefix)
        result["poster"] = media_url(token, "poster.jpg", prefix)
    for caption in captions:
        name = caption.vtt.name
        if not name:
            continue
        token = _grant_token(enrollment_id, lecture.pk, user_id, name, True, bearer, expires)
        result["captions"].append(
            {
                "language": caption.language,
                "label": language_label(caption),
                "url": media_url(token, posixpath.basename(name), prefix),
            }
        )
    return result


_labels: dict[tuple[str | None, str], str] = {}


def language_label(caption) -> str:
    """``caption.get_language_display()``, worked out once per language shown in and caption language
    (the choices are the settings' ``LANGUAGES``, fixed while the process runs)."""
    key = (get_language(), caption.language)
    label = _labels.get(key)
    if label is None:
        label = _labels.setdefault(key, str(caption.get_language_display()))
    return label
