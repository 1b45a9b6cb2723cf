"""Media services: uploads, probing, transcoding, captions. The only way Video and Caption change.

Flow of a recording: ``video_upload`` (local storage: the request's temporary file is probed first, so
a refused file leaves nothing behind) or ``video_upload_start`` + ``video_upload_complete`` (S3: the
browser posts straight to the bucket) → status *queued* → the ``courses.media.video_process`` task runs
``video_process``: probe (hardened) → transcode in one ffmpeg pass with progress → health check →
publish to the storage → *ready*, current video of the lecture. Refused files are deleted, failures
keep the source so the producer can retry. Files are deleted only after the transaction commits.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from omooc.exceptions import ApplicationError, ConflictError

from ..models import Caption, Lecture, Video
from ..models.media import source_upload_to
from . import storage as media_storage
from .captions import parse_captions, to_transcript, to_webvtt
from .errors import MediaRejectedError, TranscodeError
from .probing import ProbeResult, media_setting, probe_media
from .transcoding import transcode

logger = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = (".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".ts", ".mts", ".mxf")
STALE_SECONDS = 300  # an in-progress video without a progress report for this long may be reclaimed


class UploadError(ApplicationError):
    default_code = "upload_invalid"


def max_upload_bytes() -> int:
    return int(media_setting("MEDIA_MAX_UPLOAD_BYTES"))


def _check_upload(*, filename: str, size: int | None) -> str:
    suffix = Path(filename or "").suffix.lower()
    if suffix not in ALLOWED_EXTENSIONS:
        raise UploadError(
            _("file: “%(name)s” is not a video file we accept. Choose a recording ending in %(list)s.")
            % {"name": filename, "list": ", ".join(ALLOWED_EXTENSIONS)},
            code="upload_extension",
            extra={"field": "file"},
        )
    if size is not None and size <= 0:
        raise UploadError(
            _("file: the file is empty (0 bytes). Choose the recording itself."),
            code="upload_empty",
            extra={"field": "file"},
        )
    if size is not None and size > max_upload_bytes():
        raise UploadError(
            _("file: the file is %(size)s; recordings may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())},
            code="upload_too_large",
            extra={"field": "file"},
        )
    return suffix


def _enqueue_processing(video_id: int) -> None:
    from .tasks import video_process as task

    task.delay(video_id=video_id)


def _apply_probe(video: Video, probe: ProbeResult) -> None:
    video.probe = probe.as_dict()
    video.width, video.height, video.duration_seconds = probe.width, probe.height, probe.duration


def video_upload(*, lecture: Lecture, file: UploadedFile, by=None, enqueue: bool = True) -> Video:
    """Store a recording uploaded through Django (local storage) and queue it for transcoding.

    The file is probed where the upload handler streamed it; a refused file raises
    ``MediaRejectedError`` and nothing is written to the storage or the database.
    """
    _check_upload(filename=file.name, size=file.size)
    if hasattr(file, "temporary_file_path"):
        probe = probe_media(file.temporary_file_path())
    else:  # a small upload kept in memory: probe a temporary copy
        with tempfile.NamedTemporaryFile(suffix=Path(file.name).suffix) as copy:
            for chunk in file.chunks():
                copy.write(chunk)
            copy.flush()
            probe = probe_media(copy.name)
        file.seek(0)

    video = Video(
        lecture=lecture,
        original_filename=file.name[:255],
        size_bytes=file.size,
        uploaded_by=by,
        status=Video.Status.QUEUED,
    )
    _apply_probe(video, probe)
    saved = default_storage.save(source_upload_to(video, file.name), file)
    try:
        with transaction.atomic():
            video.source.name = saved
            video.save()
            if enqueue:
                transaction.on_commit(lambda: _enqueue_processing(video.pk))
    except Exception:
        default_storage.delete(saved)
        raise
    logger.info("video %s uploaded for lecture %s (%s bytes)", video.uid, lecture.pk, file.size)
    return video


def video_upload_start(*, lecture: Lecture, filename: str, size: int, by=None) -> tuple[Video, dict]:
    """S3 storage: reserve a Video and return a presigned POST for the browser to upload straight to the
    bucket, under the temporary ``uploads/incoming/`` prefix, private, at most the upload cap."""
    if not media_storage.is_s3():
        raise UploadError(
            _("Direct uploads need S3 storage; upload through the form instead."), code="upload_mode"
        )
    suffix = _check_upload(filename=filename, size=size)
    with transaction.atomic():
        video = Video(
            lecture=lecture,
            original_filename=filename[:255],
            size_bytes=size,
            uploaded_by=by,
            status=Video.Status.PENDING,
        )
        video.source.name = f"{media_storage.INCOMING_PREFIX}/{video.uid}/source{suffix}"
        video.save()
    post = media_storage.presigned_post(key=video.source.name, max_bytes=max_upload_bytes())
    return video, post


def video_upload_complete(*, video: Video, by=None) -> Video:
    """The browser says the direct upload finished: verify the object, then queue probing/transcoding."""
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.status != Video.Status.PENDING:
            raise ConflictError(_("This upload was already completed."), code="upload_completed")
        size = media_storage.object_size(video.source.name)
        if size is None:
            raise UploadError(
                _("The file has not arrived in the storage. Upload it again."), code="upload_missing"
            )
        video.size_bytes = size
        if size > max_upload_bytes() or size == 0:
            video.status = Video.Status.REJECTED
            video.error = (
                _("The file is empty (0 bytes). Choose the recording itself and upload it again.")
                if size == 0
                else _("The file is %(size)s; recordings may be at most %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())}
            )
            media_storage.delete_on_commit(files=[video.source.name])
            video.source.name = ""
            video.save()
            return video
        video.status = Video.Status.QUEUED
        video.save()
        transaction.on_commit(lambda: _enqueue_processing(video.pk))
    return video


def video_retry(*, video: Video, by=None) -> Video:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.status != Video.Status.FAILED:
            raise ConflictError(_("Only a failed video can be retried."), code="video_not_failed")
        if not video.source:
            raise ConflictError(
                _("The source file is gone; upload the recording again."), code="video_no_source"
            )
        video.status = Video.Status.QUEUED
        video.error = ""
        video.progress_percent = 0
        video.eta_seconds = None
        video.save()
        transaction.on_commit(lambda: _enqueue_processing(video.pk))
    return video


def _claim(video_id: int) -> Video | None:
    """Lock and mark the video as being processed; ``None`` when another worker has it or it is done."""
    stale = timezone.now() - timezone.timedelta(
        seconds=media_setting_or("MEDIA_STALE_SECONDS", STALE_SECONDS)
    )
    with transaction.atomic():
        video = Video.objects.select_for_update(skip_locked=True).filter(pk=video_id).first()
        if video is None:
            return None
        fresh = video.status in {Video.Status.UPLOADED, Video.Status.QUEUED}
        abandoned = (
            video.status in {Video.Status.PROBING, Video.Status.TRANSCODING} and video.updated_at < stale
        )
        if not (fresh or abandoned) or not video.source:
            return None
        video.status = Video.Status.PROBING
        video.attempts += 1
        video.started_at = timezone.now()
        video.error = ""
        video.progress_percent = 0
        video.eta_seconds = None
        video.save()
    return video


def media_setting_or(name: str, default):
    return getattr(settings, name, default)


def _report_progress(video_id: int):
    def report(fraction: float, eta: int | None) -> None:
        Video.objects.filter(pk=video_id, status=Video.Status.TRANSCODING).update(
            progress_percent=min(99, int(fraction * 100)), eta_seconds=eta, updated_at=timezone.now()
        )

    return report


def video_process(*, video_id: int) -> Video | None:
    """Probe, transcode, health-check and publish one queued video (the media task's body).

    Idempotent: a video that is not queued (or abandoned by a dead worker) is left alone.
    """
    video = _claim(video_id)
    if video is None:
        return None
    # Reasons are stored in words: in the uploader's language, else the active (site) language.
    language = (
        getattr(video.uploaded_by, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        return _process(video)


def _clear_leftovers(video: Video, work_dir: str | None) -> None:
    """A worker killed mid-attempt (SIGKILL, out of memory, a lost machine) runs no clean-up: before the
    next attempt, remove what earlier attempts of this video left in the work folder and in the storage
    (a half-published output; nothing under ``videos/<uid>/`` is in use before the video is ready)."""
    for path in Path(work_dir or tempfile.gettempdir()).glob(f"omooc-*-{video.uid}-*"):
        shutil.rmtree(path, ignore_errors=True)
    if video.attempts > 1 and not video.output_prefix:
        media_storage.delete_tree(f"videos/{video.uid}")


def _process(video: Video) -> Video:
    prefix = ""
    work_dir = media_setting_or("MEDIA_WORK_DIR", None)
    _clear_leftovers(video, work_dir)
    try:
        with media_storage.local_copy(
            video.source.name, max_bytes=max_upload_bytes(), prefix=f"omooc-src-{video.uid}-", dir=work_dir
        ) as path:
            try:
                probe = probe_media(path)
            except MediaRejectedError as exc:
                return _reject(video, exc.message)
            _apply_probe(video, probe)
            video.status = Video.Status.TRANSCODING
            video.save(update_fields=["probe", "width", "height", "duration_seconds", "status", "updated_at"])
            with tempfile.TemporaryDirectory(prefix=f"omooc-hls-{video.uid}-", dir=work_dir) as out_dir:
                result = transcode(
                    source=path, out_dir=out_dir, probe=probe, on_progress=_report_progress(video.pk)
                )
                prefix = f"videos/{video.uid}/{secrets.token_hex(4)}"
                media_storage.publish_directory(out_dir, prefix)
        if video.source.name.startswith(media_storage.INCOMING_PREFIX + "/"):
            final = source_upload_to(video, video.source.name)
            video.source.name = media_storage.move(video.source.name, final)
            Video.objects.filter(pk=video.pk).update(source=video.source.name)
        return _finish(video, prefix=prefix, renditions=result.renditions, seconds=result.seconds)
    except TranscodeError as exc:
        return _fail(video, exc.message, prefix=prefix)
    except Exception as exc:
        logger.exception("processing video %s failed", video.uid)
        return _fail(
            video,
            _("Processing stopped unexpectedly: %(error)s. Retry; if it fails again, ask a developer.")
            % {"error": str(exc)[:300] or type(exc).__name__},
            prefix=prefix,
        )


def video_requeue_stale(*, now=None) -> list[int]:
    """Re-enqueue videos whose worker died (in progress without a heartbeat for ``MEDIA_STALE_SECONDS``)
    or whose queue message was lost (queued for over six hours). Duplicates are harmless: ``_claim``."""
    now = now or timezone.now()
    stale = now - timezone.timedelta(seconds=media_setting_or("MEDIA_STALE_SECONDS", STALE_SECONDS))
    forgotten = now - timezone.timedelta(hours=6)
    ids = list(
        Video.objects.filter(
            Q(status__in=[Video.Status.PROBING, Video.Status.TRANSCODING], updated_at__lt=stale)
            | Q(status=Video.Status.QUEUED, updated_at__lt=forgotten)
        )
        .order_by("updated_at", "id")
        .values_list("pk", flat=True)[:100]
    )
    for video_id in ids:
        _enqueue_processing(video_id)
    return ids


def _reject(video: Video, message: str) -> Video:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        media_storage.delete_on_commit(files=[video.source.name])
        video.status = Video.Status.REJECTED
        video.error = message
        video.source.name = ""
        video.progress_percent = 0
        video.eta_seconds = None
        video.save()
    logger.info("video %s refused: %s", video.uid, message)
    return video


def _fail(video: Video, message: str, *, prefix: str) -> Video:
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        video.status = Video.Status.FAILED
        video.error = message
        video.eta_seconds = None
        video.save()
        media_storage.delete_on_commit(trees=[prefix])
    logger.warning("video %s failed: %s", video.uid, message)
    return video


def _finish(video: Video, *, prefix: str, renditions: list[dict], seconds: float) -> Video:
    with transaction.atomic():
        Lecture.objects.select_for_update().get(pk=video.lecture_id)
        video = Video.objects.select_for_update().get(pk=video.pk)
        current = (
            Video.objects.filter(lecture_id=video.lecture_id, is_current=True).exclude(pk=video.pk).first()
        )
        becomes_current = current is None or current.created_at <= video.created_at
        if current is not None and becomes_current:
            media_storage.delete_on_commit(files=[current.source.name], trees=[current.output_prefix])
            current.delete()
        video.status = Video.Status.READY
        video.output_prefix = prefix
        video.renditions = renditions
        video.progress_percent = 100
        video.eta_seconds = 0
        video.ready_at = timezone.now()
        video.transcode_seconds = round(seconds, 2)
        video.is_current = becomes_current
        video.save()
        if becomes_current and video.duration_seconds:
            Lecture.objects.filter(pk=video.lecture_id).update(duration_seconds=round(video.duration_seconds))
    logger.info("video %s ready in %.1f s (%s)", video.uid, seconds, ", ".join(r["name"] for r in renditions))
    return video


def video_delete(*, video: Video, by=None) -> None:
    """Remove a video that is not being processed, with its files (after commit)."""
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video.pk)
        if video.status in {Video.Status.PROBING, Video.Status.TRANSCODING}:
            raise ConflictError(_("The video is being processed; wait until it is done."), code="video_busy")
        media_storage.delete_on_commit(files=[video.source.name], trees=[video.output_prefix])
        video.delete()


# --- Captions -------------------------------------------------------------------------------------


def caption_upload(*, lecture: Lecture, language: str, file: UploadedFile, by=None) -> Caption:
    """Store an SRT or WebVTT file as the lecture's WebVTT track in ``language`` (replacing an older one)."""
    if language not in dict(settings.LANGUAGES):
        raise UploadError(
            _("language: choose one of %(list)s.") % {"list": ", ".join(dict(settings.LANGUAGES))},
            code="caption_language",
            extra={"field": "language"},
        )
    from .captions import MAX_BYTES

    data = file.read(MAX_BYTES + 1)
    cues = parse_captions(data)
    vtt = to_webvtt(cues)
    saved = default_storage.save(
        f"captions/{lecture.pk}/{language}-{secrets.token_hex(4)}.vtt", ContentFile(vtt.encode("utf-8"))
    )
    try:
        with transaction.atomic():
            caption = Caption.objects.select_for_update().filter(lecture=lecture, language=language).first()
            if caption is None:
                caption = Caption(lecture=lecture, language=language)
            else:
                media_storage.delete_on_commit(files=[caption.vtt.name])
            caption.vtt.name = saved
            caption.transcript = to_transcript(cues)
            caption.cue_count = len(cues)
            caption.uploaded_by = by
            caption.save()
    except Exception:
        default_storage.delete(saved)
        raise
    return caption


def caption_delete(*, caption: Caption, by=None) -> None:
    with transaction.atomic():
        media_storage.delete_on_commit(files=[caption.vtt.name])
        caption.delete()
