"""Serializers of the campaigns API; relations are ids, choices their codes."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from campaigns import links
from campaigns.choices import Answer, EvidencePhase, ReviewDecision
from campaigns.models import (
    AnswerRow,
    Assignment,
    Campaign,
    Category,
    Checklist,
    Evidence,
    Exemplar,
    Feedback,
    Milestone,
    Problem,
    ProgressUpdate,
    Project,
    Requirement,
    Review,
)
from core.api.serializers import IdField, ScopedModelSerializer, per_page
from orgs.models import Member, Organization


class CategorySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Category
        fields = ["id", "kind", "number", "name"]


class CampaignSerializer(ScopedModelSerializer):
    categories = CategorySerializer(many=True, read_only=True)
    goals = serializers.ListField(child=serializers.CharField(max_length=300), write_only=True, required=False)
    specials = serializers.ListField(child=serializers.CharField(max_length=300), write_only=True, required=False)
    non_model_fields = ("changelog_message", "goals", "specials")

    class Meta:
        model = Campaign
        fields = ["id", "org", "name", "template", "requirement", "aim", "measures", "batches", "start", "end",
                  "requires_evidence", "categories", "goals", "specials", "changelog_message"]
        read_only_fields = ["template"]


class LaunchSerializer(serializers.Serializer):  # type: ignore[type-arg]
    template = serializers.ChoiceField(choices=["2019", "2023", "2024"])
    org = IdField()
    start = serializers.DateField(required=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ItemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    section = serializers.CharField(required=False, allow_blank=True, max_length=100)
    text = serializers.CharField(max_length=500)


class ChecklistSerializer(ScopedModelSerializer):
    items = serializers.SerializerMethodField()
    item_list = ItemSerializer(many=True, write_only=True, source="items_in", help_text="the questions, in order")
    non_model_fields = ("changelog_message", "item_list")

    class Meta:
        model = Checklist
        fields = ["id", "org", "campaign", "title", "instructions", "items", "item_list", "changelog_message"]

    def get_items(self, obj: Checklist) -> list[dict[str, Any]]:
        return [{"id": i.pk, "number": i.number, "section": i.section, "text": i.text} for i in obj.items.all()]

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        value["item_list"] = value.pop("items_in", [])
        return value


class AssignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    members = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Member.objects.all())
    orgs = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Organization.objects.all())

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        for name, model in (("members", Member), ("orgs", Organization)):
            relation = fields[name]
            assert isinstance(relation, serializers.ManyRelatedField)
            relation.child_relation.queryset = model.objects.restrict(user)  # type: ignore[attr-defined]
        return fields


class AnswerSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AnswerRow
        fields = ["item", "answer", "note"]


class AssignmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "checklist", "member", "org", "for_org", "submitted_at", "answers"]
        read_only_fields = fields


class AnswerBodySerializer(serializers.Serializer):  # type: ignore[type-arg]
    item = IdField()
    answer = serializers.ChoiceField(choices=Answer.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AnswersSerializer(serializers.Serializer):  # type: ignore[type-arg]
    answers = AnswerBodySerializer(many=True)
    submit = serializers.BooleanField(default=False)


class ProblemSerializer(ScopedModelSerializer):
    ledger_no = serializers.CharField(read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Problem
        fields = ["id", "ledger_no", "org", "org_name", "campaign", "category", "title", "description", "source",
                  "severity", "found_on", "owner", "leader", "kind", "standard", "measures", "deadline",
                  "deadline_workdays", "status", "submitted_at", "closed_on", "reopened", "gap_rule", "gap_org",
                  "gap_member", "gap_title", "gap_ref", "essay", "answer", "changelog_message"]
        read_only_fields = ["status", "submitted_at", "closed_on", "reopened"]
        scoped_through = {"category": "campaign", "answer": "assignment"}
        extra_kwargs = {"deadline": {"required": False}}


class EvidenceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "name", "size", "content_type", "phase", "url", "created"]
        read_only_fields = fields


class ProgressSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    files = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "text", "author", "created", "files"]
        read_only_fields = fields


class ProgressBodySerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(max_length=5000)
    files = serializers.ListField(child=serializers.FileField(), required=False)
    milestone = IdField(required=False)


class SubmitBodySerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                 help_text="a note to the reviewers (申请说明)")


class ReviewSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Review
        fields = ["id", "problem", "decision", "comment", "reviewer", "created"]
        read_only_fields = fields


class ReviewBodySerializer(serializers.Serializer):  # type: ignore[type-arg]
    decision = serializers.ChoiceField(choices=ReviewDecision.choices,
                                       help_text="close or return (reopen is its own action)")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReopenBodySerializer(serializers.Serializer):  # type: ignore[type-arg]
    comment = serializers.CharField(max_length=2000)
    deadline = serializers.DateField(required=False)


class RequirementSerializer(ScopedModelSerializer):
    """A required activity of a campaign: a learning activity or an essay request it counts. A linked record
    the user may not see reads as none (``null``), like on the campaign page."""

    class Meta:
        model = Requirement
        fields = ["id", "kind", "title", "hours", "due", "activity", "essay_request", "changelog_message"]

    def to_representation(self, instance: Requirement) -> dict[str, Any]:
        data = super().to_representation(instance)
        activities, requests = self.visible_links()
        if instance.activity_id not in activities:
            data["activity"] = None
        if instance.essay_request_id not in requests:
            data["essay_request"] = None
        return data

    def visible_links(self) -> tuple[set[int], set[int]]:
        """The linked records the user may see, of every requirement being shown (one query per model)."""
        return per_page(self, "_visible_links", lambda shown, user: links.visible_links(
            [r for r in shown if isinstance(r, Requirement)], user))


class MilestoneSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Milestone
        fields = ["id", "title", "due", "done_on"]
        read_only_fields = ["done_on"]


class ProjectSerializer(ScopedModelSerializer):
    public_url = serializers.CharField(read_only=True)

    class Meta:
        model = Project
        fields = ["id", "org", "campaign", "title", "description", "beneficiaries", "owner", "budget", "start",
                  "deadline", "status", "done_on", "result", "feedback_open", "public_url", "changelog_message"]
        read_only_fields = ["done_on"]


class ProjectFilesBodySerializer(serializers.Serializer):  # type: ignore[type-arg]
    phase = serializers.ChoiceField(choices=[EvidencePhase.BEFORE, EvidencePhase.AFTER])
    files = serializers.ListField(child=serializers.FileField())


class FeedbackSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Feedback
        fields = ["id", "project", "rating", "comment", "name", "created"]
        read_only_fields = fields


class ExemplarSerializer(ScopedModelSerializer):
    class Meta:
        model = Exemplar
        fields = ["id", "org", "kind", "member", "subject", "name", "honours", "story", "year", "changelog_message"]
        extra_kwargs = {"name": {"required": False}}
