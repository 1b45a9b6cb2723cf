"""Form pieces the producer pages share: the date widget (an HTML date input with the ISO format
browsers send) and the producers to choose from. The forms themselves live with their wing
(``forms.py`` of scheduling, scripts, speakers, studio); they only parse input.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def producers():
    from django.conf import settings

    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True) | Q(groups__name=settings.PRODUCERS_GROUP, is_staff=True), is_active=True
        )
        .distinct()
        .order_by("full_name", "email")
    )
