from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from omooc.exceptions import ApplicationError

from .forms import SignupConfirmForm, SignupForm
from .services import SignupLinkError, signup_confirm, signup_confirm_user, signup_request


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """The same answer for a new and a registered address: the owner learns which by email."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signup_request(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"],
            language=request.LANGUAGE_CODE,
        )
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form, "title": _("Sign up")})


@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html", {"title": _("Check your email")})


@never_cache
@require_http_methods(["GET", "POST"])
def signup_confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The emailed link: the owner types the password chosen at signup, and the account is ready."""
    try:
        user = signup_confirm_user(uidb64=uidb64, token=token)
    except SignupLinkError as error:
        return render(
            request,
            "accounts/signup_link_invalid.html",
            {"message": error.message, "title": _("This link no longer works")},
            status=400,
        )
    form = SignupConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signup_confirm(user=user, password=form.cleaned_data["password"])
        except ApplicationError as error:
            form.add_error(error.extra.get("field"), error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to OMOOC. Your account is ready."))
            return redirect("home")
    return render(
        request,
        "accounts/signup_confirm.html",
        {"form": form, "email": user.email, "title": _("Confirm your account")},
    )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; a used or expired link is titled as its page is headed."""

    title = gettext_lazy("Choose a new password")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["validlink"]:
            context["title"] = _("This link no longer works")
        return context
