from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.choices import Action
from core.filtersets import BoundedFilterSet, ChoicesFilter, Ordering, ScopedFilterSet, YearFilter
from essays.choices import CheckStatus, Decision, EssayStatus
from essays.models import Essay, EssayRequest, EssayVersion

SORT_HELP = _("排序字段，前加 - 表示倒序")


class EssayRequestFilterSet(ScopedFilterSet):
    year = YearFilter(field_name="deadline__year", label=_("年度"))
    # Only an activity the user may see: a hidden one matches nothing, exactly like a missing one.
    activity = django_filters.NumberFilter(method="linked_activity", label=_("学习活动"))
    search_fields = ("title__icontains",)
    sort = Ordering(fields=(("deadline", "deadline"), ("title", "title")),
                    label=_("排序"), help_text=SORT_HELP)

    class Meta:
        model = EssayRequest
        fields = ["org", "year", "activity", "q"]

    def linked_activity(self, qs: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        from learning.models import Activity

        user = getattr(self.request, "user", None)
        return qs.filter(activity__in=Activity.objects.restrict(user, Action.VIEW).filter(pk=value).values("pk"))


class EssayVersionFilterSet(BoundedFilterSet):
    # Plain numbers: a choice filter over all essays would tell an existing essay from a missing one.
    essay = django_filters.NumberFilter(field_name="essay_id", label=_("心得体会"))
    check_status = django_filters.ChoiceFilter(choices=CheckStatus.choices, label=_("原创度检查"))
    decision = django_filters.ChoiceFilter(choices=Decision.choices, label=_("审阅结论"))

    class Meta:
        model = EssayVersion
        fields = ["essay", "check_status", "decision"]


class EssayFilterSet(ScopedFilterSet):
    status = ChoicesFilter(choices=EssayStatus.choices, label=_("状态"))
    request = django_filters.NumberFilter(field_name="request_id", label=_("心得体会布置"))
    below = django_filters.NumberFilter(field_name="originality", lookup_expr="lt", label=_("原创度低于（%）"))
    not_mine = django_filters.BooleanFilter(method="filter_not_mine", label=_("不含本人的"))
    search_fields = ("member__name__icontains", "title__icontains", "request__title__icontains")
    sort = Ordering(
        fields=(("submitted_at", "submitted"), ("originality", "originality"), ("late_days", "late_days"),
                ("org_path", "org")),
        label=_("排序"), help_text=SORT_HELP)

    class Meta:
        model = Essay
        fields = ["org", "request", "status", "below", "not_mine", "q"]

    def filter_not_mine(self, qs: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        """Leave out the user's own essays (a reviewer never reviews their own)."""
        user_id = getattr(getattr(self.request, "user", None), "pk", None)
        if not value or user_id is None:
            return qs
        return qs.exclude(member__user_id=user_id)
