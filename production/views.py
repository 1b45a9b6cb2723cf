"""Studio pages. Each view checks access (``producer_required`` + the selectors' team filter),
parses a form and calls one service; service errors are shown on the form field they name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
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


@dataclass(frozen=True)
class Saved:
    """What ``saved`` returns when the service accepted the form: the service's ``result``."""

    result: Any


def saved(request, form, call: Callable[[dict], Any], message: str) -> Saved | None:
    """A POST whose form is valid, its cleaned data given to one service (``call``): on success
    ``message`` is queued for the next page and the service's result comes back (the caller
    redirects); otherwise ``None`` and the caller renders the form again, with the service's
    refusal on the field it names."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ApplicationError as exc:
        field = exc.extra.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return None
    messages.success(request, message)
    return Saved(result)


# --- productions ------------------------------------------------------------------------
