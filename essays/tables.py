from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.tables import Column, Table
from essays.models import Essay, EssayRequest


def _originality(essay: Essay, table: object) -> str:
    return "" if essay.originality is None else f"{essay.originality}%"


def _lateness(essay: Essay, table: object) -> str:
    if essay.late_days is None:
        return ""
    return str(_("逾期%(n)s天") % {"n": essay.late_days}) if essay.late_days else str(_("按时"))


class EssayRequestTable(Table):
    model = EssayRequest
    select_related = ("org",)
    default_sort = ("-deadline", "-pk")
    columns = (
        Column("title", link=True, sort="title"),
        Column("deadline", sort="deadline"),
        Column("min_length", phone=False),
        Column("audience", phone=False),
        Column("org", label=_("布置单位"), accessor="org.name", phone=False),
    )


class EssayTable(Table):
    model = Essay
    select_related = ("member", "org", "request")
    default_sort = ("-submitted_at", "-pk")
    columns = (
        Column("title", link=True),
        Column("member", accessor="member.name"),
        Column("status"),
        Column("originality", accessor=_originality, sort="originality"),
        Column("submitted_at", sort="submitted", phone=False),
        Column("late_days", label=_("按时提交"), accessor=_lateness, sort="late_days", phone=False),
        Column("versions_count", phone=False),
        Column("org", label=_("所在党支部"), accessor="org.name", sort="org", phone=False),
        Column("request", label=_("心得体会布置"), accessor="request.title", phone=False),
    )
