"""API of the campaigns app: campaigns (and launching from a template), checklists and answers, the problem
ledger with its rectification actions, 办实事 projects and their feedback, exemplars, the dashboard."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns import dashboard, services
from campaigns.api import serializers
from campaigns.filtersets import (
    CampaignFilterSet,
    ChecklistFilterSet,
    ExemplarFilterSet,
    ProblemFilterSet,
    ProjectFilterSet,
)
from campaigns.models import (
    Assignment,
    Campaign,
    Checklist,
    Exemplar,
    Feedback,
    Milestone,
    Problem,
    Project,
    Requirement,
)
from core.api.parsers import JSONParser
from core.api.registry import api_route
from core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, call_service
from core.choices import Action
from core.services import OutOfScope
from learning.compliance import visible_org
from orgs.models import Organization


@api_route("campaigns/campaigns", "campaign")
class CampaignViewSet(ScopedModelViewSet):
    """Campaigns; ``POST …/launch/`` copies a shipped template (2019, 2023, 2024) into a new campaign."""

    queryset = Campaign.objects.prefetch_related("categories")
    serializer_class = serializers.CampaignSerializer
    filterset_class = CampaignFilterSet
    create_service = services.create_campaign
    update_service = services.update_campaign
    delete_service = services.delete_campaign

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        message = data.pop("changelog_message", "")
        goals, specials = data.pop("goals", []), data.pop("specials", [])
        serializer.instance = call_service(services.create_campaign, Campaign(**data), acting_user=self.request.user,
                                           goals=goals, specials=specials, message=message)

    def perform_update(self, serializer: Any) -> None:
        changes = dict(serializer.validated_data)
        message = changes.pop("changelog_message", "")
        goals, specials = changes.pop("goals", None), changes.pop("specials", None)
        serializer.instance = call_service(services.update_campaign, serializer.instance,
                                           acting_user=self.request.user, changes=changes, goals=goals,
                                           specials=specials, message=message)

    @extend_schema(request=serializers.RequirementSerializer,
                   responses=serializers.RequirementSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def requirements(self, request: Request, pk: Any = None) -> Response:
        """The required activities (``GET``), or one more (``POST``: a learning activity or an essay request
        the campaign counts, with hours and a deadline)."""
        campaign = self.get_object()
        if request.method == "POST":
            body = serializers.RequirementSerializer(data=request.data, context={"request": request})
            body.is_valid(raise_exception=True)
            data = dict(body.validated_data)
            message = data.pop("changelog_message", "")
            call_service(services.add_requirement, Requirement(campaign=campaign, **data), acting_user=request.user,
                         message=message)
        shown = serializers.RequirementSerializer(campaign.requirements.all(), many=True,
                                                  context={"request": request}).data
        return Response(shown, status=201 if request.method == "POST" else 200)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"requirements/(?P<requirement>\d+)")
    def remove_requirement(self, request: Request, pk: Any = None, requirement: str = "") -> Response:
        campaign = self.get_object()
        found = campaign.requirements.filter(pk=requirement).first()
        if found is None:
            raise Http404
        call_service(services.delete_requirement, found, acting_user=request.user)
        return Response(status=204)

    @extend_schema(request=serializers.LaunchSerializer, responses=serializers.CampaignSerializer)
    @action(detail=False, methods=["post"])
    def launch(self, request: Request) -> Response:
        body = serializers.LaunchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        org = Organization.objects.restrict(request.user, Action.CHANGE).filter(pk=body.validated_data["org"]).first()
        if org is None:
            raise drf.ValidationError({"org": [_("不在您的管理范围内")]})
        campaign = call_service(services.launch_from_template, body.validated_data["template"], org=org,
                                acting_user=request.user, start=body.validated_data.get("start"),
                                name=body.validated_data.get("name", ""))
        return Response(serializers.CampaignSerializer(campaign, context={"request": request}).data, status=201)


@api_route("campaigns/checklists", "checklist")
class ChecklistViewSet(ScopedModelViewSet):
    """Self-inspection checklists with their questions (``items``: ``[{"section", "text"}]``);
    ``POST …/assign/`` gives one to members and organizations (``{"members": [ids], "orgs": [ids]}``)."""

    queryset = Checklist.objects.prefetch_related("items")
    serializer_class = serializers.ChecklistSerializer
    filterset_class = ChecklistFilterSet
    update_service = None
    delete_service = services.delete_checklist

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        message = data.pop("changelog_message", "")
        items = [(i.get("section", ""), i["text"]) for i in data.pop("item_list", [])]
        serializer.instance = call_service(services.create_checklist, Checklist(**data), acting_user=self.request.user,
                                           items=items, message=message)

    @extend_schema(request=serializers.AssignSerializer, responses=serializers.AssignmentSerializer(many=True))
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        checklist = self.get_object()
        body = serializers.AssignSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        made = call_service(services.assign_checklist, checklist, acting_user=request.user,
                            members=body.validated_data.get("members", []), orgs=body.validated_data.get("orgs", []))
        return Response(serializers.AssignmentSerializer(made, many=True).data, status=201)


@api_route("campaigns/assignments", "assignment")
class AssignmentViewSet(ScopedReadOnlyViewSet):
    """Checklists given to a person or an organization; ``POST …/answer/`` saves (and submits) answers."""

    queryset = Assignment.objects.prefetch_related("answers")
    serializer_class = serializers.AssignmentSerializer

    @extend_schema(request=serializers.AnswersSerializer, responses=serializers.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: Any = None) -> Response:
        assignment = self.get_object()
        body = serializers.AnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answers = {a["item"]: (a["answer"], a.get("note", "")) for a in body.validated_data["answers"]}
        try:
            call_service(services.answer_checklist, assignment, acting_user=request.user, answers=answers,
                         submit=body.validated_data["submit"])
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        assignment.refresh_from_db()
        return Response(serializers.AssignmentSerializer(assignment).data)

    def required_action(self) -> str:
        return Action.VIEW


@api_route("campaigns/problems", "problem")
class ProblemViewSet(ScopedModelViewSet):
    """The problem ledger. Actions: ``progress`` (with evidence files, multipart), ``submit`` (request 销号),
    ``review`` (the level above: close or return), ``reopen`` (回头看), ``milestones``, ``updates``,
    ``reviews``, ``gap`` (whether the gap it came from is still there)."""

    queryset = Problem.objects.select_related("org")
    serializer_class = serializers.ProblemSerializer
    filterset_class = ProblemFilterSet
    create_service = services.create_problem
    update_service = services.update_problem
    delete_service = services.delete_problem
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions = {"progress": Action.VIEW, "submit": Action.VIEW, "review": Action.VIEW,
                          "reopen": Action.VIEW}

    def _service(self, service: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call_service(service, *args, acting_user=self.request.user, **kwargs)
        except OutOfScope as exc:
            raise PermissionDenied(str(exc)) from exc

    @extend_schema(request=serializers.ProgressBodySerializer, responses=serializers.ProgressSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: Any = None) -> Response:
        problem = self.get_object()
        body = serializers.ProgressBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        milestone = None
        if body.validated_data.get("milestone"):
            milestone = Milestone.objects.filter(problem=problem, pk=body.validated_data["milestone"]).first()
            if milestone is None:
                raise drf.ValidationError({"milestone": [_("时间节点不属于这个问题")]})
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        update = self._service(services.add_progress, problem, text=body.validated_data["text"], files=files,
                               milestone=milestone)
        return Response(serializers.ProgressSerializer(update).data, status=201)

    @extend_schema(request=serializers.SubmitBodySerializer, responses=serializers.ProblemSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        body = serializers.SubmitBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        problem = self._service(services.submit_for_close, self.get_object(), note=body.validated_data.get("note", ""))
        return Response(serializers.ProblemSerializer(problem, context={"request": request}).data)

    @extend_schema(request=serializers.ReviewBodySerializer, responses=serializers.ReviewSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: Any = None) -> Response:
        body = serializers.ReviewBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = self._service(services.review_problem, self.get_object(), decision=body.validated_data["decision"],
                               comment=body.validated_data.get("comment", ""))
        return Response(serializers.ReviewSerializer(review).data, status=201)

    @extend_schema(request=serializers.ReopenBodySerializer, responses=serializers.ReviewSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        body = serializers.ReopenBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = self._service(services.reopen_problem, self.get_object(), comment=body.validated_data["comment"],
                               deadline=body.validated_data.get("deadline"))
        return Response(serializers.ReviewSerializer(review).data, status=201)

    @extend_schema(request=None, responses=serializers.ProgressSerializer(many=True))
    @action(detail=True, methods=["get"])
    def updates(self, request: Request, pk: Any = None) -> Response:
        problem = self.get_object()
        return Response(serializers.ProgressSerializer(problem.updates.prefetch_related("files"), many=True).data)

    @extend_schema(request=None, responses=serializers.ReviewSerializer(many=True))
    @action(detail=True, methods=["get"])
    def reviews(self, request: Request, pk: Any = None) -> Response:
        return Response(serializers.ReviewSerializer(self.get_object().reviews.all(), many=True).data)

    @extend_schema(request=serializers.MilestoneSerializer, responses=serializers.MilestoneSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def milestones(self, request: Request, pk: Any = None) -> Response:
        problem = self.get_object()
        return milestone_list(request, problem, Milestone(problem=problem))

    @extend_schema(request=None, responses={200: {"type": "object", "properties": {"gap_open": {"type": "boolean"}}}})
    @action(detail=True, methods=["get"])
    def gap(self, request: Request, pk: Any = None) -> Response:
        problem = self.get_object()
        if not problem.gap_rule:
            raise Http404
        return Response({"gap_rule": problem.gap_rule, "gap_open": services.gap_exists(problem)})


@api_route("campaigns/projects", "project")
class ProjectViewSet(ScopedModelViewSet):
    """办实事 projects; ``POST …/files/`` adds before/after evidence (multipart)."""

    queryset = Project.objects.all()
    serializer_class = serializers.ProjectSerializer
    filterset_class = ProjectFilterSet
    create_service = services.create_project
    update_service = services.update_project
    delete_service = services.delete_project
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions = {"files": Action.VIEW}

    @extend_schema(request=serializers.ProjectFilesBodySerializer, responses=serializers.EvidenceSerializer(many=True))
    @action(detail=True, methods=["post"])
    def files(self, request: Request, pk: Any = None) -> Response:
        project = self.get_object()
        body = serializers.ProjectFilesBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            stored = call_service(services.add_project_files, project, acting_user=request.user,
                                  phase=body.validated_data["phase"], files=body.validated_data["files"])
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(serializers.EvidenceSerializer(stored, many=True).data, status=201)

    @extend_schema(request=serializers.MilestoneSerializer, responses=serializers.MilestoneSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def milestones(self, request: Request, pk: Any = None) -> Response:
        project = self.get_object()
        return milestone_list(request, project, Milestone(project=project))


def milestone_list(request: Request, owner: Problem | Project, new: Milestone) -> Response:
    """A problem's or project's milestones (``GET``), or one more (``POST {"title", "due"}``)."""
    if request.method == "POST":
        body = serializers.MilestoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        for name, value in body.validated_data.items():
            setattr(new, name, value)
        try:
            call_service(services.add_milestone, new, acting_user=request.user)
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
    return Response(serializers.MilestoneSerializer(owner.milestones.all(), many=True).data,
                    status=201 if request.method == "POST" else 200)


@api_route("campaigns/feedback", "feedback")
class FeedbackViewSet(ScopedReadOnlyViewSet):
    """Beneficiaries' feedback on 办实事 projects (sent through each project's public page)."""

    queryset = Feedback.objects.all()
    serializer_class = serializers.FeedbackSerializer


@api_route("campaigns/exemplars", "exemplar")
class ExemplarViewSet(ScopedModelViewSet):
    queryset = Exemplar.objects.all()
    serializer_class = serializers.ExemplarSerializer
    filterset_class = ExemplarFilterSet
    create_service = services.create_exemplar
    update_service = services.update_exemplar
    delete_service = services.delete_exemplar


@api_route("campaigns/dashboard", "campaign-dashboard")
class DashboardViewSet(viewsets.ViewSet):
    """The dashboard figures of ``org``'s subtree (optionally of one ``campaign``): totals, by category, by child
    organization, and the monthly close-rate series."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("org", int, required=True), OpenApiParameter("campaign", int)],
                   responses={200: {"type": "object"}})
    def list(self, request: Request) -> Response:
        org = visible_org(request.user, request.query_params.get("org", ""))
        if org is None:
            raise Http404
        campaign = None
        if request.query_params.get("campaign"):
            campaign = Campaign.objects.restrict(request.user).filter(pk=request.query_params["campaign"]).first() \
                if str(request.query_params["campaign"]).isdigit() else None
            if campaign is None:
                raise Http404
        return Response(dashboard.build(org, on=timezone.localdate(), campaign=campaign).as_dict())
