"""Who may use the studio pages: ``producer_required`` (one for every app, in omooc.accounts).
Who may change a speaker: ``speakers/permissions.py`` (ADR 0013)."""

from __future__ import annotations

from omooc.accounts.permissions import producer_required

__all__ = ["producer_required"]
