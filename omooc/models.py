"""What the apps' models share: an abstract base for timestamps and factories for optional references.
Nothing here has a table of its own (the ``omooc`` app has no migrations)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Timestamped(models.Model):
    """When a row was created and when it last changed (both set by Django, never edited)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def optional_ref(
    to, verbose_name=None, *, related_name: str = "+", on_delete=models.SET_NULL, **options
) -> models.ForeignKey:
    """An optional reference (may be empty, in the database and in forms). Deleting the target
    empties it unless ``on_delete`` says otherwise; no reverse accessor unless ``related_name``
    is given."""
    return models.ForeignKey(
        to,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


def user_ref(verbose_name=None, **options) -> models.ForeignKey:
    """Who did something (an author, a reviewer, an uploader): the row stays when the account goes."""
    return optional_ref(settings.AUTH_USER_MODEL, verbose_name, **options)
