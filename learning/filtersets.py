from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.filtersets import BoundedFilterSet, ChoicesFilter, Ordering, ScopedFilterSet, YearFilter
from learning.choices import ActivityForm, AttemptStatus, AttendanceStatus, QuestionKind, RecordSource, StudyKind
from learning.models import Activity, Attempt, Attendance, Exam, MemberYear, PointEntry, Question, StudyRecord

SORT_HELP = _("排序字段，前加 - 表示倒序")


class ActivityFilterSet(ScopedFilterSet):
    form = ChoicesFilter(choices=ActivityForm.choices, label=_("学习形式"))
    kind = ChoicesFilter(choices=StudyKind.choices, label=_("学时类别"))
    year = YearFilter(field_name="start__year", label=_("年度"))
    search_fields = ("title__icontains", "place__icontains")
    sort = Ordering(
        fields=(("start", "start"), ("title", "title"), ("hours", "hours"), ("org_path", "org")),
        label=_("排序"), help_text=SORT_HELP,
    )

    class Meta:
        model = Activity
        fields = ["org", "form", "kind", "year", "q"]


class AttendanceFilterSet(ScopedFilterSet):
    status = ChoicesFilter(choices=AttendanceStatus.choices, label=_("出勤情况"))
    activity = django_filters.NumberFilter(field_name="activity_id", label=_("学习活动"))
    member = django_filters.NumberFilter(field_name="member_id", label=_("党员"))
    search_fields = ("member__name__icontains", "activity__title__icontains")

    class Meta:
        model = Attendance
        fields = ["org", "activity", "member", "status", "q"]


class StudyRecordFilterSet(ScopedFilterSet):
    year = YearFilter(label=_("年度"))
    kind = ChoicesFilter(choices=StudyKind.choices, label=_("学时类别"))
    source = ChoicesFilter(choices=RecordSource.choices, label=_("来源"))
    member = django_filters.NumberFilter(field_name="member_id", label=_("党员"))
    search_fields = ("member__name__icontains", "title__icontains", "provider__icontains")
    sort = Ordering(
        fields=(("date", "date"), ("hours", "hours"), ("org_path", "org"), ("pk", "id")),
        label=_("排序"), help_text=SORT_HELP,
    )

    class Meta:
        model = StudyRecord
        fields = ["org", "year", "kind", "source", "member", "q"]

    def search(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Name, course or provider; or the last four digits of the member's ID number."""
        value = value.strip()
        tail = value.upper()
        if len(tail) == 4 and tail.rstrip("X").isdigit():
            return qs.filter(member__id_number__endswith=tail)
        return super().search(qs, name, value)


class QuestionFilterSet(ScopedFilterSet):
    kind = ChoicesFilter(choices=QuestionKind.choices, label=_("题型"))
    tag = django_filters.CharFilter(field_name="tags", lookup_expr="icontains", label=_("标签"))
    active = django_filters.BooleanFilter(label=_("启用"))
    search_fields = ("text__icontains", "source__icontains")

    class Meta:
        model = Question
        fields = ["org", "kind", "tag", "active", "q"]


class ExamFilterSet(ScopedFilterSet):
    search_fields = ("title__icontains",)
    to_take = django_filters.BooleanFilter(method="filter_to_take", label=_("待我参加"))
    sort = Ordering(fields=(("opens", "opens"), ("title", "title")), label=_("排序"),
                    help_text=SORT_HELP)

    class Meta:
        model = Exam
        fields = ["org", "q", "to_take"]

    def filter_to_take(self, qs: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        from learning.todos import to_take_q

        if value is None:
            return qs
        q = to_take_q(getattr(self.request, "user", None))
        return qs.filter(q) if value else qs.exclude(q)


class AttemptFilterSet(ScopedFilterSet):
    exam = django_filters.NumberFilter(field_name="exam_id", label=_("考试"))
    status = ChoicesFilter(choices=AttemptStatus.choices, label=_("状态"))
    search_fields = ("member__name__icontains",)

    class Meta:
        model = Attempt
        fields = ["org", "exam", "status", "q"]


class MemberYearFilterSet(BoundedFilterSet):
    # Plain numbers: a choice filter over all members would tell an existing member from a missing one.
    year = YearFilter(label=_("年度"))
    member = django_filters.NumberFilter(field_name="member_id", label=_("党员"))

    class Meta:
        model = MemberYear
        fields = ["year", "member"]


class PointEntryFilterSet(BoundedFilterSet):
    member = django_filters.NumberFilter(field_name="member_id", label=_("党员"))

    class Meta:
        model = PointEntry
        fields = ["member", "action", "date"]
