"""The living style page (ADR 0022): every component of static/css/omooc.css on one page, for staff.

Staff are producers and administrators (producers are staff for the catalog and production models);
anonymous visitors go to the login page, learners get a 403."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

# Every colour token of the stylesheet with the pair it is used for; the page shows each swatch.
COLOUR_TOKENS = (
    ("--ink", "--paper"),
    ("--muted", "--paper"),
    ("--brand", "--paper"),
    ("--on-brand", "--brand"),
    ("--ok", "--ok-wash"),
    ("--warn", "--warn-wash"),
    ("--bad", "--bad-wash"),
    ("--brand-dark", "--info-wash"),
)
TYPE_STEPS = ("--step-4", "--step-3", "--step-2", "--step-1", "--step-0", "--step--1")
SPACES = ("--space-1", "--space-2", "--space-3", "--space-4", "--space-5", "--space-6", "--space-7")
# Every kind of button, with a label it carries somewhere in the product.
BUTTONS = (
    ("button", _("Enroll for free")),
    ("button button-secondary", _("Start the course")),
    ("button button-danger", _("Leave this course")),
    ("button-small", _("Save")),
    ("link-button", _("Log out")),
)


@require_GET
def styleguide(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied
    return render(
        request,
        "styleguide.html",
        {"colours": COLOUR_TOKENS, "steps": TYPE_STEPS, "spaces": SPACES, "buttons": BUTTONS},
    )
