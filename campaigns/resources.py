"""Exports of the problem ledger and the 办实事 list (the three-sheet ledger is ``campaigns.ledgers``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy

from campaigns.choices import ProblemSeverity, ProblemSource, ProblemStatus, ProjectStatus, RectificationKind
from campaigns.filtersets import ProblemFilterSet, ProjectFilterSet
from campaigns.models import Problem, Project
from core.imports.columns import ChoiceColumn, DateColumn, DecimalColumn, ForeignKeyColumn, IntegerColumn, TextColumn
from core.imports.engine import Resource
from orgs.models import Organization


class ProblemResource(Resource):
    slug = "problems"
    title = gettext_lazy("问题整改台账")
    model = Problem
    key = "id"
    scope_column = "org"
    label_field = "title"
    filterset_class: ClassVar[Any] = ProblemFilterSet
    columns = (
        IntegerColumn("编号", "id"),
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
