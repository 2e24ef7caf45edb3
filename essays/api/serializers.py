"""Serializers of essay requests, essays, versions, reviews, results and the corpus; relations are ids."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.serializers import ScopedModelSerializer, per_page
from essays.choices import Decision
from essays.models import Essay, EssayRequest, EssayVersion, Formulation, ReferenceDocument
from learning.models import Activity
from orgs.models import Member


class EssayRequestSerializer(ScopedModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    activity = serializers.PrimaryKeyRelatedField(queryset=Activity.objects.all(), required=False, allow_null=True)
    audience_members = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Member.objects.all())

    class Meta:
        model = EssayRequest
        fields = ["id", "url", "org", "org_name", "title", "instructions", "activity", "min_length", "deadline",
                  "audience", "audience_members", "changelog_message"]

    def to_representation(self, instance: EssayRequest) -> dict[str, Any]:
        data = super().to_representation(instance)
        visible = self.visible_audience()
        data["audience_members"] = [pk for pk in data.get("audience_members") or [] if pk in visible]
        if instance.activity_id is not None and instance.activity_id not in self.visible_activities():
            data["activity"] = None  # a linked activity the user may not see reads as none, like on the page
        return data

    def visible_activities(self) -> set[int]:
        """The linked activities the user may see, of every request being shown (one query for a whole page)."""
        def visible(shown: list[Any], user: Any) -> set[int]:
            linked = {r.activity_id for r in shown if isinstance(r, EssayRequest) and r.activity_id}
            return set(Activity.objects.restrict(user, "view").filter(pk__in=linked).values_list("pk", flat=True))

        return per_page(self, "_visible_activities", visible)

    def visible_audience(self) -> set[int]:
        """The named members the user may see, of every request being shown (one query for a whole page)."""
        def visible(shown: list[Any], user: Any) -> set[int]:
            named = {m.pk for r in shown if isinstance(r, EssayRequest) for m in r.audience_members.all()}
            return set(Member.objects.restrict(user).filter(pk__in=named).values_list("pk", flat=True))

        return per_page(self, "_visible_audience", visible)

    def build_instance(self, data: dict[str, Any]) -> EssayRequest:
        data.pop("audience_members", None)
        return EssayRequest(**data)


class EssaySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member_name = serializers.CharField(source="member.name", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Essay
        fields = ["id", "request", "member", "member_name", "org", "org_name", "title", "text", "status",
                  "submitted_at", "late_days", "versions_count", "originality", "created", "updated"]
        read_only_fields = fields

    def to_representation(self, instance: Essay) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if getattr(getattr(request, "user", None), "pk", None) != instance.member.user_id:
            data.pop("text", None)  # a draft is the author's; reviewers read the submitted versions
        return data


class DraftSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=1_100_000)


class VersionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = EssayVersion
        fields = ["id", "essay", "number", "title", "text", "submitted_at", "check_status", "originality",
                  "checked_at", "decision", "comment", "reviewer", "reviewed_at"]
        read_only_fields = fields


class ReviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class PassageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    text = serializers.CharField()
    source = serializers.DictField(  # type: ignore[assignment]
        help_text="kind reference|essay; an essay outside the reader's scope has only visible=false, date and label")
    source_start = serializers.IntegerField(allow_null=True)
    source_end = serializers.IntegerField(allow_null=True)
    source_text = serializers.CharField(allow_blank=True)


class ResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.IntegerField()
    check_status = serializers.CharField()
    originality = serializers.FloatField(allow_null=True)
    characters = serializers.IntegerField()
    copied_characters = serializers.IntegerField()
    passages = PassageSerializer(many=True)


class ReferenceDocumentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = ReferenceDocument
        fields = ["id", "title", "source_url", "text", "created"]
        read_only_fields = ["id", "created"]


class FormulationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Formulation
        fields = ["id", "text", "note", "created"]
        read_only_fields = ["id", "created"]
