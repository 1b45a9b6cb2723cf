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
