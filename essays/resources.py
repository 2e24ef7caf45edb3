"""The exports of the request and essay lists (both are made in Chuxin, so there is no import)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy

from core.imports.columns import (
    ChoiceColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    ForeignKeyColumn,
    IntegerColumn,
    TextColumn,
)
from core.imports.engine import Resource
from essays.choices import EssayAudience, EssayStatus
from essays.filtersets import EssayFilterSet, EssayRequestFilterSet
from essays.models import Essay, EssayRequest
from orgs import rules as org_rules
from orgs.models import Member, Organization


class EssayResource(Resource):
    slug = "essays"
    title = gettext_lazy("心得体会")
    model = Essay
    key = "id"
    scope_column = "member"
    label_field = "title"
    filterset_class: ClassVar[Any] = EssayFilterSet
    columns = (
        IntegerColumn("编号", "id"),
        TextColumn("心得体会布置", "request__title", max_length=200),
        ForeignKeyColumn("布置编号", "request", model=EssayRequest, key="id"),
        ForeignKeyColumn("身份证号", "member", model=Member, key="id_number", mask=org_rules.mask_id_number),
        TextColumn("姓名", "member__name", max_length=50),
        ForeignKeyColumn("所在党支部编码", "org", model=Organization),
        TextColumn("标题", "title", max_length=200),
        ChoiceColumn("状态", "status", EssayStatus.choices),
        IntegerColumn("提交次数", "versions_count"),
        DateTimeColumn("最近提交时间", "submitted_at"),
        IntegerColumn("逾期天数", "late_days"),
        DecimalColumn("原创度（%）", "originality", places=1, minimum=0, maximum=100),
    )


class EssayRequestResource(Resource):
    slug = "essay-requests"
    title = gettext_lazy("心得体会布置")
    model = EssayRequest
    key = "id"
    scope_column = "org"
    label_field = "title"
    filterset_class: ClassVar[Any] = EssayRequestFilterSet
    columns = (
        IntegerColumn("编号", "id"),
        TextColumn("题目", "title", max_length=200),
        ForeignKeyColumn("布置单位编码", "org", model=Organization),
        TextColumn("布置单位", "org__name", max_length=200),
        DateColumn("截止日期", "deadline"),
        IntegerColumn("最少字数", "min_length"),
        ChoiceColumn("撰写对象", "audience", EssayAudience.choices),
    )
