"""Template filters for learner pages."""

from __future__ import annotations

from django import template

from ..learning.pages import clock

register = template.Library()

# Seconds as m:ss (or h:mm:ss): 755 -> "12:35"; the course page's shell uses the same function.
register.filter("clock", clock)


@register.filter
def minutes(seconds) -> int:
    """Whole minutes, at least 1 for any non-zero duration."""
    try:
        value = float(seconds or 0)
    except (TypeError, ValueError):
        return 0
    return max(1, round(value / 60)) if value else 0
