"""Core endpoints: import jobs (background tasks), the change log, the gap list and notifications."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import django_filters
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import Pagination
from core.api.registry import api_route
from core.api.serializers import GapQuerySerializer, GapSerializer, ObjectChangeSerializer, TaskSerializer
from core.api.viewsets import ScopedReadOnlyViewSet
from core.choices import ChangeAction, TaskStatus
from core.filtersets import BoundedFilterSet, ChoicesFilter, SubtreeFilter
from core.gaps import Gap, followups, gaps_in
from core.models import Notification, ObjectChange, Task
from core.navigation import home_orgs
from core.scoping import can_in_org
from core.tasks import tasks_for

#
# Import jobs
#


class TaskFilterSet(BoundedFilterSet):
    kind = django_filters.CharFilter(label=_("类型"))
    status = ChoicesFilter(choices=TaskStatus.choices, label=_("状态"))

    class Meta:
        model = Task
        fields = ["kind", "status"]


@api_route("import-jobs", "import-job")
class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """Background jobs (imports, reports) with their progress; each user sees their own."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    permission_classes = [IsAuthenticated]
    queryset = Task.objects.none()

    def get_queryset(self) -> QuerySet[Task]:
        return tasks_for(self.request.user)


#
# Change log
#


class ObjectChangeFilterSet(BoundedFilterSet):
    object_type = django_filters.CharFilter(method="filter_object_type", label=_("对象类型（如 orgs.member）"))
    object_id = django_filters.NumberFilter(label=_("对象编号"))
    include_children = django_filters.BooleanFilter(
        method="filter_children", label=_("同时列出下级对象的变更（需同时给出对象类型和编号）")
    )
    action = ChoicesFilter(choices=ChangeAction.choices, label=_("动作"))
    user = django_filters.CharFilter(field_name="user_name", label=_("操作人用户名"))
    org = SubtreeFilter()
    since = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte", label=_("起始时间"))
    until = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="lt",
                                             label=pgettext_lazy("filter", "截止时间"))

    class Meta:
        model = ObjectChange
        fields = ["object_type", "object_id", "include_children", "action", "user", "org", "since", "until"]

    def filter_object_type(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        app_label, _dot, model = value.lower().partition(".")
        return qs.filter(content_type__app_label=app_label, content_type__model=model)

    def filter_children(self, qs: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        # The widening happens in ``filter_queryset`` below, where both object_type and object_id are known.
        return qs

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        data = self.form.cleaned_data
        if not (data.get("include_children") and data.get("object_type") and data.get("object_id") is not None):
            return super().filter_queryset(queryset)
        app_label, _dot, model = data["object_type"].lower().partition(".")
        own = Q(content_type__app_label=app_label, content_type__model=model, object_id=data["object_id"])
        children = Q(related_content_type__app_label=app_label, related_content_type__model=model,
                     related_object_id=data["object_id"])
        rest = {k: v for k, v in data.items() if k not in ("object_type", "object_id", "include_children")}
        queryset = queryset.filter(own | children)
        for name, value in rest.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset


@api_route("changes", "change")
class ObjectChangeViewSet(ScopedReadOnlyViewSet):
    """The change log, as far as the user's scope reaches (a change is placed where its object is)."""

    queryset = ObjectChange.objects.select_related("content_type", "related_content_type")
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet


#
# Gaps
#


@api_route("gaps", "gap")
class GapViewSet(viewsets.ViewSet):
    """The gaps (差距) of an organization's subtree on a date, computed from the records.

    Without ``org``, the gaps of every top organization of the user's scope. An organization the user
    cannot see is answered 404, like one that does not exist.
    """

    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        parameters=[GapQuerySerializer, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=GapSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        query = GapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        on = params.get("date") or timezone.localdate()
        orgs = self.orgs(params.get("org"))
        gaps = gaps_in(orgs, on, params.get("rule") or None)
        if params.get("severity"):
            gaps = [g for g in gaps if g.severity == params["severity"]]
        paginator = self.pagination_class()
        page: Sequence[Gap] | None = paginator.paginate_queryset(gaps, request, view=self)  # type: ignore[arg-type]
        shown = list(page or [])
        context = {"request": request, "followups": followups(request.user, shown)}
        return paginator.get_paginated_response(GapSerializer(shown, many=True, context=context).data)

    def orgs(self, org_id: int | None) -> Sequence[Any]:
        from orgs.models import Organization

        # Gap lists name members: they are for those granted the organization, not for a member's own branch.
        user = self.request.user
        if org_id is None:
            return [org for org in home_orgs(user) if can_in_org(user, "view", org.path)]
        org = Organization.objects.restrict(user, "view").filter(pk=org_id).first()
        if org is None or not can_in_org(user, "view", org.path):
            raise Http404
        return [org]


#
# Notifications
#


class NotificationSerializer(drf_serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Notification
        fields = ["id", "kind", "day", "title", "body", "items", "created", "read_at"]
        read_only_fields = fields


@api_route("notifications", "notification")
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The calling user's notifications (the daily digests among them), newest first; ``POST …/read/`` marks
    one read, ``POST /api/notifications/read_all/`` all of them."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(user=cast(Any, self.request.user))

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: {"type": "object", "properties": {"read": {"type": "integer"}}}})
    @action(detail=False, methods=["post"])
    def read_all(self, request: Request) -> Response:
        return Response({"read": self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())})
