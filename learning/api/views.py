"""API endpoints of the learning app: viewsets are attributes plus the domain's actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.registry import api_route
from core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, call_service, drf_validation_error
from core.choices import Action
from core.navigation import home_orgs
from core.scoping import get_scope
from learning import compliance, services
from learning.api import serializers
from learning.filtersets import (
    ActivityFilterSet,
    AttemptFilterSet,
    AttendanceFilterSet,
    ExamFilterSet,
    MemberYearFilterSet,
    PointEntryFilterSet,
    QuestionFilterSet,
    StudyRecordFilterSet,
)
from learning.models import Activity, Attempt, Attendance, Exam, MemberYear, PointEntry, Question, StudyRecord
from orgs.models import Member


@api_route("learning/activities", "activity")
class ActivityViewSet(ScopedModelViewSet):
    """Study activities in the user's scope, and those held above it for the user's organizations."""

    queryset = Activity.objects.select_related("org").prefetch_related("audience_orgs", "audience_members")
    serializer_class = serializers.ActivitySerializer
    filterset_class = ActivityFilterSet
    create_service = services.create_activity
    update_service = services.update_activity
    delete_service = services.delete_activity
    action_permissions = {"sign_in": Action.VIEW, "record": Action.VIEW}

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        orgs, members = list(data.get("audience_orgs", [])), list(data.get("audience_members", []))
        message = self.changelog_message(serializer)
        obj = serializer.build_instance(dict(data))
        serializer.instance = call_service(services.create_activity, obj, acting_user=self.request.user,
                                           message=message, audience_orgs=orgs, audience_members=members)

    @extend_schema(request=serializers.SignInSerializer, responses=serializers.AttendanceSerializer)
    @action(detail=True, methods=["post"], url_path="sign-in")
    def sign_in(self, request: Request, pk: Any = None) -> Response:
        """The calling member signs in (while the activity is open; with its code when it has one)."""
        body = serializers.SignInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attendance = call_service(services.sign_in, self.get_object(), acting_user=request.user,
                                  code=body.validated_data.get("code", ""))
        return Response(serializers.AttendanceSerializer(attendance).data, status=201)

    @extend_schema(request=serializers.RecordAttendanceSerializer,
                   responses=serializers.AttendanceSerializer(many=True))
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: Any = None) -> Response:
        """Record attendance in bulk: the organizer for anyone in the audience, a manager below for their
        own members. All entries are written or none; refused members are named."""
        activity = self.get_object()
        body = serializers.RecordAttendanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entries = body.validated_data["entries"]
        ids = [e["member"] for e in entries]
        members = Member.objects.restrict(request.user).in_bulk(ids)
        missing = [i for i in ids if i not in members]
        if missing:
            raise drf_validation_error(DjangoValidationError(
                {"entries": [_("党员 %(id)s 不存在或不在您的管理范围内") % {"id": i} for i in missing]}))
        try:
            saved = services.record_attendance(
                activity, [services.Entry(members[e["member"]], e["status"], e.get("reason", "")) for e in entries],
                acting_user=request.user, message=body.validated_data.get("changelog_message", ""))
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from exc
        return Response(serializers.AttendanceSerializer(saved, many=True).data)


@api_route("learning/attendance", "attendance")
class AttendanceViewSet(ScopedReadOnlyViewSet):
    """Attendance records; the organizer's subtree and the member's branch both see them."""

    queryset = Attendance.objects.select_related("member")
    serializer_class = serializers.AttendanceSerializer
    filterset_class = AttendanceFilterSet

    @extend_schema(request=serializers.MakeupSerializer, responses=serializers.AttendanceSerializer)
    @action(detail=True, methods=["post"])
    def makeup(self, request: Request, pk: Any = None) -> Response:
        """补学: record that an absent or excused member made the study up (within the window)."""
        body = serializers.MakeupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attendance = call_service(services.record_makeup, self.get_object(), acting_user=request.user,
                                  date=body.validated_data["date"],
                                  message=body.validated_data.get("changelog_message", ""))
        return Response(serializers.AttendanceSerializer(attendance).data)


@api_route("learning/records", "studyrecord")
class StudyRecordViewSet(ScopedModelViewSet):
    """The hours ledger: a member sees their own lines, managers their subtree's."""

    queryset = StudyRecord.objects.select_related("member")
    serializer_class = serializers.StudyRecordSerializer
    filterset_class = StudyRecordFilterSet
    create_service = services.create_record
    update_service = services.update_record
    delete_service = services.delete_record


