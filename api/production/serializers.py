"""Serializers of the production API: read shapes and input shapes (inputs only parse; services decide)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.models import Lecture
from omooc.uris import is_web_link
from production.models import (
    CrewAssignment,
    HistoryEntry,
    Location,
    PostProduction,
    PreTalk,
    Production,
    RecordingSession,
    Rsvp,
    ScriptPart,
    ScriptVersion,
    Speaker,
    StepState,
)


@extend_schema_field(
    {
        "type": "string",
        "anyOf": [{"format": "uri"}, {"maxLength": 0}],
        "description": 'A URL, or "" for none.',
    }
)
class URLOrBlankField(serializers.CharField):
    """A URL, or "" when there is none (the schema says both; `format: uri` alone would not)."""

    default_error_messages = {"invalid": "Enter a valid URL (https://...), or leave it empty."}

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if value and not is_web_link(value):  # a URI (RFC 3986), as the schema's `format: uri` says
            self.fail("invalid")
        return value


# --- read ------------------------------------------------------------------------------------


class SpeakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["id", "name", "email", "organisation", "role", "phone", "language", "time_zone", "notes"]
        extra_kwargs = {"email": {"validators": []}}


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "address", "capacity"]
        extra_kwargs = {"name": {"validators": []}}


class BlockerSerializer(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())


class ReadinessSerializer(serializers.Serializer):
    percent = serializers.IntegerField()
    lectures = serializers.IntegerField()
    script_approved = serializers.IntegerField()
    script_percent = serializers.IntegerField()
    last_recording_on = serializers.DateField(allow_null=True)
    projected_launch_on = serializers.DateField(allow_null=True)
    target_launch_on = serializers.DateField(allow_null=True)
    days_late = serializers.IntegerField(allow_null=True)
    blockers = BlockerSerializer(many=True)


class ProductionSerializer(serializers.ModelSerializer):
    course_title = serializers.CharField(source="course.title", read_only=True)
    team = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    readiness = serializers.SerializerMethodField()

    class Meta:
        model = Production
        fields = [
            "id",
            "course",
            "course_title",
            "client",
            "team",
            "target_launch_on",
            "post_production_days",
            "notes",
            "readiness",
        ]

    def get_readiness(self, obj) -> ReadinessSerializer:
        readiness = self.context["readiness"][obj.pk]
        return ReadinessSerializer(readiness).data


class CellSerializer(serializers.Serializer):
    column = serializers.CharField()
    state = serializers.CharField()
    label = serializers.CharField()
    tone = serializers.ChoiceField(choices=["ok", "warn", "bad", "todo"])
    detail = serializers.CharField()


class BoardRowSerializer(serializers.Serializer):
    lecture = serializers.IntegerField(source="lecture.pk")
    title = serializers.CharField(source="lecture.title")
    position = serializers.IntegerField(source="lecture.position")
    script_part = serializers.IntegerField(source="script_part.pk", allow_null=True, default=None)
    post_production = serializers.IntegerField(source="post_production.pk", allow_null=True, default=None)
    cells = CellSerializer(many=True)


class BoardSerializer(serializers.Serializer):
    readiness = ReadinessSerializer()
    rows = BoardRowSerializer(many=True)


class AttendanceSerializer(serializers.Serializer):
    speaker = serializers.IntegerField(source="speaker_id")
    name = serializers.CharField(source="speaker.name")
    rsvp = serializers.ChoiceField(choices=Rsvp.choices)
    responded_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()
    proposed_starts_at = serializers.DateTimeField(allow_null=True)


class CrewSerializer(serializers.ModelSerializer):
    class Meta:
        model = CrewAssignment
        fields = ["id", "name", "role"]


class SessionSerializer(serializers.ModelSerializer):
    lectures = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    speakers = AttendanceSerializer(source="attendances", many=True, read_only=True)
    crew = CrewSerializer(many=True, read_only=True)

    class Meta:
        model = RecordingSession
        fields = [
            "id",
            "production",
            "location",
            "starts_at",
            "ends_at",
            "state",
            "hold_until",
            "hold_reason",
            "lectures",
            "speakers",
            "crew",
            "notes",
            "ical_uid",
            "ical_sequence",
        ]
        read_only_fields = fields


class PreTalkSerializer(serializers.ModelSerializer):
    video_link = URLOrBlankField(read_only=True)
    lectures = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    speakers = AttendanceSerializer(source="attendances", many=True, read_only=True)

    class Meta:
        model = PreTalk
        fields = [
            "id",
            "production",
            "starts_at",
            "duration_minutes",
            "mode",
            "place",
            "video_link",
            "state",
            "outcome_notes",
            "lectures",
            "speakers",
            "ical_uid",
            "ical_sequence",
        ]
        read_only_fields = fields


class ScriptVersionSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(
        help_text="Download link of the version's file (the studio's, for producers), or null without a file."
    )

    class Meta:
        model = ScriptVersion
        fields = ["id", "number", "text", "file", "author", "created_at"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_file(self, version: ScriptVersion) -> str | None:
        if not version.file:
            return None
        url = reverse("production:script_file", kwargs={"pk": version.part_id, "version_id": version.pk})
        return self.context["request"].build_absolute_uri(url)


class ScriptPartSerializer(serializers.ModelSerializer):
    versions = ScriptVersionSerializer(many=True, read_only=True)

    class Meta:
        model = ScriptPart
        fields = ["id", "production", "lecture", "state", "reviewer", "due_on", "versions"]
        read_only_fields = fields


class PostProductionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PostProduction
        fields = ["id", "production", "lecture", "edit", "captions", "review"]
        read_only_fields = fields


class HistoryEntrySerializer(serializers.ModelSerializer):
    subject_type = serializers.CharField(source="content_type.model", read_only=True)

    class Meta:
        model = HistoryEntry
        fields = [
            "id",
            "at",
            "by",
            "subject_type",
            "object_id",
            "subject_label",
            "action",
            "from_value",
            "to_value",
            "reason",
        ]
        read_only_fields = fields


# --- input -----------------------------------------------------------------------------------


class ProductionInputSerializer(serializers.Serializer):
    course = serializers.IntegerField()
    client = serializers.CharField(max_length=200)
    team = serializers.ListField(child=serializers.IntegerField(), required=False)
    target_launch_on = serializers.DateField(required=False, allow_null=True)
    post_production_days = serializers.IntegerField(min_value=0, max_value=365, default=21)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ProductionUpdateSerializer(serializers.Serializer):
    client = serializers.CharField(max_length=200, required=False)
    team = serializers.ListField(child=serializers.IntegerField(), required=False)
    target_launch_on = serializers.DateField(required=False, allow_null=True)
    post_production_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class PostponeSerializer(serializers.Serializer):
    until = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class PostponeAllSerializer(PostponeSerializer):
    productions = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Production ids; empty means all of yours.",
    )


class PostponeResultSerializer(serializers.Serializer):
    changed = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the sessions put on hold."
    )


class SessionInputSerializer(serializers.Serializer):
    production = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )
    lectures = serializers.PrimaryKeyRelatedField(queryset=Lecture.objects.all(), many=True)
    speakers = serializers.PrimaryKeyRelatedField(queryset=Speaker.objects.all(), many=True, required=False)
    state = serializers.ChoiceField(choices=["tentative", "scheduled"], default="tentative")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    confirm_double_booking = serializers.BooleanField(default=False)


class SessionUpdateSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )
    lectures = serializers.PrimaryKeyRelatedField(queryset=Lecture.objects.all(), many=True, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    confirm_double_booking = serializers.BooleanField(default=False)


class SessionTransitionSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=RecordingSession.State.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class HoldSerializer(PostponeSerializer):
    pass


class SpeakerRefSerializer(serializers.Serializer):
    speaker = serializers.PrimaryKeyRelatedField(queryset=Speaker.objects.all())


class CrewInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(choices=CrewAssignment.Role.choices)


class RsvpSerializer(serializers.Serializer):
    speaker = serializers.PrimaryKeyRelatedField(queryset=Speaker.objects.all())
    rsvp = serializers.ChoiceField(choices=Rsvp.choices)
    decline_reason = serializers.CharField(required=False, allow_blank=True, default="")
    proposed_starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class PreTalkInputSerializer(serializers.Serializer):
    production = serializers.IntegerField()
    speakers = serializers.PrimaryKeyRelatedField(queryset=Speaker.objects.all(), many=True)
    lectures = serializers.PrimaryKeyRelatedField(queryset=Lecture.objects.all(), many=True)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(default=45)
    mode = serializers.ChoiceField(choices=PreTalk.Mode.choices, default="online")
    place = serializers.CharField(required=False, allow_blank=True, default="")
    video_link = URLOrBlankField(required=False, allow_blank=True, default="")


class PreTalkUpdateSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(required=False)
    mode = serializers.ChoiceField(choices=PreTalk.Mode.choices, required=False)
    place = serializers.CharField(required=False, allow_blank=True)
    video_link = URLOrBlankField(required=False, allow_blank=True)
    lectures = serializers.PrimaryKeyRelatedField(queryset=Lecture.objects.all(), many=True, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PreTalkHeldSerializer(serializers.Serializer):
    outcome_notes = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ScriptVersionInputSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True, default=None)


class ScriptTransitionSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=ScriptPart.State.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ScriptMetaSerializer(serializers.Serializer):
    reviewer = serializers.IntegerField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class PostProductionInputSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=[(s, s) for s in PostProduction.STEPS])
    state = serializers.ChoiceField(choices=StepState.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
