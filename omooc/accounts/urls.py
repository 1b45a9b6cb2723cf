from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from omooc.ratelimit import rate_limit

from . import views
from .forms import EmailAuthenticationForm

login_limited = rate_limit(scope="login", rate_setting="login")
reset_limited = rate_limit(scope="password_reset", rate_setting="password_reset")

app_name = "accounts"

urlpatterns = [
    path("signup/", rate_limit(scope="signup", rate_setting="signup")(views.signup), name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path(
        "signup/confirm/<uidb64>/<token>/",
        login_limited(views.signup_confirm_view),
        name="signup_confirm",
    ),
    path(
        "login/",
        login_limited(
            auth_views.LoginView.as_view(
                authentication_form=EmailAuthenticationForm,
                redirect_authenticated_user=True,
                extra_context={"title": _("Log in")},
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        reset_limited(
            auth_views.PasswordResetView.as_view(
                success_url=reverse_lazy("accounts:password_reset_done"),
                email_template_name="registration/password_reset_email.txt",
                subject_template_name="registration/password_reset_subject.txt",
                title=_("Reset your password"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(title=_("Check your email")),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        reset_limited(
            views.PasswordResetConfirmView.as_view(
                success_url=reverse_lazy("accounts:password_reset_complete")
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(title=_("Password changed")),
        name="password_reset_complete",
    ),
]
