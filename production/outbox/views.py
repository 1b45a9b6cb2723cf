"""Studio pages for the outbox: the email log, and per speaker the delivery and RSVP status of each
session and pre-talk with their personal links (revoke, send a new one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from omooc.exceptions import AccessDeniedError, ApplicationError, NotFoundError

from ..models import EmailLog, Speaker
from ..speakers import links, permissions
from ..views import studio_view
from . import actions, selectors

T = TypeVar("T")


@studio_view
def email_log(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    search = request.GET.get("q", "").strip()[:100]
    qs = selectors.email_log(user=request.user, state=state, kind=kind, search=search)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "production/email_log.html",
        {
            "page": page,
            "emails": page.object_list,
            "state": state,
            "kind": kind,
            "q": search,
            "states": EmailLog.State.choices,
            "kinds": EmailLog.Kind.choices,
        },
    )


@studio_view
def speaker_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    speaker = get_object_or_404(Speaker, pk=pk)
    rows, emails, links = selectors.speaker_delivery(user=request.user, speaker=speaker)
    rights = permissions.speaker_rights(user=request.user, speaker=speaker)  # ADR 0013
    return render(
        request,
        "production/email_speaker.html",
        {
            "speaker": speaker,
            "rows": rows,
            "emails": emails,
            "links": links if rights["may_manage"] else [],
            "rights": rights,
        },
    )


@studio_view
@require_POST
def speaker_links_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    speaker = get_object_or_404(Speaker, pk=pk)
    count = links.speaker_links_revoke(speaker=speaker, by=request.user)
    messages.success(
        request, ngettext("%(count)s link withdrawn.", "%(count)s links withdrawn.", count) % {"count": count}
    )
    return redirect("production:email_speaker", pk=speaker.pk)


@studio_view
@require_POST
def speaker_link_send(request: HttpRequest, pk: int) -> HttpResponse:
    speaker = get_object_or_404(Speaker, pk=pk)
    _act(
        request,
        lambda: links.speaker_link_send(speaker=speaker, by=request.user),
        success=lambda _email: (
            _("A new personal link is on its way to %(email)s.") % {"email": speaker.email}
        ),
    )
    return redirect("production:email_speaker", pk=speaker.pk)


@studio_view
@require_POST
def email_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a failed or bounced message again (a new row); back to the page the button was on."""
    email = get_object_or_404(EmailLog, pk=pk)
    _act(
        request,
        lambda: actions.email_resend(email=email, by=request.user),
        success=lambda new: _("The message is on its way again to %(email)s.") % {"email": new.recipient},
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return redirect(back or "production:email_log")


def _act(request: HttpRequest, action: Callable[[], T], *, success: Callable[[T], str]) -> None:
    """Run a producer's action: its refusal becomes an error message on the next page, its result a
    success message; not found and not yours stay a 404 / 403 (``studio_view``)."""
    try:
        result = action()
    except (NotFoundError, AccessDeniedError):
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(result))
