from django.contrib import admin

from omooc.admin import ScopedAdmin, ShownOnlyMixin

from .access import production_visible_to
from .forms import producers
from .models import (
    CalendarFeed,
    CrewAssignment,
    HistoryEntry,
    Location,
    PostProduction,
    PreTalk,
    PreTalkSpeaker,
    Production,
    RecordingSession,
    ScriptPart,
    ScriptVersion,
    SessionSpeaker,
    Speaker,
)
from .speakers.permissions import speaker_may_manage
from .speakers.services import SPEAKER_FIELDS, speaker_update


class TeamScopedAdmin(ScopedAdmin):
    """Producers see and pick only their team's productions; superusers see everything."""

    scope_field = scope_lookup = "production"

    def scope(self, user):
        return production_visible_to(user)


TEAM_FILTER = ("production", admin.RelatedOnlyFieldListFilter)

# State changes belong to the services (they record history and calendar versions), so the admin
# shows state read-only; use the studio pages or the API to change it.


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "capacity")
    search_fields = ("name", "address")


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    """The shared directory, with the studio's rule (ADR 0013): a speaker is changed only by producers
    of every production they work with; changes go through ``speakers.services.speaker_update``."""

    list_display = ("name", "email", "organisation", "role", "language", "time_zone")
    list_filter = ("language", "organisation")
    search_fields = ("name", "email", "organisation")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or speaker_may_manage(user=request.user, speaker=obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or speaker_may_manage(user=request.user, speaker=obj))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)  # would skip the per-speaker rule
        return actions

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            return super().save_model(request, obj, form, change)
        fields = {name: form.cleaned_data[name] for name in SPEAKER_FIELDS if name in form.cleaned_data}
        speaker_update(speaker=obj, by=request.user, **fields)


@admin.register(Production)
class ProductionAdmin(TeamScopedAdmin):
    scope_lookup = "pk"
    list_display = ("course", "client", "target_launch_on", "post_production_days")
    search_fields = ("course__title", "client")
    list_filter = (("team", admin.RelatedOnlyFieldListFilter),)
    filter_horizontal = ("team",)
    list_select_related = ("course",)
    raw_id_fields = ("course",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "team":
            kwargs["queryset"] = producers()  # never every account (learners) as a choice
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScriptVersionInline(admin.TabularInline):
    model = ScriptVersion
    extra = 0
    readonly_fields = ("number", "author", "created_at")


@admin.register(ScriptPart)
class ScriptPartAdmin(TeamScopedAdmin):
    list_display = ("lecture", "production", "state", "reviewer", "due_on")
    list_filter = ("state", TEAM_FILTER)
    list_select_related = ("lecture", "production__course", "reviewer")
    readonly_fields = ("production", "lecture", "state")
    inlines = [ScriptVersionInline]


class AttendanceInline(admin.TabularInline):
    """The speakers of a session or pre-talk; their answers are theirs to give (the speaker pages)."""

    extra = 0
    readonly_fields = ("rsvp", "responded_at", "decline_reason", "proposed_starts_at")
    raw_id_fields = ("speaker",)


class SessionSpeakerInline(AttendanceInline):
    model = SessionSpeaker


class CrewInline(admin.TabularInline):
    model = CrewAssignment
    extra = 0


@admin.register(RecordingSession)
class RecordingSessionAdmin(TeamScopedAdmin):
    list_display = ("production", "starts_at", "ends_at", "location", "state", "hold_until", "hold_reason")
    list_filter = ("state", "location", TEAM_FILTER)
    date_hierarchy = "starts_at"
    list_select_related = ("production__course", "location")
    readonly_fields = (
        "state",
        "hold_until",
        "hold_reason",
        "ical_uid",
        "ical_sequence",
        "starts_at",
        "ends_at",
        "location",
    )
    filter_horizontal = ("lectures",)
    inlines = [SessionSpeakerInline, CrewInline]


class PreTalkSpeakerInline(AttendanceInline):
    model = PreTalkSpeaker


@admin.register(PreTalk)
class PreTalkAdmin(TeamScopedAdmin):
    list_display = ("production", "starts_at", "duration_minutes", "mode", "state")
    list_filter = ("state", "mode", TEAM_FILTER)
    date_hierarchy = "starts_at"
    list_select_related = ("production__course",)
    # time, place and link change only through the studio (services): they bump the calendar
    # SEQUENCE, send the update and ask the speakers again
    readonly_fields = (
        "state",
        "ical_uid",
        "ical_sequence",
        "starts_at",
        "duration_minutes",
        "mode",
        "place",
        "video_link",
    )
    filter_horizontal = ("lectures",)
    inlines = [PreTalkSpeakerInline]


@admin.register(PostProduction)
class PostProductionAdmin(TeamScopedAdmin):
    list_display = ("lecture", "production", "edit", "captions", "review")
    list_filter = ("edit", "captions", "review", TEAM_FILTER)
    list_select_related = ("lecture", "production__course")
    readonly_fields = ("production", "lecture", "edit", "captions", "review")


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ShownOnlyMixin, TeamScopedAdmin):
    list_display = ("at", "production", "subject_label", "action", "from_value", "to_value", "by")
    list_filter = ("action", TEAM_FILTER)
    search_fields = ("subject_label", "reason")
    list_select_related = ("production__course", "by")
    date_hierarchy = "at"


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    readonly_fields = ("user", "created_at")
    exclude = ("token",)

    def get_queryset(self, request):
        """A feed's address is its owner's secret: producers see only their own feed here."""
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)
