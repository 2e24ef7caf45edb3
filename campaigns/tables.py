from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Checklist, Exemplar, Problem, Project
from core.tables import Column, Table


def _deadline(problem: Any, table: Any) -> Any:
    if problem.is_open and problem.deadline < timezone.localdate():
        return format_html('<span class="text-danger fw-semibold">{} · {}</span>', f"{problem.deadline:%Y-%m-%d}",
                           _("逾期"))
    return f"{problem.deadline:%Y-%m-%d}"


class CampaignTable(Table):
    model = Campaign
    select_related = ("org",)
    default_sort = ("-start", "-pk")
    columns = (
        Column("name", link=True, sort="name"),
        Column("requirement", phone=False),
        Column("start", sort="start"),
        Column("end", phone=False),
        Column("org", label=_("组织单位"), accessor="org.name", phone=False),
    )


class ChecklistTable(Table):
    model = Checklist
    select_related = ("org", "campaign")
    default_sort = ("-pk",)
    columns = (
        Column("title", link=True),
        Column("campaign", accessor="campaign.name", phone=False),
        Column("org", label=_("制定单位"), accessor="org.name", phone=False),
    )


class ProblemTable(Table):
    model = Problem
    select_related = ("org", "owner", "category")
    default_sort = ("-found_on", "-pk")
    columns = (
        Column("ledger_no", label=_("台账编号"), accessor="ledger_no", phone=False),
        Column("title", link=True),
        Column("status", sort="status"),
        Column("deadline", accessor=_deadline, sort="deadline"),
        Column("source", phone=False),
        Column("category", accessor="category", phone=False),
        Column("org", label=_("责任单位"), accessor="org.name", sort="org", phone=False),
        Column("owner", accessor="owner.name", phone=False),
        Column("found_on", sort="found", phone=False),
    )


class ProjectTable(Table):
    model = Project
    select_related = ("org",)
    default_sort = ("-start", "-pk")
    columns = (
        Column("title", link=True),
        Column("status"),
        Column("deadline", sort="deadline"),
        Column("beneficiaries", phone=False),
        Column("org", label=_("承办单位"), accessor="org.name", phone=False),
    )


class ExemplarTable(Table):
    model = Exemplar
    select_related = ("org",)
    default_sort = ("-year", "name")
    columns = (
        Column("name", link=True),
        Column("kind"),
        Column("year"),
        Column("org", label=_("推荐单位"), accessor="org.name", phone=False),
    )
