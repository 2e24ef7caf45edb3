"""Import/export of the hours ledger: hours done elsewhere (an online platform's export, a party school's
certificate list), matched to members by ID number and refused for members outside the importer's scope."""

from __future__ import annotations

import datetime
from collections import defaultdict
from functools import cached_property
from typing import Any, ClassVar

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports.columns import (
    FILE_LANGUAGE,
    ChoiceColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    ForeignKeyColumn,
    IntegerColumn,
    TextColumn,
)
from core.imports.engine import Resource, Row, register
from core.text import listing
from learning import rules
from learning.choices import CHOICE_KINDS, ActivityForm, Audience, QuestionKind, RecordSource, StudyKind
from learning.filtersets import ActivityFilterSet, ExamFilterSet, QuestionFilterSet, StudyRecordFilterSet
from learning.ledger import first_year, refresh_years, year_error
from learning.models import Activity, Exam, Question, StudyRecord
from orgs import rules as org_rules
from orgs.models import Member, Organization


@register
class StudyRecordResource(Resource):
    """The hours ledger (学时台账); a row with a 编号 (as exported) updates that line, one without is matched by
    member, course and date, so that importing the same list twice changes nothing. Certificate numbers are
    data, not keys: platforms repeat them."""

    slug = "study-records"
    title = gettext_lazy("学时记录")
    model = StudyRecord
    key = "id"
    scope_column = "member"
    label_field = "title"
    blank_key_match = ("title", "date")
    key_required = False
    extra_update_fields = ("org", "org_path", "year")
    filterset_class: ClassVar[Any] = StudyRecordFilterSet
    columns = (
        IntegerColumn("编号", "id", hint=gettext_lazy("导出的记录带编号，修改后导入即更新该记录；新记录留空")),
        ForeignKeyColumn("身份证号", "member", model=Member, key="id_number", required=True,
                         mask=org_rules.mask_id_number, example="110101199001010015",
                         hint=gettext_lazy("党员的18位身份证号；请设为文本格式")),
        TextColumn("学习内容", "title", required=True, max_length=200, example="学习贯彻党的二十大精神专题网络培训"),
        DateColumn("学习日期", "date", required=True, example=datetime.date(2026, 3, 15)),
        DecimalColumn("学时", "hours", required=True, places=1, minimum="0.5", maximum=24, example=4,
                      hint=gettext_lazy("0.5–24，最多1位小数；多天的培训请按天分行填写")),
        ChoiceColumn("学时类别", "kind", StudyKind.choices, default=StudyKind.ONLINE, example="网络学习",
                     hint=gettext_lazy("集中培训、集体学习、网络学习或个人自学；留空按网络学习")),
        TextColumn("举办单位或平台", "provider", max_length=200, example="中国干部网络学院"),
        TextColumn("证书或记录编号", "reference", max_length=64, example="", hint=gettext_lazy("可选")),
    )

    def missing_message(self, column: ForeignKeyColumn, code: str) -> str:
        if column.field == "member":
            return _("身份证号为%(code)s的党员不存在或不在您的管理范围内") % {"code": code}
        return super().missing_message(column, code)

    def out_of_scope_message(self, row: Row) -> str:
        return _("这条记录属于您管理范围以外的党员")

    @cached_property
    def first_ledger_year(self) -> int:
        return first_year()

    def clean_row(self, row: Row) -> None:
        date = row.values.get("date")
        if date and "date" not in row.failed:
            if date > self.today:
                row.error(self.header_of("date"), _("学习日期不能晚于今天"))
            elif date.year < self.first_ledger_year:
                row.error(self.header_of("date"), year_error(date) or "")

    def clean_rows(self, rows: list[Row]) -> None:
        """The same course on the same day twice for one member is one record listed twice; and lines the
        ledger took from activity attendance change only through the attendance."""
        seen: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
        for row in rows:
            v = row.values
            if row.existing is None and v.get("member") is not None:
                seen[(v["member"].pk, v["title"], v["date"])].append(row)
        for group in seen.values():
            if len(group) > 1:
                for row in group:
                    others = listing(r.number for r in group if r is not row)
                    row.error(self.header_of("title"), _("与第%(rows)s行是同一党员同一天的同一学习内容")
                              % {"rows": others})
        existing = {row.existing.pk: row for row in rows if row.existing is not None}
        if existing:
            derived = StudyRecord.objects.filter(pk__in=list(existing)).filter(
                Q(attendance__isnull=False) | Q(source=RecordSource.EXAM))
            for pk in derived.values_list("pk", flat=True):
                row = existing[pk]
                if row.changes:
                    row.error(self.header_of("hours"), _("这条学时来自活动出勤或考试，不能通过导入修改"))

    def prepare(self, obj: Any, row: Row) -> None:
        member = row.values["member"]
        obj.org_id = member.org_id
        obj.org_path = member.org_path
        obj.year = obj.date.year
        if not obj.source:
            obj.source = RecordSource.EXTERNAL

    def after_write(self, created: list[Row], updated: list[Row], *, message: str, now: datetime.datetime) -> None:
        years: dict[int, set[int]] = defaultdict(set)
        for row in (*created, *updated):
            years[row.obj.year].add(row.obj.member_id)
            before = row.before or {}
            before_year = str(before.get("date", ""))[:4]
            if before_year.isdigit():
                years[int(before_year)].add(row.obj.member_id)
                if before.get("member"):  # a line moved to another member: the first one's year changes too
                    years[int(before_year)].add(before["member"])
        for year, member_ids in years.items():
            refresh_years(member_ids, [year], today=self.today)


