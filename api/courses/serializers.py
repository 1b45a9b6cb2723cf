"""Serializers of the learner API (catalog, enrollments, playback, progress)."""

from __future__ import annotations

from rest_framework import serializers

from courses.models import Course, Enrollment


class ThemeSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class CourseListSerializer(serializers.ModelSerializer):
    theme = ThemeSerializer(allow_null=True)
    lecture_count = serializers.IntegerField()

    class Meta:
        model = Course
        fields = ["slug", "title", "summary", "language", "theme", "starts_on", "lecture_count"]


class LectureSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="lecture.pk")
    slug = serializers.SlugField(source="lecture.slug")
    title = serializers.CharField(source="lecture.title")
    position = serializers.IntegerField(source="lecture.position")
    duration_seconds = serializers.FloatField(source="lecture.shown_duration", allow_null=True)
    released = serializers.BooleanField()
    release_at = serializers.DateTimeField(source="lecture.release_at", allow_null=True)
    completed = serializers.BooleanField(source="complete")
    watched_percent = serializers.IntegerField()


class CourseDetailSerializer(serializers.Serializer):
    slug = serializers.SlugField(source="course.slug")
    title = serializers.CharField(source="course.title")
    summary = serializers.CharField(source="course.summary")
    description = serializers.CharField(source="course.description")
    language = serializers.CharField(source="course.language")
    theme = ThemeSerializer(source="course.theme", allow_null=True)
    starts_on = serializers.DateField(source="course.starts_on", allow_null=True)
    enrolled = serializers.BooleanField()
    lectures = LectureSummarySerializer(source="rows", many=True)


class LectureRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()


class EnrollmentSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)
    lecture_total = serializers.IntegerField(read_only=True)
    lecture_done = serializers.IntegerField(read_only=True)
    last_lecture = LectureRefSerializer(read_only=True, allow_null=True)
    certificate_url = serializers.SerializerMethodField()

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "course",
            "course_title",
            "status",
            "enrolled_at",
            "completed_at",
            "lecture_total",
            "lecture_done",
            "last_lecture",
            "last_position_seconds",
            "certificate_url",
        ]

    def get_certificate_url(self, enrollment: Enrollment) -> str | None:
        certificate = getattr(enrollment, "certificate", None)
        if certificate is None:
            return None
        request = self.context.get("request")
        url = certificate.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class EnrollmentCreateSerializer(serializers.Serializer):
    course = serializers.SlugField(help_text="Slug of a published course.")


class CaptionTrackSerializer(serializers.Serializer):
    language = serializers.CharField()
    label = serializers.CharField()
    url = serializers.URLField()


class HeartbeatInfoSerializer(serializers.Serializer):
    url = serializers.URLField()
    token = serializers.CharField()
    interval_seconds = serializers.IntegerField()


class PlaybackSerializer(serializers.Serializer):
    lecture_id = serializers.IntegerField()
    title = serializers.CharField()
    master_url = serializers.CharField(
        allow_blank=True, help_text="Signed HLS master playlist; empty if not ready."
    )
    poster_url = serializers.CharField(allow_blank=True)
    expires_in_seconds = serializers.IntegerField()
    duration_seconds = serializers.FloatField()
    resume_position_seconds = serializers.FloatField()
    captions = CaptionTrackSerializer(many=True)
    heartbeat = HeartbeatInfoSerializer()
    next_lecture_id = serializers.IntegerField(allow_null=True)


class HeartbeatSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The playback token from the playback endpoint.")
    position = serializers.FloatField(min_value=0, help_text="Current media position in seconds.")
    played_from = serializers.FloatField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Position at the previous heartbeat if playback ran without a jump since; else omit.",
    )
    event = serializers.ChoiceField(choices=["play", "tick", "pause", "seek", "end", "hide"], default="tick")
