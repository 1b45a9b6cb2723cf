from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from omooc.exceptions import ApplicationError

from .models import Caption, Video
from .services import media as media_services

# --- Media ------------------------------------------------------------------------------------------
# Videos and captions change through the media services (upload, processing, retry); the admin shows
# them and offers the same actions. Uploading happens on the studio's media pages.


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ("lecture", "status", "progress_percent", "is_current", "duration_seconds", "created_at")
    list_filter = ("status", "is_current")
    search_fields = ("lecture__title", "lecture__course__title", "original_filename", "uid")
    list_select_related = ("lecture", "lecture__course")
    ordering = ("-created_at", "-id")
    actions = ("retry_transcoding",)
    readonly_fields = (
        "uid", "lecture", "is_current", "source", "original_filename", "size_bytes", "status", "error",
        "progress_percent", "eta_seconds", "duration_seconds", "width", "height", "output_prefix",
        "renditions", "probe", "attempts", "started_at", "transcode_seconds", "uploaded_by",
        "created_at", "updated_at", "ready_at",
    )  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj: Video) -> None:
        media_services.video_delete(video=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for video in queryset:
            self.delete_model(request, video)

    @admin.action(description=_("Retry transcoding of the selected failed videos"))
    def retry_transcoding(self, request, queryset) -> None:
        retried = 0
        for video in queryset:
            try:
                media_services.video_retry(video=video, by=request.user)
                retried += 1
            except ApplicationError as exc:
                self.message_user(request, f"{video}: {exc.message}", messages.WARNING)
        if retried:
            self.message_user(request, _("%(count)s videos queued again.") % {"count": retried})


@admin.register(Caption)
class CaptionAdmin(admin.ModelAdmin):
    list_display = ("lecture", "language", "cue_count", "updated_at")
    list_filter = ("language",)
    search_fields = ("lecture__title", "transcript")
    list_select_related = ("lecture",)
    readonly_fields = (
        "lecture",
        "language",
        "vtt",
        "transcript",
        "cue_count",
        "uploaded_by",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj: Caption) -> None:
        media_services.caption_delete(caption=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for caption in queryset:
            self.delete_model(request, caption)
