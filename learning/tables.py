from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.tables import Column, Table
from learning.models import Activity, Exam, Question, StudyRecord


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


class QuestionTable(Table):
    model = Question
    select_related = ("org",)
    default_sort = ("org_path", "-pk")
    columns = (
        Column("text", link=True, accessor=lambda q, t: str(q)),
        Column("kind"),
        Column("tags", phone=False),
        Column("org", label=_("题库所属组织"), accessor="org.name", phone=False),
        Column("active", accessor=lambda q, t: _("是") if q.active else _("否"), phone=False),
    )


class ExamTable(Table):
    model = Exam
    select_related = ("org",)
    default_sort = ("-opens", "-pk")
    columns = (
        Column("title", link=True, sort="title"),
        Column("opens", sort="opens"),
        Column("closes", phone=False),
        Column("time_limit", phone=False),
        Column("org", label=_("组织单位"), accessor="org.name", phone=False),
    )
