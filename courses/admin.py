from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from omooc.admin import DeleteOneByOneMixin, ScopedAdmin, ShownOnlyMixin
from omooc.exceptions import ApplicationError

from .media import services as media_services
from .media import storage as media_storage
from .models import Caption, Course, Lecture, LecturePresenter, Module, PresenterProfile, Theme, Video
from .permissions import studio_courses_for


class StudioScopedAdmin(ScopedAdmin):
    """Producers see and pick only the courses they work on; superusers see everything."""

    scope_field = scope_lookup = "course"

    def scope(self, user):
        return studio_courses_for(user)


# --- Catalog ----------------------------------------------------------------------------------------
# Producers (staff in the Producers group) create courses and lectures here and publish them.


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


class LectureInline(admin.TabularInline):
    model = Lecture
    extra = 0
    fields = ("position", "title", "slug", "module", "status", "release_at")
    prepopulated_fields = {"slug": ("title",)}
    show_change_link = True


class PresenterProfileInline(admin.StackedInline):
    """Speakers' photo and bio on the course page, matched to the lectures' presenters by name."""

    model = PresenterProfile
    extra = 0
    fields = ("name", "photo", "bio")


@admin.register(Course)
class CourseAdmin(StudioScopedAdmin):
    scope_lookup = "pk"
    list_display = ("title", "status", "language", "level", "theme", "published_at", "starts_on")
    list_filter = ("status", "language", "level", "theme")
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    list_select_related = ("theme",)
    inlines = [ModuleInline, LectureInline, PresenterProfileInline]

    def save_model(self, request, obj, form, change) -> None:
        """A replaced or cleared poster's old file is deleted once the change is committed."""
        old = Course.objects.filter(pk=obj.pk).values_list("poster", flat=True).first() if change else ""
        super().save_model(request, obj, form, change)
        if old and old != obj.poster.name:
            media_storage.delete_on_commit(files=[old])

    def save_formset(self, request, form, formset, change) -> None:
        """The same for speaker photos: replaced, cleared or deleted with their profile."""
        if formset.model is not PresenterProfile:
            return super().save_formset(request, form, formset, change)
        old = dict(PresenterProfile.objects.filter(course=form.instance).values_list("pk", "photo"))
        super().save_formset(request, form, formset, change)
        kept = dict(PresenterProfile.objects.filter(course=form.instance).values_list("pk", "photo"))
        media_storage.delete_on_commit(
            files=[name for pk, name in old.items() if name and kept.get(pk) != name]
        )

    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "description", "language", "theme")}),
        (_("Publication"), {"fields": ("status", "published_at", "starts_on")}),
        (
            _("Course page"),
            {"fields": ("level", "goals", "effort_hours_per_week", "effort_weeks", "poster", "poster_alt")},
        ),
    )


class PresenterInline(admin.TabularInline):
    model = LecturePresenter
    extra = 1


@admin.register(Lecture)
class LectureAdmin(StudioScopedAdmin):
    list_display = ("title", "course", "position", "status", "release_at")
    list_filter = ("status", ("course", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "course__title")
    list_select_related = ("course",)
    prepopulated_fields = {"slug": ("title",)}
    inlines = [PresenterInline]


# --- Media ------------------------------------------------------------------------------------------
# Videos and captions change through the media services (upload, processing, retry); the admin shows
# them and offers the same actions. Uploading happens on the studio's media pages.


class MediaAdmin(ShownOnlyMixin, DeleteOneByOneMixin, StudioScopedAdmin):
    scope_lookup = "lecture__course"


@admin.register(Video)
class VideoAdmin(MediaAdmin):
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

    def delete_model(self, request, obj: Video) -> None:
        media_services.video_delete(video=obj, by=request.user)

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
class CaptionAdmin(MediaAdmin):
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

    def delete_model(self, request, obj: Caption) -> None:
        media_services.caption_delete(caption=obj, by=request.user)