class ActivityResource(Resource):
    """The activity list's export (activities are planned in Chuxin, so there is no import)."""

    slug = "activities"
    title = gettext_lazy("学习活动")
    model = Activity
    key = "title"
    scope_column = "org"
    label_field = "title"
    filterset_class: ClassVar[Any] = ActivityFilterSet
    columns = (
        TextColumn("名称", "title", required=True, max_length=200),
        ChoiceColumn("学习形式", "form", ActivityForm.choices, required=True),
        ChoiceColumn("学时类别", "kind", StudyKind.choices, required=True),
        ForeignKeyColumn("组织单位编码", "org", model=Organization, required=True),
        DateTimeColumn("开始时间", "start", required=True),
        DateTimeColumn("结束时间", "end", required=True),
        TextColumn("地点", "place", max_length=200),
        DecimalColumn("认定学时", "hours", places=1, minimum=0, maximum=240),
        ChoiceColumn("参加对象", "audience", Audience.choices, required=True),
        DateColumn("补学截止日期", "makeup_until"),
    )


class OptionsColumn(TextColumn):
    """A choice question's options: one per line (or separated by ``|``) in the file, a list in the database."""

    def parse(self, raw: Any) -> Any:
        return rules.parse_options(str(super().parse(raw) or ""))

    def _fast(self, raws: Any, blank: Any) -> list[Any]:
        raise ValueError  # always the exact path: the cells need splitting

    def format(self, value: Any) -> Any:
        return "\n".join(value or []) or None


class AnswerColumn(TextColumn):
    """The answer as people type it; ``clean_row`` reads it with the question's type and options."""

    def format(self, value: Any) -> Any:
        if not value:
            return None
        if all(isinstance(v, list) for v in value):
            return rules.format_answer(QuestionKind.BLANK, value)
        if all(isinstance(v, bool) for v in value):
            return rules.format_answer(QuestionKind.TRUE_FALSE, value)
        return rules.format_answer(QuestionKind.SINGLE, value)


