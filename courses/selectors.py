from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Course


def course_list_published() -> QuerySet[Course]:
    return (
        Course.objects.published()
        .select_related("theme")
        .annotate(lecture_count=Count("lectures", filter=Q(lectures__status="published")))
        .order_by("title", "id")
    )
