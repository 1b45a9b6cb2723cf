"""Studio forms. They only parse input; the services decide (and their errors land on the field).

Times are entered as wall-clock times in the current time zone. The night the clocks go back a
wall-clock time happens twice: the form then asks which one (an extra "<field>_occurrence" choice
appears, pre-selected when editing a stored time); a time that does not exist (the night the clocks
go forward) is refused saying why. ``cleaned_data`` holds aware datetimes only.
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
