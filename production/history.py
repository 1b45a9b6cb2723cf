"""Production history: one generic table of who changed what, when, from what to what and why;
``history_record`` writes an entry, the two selectors read them (newest first)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from .models import HistoryEntry, Production


def history_record(**fields) -> HistoryEntry:
    """Write one entry (the fields as ``history_entry`` takes them) and return it."""
    entry = history_entry(**fields)
    entry.save()
    return entry


def history_record_many(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """Several unsaved entries (``history_entry``) in one INSERT: a bulk change of many items."""
    return HistoryEntry.objects.bulk_create(entries)


def history_entry(
    *,
    production: Production,
    subject,
    action: str,
    by=None,
    from_value: str = "",
    to_value: str = "",
    reason: str = "",
) -> HistoryEntry:
    """An unsaved entry: ``history_record`` saves one, ``history_record_many`` many at once."""
    return HistoryEntry(
        production=production,
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        object_id=subject.pk,
        subject_label=str(subject)[:300],
        action=action,
        from_value=str(from_value)[:300],
        to_value=str(to_value)[:300],
        reason=reason or "",
        by=by if (by is not None and getattr(by, "is_authenticated", False)) else None,
    )


def history_for_production(*, production: Production) -> QuerySet[HistoryEntry]:
    return HistoryEntry.objects.filter(production=production).select_related("by").order_by("-at", "-id")


def history_for(*, subject) -> list[HistoryEntry]:
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    return list(
        HistoryEntry.objects.filter(content_type=ct, object_id=subject.pk)
        .select_related("by")
        .order_by("-at", "-id")
    )
