"""Catalog services: what learners see about a course's lectures."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from ..models import Lecture, LecturePresenter
from . import cache as catalog_cache


@dataclass(frozen=True)
class Presenter:
    name: str
    affiliation: str = ""


@transaction.atomic
def lecture_presenters_set(*, lecture: Lecture, presenters: list[Presenter]) -> list[LecturePresenter]:
    """Replace the lecture's presenters with ``presenters`` (in that order; duplicates by name dropped)."""
    seen: set[str] = set()
    rows = []
    for position, presenter in enumerate(presenters):
        name = " ".join(presenter.name.split())[:200]
        if not name or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        rows.append(
            LecturePresenter(
                lecture=lecture,
                name=name,
                affiliation=" ".join(presenter.affiliation.split())[:300],
                position=position,
            )
        )
    LecturePresenter.objects.filter(lecture=lecture).delete()
    created = LecturePresenter.objects.bulk_create(rows)
    catalog_cache.changed()  # bulk_create sends no post_save
    return created
