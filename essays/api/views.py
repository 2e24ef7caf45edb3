"""API endpoints of the essays app: requests, essays (draft, submit, review, result), versions, the corpus
and the allow-list."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.registry import api_route
from core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, call_service, drf_validation_error
from core.choices import Action
from core.scoping import get_scope
from core.services import OutOfScope, is_admin
from essays import corpus, originality, services
from essays.api import serializers
from essays.filtersets import EssayFilterSet, EssayRequestFilterSet, EssayVersionFilterSet
from essays.models import Essay, EssayRequest, EssayVersion, Formulation, ReferenceDocument


@api_route("essays/requests", "essayrequest")
class EssayRequestViewSet(ScopedModelViewSet):
    """Essay requests; ``POST …/{id}/start/`` starts (or returns) the calling member's essay."""

    queryset = EssayRequest.objects.select_related("org").prefetch_related("audience_members")
    serializer_class = serializers.EssayRequestSerializer
    filterset_class = EssayRequestFilterSet
    create_service = services.create_request
    update_service = services.update_request
    delete_service = services.delete_request
    action_permissions = {"start": Action.VIEW}

    def perform_create(self, serializer: Any) -> None:
        message = self.changelog_message(serializer)
        data = dict(serializer.validated_data)
        members = list(data.get("audience_members", []))
        obj = serializer.build_instance(data)
        serializer.instance = call_service(services.create_request, obj, acting_user=self.request.user,
                                           members=members, message=message)

    def perform_update(self, serializer: Any) -> None:
        message = self.changelog_message(serializer)
        changes = dict(serializer.validated_data)
        members = changes.pop("audience_members", None)
        serializer.instance = call_service(services.update_request, serializer.instance,
                                           acting_user=self.request.user, changes=changes, members=members,
                                           message=message)

    @extend_schema(request=None, responses=serializers.EssaySerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None) -> Response:
        essay = call_service(services.start_essay, self.get_object(), acting_user=request.user)
        return Response(serializers.EssaySerializer(essay, context={"request": request}).data, status=201)


def _result(version: EssayVersion, user: Any) -> dict[str, Any]:
    shown: dict[str, Any] = {"characters": 0, "copied_characters": 0, "passages": []}
    if version.check_status == "done":
        shown = originality.describe(version.text, originality.from_json(version.result), user)
    return {"version": version.pk, "check_status": version.check_status,
            "originality": float(version.originality) if version.originality is not None else None,
            "characters": shown["characters"], "copied_characters": shown["copied_characters"],
            "passages": shown["passages"]}


@api_route("essays/essays", "essay")
class EssayViewSet(ScopedReadOnlyViewSet):
    """Essays: a member's own, and those of the subtree (author's branch or requesting organization) for its
    managers. The author saves drafts and submits; a manager reviews the latest version."""

    queryset = Essay.objects.select_related("member", "org")
    serializer_class = serializers.EssaySerializer
    filterset_class = EssayFilterSet

    def required_action(self) -> str:
        return Action.VIEW  # the services check authorship and reviewing rights themselves

    @extend_schema(request=serializers.DraftSerializer, responses=serializers.EssaySerializer)
    @action(detail=True, methods=["post"])
    def draft(self, request: Request, pk: Any = None) -> Response:
        """Save the author's draft (title, text)."""
        essay = self.get_object()
        body = serializers.DraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        essay = call_service(services.save_draft, essay, acting_user=request.user,
                             title=body.validated_data.get("title", essay.title),
                             text=body.validated_data.get("text", essay.text))
        return Response(serializers.EssaySerializer(essay, context={"request": request}).data)

    @extend_schema(request=serializers.DraftSerializer, responses=serializers.VersionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        """Submit (optionally with a new title and text): a new version, checked in the background."""
        essay = self.get_object()
        body = serializers.DraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = call_service(services.submit, essay, acting_user=request.user,
                               title=body.validated_data.get("title"), text=body.validated_data.get("text"))
        return Response(serializers.VersionSerializer(version).data, status=201)

    @extend_schema(request=serializers.ReviewSerializer, responses=serializers.VersionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: Any = None) -> Response:
        """Approve or return (with a comment) the latest version."""
        essay = self.get_object()
        body = serializers.ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = essay.versions.order_by("-number").first()
        if version is None:
            raise drf_validation_error(DjangoValidationError(_("还没有提交，无法审阅")))
        try:
            version = call_service(services.review, version, acting_user=request.user,
                                   decision=body.validated_data["decision"],
                                   comment=body.validated_data.get("comment", ""))
        except OutOfScope as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(serializers.VersionSerializer(version).data)

    @extend_schema(request=None, responses=serializers.ResultSerializer)
    @action(detail=True, methods=["get"])
    def result(self, request: Request, pk: Any = None) -> Response:
        """The latest version's originality: percentage and passages, each source as the reader may see it."""
        version = self.get_object().versions.order_by("-number").first()
        if version is None:
            raise Http404
        return Response(_result(version, request.user))


@api_route("essays/versions", "essayversion")
class EssayVersionViewSet(ScopedReadOnlyViewSet):
    """Every submitted version with its check and review; ``…/{id}/result/`` its originality result."""

    queryset = EssayVersion.objects.all()
    serializer_class = serializers.VersionSerializer
    filterset_class = EssayVersionFilterSet

    @extend_schema(request=None, responses=serializers.ResultSerializer)
    @action(detail=True, methods=["get"])
    def result(self, request: Request, pk: Any = None) -> Response:
        return Response(_result(self.get_object(), request.user))


class _InstallationViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Installation-wide data: read by anyone holding a grant on an organization, written by administrators."""

    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        scope = get_scope(self.request.user, Action.VIEW)
        queryset: Any = self.queryset
        if not scope.oversees:
            return queryset.none()
        return queryset.all()

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not is_admin(request.user):
            raise PermissionDenied(_("只有管理员可以进行此操作"))


@api_route("essays/corpus", "referencedocument")
class ReferenceDocumentViewSet(_InstallationViewSet):
    """The reference corpus essays are checked against (also loaded with ``chuxin corpus add``)."""

    queryset = ReferenceDocument.objects.order_by("-pk")
    serializer_class = serializers.ReferenceDocumentSerializer

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        try:
            doc, _created = corpus.save_document(data["title"], data.get("source_url", ""), data["text"],
                                                 acting_user=self.request.user)
        except corpus.CorpusError as exc:
            raise drf_validation_error(DjangoValidationError({"text": str(exc)})) from exc
        serializer.instance = doc

    def perform_destroy(self, instance: ReferenceDocument) -> None:
        corpus.delete_document(instance, acting_user=self.request.user)


@api_route("essays/formulations", "formulation")
class FormulationViewSet(_InstallationViewSet):
    """The allow-list: formulations never counted as copying."""

    queryset = Formulation.objects.all()
    serializer_class = serializers.FormulationSerializer

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = call_service(services.add_formulation, Formulation(**serializer.validated_data),
                                           acting_user=self.request.user)

    def perform_destroy(self, instance: Formulation) -> None:
        call_service(services.delete_formulation, instance, acting_user=self.request.user)
