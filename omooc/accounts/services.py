from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from omooc.exceptions import ApplicationError

from .models import User

logger = logging.getLogger(__name__)


# --- Signup: the same answer for every address --------------------------------------------------
#
# A signup never says whether an address has an account: the page, the status and the time taken are
# the same (both paths hash the password and send one email). The address's owner learns the rest by
# email: a new address gets a link to confirm it (the account stays inactive until then, and confirming
# asks for the password, so a stranger's earlier signup for the address cannot plant a password on it);
# an address that has an account gets a notice ("someone tried to create an account with your
# address; log in or reset your password").


class SignupTokenGenerator(PasswordResetTokenGenerator):
    """Signup confirmation links: not interchangeable with password-reset links, dead once the account
    is confirmed or a later signup for the address replaced the password."""

    key_salt = "omooc.accounts.signup"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}{user.signup_pending}"


signup_tokens = SignupTokenGenerator()


def signup_request(*, email: str, password: str, full_name: str = "", language: str | None = None) -> None:
    """Start a signup for ``email`` (see above). Returns nothing: the caller must answer alike."""
    email = User.objects.normalize_email(email).strip().lower()
    language = language or settings.LANGUAGE_CODE
    hashed = make_password(password)  # the costly step, on both paths
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not existing.signup_pending:
        _signup_mail(existing, "accounts/email/signup_exists", language=existing.language)
        return
    try:
        with transaction.atomic():
            user = existing or User(email=email, is_active=False, signup_pending=True)
            user.full_name, user.language, user.password = full_name, language, hashed
            user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
            user.save()
    except IntegrityError:  # the same address signed up at the same moment: that signup sends the link
        return
    token = signup_tokens.make_token(user)
    path = reverse(
        "accounts:signup_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token},
    )
    _signup_mail(user, "accounts/email/signup_confirm", language=language, link=settings.SITE_URL + path)


def _signup_mail(user: User, template: str, *, language: str, **context) -> None:
    context = {
        "user": user,
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        **context,
    }
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    try:
        EmailMessage(subject, body, to=[user.email]).send()
    except (smtplib.SMTPException, OSError):
        # The answer stays the same; the owner can sign up again for a new link.
        logger.exception("signup email to user %s could not be sent", user.pk)


class SignupLinkError(ApplicationError):
    default_code = "signup_link_invalid"


def signup_confirm_user(*, uidb64: str, token: str) -> User:
    """The pending account a confirmation link names; ``SignupLinkError`` when the link is not (or no
    longer) valid."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
        user = User.objects.get(pk=pk, signup_pending=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not signup_tokens.check_token(user, token):
        raise SignupLinkError(
            _("This confirmation link is no longer valid. Sign up again for a new one, or log in."),
            code="signup_link_invalid",
        )
    return user


@transaction.atomic
def signup_confirm(*, user: User, password: str) -> User:
    """Activate a pending account once its owner gives its password."""
    if not user.check_password(password):
        raise ApplicationError(
            _("This is not the password you chose when signing up. Type it again, or sign up again."),
            code="wrong_password",
            extra={"field": "password"},
        )
    user.is_active = True
    user.signup_pending = False
    user.save(update_fields=["is_active", "signup_pending"])
    return user


@transaction.atomic
def producer_grant(*, user: User) -> User:
    """Make ``user`` a producer: member of the Producers group, which may use the admin for the
    catalog and production models (the studio pages check the production team themselves)."""
    group = producers_group_ensure()
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user._is_producer = True
    return user


PRODUCER_APPS = ("courses", "production")


def producers_group_ensure() -> Group:
    """The Producers group with every permission on the catalog and production models."""
    from django.contrib.auth.models import Permission

    group, _ = Group.objects.get_or_create(name=settings.PRODUCERS_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=PRODUCER_APPS))
    return group
