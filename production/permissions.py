"""Who may use the studio pages. Who may change a speaker: ``speakers/permissions.py`` (ADR 0013)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


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
