"""Serializers of activities, attendance, the hours ledger and compliance; relations are plain ids."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import IdField, ScopedModelSerializer, per_page
from learning.choices import AttendanceStatus
from learning.models import Activity, Attempt, Attendance, Exam, MemberYear, PointEntry, Question, StudyRecord
from orgs.models import Member, Organization


class ActivitySerializer(ScopedModelSerializer):
    """A study activity; ``hours`` left out is computed from the conversion rule, ``kind`` from the form."""

    org_name = serializers.CharField(source="org.name", read_only=True)
    audience_orgs = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Organization.objects.all())
    audience_members = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Member.objects.all())

    class Meta:
        model = Activity
        fields = ["id", "url", "org", "org_name", "title", "form", "kind", "start", "end", "place", "link", "materials",
                  "hours", "audience", "audience_orgs", "audience_members", "sign_in_code", "makeup_until", "series",
                  "changelog_message"]
        read_only_fields = ["series"]
        extra_kwargs = {"hours": {"required": False, "allow_null": True}, "kind": {"required": False}}

    def _reader(self) -> Any:
        return getattr(self.context.get("request"), "user", None)

    def visible_audience(self) -> tuple[set[Any], set[Any]]:
        """Of the chosen organizations and members of every activity shown (one query each for a whole page),
        those the reader may see: for everybody, the organizer too (a named member who moved to another branch
        is that branch's business)."""
        def visible(activities: list[Any], user: Any) -> tuple[set[Any], set[Any]]:
            shown = [a for a in activities if isinstance(a, Activity)]
            org_ids = {o.pk for a in shown for o in a.audience_orgs.all()}
            member_ids = {m.pk for a in shown for m in a.audience_members.all()}
            orgs = set(Organization.objects.restrict(user).filter(pk__in=org_ids).values_list("pk", flat=True)) \
                if org_ids else set()
            members = set(Member.objects.restrict(user).filter(pk__in=member_ids).values_list("pk", flat=True)) \
                if member_ids else set()
            return orgs, members

        return per_page(self, "_visible_audience", visible)

    def to_representation(self, instance: Activity) -> dict[str, Any]:
        data = super().to_representation(instance)
        from core.scoping import can

        if not can(self._reader(), "change", instance):
            data.pop("sign_in_code", None)  # shown on site by the organizer, not to those signing in
        orgs, members = self.visible_audience()
        data["audience_orgs"] = [pk for pk in data.get("audience_orgs") or [] if pk in orgs]
        data["audience_members"] = [pk for pk in data.get("audience_members") or [] if pk in members]
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if self.instance is not None:
            start, end = start or self.instance.start, end or self.instance.end
        if start and end and end <= start:
            raise serializers.ValidationError({"end": _("结束时间必须晚于开始时间")})
        return attrs

    def build_instance(self, data: dict[str, Any]) -> Activity:
        data.pop("audience_orgs", None)
        data.pop("audience_members", None)
        return Activity(**data)


MAX_ENTRIES = 5000


class SignInSerializer(serializers.Serializer):
    code = serializers.CharField(required=False, allow_blank=True, max_length=8)


class EntrySerializer(serializers.Serializer):
    member = IdField()
    status = serializers.ChoiceField(choices=[s for s in AttendanceStatus.choices if s[0] != AttendanceStatus.MAKEUP])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class RecordAttendanceSerializer(serializers.Serializer):
    entries = EntrySerializer(many=True, allow_empty=False)
    changelog_message = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def validate_entries(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > MAX_ENTRIES:
            raise serializers.ValidationError(_("一次最多登记%(n)s人") % {"n": MAX_ENTRIES})
        members = [e["member"] for e in value]
        if len(set(members)) != len(members):
            raise serializers.ValidationError(_("同一党员出现了两次"))
        return value


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "activity", "member", "member_name", "org", "status", "method", "reason", "signed_in_at",
                  "hours"]
        read_only_fields = fields


class MakeupSerializer(serializers.Serializer):
    date = serializers.DateField()
    changelog_message = serializers.CharField(required=False, allow_blank=True, max_length=500)


class StudyRecordSerializer(ScopedModelSerializer):
    """A line of the hours ledger; lines from attendance change only through the attendance."""

    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = StudyRecord
        fields = ["id", "url", "member", "member_name", "org", "date", "year", "hours", "kind", "source", "title",
                  "provider", "reference", "attendance", "changelog_message"]
        read_only_fields = ["org", "year", "source", "attendance"]

    def build_instance(self, data: dict[str, Any]) -> StudyRecord:
        record = StudyRecord(**data)
        if record.member_id:
            record.org_id = record.member.org_id
        return record


class MemberYearSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = MemberYear
        fields = ["id", "member", "member_name", "org", "year", "hours", "capped_hours", "counted", "trainings",
                  "required", "trainings_required", "leader"]
        read_only_fields = fields


class ComplianceQuerySerializer(serializers.Serializer):
    org = IdField(required=False, help_text=_("组织ID；默认为您管理范围的顶层组织"))
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class SummarySerializer(serializers.Serializer):
    org = serializers.IntegerField(allow_null=True)
    org_name = serializers.CharField()
    org_code = serializers.CharField()
    members = serializers.IntegerField()
    done = serializers.IntegerField()
    on_track = serializers.IntegerField()
    behind = serializers.IntegerField()
    hours = serializers.CharField()
    average_hours = serializers.CharField()


class ComplianceSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    total = SummarySerializer()
    children = SummarySerializer(many=True)


class QuestionSerializer(ScopedModelSerializer):
    """A bank question with its answer (for those who keep the bank; members never read the bank)."""

    class Meta:
        model = Question
        fields = ["id", "url", "org", "kind", "text", "options", "answer", "explanation", "tags", "source", "active",
                  "changelog_message"]


class ExamSerializer(ScopedModelSerializer):
    question_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Exam
        fields = ["id", "url", "org", "title", "description", "opens", "closes", "time_limit", "attempts_allowed",
                  "pass_mark", "draw", "hours_on_pass", "question_count", "changelog_message"]


class PaperQuestionSerializer(serializers.ModelSerializer):
    """A question as the paper shows it: no answer, no explanation."""

    blanks = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["id", "kind", "text", "options", "blanks"]

    def get_blanks(self, obj: Question) -> int:
        return len(obj.answer) if obj.kind == "blank" else 0


class AttemptSerializer(serializers.ModelSerializer):
    """An attempt; while open, its questions without answers; once submitted, the score and what was right."""

    paper = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = ["id", "exam", "member", "number", "status", "started", "deadline", "submitted", "score", "passed",
                  "results", "paper"]
        read_only_fields = fields

    def get_paper(self, obj: Attempt) -> list[dict[str, Any]]:
        bank = Question.objects.in_bulk(obj.questions)
        return [PaperQuestionSerializer(bank[q]).data for q in obj.questions if q in bank]


class SubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(help_text=_("试题编号 → 答案：选项序号列表、true/false，或各空的文字列表"))


class PointEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = PointEntry
        fields = ["id", "member", "org", "date", "action", "points", "ref"]
        read_only_fields = fields
