"""Permission decorators for the courses app's studio pages (courses never imports production)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils.translation import gettext as _


def producer_required(view):
    """Pages for producers only: anonymous users go to the login page, others get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_producer:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def producer_required_json(view):
    """JSON endpoints for producers: 401/403 with the error envelope instead of redirects."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse(
                {"message": _("Log in first."), "code": "not_authenticated", "extra": {}}, status=401
            )
        if not request.user.is_producer:
            return JsonResponse(
                {"message": _("Only producers may do this."), "code": "permission_denied", "extra": {}},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


# --- which courses a producer may work on in the studio --------------------------------------
#
# Courses never import production, yet a course made by a production belongs to its producer team.
# The production app registers the rule at start-up (``ProductionConfig.ready``); without one, every
# producer may work on every course.

_studio_scope = None


def studio_scope_register(scope) -> None:
    """``scope(user)`` returns the Course queryset a (non-superuser) producer may work on."""
    global _studio_scope
    _studio_scope = scope


def studio_courses_for(user):
    """The courses a user may manage and preview in the studio: none for non-producers, all for
    superusers, else those the registered scope allows."""
    from .models import Course

    if not (user is not None and user.is_authenticated and user.is_active and user.is_producer):
        return Course.objects.none()
    if user.is_superuser or _studio_scope is None:
        return Course.objects.all()
    return _studio_scope(user)
