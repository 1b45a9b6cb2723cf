from django.contrib import admin

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

# State changes belong to the services (they record history and calendar versions), so the admin
# shows state read-only; use the studio pages or the API to change it.


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "capacity")
    search_fields = ("name", "address")


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "organisation", "role", "language", "time_zone")
    list_filter = ("language", "organisation")
    search_fields = ("name", "email", "organisation")


@admin.register(Production)
class ProductionAdmin(admin.ModelAdmin):
    list_display = ("course", "client", "target_launch_on", "post_production_days")
    search_fields = ("course__title", "client")
    list_filter = ("team",)
    filter_horizontal = ("team",)
    list_select_related = ("course",)
    raw_id_fields = ("course",)


class ScriptVersionInline(admin.TabularInline):
    model = ScriptVersion
    extra = 0
    readonly_fields = ("number", "author", "created_at")


@admin.register(ScriptPart)
class ScriptPartAdmin(admin.ModelAdmin):
    list_display = ("lecture", "production", "state", "reviewer", "due_on")
    list_filter = ("state", "production")
    list_select_related = ("lecture", "production__course", "reviewer")
    readonly_fields = ("production", "lecture", "state")
    inlines = [ScriptVersionInline]


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    extra = 0
    readonly_fields = ("rsvp", "responded_at", "decline_reason", "proposed_starts_at")
    raw_id_fields = ("speaker",)


class CrewInline(admin.TabularInline):
    model = CrewAssignment
    extra = 0


@admin.register(RecordingSession)
class RecordingSessionAdmin(admin.ModelAdmin):
    list_display = ("production", "starts_at", "ends_at", "location", "state", "hold_until", "hold_reason")
    list_filter = ("state", "location", "production")
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


class PreTalkSpeakerInline(admin.TabularInline):
    model = PreTalkSpeaker
    extra = 0
    readonly_fields = ("rsvp", "responded_at", "decline_reason", "proposed_starts_at")
    raw_id_fields = ("speaker",)


@admin.register(PreTalk)
class PreTalkAdmin(admin.ModelAdmin):
    list_display = ("production", "starts_at", "duration_minutes", "mode", "state")
    list_filter = ("state", "mode", "production")
    date_hierarchy = "starts_at"
    list_select_related = ("production__course",)
    readonly_fields = ("state", "ical_uid", "ical_sequence", "starts_at", "duration_minutes")
    filter_horizontal = ("lectures",)
    inlines = [PreTalkSpeakerInline]


@admin.register(PostProduction)
class PostProductionAdmin(admin.ModelAdmin):
    list_display = ("lecture", "production", "edit", "captions", "review")
    list_filter = ("edit", "captions", "review", "production")
    list_select_related = ("lecture", "production__course")
    readonly_fields = ("production", "lecture", "edit", "captions", "review")


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "production", "subject_label", "action", "from_value", "to_value", "by")
    list_filter = ("action", "production")
    search_fields = ("subject_label", "reason")
    list_select_related = ("production__course", "by")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    readonly_fields = ("user", "created_at")
    exclude = ("token",)
