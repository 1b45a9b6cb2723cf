"""Write services of the production tracker: the only way to change productions, speakers, script
parts and post-production. Recording sessions, pre-talks, holds and attendance are in
``production/scheduling/services``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import clean as _clean
from .errors import field_error as _field_error
from .errors import illegal as _illegal
from .history import history_record
from .models import (
    PostProduction,
    Production,
    ScriptPart,
    ScriptVersion,
    Speaker,
    StepState,
)

logger = logging.getLogger(__name__)

# --- speakers and locations ----------------------------------------------------------------

SPEAKER_FIELDS = ("name", "email", "organisation", "role", "phone", "language", "time_zone", "notes")


@transaction.atomic
def speaker_create(*, name: str, email: str, by=None, **fields) -> Speaker:
    """Add a speaker to the shared directory; until they are on an item, ``by`` owns them (ADR 0013)."""
    speaker = Speaker(name=name.strip(), email=email.strip().lower(), created_by=by, **fields)
    if Speaker.objects.filter(email__iexact=speaker.email).exists():
        raise _field_error(
            "email",
            _("A speaker with the email address %(email)s already exists; open that speaker instead.")
            % {"email": speaker.email},
            code="duplicate",
        )
    _clean(speaker)
    speaker.save()
    return speaker


@transaction.atomic
def speaker_update(*, speaker: Speaker, by=None, **fields) -> Speaker:
    """Change a speaker's details. A producer (``by``) must be on the team of every production the
    speaker works with (``permissions.speaker_manage_check``, ADR 0013); ``by=None`` is the system.
    A new address withdraws the personal links sent to the old one, re-addresses the speaker's
    queued emails and tells the team of every production the speaker works with."""
    from .models import EmailLog, SpeakerLink
    from .permissions import speaker_manage_check, speaker_productions

    old_email = Speaker.objects.select_for_update().values_list("email", flat=True).get(pk=speaker.pk)
    if by is not None:
        speaker_manage_check(user=by, speaker=speaker)
    for key, value in fields.items():
        if key not in SPEAKER_FIELDS:
            raise _field_error(key, _("%(field)s cannot be changed here.") % {"field": key})
        setattr(speaker, key, value.strip() if isinstance(value, str) else value)
    speaker.email = speaker.email.lower()
    if Speaker.objects.filter(email__iexact=speaker.email).exclude(pk=speaker.pk).exists():
        raise _field_error(
            "email",
            _("Another speaker already uses %(email)s.") % {"email": speaker.email},
            code="duplicate",
        )
    _clean(speaker)
    speaker.save()
    if speaker.email != old_email.lower():
        SpeakerLink.objects.filter(speaker=speaker, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        EmailLog.objects.filter(
            speaker=speaker, state=EmailLog.State.QUEUED, recipient__iexact=old_email
        ).update(recipient=speaker.email, recipient_name=speaker.name)
        productions = list(speaker_productions(speaker=speaker).select_related("course").order_by("id"))
        transaction.on_commit(lambda: _speaker_address_announce(speaker, old_email, productions, by))
    return speaker


def _speaker_address_announce(speaker: Speaker, old_email: str, productions, by) -> None:
    """Tell each team the speaker works with that mail to the speaker now goes elsewhere."""
    from .models import EmailLog
    from .notifications import studio_url, team_notice

    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    for production in productions:
        team_notice(
            production=production,
            key=f"speaker-address:{speaker.pk}:{production.pk}:{stamp}",
            headline=lambda: _("%(speaker)s has a new email address") % {"speaker": speaker.name},
            lines=[
                lambda: (
                    _("Changed by %(who)s: %(old)s → %(new)s")
                    % {
                        "who": str(by) if by is not None else _("the system"),
                        "old": old_email,
                        "new": speaker.email,
                    }
                ),
                lambda: _(
                    "Personal links sent to the old address no longer work; the next email to the "
                    "speaker carries a new one. If you did not expect this, check the speaker's details."
                ),
            ],
            url=studio_url(f"speakers/{speaker.pk}/"),
            related_label=speaker.name,
            kind=EmailLog.Kind.TEAM_NOTICE,
        )


def _ensure_lecture_rows(production: Production) -> None:
    lectures = list(production.course.lectures.values_list("id", flat=True))
    have_script = set(ScriptPart.objects.filter(lecture_id__in=lectures).values_list("lecture_id", flat=True))
    ScriptPart.objects.bulk_create(
        [ScriptPart(production=production, lecture_id=pk) for pk in lectures if pk not in have_script]
    )
    have_post = set(
        PostProduction.objects.filter(lecture_id__in=lectures).values_list("lecture_id", flat=True)
    )
    PostProduction.objects.bulk_create(
        [PostProduction(production=production, lecture_id=pk) for pk in lectures if pk not in have_post]
    )


@transaction.atomic
def production_create(
    *,
    course,
    client: str,
    team: Iterable = (),
    target_launch_on: date | None = None,
    post_production_days: int = 21,
    notes: str = "",
    call_sheet_emails: bool = False,
    by=None,
) -> Production:
    if Production.objects.filter(course=course).exists():
        raise _field_error(
            "course", _("“%(course)s” already has a production.") % {"course": course}, code="duplicate"
        )
    production = Production(
        course=course,
        client=client.strip(),
        target_launch_on=target_launch_on,
        post_production_days=post_production_days,
        notes=notes,
        call_sheet_emails=call_sheet_emails,
    )
    _clean(production)
    production.save()
    members = list(team)
    if by is not None and getattr(by, "is_authenticated", False) and by not in members:
        members.append(by)
    production.team.set(members)
    _ensure_lecture_rows(production)
    history_record(production=production, subject=production, action="created", by=by)
    return production


@transaction.atomic
def production_update(
    *, production: Production, by=None, team: Iterable | None = None, **fields
) -> Production:
    allowed = {"client", "target_launch_on", "post_production_days", "notes", "call_sheet_emails"}
    for key, value in fields.items():
        if key not in allowed:
            raise _field_error(key, _("%(field)s cannot be changed here.") % {"field": key})
        if key == "target_launch_on" and value != production.target_launch_on:
            history_record(
                production=production,
                subject=production,
                action="target_changed",
                by=by,
                from_value=production.target_launch_on or "",
                to_value=value or "",
            )
        setattr(production, key, value)
    _clean(production, exclude=["course"])
    production.save()
    if team is not None:
        production.team.set(list(team))
    _ensure_lecture_rows(production)
    return production


def production_sync_lectures(*, production: Production) -> None:
    """Create script-part and post-production rows for lectures added to the course later."""
    with transaction.atomic():
        _ensure_lecture_rows(production)


# --- script parts --------------------------------------------------------------------------

SCRIPT_TRANSITIONS: dict[str, set[str]] = {
    ScriptPart.State.DRAFT: {ScriptPart.State.IN_REVIEW},
    ScriptPart.State.IN_REVIEW: {ScriptPart.State.CHANGES_REQUESTED, ScriptPart.State.APPROVED},
    ScriptPart.State.CHANGES_REQUESTED: {ScriptPart.State.IN_REVIEW},
    ScriptPart.State.APPROVED: {ScriptPart.State.CHANGES_REQUESTED},
}


@transaction.atomic
def script_version_add(*, part: ScriptPart, text: str = "", file=None, by=None) -> ScriptVersion:
    part = (
        ScriptPart.objects.select_for_update(of=("self",))
        .select_related("production", "lecture")
        .get(pk=part.pk)
    )
    if not (text or "").strip() and not file:
        raise _field_error("text", _("Add the script text or attach a file."))
    number = (part.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ScriptVersion(part=part, number=number, text=(text or "").strip(), author=by)
    if file:
        version.file = file
    version.save()
    history_record(
        production=part.production, subject=part, action="version_added", by=by, to_value=f"v{number}"
    )
    return version


@transaction.atomic
def script_part_transition(*, part: ScriptPart, to_state: str, by=None, reason: str = "") -> ScriptPart:
    part = (
        ScriptPart.objects.select_for_update(of=("self",))
        .select_related("production", "lecture")
        .get(pk=part.pk)
    )
    if to_state not in ScriptPart.State.values:
        raise _field_error("state", _("Unknown script state “%(state)s”.") % {"state": to_state})
    allowed = SCRIPT_TRANSITIONS[part.state]
    if to_state not in allowed:
        raise _illegal(
            _("Script of “%(lecture)s”") % {"lecture": part.lecture},
            ScriptPart.State(part.state).label,
            ScriptPart.State(to_state).label,
            [ScriptPart.State(a).label for a in allowed],
        )
    if to_state == ScriptPart.State.IN_REVIEW and not part.versions.exists():
        raise _field_error("state", _("Add a version of the script before sending it for review."))
    if to_state == ScriptPart.State.CHANGES_REQUESTED and not reason.strip():
        raise _field_error("reason", _("Say which changes are needed."))
    previous = part.state
    part.state = to_state
    part.save(update_fields=["state", "updated_at"])
    history_record(
        production=part.production,
        subject=part,
        action="state",
        by=by,
        from_value=previous,
        to_value=to_state,
        reason=reason,
    )
    return part


@transaction.atomic
def script_part_update(*, part: ScriptPart, reviewer=None, due_on: date | None = None, by=None) -> ScriptPart:
    part = (
        ScriptPart.objects.select_for_update(of=("self",))
        .select_related("production", "lecture")
        .get(pk=part.pk)
    )
    if reviewer is not None and not reviewer.is_producer:
        raise _field_error("reviewer", _("The reviewer must be a producer."))
    part.reviewer = reviewer
    part.due_on = due_on
    part.save(update_fields=["reviewer", "due_on", "updated_at"])
    return part


# --- post-production ----------------------------------------------------------------------


@transaction.atomic
def post_production_set(
    *, item: PostProduction, step: str, state: str, by=None, reason: str = ""
) -> PostProduction:
    item = (
        PostProduction.objects.select_for_update(of=("self",))
        .select_related("production", "lecture")
        .get(pk=item.pk)
    )
    if step not in PostProduction.STEPS:
        raise _field_error("step", _("Choose edit, captions or review."))
    if state not in StepState.values:
        raise _field_error("state", _("Choose not started, in progress or done."))
    previous = getattr(item, step)
    if previous == state:
        return item
    setattr(item, step, state)
    item.save(update_fields=[step, "updated_at"])
    history_record(
        production=item.production,
        subject=item,
        action=step,
        by=by,
        from_value=previous,
        to_value=state,
        reason=reason,
    )
    return item
