from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from omooc.exceptions import ApplicationError

from .models import User


class EmailTakenError(ApplicationError):
    default_code = "email_taken"


@transaction.atomic
def user_create(*, email: str, password: str, full_name: str = "", language: str | None = None) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTakenError(
            f"An account with {email} already exists. Log in, or reset your password.",
            extra={"field": "email"},
        )
    return User.objects.create_user(
        email=email, password=password, full_name=full_name, language=language or settings.LANGUAGE_CODE
    )


@transaction.atomic
def producer_grant(*, user: User) -> User:
    group, _ = Group.objects.get_or_create(name=settings.PRODUCERS_GROUP)
    user.groups.add(group)
    user._is_producer = True
    return user