@register
class QuestionResource(Resource):
    """The question bank; a row with a 编号 updates that question, without one it is matched by its text
    in the same organization's bank (so the same file imported twice changes nothing)."""

    slug = "questions"
    title = gettext_lazy("试题")
    model = Question
    key = "id"
    key_required = False
    scope_column = "org"
    label_field = "text"
    blank_key_match = ("text",)
    extra_update_fields = ("org_path",)
    filterset_class: ClassVar[Any] = QuestionFilterSet
    columns = (
        IntegerColumn("编号", "id", hint=gettext_lazy("导出的试题带编号，修改后导入即更新该题；新题留空")),
        ChoiceColumn("题型", "kind", QuestionKind.choices, required=True, example="单选题"),
        TextColumn("题干", "text", required=True, example="党的最高理想和最终目标是实现____。",
                   hint=gettext_lazy("填空题用 ____ 标出空格")),
        OptionsColumn("选项", "options", example="A. 共产主义\nB. 社会主义",
                      hint=gettext_lazy("选择题填写，每行一个或用 | 分隔")),
        AnswerColumn("答案", "answer", required=True, example="A", hint=gettext_lazy(
            "选择题填字母（如 B、ACD）；判断题填“对”或“错”；填空题每空一行，多个可接受答案用 / 分隔")),
        TextColumn("解析", "explanation"),
        TextColumn("标签", "tags", max_length=200, example="党章", hint=gettext_lazy("多个标签用逗号分隔")),
        TextColumn("出处", "source", max_length=200, example="《中国共产党章程》总纲"),
        ForeignKeyColumn("题库所属组织编码", "org", model=Organization, required=True, example="示例组织编码"),
    )

    def missing_message(self, column: ForeignKeyColumn, code: str) -> str:
        return _("组织编码 %(code)s 不存在或不在您的管理范围内") % {"code": code}

    def clean_row(self, row: Row) -> None:
        v = row.values
        if {"kind", "options", "answer"} & set(row.failed):
            return
        options = v["options"] if v["kind"] in CHOICE_KINDS else []
        v["options"] = options
        if isinstance(v["answer"], str):
            try:
                v["answer"] = rules.parse_answer(v["kind"], v["answer"], options)
            except ValueError as exc:
                row.error(self.header_of("answer"), str(exc))
                row.fail("answer")
                return
        problem = rules.question_error(v["kind"], v["text"] or "", options, v["answer"])
        if problem:
            row.error(self.header_of(problem[0]), problem[1])
            row.fail(problem[0])
        v["tags"] = ",".join(rules.split_tags(v.get("tags") or ""))

    def prepare(self, obj: Any, row: Row) -> None:
        obj.org_path = row.values["org"].path


class DrawColumn(TextColumn):
    """An exam's draw rules as one line of text (``共5题：单选题（党章）3题；判断题2题``), labels in the file's
    language whatever the user's."""

    def format(self, value: Any) -> Any:
        items = [r for r in value or [] if isinstance(r, dict)]
        if not items:
            return None
        with translation.override(FILE_LANGUAGE):
            labels = {k: str(label) for k, label in QuestionKind.choices}
        parts = [f"{labels.get(str(r.get('kind')), r.get('kind'))}{'（' + r['tag'] + '）' if r.get('tag') else ''}"
                 f"{r.get('count', 0)}题" for r in items]
        total = sum(int(r.get("count") or 0) for r in items)
        return f"共{total}题：" + "；".join(parts)


class ExamResource(Resource):
    """The exam list's export (exams are set up in Chuxin, so there is no import)."""

    slug = "exams"
    title = gettext_lazy("考试")
    model = Exam
    key = "id"
    scope_column = "org"
    label_field = "title"
    filterset_class: ClassVar[Any] = ExamFilterSet
    columns = (
        IntegerColumn("编号", "id"),
        TextColumn("名称", "title", required=True, max_length=200),
        ForeignKeyColumn("组织单位编码", "org", model=Organization, required=True),
        TextColumn("组织单位", "org__name", max_length=200),
        DateTimeColumn("开放时间", "opens", required=True),
        DateTimeColumn("截止时间", "closes", required=True),
        IntegerColumn("答题时限（分钟）", "time_limit"),
        IntegerColumn("可作答次数", "attempts_allowed"),
        IntegerColumn("及格分（百分制）", "pass_mark"),
        DecimalColumn("及格计入学时", "hours_on_pass", places=1, minimum=0, maximum=24),
        DrawColumn("抽题规则", "draw"),
        TextColumn("说明", "description"),
    )
