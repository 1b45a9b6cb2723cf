"""Who may open the studio: the one ``producer_required`` for the pages of every app, and its twin
for JSON endpoints (the error envelope instead of redirects)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from omooc.exceptions import json_error


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
            return json_error(_("Log in first."), code="not_authenticated", status=401)
        if not request.user.is_producer:
            return json_error(_("Only producers may do this."), code="permission_denied", status=403)
        return view(request, *args, **kwargs)

    return wrapper
