"""Studio pages. Each view checks access (``producer_required`` + the selectors' team filter),
parses a form and calls one service; service errors are shown on the form field they name."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from omooc.accounts.permissions import producer_required
from omooc.exceptions import AccessDeniedError, ApplicationError, NotFoundError


def studio_view(view):
    """Producers only; a production (or item) outside the producer's team is a 404."""

    @producer_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except AccessDeniedError as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def _apply(form, call) -> bool:
    """Run a service with the form's data; its error goes onto the field it names."""
    try:
        call()
    except ApplicationError as exc:
        field = exc.extra.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return False
    return True


# --- productions ------------------------------------------------------------------------
