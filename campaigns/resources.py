"""Exports of the campaign lists: campaigns, checklists, the problem ledger, the 办实事 list and the exemplars
(the three-sheet ledger is ``campaigns.ledgers``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy

from campaigns.choices import (
    ExemplarKind,
    ProblemSeverity,
    ProblemSource,
    ProblemStatus,
    ProjectStatus,
    RectificationKind,
)
from campaigns.filtersets import (
    CampaignFilterSet,
    ChecklistFilterSet,
    ExemplarFilterSet,
    ProblemFilterSet,
    ProjectFilterSet,
)
from campaigns.models import Campaign, Checklist, Exemplar, Problem, Project
from core.imports.columns import (
    BooleanColumn,
    ChoiceColumn,
    DateColumn,
    DecimalColumn,
    ForeignKeyColumn,
    IntegerColumn,
    TextColumn,
)
from core.imports.engine import Resource
from orgs.models import Organization


class CampaignResource(Resource):
    slug = "campaigns"
    title = gettext_lazy("主题教育")
    model = Campaign
    key = "id"
    scope_column = "org"
    filterset_class: ClassVar[Any] = CampaignFilterSet
    columns = (
        IntegerColumn("编号", "id"),
        TextColumn("名称", "name", max_length=200),
        TextColumn("总要求", "requirement", max_length=200),
        ForeignKeyColumn("组织单位编码", "org", model=Organization),
        TextColumn("组织单位", "org__name", max_length=200),
        DateColumn("开始日期", "start"),
        DateColumn("结束日期", "end"),
        BooleanColumn("销号须有佐证材料", "requires_evidence"),
    )


class ChecklistResource(Resource):
    slug = "checklists"
    title = gettext_lazy("检视清单")
    model = Checklist
    key = "id"
    scope_column = "org"
    label_field = "title"
    filterset_class: ClassVar[Any] = ChecklistFilterSet
    columns = (
        IntegerColumn("编号", "id"),
        TextColumn("名称", "title", max_length=200),
        TextColumn("主题教育", "campaign__name", max_length=200),
        ForeignKeyColumn("制定单位编码", "org", model=Organization),
        TextColumn("制定单位", "org__name", max_length=200),
        TextColumn("填写说明", "instructions", max_length=10000),
    )


class LedgerNumberColumn(IntegerColumn):
    """A problem's ledger number (``WT0000067``) as the pages show it; read back as the record's number."""

    def format(self, value: Any) -> Any:
        return Problem.ledger_no_of(value) or None

    def parse(self, raw: Any) -> Any:
        text = str(raw).strip()
        return super().parse(text[2:] if text.upper().startswith("WT") else raw)


class ProblemResource(Resource):
    slug = "problems"
    title = gettext_lazy("问题整改台账")
    model = Problem
    key = "id"
    scope_column = "org"
    label_field = "title"
    filterset_class: ClassVar[Any] = ProblemFilterSet
    columns = (
        LedgerNumberColumn("台账编号", "id"),
        TextColumn("问题概述", "title", max_length=200),
        TextColumn("问题内容", "description", max_length=10000),
        ChoiceColumn("问题来源", "source", ProblemSource.choices),
        ChoiceColumn("严重程度", "severity", ProblemSeverity.choices),
        TextColumn("主题教育", "campaign__name", max_length=200),
        TextColumn("问题类别", "category__name", max_length=300),
        ForeignKeyColumn("责任单位编码", "org", model=Organization),
        TextColumn("责任单位", "org__name", max_length=200),
        TextColumn("责任领导", "leader", max_length=50),
        TextColumn("责任人", "owner__name", max_length=50),
        DateColumn("发现日期", "found_on"),
        ChoiceColumn("整改类型", "kind", RectificationKind.choices),
        TextColumn("整改标准", "standard", max_length=10000),
        TextColumn("整改措施", "measures", max_length=10000),
        DateColumn("办结时限", "deadline"),
        ChoiceColumn("整改状态", "status", ProblemStatus.choices),
        DateColumn("销号日期", "closed_on"),
    )


class ProjectResource(Resource):
    slug = "projects"
    title = gettext_lazy("办实事项目")
    model = Project
    key = "id"
    scope_column = "org"
    label_field = "title"
    filterset_class: ClassVar[Any] = ProjectFilterSet
    columns = (
        IntegerColumn("编号", "id"),
        TextColumn("实事名称", "title", max_length=200),
        TextColumn("具体内容", "description", max_length=10000),
        TextColumn("服务对象", "beneficiaries", max_length=200),
        ForeignKeyColumn("承办单位编码", "org", model=Organization),
        TextColumn("承办单位", "org__name", max_length=200),
        TextColumn("责任人", "owner__name", max_length=50),
        DecimalColumn("预算（元）", "budget", places=2, minimum=0),
        DateColumn("开始日期", "start"),
        DateColumn("完成时限", "deadline"),
        ChoiceColumn("状态", "status", ProjectStatus.choices),
        DateColumn("办结日期", "done_on"),
    )


class ExemplarResource(Resource):
    slug = "exemplars"
    title = gettext_lazy("先进典型")
    model = Exemplar
    key = "id"
    scope_column = "org"
    filterset_class: ClassVar[Any] = ExemplarFilterSet
    columns = (
        IntegerColumn("编号", "id"),
        ChoiceColumn("类型", "kind", ExemplarKind.choices),
        TextColumn("名称", "name", max_length=200),
        IntegerColumn("年度", "year"),
        TextColumn("荣誉", "honours", max_length=10000),
        ForeignKeyColumn("推荐单位编码", "org", model=Organization),
        TextColumn("推荐单位", "org__name", max_length=200),
    )
