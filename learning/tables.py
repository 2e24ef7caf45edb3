from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.tables import Column, Table
from learning.models import Activity, StudyRecord


class ActivityTable(Table):
    model = Activity
    select_related = ("org",)
    default_sort = ("-start", "-pk")
    columns = (
        Column("title", link=True, sort="title"),
        Column("form", phone=False),
        Column("start", sort="start"),
        Column("hours", sort="hours"),
        Column("org", label=_("组织单位"), accessor="org.name", sort="org", phone=False),
        Column("place", phone=False),
    )


class StudyRecordTable(Table):
    model = StudyRecord
    select_related = ("member", "org")
    default_sort = ("-date", "-pk")
    columns = (
        Column("member", accessor="member.name"),
        Column("date", sort="date"),
        Column("title", link=True),
        Column("hours", sort="hours"),
        Column("kind", phone=False),
        Column("source", phone=False),
        Column("provider", phone=False),
        Column("org", label=_("所在党支部"), accessor="org.name", sort="org", phone=False),
    )