@api_route("learning/years", "memberyear")
class MemberYearViewSet(ScopedReadOnlyViewSet):
    """Each member's totals for a year (hours, counted hours, trainings, requirement), kept current."""

    queryset = MemberYear.objects.select_related("member")
    serializer_class = serializers.MemberYearSerializer
    filterset_class = MemberYearFilterSet


@api_route("learning/compliance", "compliance")
class ComplianceViewSet(viewsets.ViewSet):
    """Compliance with the year's study requirement in an organization's subtree, by child organization."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[serializers.ComplianceQuerySerializer], responses=serializers.ComplianceSerializer)
    def list(self, request: Request) -> Response:
        query = serializers.ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        year = query.validated_data.get("year") or today.year
        org_id = query.validated_data.get("org")
        if org_id is None:
            scope = get_scope(request.user, Action.VIEW)
            roots = home_orgs(request.user) if scope.oversees else []
            if len(roots) != 1:
                raise drf_validation_error(DjangoValidationError({"org": _("请指定组织")}))
            org_id = roots[0].pk
        org = compliance.visible_org(request.user, org_id)
        if org is None:
            raise Http404
        total, children = compliance.rollup(org, year, today)
        return Response({"year": year, "total": total.as_dict(), "children": [s.as_dict() for s in children]})


@api_route("learning/questions", "question")
class QuestionViewSet(ScopedModelViewSet):
    """The question bank of the organizations in scope (members have no access: answers are in it)."""

    queryset = Question.objects.all()
    serializer_class = serializers.QuestionSerializer
    filterset_class = QuestionFilterSet
    create_service = services.create_question
    update_service = services.update_question
    delete_service = services.delete_question

    def get_queryset(self) -> Any:
        scope = get_scope(self.request.user, Action.VIEW)
        if not scope.oversees:
            return Question.objects.none()
        return super().get_queryset()


@api_route("learning/exams", "exam")
class ExamViewSet(ScopedModelViewSet):
    """Exams; ``POST …/{id}/start/`` starts (or resumes) the caller's attempt."""

    queryset = Exam.objects.select_related("org")
    serializer_class = serializers.ExamSerializer
    filterset_class = ExamFilterSet
    create_service = services.create_exam
    update_service = services.update_exam
    delete_service = services.delete_exam
    action_permissions = {"start": Action.VIEW}

    @extend_schema(request=None, responses=serializers.AttemptSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None) -> Response:
        attempt = call_service(services.start_attempt, self.get_object(), acting_user=request.user)
        return Response(serializers.AttemptSerializer(attempt).data, status=201)


@api_route("learning/attempts", "attempt")
class AttemptViewSet(ScopedReadOnlyViewSet):
    """Attempts: a member's own, and those of the subtree for its managers; ``POST …/{id}/submit/`` scores one."""

    queryset = Attempt.objects.all()
    serializer_class = serializers.AttemptSerializer
    filterset_class = AttemptFilterSet

    def required_action(self) -> str:
        return Action.VIEW  # submitting needs only to see one's own attempt; the service checks it is one's own

    @extend_schema(request=serializers.SubmitSerializer, responses=serializers.AttemptSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        body = serializers.SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attempt = call_service(services.submit_attempt, self.get_object(), body.validated_data["answers"],
                               acting_user=request.user)
        return Response(serializers.AttemptSerializer(attempt).data)


@api_route("learning/points", "pointentry")
class PointEntryViewSet(ScopedReadOnlyViewSet):
    """Study points: a member's own; the subtree's for its managers (no ranking is offered)."""

    queryset = PointEntry.objects.all()
    serializer_class = serializers.PointEntrySerializer
    filterset_class = PointEntryFilterSet
