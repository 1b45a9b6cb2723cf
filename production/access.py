"""Who reaches which production: the studio's team scope (ADR 0008), shared by every wing.

Superusers see every production; a producer only those whose team they are on. Items of a
production outside the producer's team are "not found", never "forbidden"."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from omooc.exceptions import NotFoundError

from .models import PostProduction, Production


def can_use_studio(user) -> bool:
    return bool(user and user.is_authenticated and user.is_producer)


def production_visible_to(user) -> QuerySet[Production]:
    """Superusers see every production; a producer only those whose team they are on."""
    qs = Production.objects.select_related("course")
    if not can_use_studio(user):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(team=user)


def studio_courses_for(user) -> QuerySet:
    """Courses a producer may manage and preview (studio media, draft lectures): those of their
    team's productions, and courses no production owns."""
    from courses.models import Course

    return Course.objects.filter(
        Q(production__isnull=True) | Q(production__in=production_visible_to(user).values("pk"))
    )


def production_get_for(*, user, pk) -> Production:
    try:
        return production_visible_to(user).get(pk=pk)
    except (Production.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("No production with this number in your productions.")) from None


def production_list(*, user) -> list[Production]:
    return list(production_visible_to(user).prefetch_related("team").order_by("course__title", "id"))


def post_production_get_for(*, user, pk) -> PostProduction:
    item = (
        PostProduction.objects.filter(production__in=production_visible_to(user).values("pk"), pk=pk)
        .select_related("production__course", "lecture")
        .first()
    )
    if item is None:
        raise NotFoundError(_("No post-production item with this number in your productions."))
    return item
