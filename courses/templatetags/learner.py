"""Template filters for learner pages."""

from __future__ import annotations

from django import template

from ..learner_emails import format_position

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """Seconds as m:ss (or h:mm:ss): 755 -> "12:35"."""
    try:
        return format_position(float(seconds or 0))
    except (TypeError, ValueError):
        return ""


@register.filter
def minutes(seconds) -> int:
    """Whole minutes, at least 1 for any non-zero duration."""
    try:
        value = float(seconds or 0)
    except (TypeError, ValueError):
        return 0
    return max(1, round(value / 60)) if value else 0
