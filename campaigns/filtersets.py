from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.choices import (
    OPEN_STATUSES,
    ExemplarKind,
    ProblemSeverity,
    ProblemSource,
    ProblemStatus,
    ProjectStatus,
    RectificationKind,
)
from campaigns.models import Campaign, Checklist, Exemplar, Problem, Project
from campaigns.todos import tasks_to_answer, to_redo_q
from core.filtersets import ChoicesFilter, Ordering, ScopedFilterSet, YearFilter
from core.todos import below_q

SORT_HELP = _("排序字段，前加 - 表示倒序")


class CampaignFilterSet(ScopedFilterSet):
    year = YearFilter(field_name="start__year", label=_("年度"))
    sort = Ordering(fields=(("start", "start"), ("name", "name")), label=_("排序"),
                    help_text=SORT_HELP)

    class Meta:
        model = Campaign
        fields = ["org", "year", "q"]


class ChecklistFilterSet(ScopedFilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id", label=_("主题教育"))
    to_answer = django_filters.BooleanFilter(method="filter_to_answer", label=_("待我填写"))
    search_fields = ("title__icontains",)

    class Meta:
        model = Checklist
        fields = ["org", "campaign", "to_answer", "q"]

    def filter_to_answer(self, qs: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        """Checklists with a task waiting for the user's answers (``campaigns.todos.tasks_to_answer``)."""
        if value is None:
            return qs
        waiting = Q(pk__in=tasks_to_answer(getattr(self.request, "user", None)).values("checklist_id"))
        return qs.filter(waiting) if value else qs.exclude(waiting)


class ProblemFilterSet(ScopedFilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id", label=_("主题教育"))
    category = django_filters.NumberFilter(field_name="category_id", label=_("问题类别"))
    status = ChoicesFilter(choices=ProblemStatus.choices, label=_("整改状态"))
    source = django_filters.ChoiceFilter(choices=ProblemSource.choices, label=_("问题来源"))
    severity = django_filters.ChoiceFilter(choices=ProblemSeverity.choices, label=_("严重程度"))
    kind = django_filters.ChoiceFilter(choices=RectificationKind.choices, label=_("整改类型"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已逾期"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("责任人"))
    mine_to_review = django_filters.BooleanFilter(method="filter_mine_to_review", label=_("由我审核"))
    mine_to_redo = django_filters.BooleanFilter(method="filter_mine_to_redo", label=_("退回由我整改"))
    search_fields = ("title__icontains", "description__icontains", "owner__name__icontains")
    sort = Ordering(
        fields=(("deadline", "deadline"), ("found_on", "found"), ("org_path", "org"), ("status", "status")),
        label=_("排序"), help_text=SORT_HELP)

    class Meta:
        model = Problem
        fields = ["org", "campaign", "category", "status", "source", "severity", "kind", "overdue", "owner",
                  "mine_to_review", "mine_to_redo", "q"]

    def filter_mine_to_review(self, qs: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        """Problems of organizations strictly below one the user manages: those whose close-out they review."""
        if value is None:
            return qs
        user = getattr(self.request, "user", None)
        below = below_q(user, "org_path")
        if below is None:
            return qs.none() if value else qs
        # Not a request the user filed themselves (for a branch with nobody who could): someone else reviews it.
        mine = below & ~Q(submitted_by_id=getattr(user, "pk", None))
        return qs.filter(mine) if value else qs.exclude(mine)

    def filter_mine_to_redo(self, qs: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        """Returned problems the user answers for: as their responsible person, or in a subtree they manage
        (``campaigns.todos``), not every returned one they may read."""
        if value is None:
            return qs
        redo = to_redo_q(getattr(self.request, "user", None))
        return qs.filter(redo) if value else qs.exclude(redo)

    def filter_overdue(self, qs: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return qs
        overdue = Q(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())
        return qs.filter(overdue) if value else qs.exclude(overdue)


class ProjectFilterSet(ScopedFilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id", label=_("主题教育"))
    status = ChoicesFilter(choices=ProjectStatus.choices, label=_("状态"))
    search_fields = ("title__icontains", "beneficiaries__icontains")
    sort = Ordering(fields=(("deadline", "deadline"), ("start", "start")), label=_("排序"),
                    help_text=SORT_HELP)

    class Meta:
        model = Project
        fields = ["org", "campaign", "status", "q"]


class ExemplarFilterSet(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=ExemplarKind.choices, label=_("类型"))
    year = YearFilter(field_name="year", label=_("年度"))
    search_fields = ("name__icontains", "honours__icontains")

    class Meta:
        model = Exemplar
        fields = ["org", "kind", "year", "q"]
