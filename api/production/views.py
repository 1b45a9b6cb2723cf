"""Production API: the same services, selectors and access rules as the studio pages.

Producers only (403 for others); a production outside the producer's team is a 404.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from courses.models import Lecture
from omooc.exceptions import ApplicationError
from production import access, history
from production import productions as production_services
from production.board import board_for, boards_for
from production.models import (
    Location,
    PostProduction,
    PreTalkSpeaker,
    ScriptPart,
    SessionSpeaker,
    Speaker,
)
from production.scheduling import selectors as scheduling_selectors
from production.scheduling import services as scheduling
from production.scripts import selectors as script_selectors
from production.scripts import services as script_services
from production.speakers import selectors as speaker_selectors
from production.speakers import services as speaker_services

from . import serializers as s


class IsProducer(BasePermission):
    message = "Only producers can use the production API."

    def has_permission(self, request, view) -> bool:
        return access.can_use_studio(request.user)


class ProducerViewSet(viewsets.GenericViewSet):
    permission_classes = [IsProducer]
    lookup_value_regex = "[0-9]+"  # ids are digits only: anything else is a 404, never a 500

    def parse(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def production(self, pk):
        return access.production_get_for(user=self.request.user, pk=pk)


def _users(ids) -> list:
    users = list(get_user_model().objects.filter(pk__in=ids or []))
    missing = set(ids or []) - {u.pk for u in users}
    if missing:
        raise ApplicationError(f"team: no user with id {sorted(missing)[0]}.", extra={"field": "team"})
    return users


class ProductionViewSet(ProducerViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = s.ProductionSerializer

    def get_queryset(self):
        return (
            access.production_visible_to(self.request.user)
            .prefetch_related("team")
            .order_by("course__title", "id")
        )

    def _context(self, productions) -> dict:
        boards = boards_for(list(productions))
        return {**self.get_serializer_context(), "readiness": {pk: b.readiness for pk, b in boards.items()}}

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = s.ProductionSerializer(page, many=True, context=self._context(page)).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        production = self.production(kwargs["pk"])
        return Response(s.ProductionSerializer(production, context=self._context([production])).data)

    @extend_schema(request=s.ProductionInputSerializer, responses={201: s.ProductionSerializer})
    def create(self, request):
        from courses.models import Course

        data = self.parse(s.ProductionInputSerializer)
        course = Course.objects.filter(pk=data.pop("course")).first()
        if course is None:
            raise ApplicationError("course: no course with this id.", extra={"field": "course"})
        team = _users(data.pop("team", []))
        production = production_services.production_create(course=course, team=team, by=request.user, **data)
        production = self.production(production.pk)
        return Response(
            s.ProductionSerializer(production, context=self._context([production])).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.ProductionUpdateSerializer, responses=s.ProductionSerializer)
    def partial_update(self, request, pk=None):
        production = self.production(pk)
        data = self.parse(s.ProductionUpdateSerializer)
        team = _users(data.pop("team")) if "team" in data else None
        production_services.production_update(production=production, team=team, by=request.user, **data)
        production = self.production(pk)
        return Response(s.ProductionSerializer(production, context=self._context([production])).data)

    @extend_schema(responses=s.BoardSerializer)
    @action(detail=True)
    def board(self, request, pk=None):
        board = board_for(self.production(pk))
        return Response(s.BoardSerializer({"readiness": board.readiness, "rows": board.rows}).data)

    @extend_schema(responses=s.HistoryEntrySerializer(many=True))
    @action(detail=True)
    def history(self, request, pk=None):
        production = self.production(pk)
        page = self.paginate_queryset(
            history.history_for_production(production=production).select_related("content_type")
        )
        return self.get_paginated_response(s.HistoryEntrySerializer(page, many=True).data)

    @extend_schema(request=s.PostponeSerializer, responses=s.PostponeResultSerializer)
    @action(detail=True, methods=["post"])
    def postpone(self, request, pk=None):
        production = self.production(pk)
        data = self.parse(s.PostponeSerializer)
        changed = scheduling.production_postpone_recordings(productions=[production], by=request.user, **data)
        return Response({"changed": [x.pk for x in changed]})

    @extend_schema(request=s.PostponeAllSerializer, responses=s.PostponeResultSerializer)
    @action(detail=False, methods=["post"], url_path="postpone-all")
    def postpone_all(self, request):
        data = self.parse(s.PostponeAllSerializer)
        ids = data.pop("productions", None)
        productions = [self.production(pk) for pk in ids] if ids else list(self.get_queryset())
        changed = scheduling.production_postpone_recordings(productions=productions, by=request.user, **data)
        return Response({"changed": [x.pk for x in changed]})


class SpeakerViewSet(ProducerViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = s.SpeakerSerializer

    def get_queryset(self):
        return speaker_selectors.speaker_list(search=self.request.query_params.get("q", ""))

    @extend_schema(parameters=[OpenApiParameter("q", str, description="Search name, email or organisation.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.SpeakerSerializer, responses={201: s.SpeakerSerializer})
    def create(self, request):
        data = self.parse(s.SpeakerSerializer)
        speaker = speaker_services.speaker_create(by=request.user, **data)
        return Response(s.SpeakerSerializer(speaker).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SpeakerSerializer, responses=s.SpeakerSerializer)
    def partial_update(self, request, pk=None):
        speaker = get_object_or_404(Speaker, pk=pk)
        data = self.parse(s.SpeakerSerializer, partial=True)
        speaker = speaker_services.speaker_update(speaker=speaker, by=request.user, **data)
        return Response(s.SpeakerSerializer(speaker).data)


class LocationViewSet(ProducerViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = s.LocationSerializer
    queryset = Location.objects.order_by("name", "id")

    @extend_schema(request=s.LocationSerializer, responses={201: s.LocationSerializer})
    def create(self, request):
        data = self.parse(s.LocationSerializer)
        return Response(
            s.LocationSerializer(scheduling.location_create(**data)).data, status=status.HTTP_201_CREATED
        )


PRODUCTION_FILTER = OpenApiParameter("production", int, description="Only items of this production.")


# What the recording-session and pre-talk endpoints share: the team's items with their speakers and
# lectures, one item by id (another team's is a 404), the answer of one of its speakers. (A comment,
# not a docstring: drf-spectacular would print a docstring into every operation of the schema.)
class ScheduledItemViewSet(ProducerViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    visible_to = staticmethod(scheduling_selectors.session_visible_to)
    get_for = staticmethod(scheduling_selectors.session_get_for)
    attendance_model: type = SessionSpeaker
    item_keyword = "session"  # the keyword the scheduling services take the item by
    related: tuple[str, ...] = ()
    prefetch: tuple = ()

    def get_queryset(self):
        attendances = self.attendance_model.objects.select_related("speaker").order_by("speaker__name", "id")
        qs = (
            self.visible_to(self.request.user)
            .select_related(*self.related)
            .prefetch_related(
                Prefetch("attendances", queryset=attendances),
                *self.prefetch,
                Prefetch("lectures", queryset=Lecture.objects.only("id")),
            )
            .order_by("starts_at", "id")
        )
        production = self.request.query_params.get("production", "")
        if production.isascii() and production.isdigit():
            qs = qs.filter(production_id=production)
        return qs

    def _out(self, item, code=status.HTTP_200_OK):
        return Response(self.serializer_class(self.get_queryset().get(pk=item.pk)).data, status=code)

    def _item(self, pk):
        return self.get_for(user=self.request.user, pk=pk)

    def _change(self, pk, service, serializer_class):
        """The team's item (else a 404) changed by ``service`` with the request's input, validated by
        ``serializer_class`` (else a 400); the answer is the item as it is now."""
        item = self._item(pk)
        service(**{self.item_keyword: item}, by=self.request.user, **self.parse(serializer_class))
        return self._out(item)

    @extend_schema(parameters=[PRODUCTION_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return self._out(self._item(pk))

    def _respond(self, request, pk):
        item = self._item(pk)
        data = self.parse(s.RsvpSerializer)
        attendance = get_object_or_404(item.attendances.all(), speaker=data.pop("speaker"))
        scheduling.attendance_respond(attendance=attendance, by=request.user, **data)
        return self._out(item)


class SessionViewSet(ScheduledItemViewSet):
    serializer_class = s.SessionSerializer
    related = ("location",)
    prefetch = ("crew",)

    @extend_schema(request=s.SessionInputSerializer, responses={201: s.SessionSerializer})
    def create(self, request):
        data = self.parse(s.SessionInputSerializer)
        production = self.production(data.pop("production"))
        session = scheduling.recording_session_create(production=production, by=request.user, **data)
        return self._out(session, status.HTTP_201_CREATED)

    @extend_schema(request=s.SessionUpdateSerializer, responses=s.SessionSerializer)
    def partial_update(self, request, pk=None):
        return self._change(pk, scheduling.recording_session_update, s.SessionUpdateSerializer)

    @extend_schema(request=s.SessionTransitionSerializer, responses=s.SessionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        return self._change(pk, scheduling.recording_session_transition, s.SessionTransitionSerializer)

    @extend_schema(request=s.HoldSerializer, responses=s.SessionSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self._change(pk, scheduling.recording_session_hold, s.HoldSerializer)

    @extend_schema(request=s.SpeakerRefSerializer, responses=s.SessionSerializer)
    @action(detail=True, methods=["post"], url_path="speakers")
    def add_speaker(self, request, pk=None):
        return self._change(pk, scheduling.recording_session_add_speaker, s.SpeakerRefSerializer)

    @extend_schema(request=s.SpeakerRefSerializer, responses=s.SessionSerializer)
    @action(detail=True, methods=["post"], url_path="speakers/remove")
    def remove_speaker(self, request, pk=None):
        return self._change(pk, scheduling.recording_session_remove_speaker, s.SpeakerRefSerializer)

    @extend_schema(request=s.RsvpSerializer, responses=s.SessionSerializer)
    @action(detail=True, methods=["post"])
    def response(self, request, pk=None):
        return self._respond(request, pk)

    @extend_schema(request=s.CrewInputSerializer, responses=s.SessionSerializer)
    @action(detail=True, methods=["post"])
    def crew(self, request, pk=None):
        return self._change(pk, scheduling.crew_assign, s.CrewInputSerializer)


class PreTalkViewSet(ScheduledItemViewSet):
    serializer_class = s.PreTalkSerializer
    visible_to = staticmethod(scheduling_selectors.pretalk_visible_to)
    get_for = staticmethod(scheduling_selectors.pretalk_get_for)
    attendance_model = PreTalkSpeaker
    item_keyword = "pretalk"

    @extend_schema(request=s.PreTalkInputSerializer, responses={201: s.PreTalkSerializer})
    def create(self, request):
        data = self.parse(s.PreTalkInputSerializer)
        production = self.production(data.pop("production"))
        return self._out(
            scheduling.pretalk_create(production=production, by=request.user, **data), status.HTTP_201_CREATED
        )

    @extend_schema(request=s.PreTalkUpdateSerializer, responses=s.PreTalkSerializer)
    def partial_update(self, request, pk=None):
        return self._change(pk, scheduling.pretalk_update, s.PreTalkUpdateSerializer)

    @extend_schema(request=s.PreTalkHeldSerializer, responses=s.PreTalkSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        return self._change(pk, scheduling.pretalk_mark_held, s.PreTalkHeldSerializer)

    @extend_schema(request=s.ReasonSerializer, responses=s.PreTalkSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._change(pk, scheduling.pretalk_cancel, s.ReasonSerializer)

    @extend_schema(request=s.RsvpSerializer, responses=s.PreTalkSerializer)
    @action(detail=True, methods=["post"])
    def response(self, request, pk=None):
        return self._respond(request, pk)


class ScriptPartViewSet(ProducerViewSet, mixins.RetrieveModelMixin):
    serializer_class = s.ScriptPartSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return ScriptPart.objects.none()

    def _part(self, pk) -> ScriptPart:
        return script_selectors.script_part_get_for(user=self.request.user, pk=pk)

    def _out(self, part):
        return Response(s.ScriptPartSerializer(self._part(part.pk), context={"request": self.request}).data)

    def retrieve(self, request, pk=None):
        return self._out(self._part(pk))

    @extend_schema(request=s.ScriptMetaSerializer, responses=s.ScriptPartSerializer)
    def partial_update(self, request, pk=None):
        part = self._part(pk)
        data = self.parse(s.ScriptMetaSerializer)
        reviewer = None
        if data["reviewer"] is not None:
            reviewer = get_user_model().objects.filter(pk=data["reviewer"]).first()
            if reviewer is None:
                raise ApplicationError("reviewer: no user with this id.", extra={"field": "reviewer"})
        return self._out(
            script_services.script_part_update(
                part=part, reviewer=reviewer, due_on=data["due_on"], by=request.user
            )
        )

    @extend_schema(request=s.ScriptVersionInputSerializer, responses={201: s.ScriptPartSerializer})
    @action(detail=True, methods=["post"])
    def versions(self, request, pk=None):
        part = self._part(pk)
        script_services.script_version_add(
            part=part, by=request.user, **self.parse(s.ScriptVersionInputSerializer)
        )
        return Response(
            s.ScriptPartSerializer(self._part(pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.ScriptTransitionSerializer, responses=s.ScriptPartSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        part = self._part(pk)
        return self._out(
            script_services.script_part_transition(
                part=part, by=request.user, **self.parse(s.ScriptTransitionSerializer)
            )
        )


class PostProductionViewSet(ProducerViewSet, mixins.RetrieveModelMixin):
    serializer_class = s.PostProductionSerializer

    def get_queryset(self):
        return PostProduction.objects.none()

    def retrieve(self, request, pk=None):
        return Response(
            s.PostProductionSerializer(access.post_production_get_for(user=request.user, pk=pk)).data
        )

    @extend_schema(request=s.PostProductionInputSerializer, responses=s.PostProductionSerializer)
    def partial_update(self, request, pk=None):
        item = access.post_production_get_for(user=request.user, pk=pk)
        item = production_services.post_production_set(
            item=item, by=request.user, **self.parse(s.PostProductionInputSerializer)
        )
        return Response(s.PostProductionSerializer(item).data)
