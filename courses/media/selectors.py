"""Read side of media for other pages (e.g. the production board's edit and captions columns)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..models import Caption, Video


@dataclass
class LectureMedia:
    video_status: str | None = None  # status of the current video, else of the latest upload
    video_ready: bool = False
    duration_seconds: float | None = None
    caption_languages: list[str] = field(default_factory=list)


def lecture_media_summary(*, lecture_ids: Iterable[int]) -> dict[int, LectureMedia]:
    """Media state per lecture in two queries, whatever the number of lectures."""
    ids = list(lecture_ids)
    summary = {lecture_id: LectureMedia() for lecture_id in ids}
    videos = (
        Video.objects.filter(lecture_id__in=ids)
        .order_by("lecture_id", "-is_current", "-created_at", "-id")
        .distinct("lecture_id")
        .values("lecture_id", "status", "is_current", "duration_seconds")
        if _postgres()
        else _latest_videos(ids)
    )
    for row in videos:
        item = summary[row["lecture_id"]]
        item.video_status = row["status"]
        item.video_ready = row["is_current"] and row["status"] == Video.Status.READY
        item.duration_seconds = row["duration_seconds"]
    for lecture_id, language in (
        Caption.objects.filter(lecture_id__in=ids)
        .order_by("lecture_id", "language")
        .values_list("lecture_id", "language")
    ):
        summary[lecture_id].caption_languages.append(language)
    return summary


def _postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _latest_videos(ids: list[int]) -> list[dict]:
    seen: dict[int, dict] = {}
    rows = (
        Video.objects.filter(lecture_id__in=ids)
        .order_by("lecture_id", "-is_current", "-created_at", "-id")
        .values("lecture_id", "status", "is_current", "duration_seconds")
    )
    for row in rows:
        seen.setdefault(row["lecture_id"], row)
    return list(seen.values())
