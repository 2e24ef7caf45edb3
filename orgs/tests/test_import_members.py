"""Importing and exporting the member roster: round trips, writes, every kind of bad input, scope, tasks, commands."""

from __future__ import annotations

import csv
import datetime
import io
import os
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.changelog import build_change, snapshot
from core.choices import TaskStatus
from core.context import RequestInfo, reset_request, set_request
from core.imports.engine import ImportResult, import_file
from core.models import ObjectChange, Task
from core.testing.personas import id_number
from core.testing.views import PersonaTestCase
from orgs.choices import Gender, Status
from orgs.models import Member, Organization, StatusChange
from orgs.resources import MemberResource

HEADERS = MemberResource.headers()


def member_row(n: int, **changes: Any) -> list[Any]:
    """A valid new member for branch T01 as a row of the template; ``changes`` by header."""
    birth = datetime.date(1980, 1, 1) + datetime.timedelta(days=n)
    row: dict[str, Any] = dict.fromkeys(HEADERS, "")
    row.update({
        "姓名": f"导入{n}号", "性别": "男", "民族": "汉族", "出生日期": birth.isoformat(),
        "身份证号": id_number(birth, Gender.MALE, 600 + n), "手机号码": f"1370000{n:04d}", "学历": "大学本科",
        "人员类别": "在职", "党籍状态": "正式党员", "入党时间": "2005-07-01", "转正时间": "2006-07-01",
        "所在党支部编码": "T01",
    })
    row.update(changes)
    return [row[h] for h in HEADERS]


def write_xlsx(path: Path, rows: list[list[Any]], header: list[str] | None = None, merge: str | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header or HEADERS)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]], header: list[str] | None = None, encoding: str = "utf-8-sig") -> Path:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header or HEADERS)
    writer.writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def counts() -> tuple[int, int, int, int]:
    return (Member.objects.count(), Organization.objects.count(), ObjectChange.objects.count(),
            StatusChange.objects.count())


def errors_of(result: ImportResult) -> list[tuple[int | None, str, str]]:
    return [tuple(e) for e in result.errors]  # type: ignore[misc]


class ImportTestCase(PersonaTestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.before = counts()

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def run_import(self, path: Path, user: Any = None, *, dry_run: bool = False) -> ImportResult:
        return import_file(MemberResource(user or self.p.admin), path, dry_run=dry_run)

    def export(self, name: str, user: Any = None, queryset: Any = None) -> Path:
        """Export; an export with full ID numbers logs a reveal, so the counts to keep start after it."""
        path = self.tmp / name
        MemberResource(user or self.p.admin).export(path.suffix[1:], path, queryset)
        self.before = counts()
        return path

    def export_row(self, member: Member, **changes: Any) -> list[Any]:
        path = self.export("one.csv", queryset=Member.objects.filter(pk=member.pk))
        with path.open(encoding="utf-8-sig", newline="") as handle:
            row = dict(zip(HEADERS, list(csv.reader(handle))[1], strict=True))
        row.update({k: v for k, v in changes.items() if k in row})
        return [row[h] for h in HEADERS]

    def assert_refused(self, result: ImportResult, *expected: tuple[int | None, str, str]) -> None:
        """Every expected (row, column, reason) is reported, and nothing at all was written."""
        errors = errors_of(result)
        for error in expected:
            self.assertIn(error, errors)
        self.assertFalse(result.written)
        self.assertEqual(counts(), self.before)


class RoundTripTest(ImportTestCase):
    def test_reimporting_an_unchanged_export_changes_nothing(self) -> None:
        for name in ("all.xlsx", "all.csv"):
            path = self.export(name)
            result = self.run_import(path)
            self.assertEqual((result.counts["create"], result.counts["update"], result.counts["unchanged"]), (0, 0, 7),
                             result.errors)
        self.assertEqual(counts(), self.before)

    def test_branch_manager_round_trips_their_own_branch(self) -> None:
        path = self.export("branch1.xlsx", self.p.branch1_manager)
        result = self.run_import(path, self.p.branch1_manager)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.counts["unchanged"], 4)
        self.assertEqual(counts(), self.before)

    def test_export_writes_exactly_the_rows_of_the_queryset_in_template_columns(self) -> None:
        path = self.export("full.csv", queryset=Member.objects.filter(status=Status.FULL).order_by("name"))
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        self.assertEqual(rows[0], HEADERS)
        names = sorted(m.name for m in Member.objects.filter(status=Status.FULL))
        self.assertEqual(sorted(r[0] for r in rows[1:]), names)

    def test_masked_export_reimports_unchanged_and_keeps_the_real_values(self) -> None:
        path = self.export("masked.xlsx", self.p.inspector)
        sheet = openpyxl.load_workbook(path).active
        ids = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertTrue(all("*" in value for value in ids), ids)
        result = self.run_import(path, self.p.branch1_manager)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.counts["update"], result.counts["unchanged"]), (0, 4))
        self.assertEqual(counts(), self.before)
        self.assertEqual(Member.objects.get(pk=self.p.member.pk).id_number, self.p.member.id_number)

    def test_a_member_stored_without_an_id_number_round_trips(self) -> None:
        Member.objects.filter(pk=self.p.member.pk).update(id_number=None)
        path = self.export("no-id.csv")
        result = self.run_import(path)
        self.assertEqual((result.counts["update"], result.counts["unchanged"]), (0, 7), result.errors)
        path.write_text(path.read_text(encoding="utf-8-sig").replace("13800130001", "13900000001"),
                        encoding="utf-8-sig")
        self.assertEqual(self.run_import(path).counts["update"], 1)
        member = Member.objects.get(pk=self.p.member.pk)
        self.assertEqual((member.phone, member.id_number), ("13900000001", None))

    def test_a_new_member_needs_an_id_number(self) -> None:
        result = self.run_import(write_csv(self.tmp / "no-id.csv", [member_row(1, 身份证号="")]))
        self.assert_refused(result, (2, "身份证号", "不能为空"))

    def test_full_values_in_an_export_are_logged_as_revealed(self) -> None:
        self.export("revealed.xlsx", self.p.branch1_manager)
        change = ObjectChange.objects.filter(action="reveal").get()
        self.assertEqual((change.object_id, change.user_id), (self.p.branch1.pk, self.p.branch1_manager.pk))
        self.assertEqual(change.message, "导出党员4条，含完整出生日期、身份证号、手机号码")


class WriteTest(ImportTestCase):
    def test_new_rows_are_created_with_status_history_and_change_log(self) -> None:
        path = write_xlsx(self.tmp / "new.xlsx", [member_row(1), member_row(2, 所在党小组编码="T0101")])
        result = self.run_import(path)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.counts["create"], 2)
        created = Member.objects.get(name="导入2号")
        self.assertEqual((created.org, created.group, created.org_path), (self.p.branch1, self.p.group,
                                                                          self.p.branch1.path))
        # A new member's milestone dates are its past; the status history starts with later changes.
        self.assertFalse(StatusChange.objects.filter(member=created).exists())
        change = ObjectChange.objects.get(action="create", object_id=created.pk,
                                          content_type=ContentType.objects.get_for_model(Member))
        self.assertIn("new.xlsx", change.message)
        self.assertEqual(change.related_object_id, self.p.branch1.pk)
        self.assertEqual((change.postchange_data or {})["name"], "导入2号")
        self.assertIn("*", (change.postchange_data or {})["id_number"])
        self.assertEqual(counts()[0], self.before[0] + 2)
        self.assertEqual(counts()[3], self.before[3])
        created.full_clean()

    def test_changed_rows_are_updated_and_a_status_change_is_recorded(self) -> None:
        path = self.export("branch1.csv", self.p.branch1_manager)
        text = path.read_text(encoding="utf-8-sig")
        text = text.replace("刘洋,男,汉族,1995-01-10", "刘洋,男,回族,1995-01-10")
        text = text.replace("预备党员,,,,2024-06-30,,", "正式党员,,,,2024-06-30,2025-06-30,")
        text = text.replace("13800130002", "13912345678")
        path.write_text(text, encoding="utf-8-sig")
        result = self.run_import(path, self.p.branch1_manager)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.counts["update"], result.counts["unchanged"]), (2, 2))
        liu = Member.objects.get(name="刘洋")
        self.assertEqual((liu.status, liu.ethnicity, liu.conversion_date), (Status.FULL, "回族",
                                                                          datetime.date(2025, 6, 30)))
        step = StatusChange.objects.filter(member=liu).get()
        self.assertEqual((step.from_status, step.to_status), (Status.PROBATIONARY, Status.FULL))
        change = ObjectChange.objects.get(action="update", object_id=liu.pk)
        self.assertEqual((change.prechange_data or {})["status"], Status.PROBATIONARY)
        self.assertEqual((change.postchange_data or {})["status"], Status.FULL)
        self.assertEqual(Member.objects.get(name="王芳").phone, "13912345678")
        self.assertEqual(counts()[2], self.before[2] + 2)
        self.assertEqual(counts()[3], self.before[3] + 1)

    def test_status_moves_the_status_page_refuses_are_refused_and_leaving_ends_the_seats(self) -> None:
        from orgs.choices import PositionTitle
        from orgs.models import Position

        leaver, other = self.p.branch1_members[1], self.p.branch1_members[2]
        rows = [self.export_row(leaver, 党籍状态="转出")]
        self.assert_refused(self.run_import(write_csv(self.tmp / "out.csv", rows), self.p.branch1_manager),
                            (2, "党籍状态", "转出须通过组织关系转接办理"))
        seat = Position.objects.create(org=self.p.branch1, member=other, title=PositionTitle.MEMBER,
                                       term_start=datetime.date(2024, 1, 1))
        # The preview says it as the file does.
        row = self.export_row(other, 党籍状态="死亡")
        preview = self.run_import(write_csv(self.tmp / "dead.csv", [row]), self.p.branch1_manager, dry_run=True)
        self.assertIn(["党籍状态", "正式党员", "死亡"], preview.samples["update"][0]["changes"])
        result = self.run_import(write_csv(self.tmp / "dead.csv", [row]), self.p.branch1_manager)
        self.assertTrue(result.ok, result.errors)
        seat.refresh_from_db()
        self.assertIsNotNone(seat.term_end)  # a member who died holds no seat
        self.before = counts()
        revived = self.export_row(Member.objects.get(pk=other.pk), 党籍状态="正式党员")
        self.assert_refused(self.run_import(write_csv(self.tmp / "back.csv", [revived]), self.p.branch1_manager),
                            (2, "党籍状态", "已故党员的状态不能再变更"))

    def test_the_number_of_queries_does_not_grow_with_the_rows(self) -> None:
        queries = []  # the first run also fills the scope, rule and content-type caches
        for n, first in ((1, 50), (3, 100), (30, 200)):
            small = write_csv(self.tmp / f"{n}.csv", [member_row(first + i) for i in range(n)])
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.run_import(small).counts["create"], n)
            queries.append(len(captured))
        self.assertEqual(queries[1], queries[2])

    def test_moving_members_by_import_takes_the_same_queries_for_one_or_several(self) -> None:
        members = list(Member.objects.filter(org=self.p.branch1).order_by("pk"))[:4]
        self.assertEqual(len(members), 4)
        queries = []  # the first run also fills the scope, rule and content-type caches
        for group in (members[:1], members[1:2], members[2:4]):
            rows = [self.export_row(m, 所在党支部编码=self.p.branch2.code, 所在党小组编码="") for m in group]
            path = write_csv(self.tmp / f"move{len(group)}.csv", rows)
            with CaptureQueriesContext(connection) as captured:
                result = self.run_import(path, self.p.committee_manager)
            self.assertEqual(result.counts["update"], len(group), result.errors)
            queries.append(len(captured))
        self.assertEqual(queries[1], queries[2])

    def test_the_fast_change_log_agrees_with_build_change(self) -> None:
        path = self.export("b1.csv", self.p.branch1_manager)
        path.write_text(path.read_text(encoding="utf-8-sig").replace("13800130002", "13912345678"),
                        encoding="utf-8-sig")
        write_csv(self.tmp / "new.csv", [member_row(1)])
        with mock.patch("core.imports.importer.logger") as log, mock.patch("core.imports.changes.logger") as log2:
            self.assertEqual(self.run_import(path, self.p.branch1_manager).counts["update"], 1)
            self.assertEqual(self.run_import(self.tmp / "new.csv").counts["create"], 1)
        log.warning.assert_not_called()
        log2.warning.assert_not_called()

    def test_the_database_builds_the_change_rows_of_new_members_as_build_change_would(self) -> None:
        rows = [member_row(1), member_row(3, 手机号码=""),
                member_row(2, 所在党小组编码="T0101", **{"职务/岗位": "支部委员"}, 备注="引号\"与\\反斜杠")]
        request = RequestInfo(description="POST /imports/members/confirm/")
        token = set_request(request)
        try:
            with CaptureQueriesContext(connection) as captured, mock.patch("core.imports.importer.logger") as log:
                self.assertEqual(self.run_import(write_xlsx(self.tmp / "new.xlsx", rows)).counts["create"], 3)
        finally:
            reset_request(token)
        log.warning.assert_not_called()
        self.assertTrue(any(q["sql"].startswith('INSERT INTO "core_objectchange"') and "SELECT" in q["sql"]
                            for q in captured.captured_queries))
        ct = ContentType.objects.get_for_model(Member)
        for member in Member.objects.filter(name__startswith="导入"):
            change = ObjectChange.objects.get(action="create", content_type=ct, object_id=member.pk)
            expected = build_change(member, "create", acting_user=self.p.admin, after=snapshot(member),
                                    message="导入文件“new.xlsx”")
            for name in ("user_id", "user_name", "action", "content_type_id",
                         "object_id", "object_repr", "related_content_type_id", "related_object_id", "org_path",
                         "related_org_path", "prechange_data", "postchange_data", "message"):
                self.assertEqual(getattr(change, name), getattr(expected, name), name)
            self.assertEqual((change.request_id, change.request_repr), (request.request_id, request.description))
        self.assertEqual(Member.objects.get(name="导入2号").note, '引号"与\\反斜杠')

    def test_change_rows_are_built_in_python_when_the_database_would_disagree(self) -> None:
        with mock.patch("core.imports.changes.DatabaseChangeLog.agrees", return_value=False), \
                mock.patch("core.imports.importer.logger") as log:
            result = self.run_import(write_csv(self.tmp / "new.csv", [member_row(1), member_row(2)]))
        self.assertEqual(result.counts["create"], 2)
        log.warning.assert_called_once()
        ct = ContentType.objects.get_for_model(Member)
        for member in Member.objects.filter(name__startswith="导入"):
            change = ObjectChange.objects.get(action="create", object_id=member.pk, content_type=ct)
            self.assertEqual((change.related_object_id, change.org_path), (self.p.branch1.pk, self.p.branch1.path))
            self.assertEqual((change.postchange_data or {})["id_number"], member.id_number_masked)

    def test_change_log_falls_back_to_build_change_when_the_fast_path_disagrees(self) -> None:
        with mock.patch("core.imports.changes.FastChangeLog.agrees", return_value=False):
            result = self.run_import(write_csv(self.tmp / "new.csv", [member_row(1), member_row(2)]))
        self.assertEqual(result.counts["create"], 2)
        for member in Member.objects.filter(name__startswith="导入"):
            change = ObjectChange.objects.get(action="create", object_id=member.pk,
                                              content_type=ContentType.objects.get_for_model(Member))
            self.assertEqual((change.related_object_id, change.org_path), (self.p.branch1.pk, self.p.branch1.path))
            self.assertEqual((change.postchange_data or {})["name"], member.name)

    def test_dry_run_reports_the_plan_and_writes_nothing(self) -> None:
        rows = [member_row(1), member_row(3, 所在党支部编码="T02")]
        result = self.run_import(write_xlsx(self.tmp / "plan.xlsx", rows), dry_run=True)
        data = result.as_dict()
        self.assertEqual(data["counts"], {"create": 2, "update": 0, "unchanged": 0, "refused": 0})
        self.assertEqual([item["row"] for item in data["samples"]["create"]], [2, 3])
        self.assertEqual(counts(), self.before)

    def test_blank_birth_date_and_gender_come_from_the_id_number(self) -> None:
        row = member_row(4, 出生日期="", 性别="")
        self.assertTrue(self.run_import(write_csv(self.tmp / "derive.csv", [row])).ok)
        member = Member.objects.get(name="导入4号")
        self.assertEqual((member.gender, member.birth_date), (Gender.MALE, datetime.date(1980, 1, 5)))

    def test_a_blank_defaulted_cell_keeps_the_stored_value(self) -> None:
        path = self.export("b1.csv", self.p.branch1_manager)
        text = path.read_text(encoding="utf-8-sig").replace(",汉族,", ",,")
        path.write_text(text, encoding="utf-8-sig")
        result = self.run_import(path, self.p.branch1_manager)
        self.assertEqual((result.counts["update"], result.counts["unchanged"]), (0, 4), result.errors)

    def test_a_masked_phone_leaves_the_stored_phone_alone(self) -> None:
        member = self.p.branch1_members[1]
        row = self.export_row(member, 手机号码=member.phone[:3] + "****" + member.phone[-4:])
        result = self.run_import(write_csv(self.tmp / "masked.csv", [row]), self.p.branch1_manager)
        self.assertEqual(result.counts["unchanged"], 1, result.errors)
        self.assertEqual(Member.objects.get(pk=member.pk).phone, member.phone)

    def test_a_masked_value_that_does_not_match_is_refused(self) -> None:
        member = self.p.branch1_members[1]
        row = self.export_row(member, 手机号码="139****0000")
        result = self.run_import(write_csv(self.tmp / "masked.csv", [row]), self.p.branch1_manager)
        self.assert_refused(result, (2, "手机号码", "手机号码是遮挡后的值，且与现有记录不一致，请填写完整的手机号码"))

    def test_a_masked_id_number_cannot_create_a_member(self) -> None:
        result = self.run_import(write_csv(self.tmp / "masked.csv", [member_row(5, 身份证号="110105********1234")]))
        self.assert_refused(result, (2, "身份证号",
                                     "身份证号是遮挡后的值，无法确定对应的记录；新建记录请填写完整的身份证号"))


class BadInputTest(ImportTestCase):
    def test_missing_and_unknown_columns_are_named(self) -> None:
        header = [h for h in HEADERS if h not in ("身份证号", "备注")] + ["籍贯"]
        rows = [[v for h, v in zip(HEADERS, member_row(1), strict=True) if h not in ("身份证号", "备注")] + ["北京"]]
        result = self.run_import(write_xlsx(self.tmp / "header.xlsx", rows, header=header))
        self.assert_refused(result, (1, "籍贯", "无法识别的列名“籍贯”，请使用导入模板的列名"),
                            (1, "身份证号、备注", "缺少列：身份证号、备注"))

    def test_a_file_with_none_of_the_templates_columns_gets_one_message(self) -> None:
        path = write_xlsx(self.tmp / "other.xlsx", [["张三", "男"]], header=["名字", "性别（男女）"])
        result = self.run_import(path)
        self.assertEqual(errors_of(result),
                         [(1, "", "第1行不是“党员”导入模板的列名，请下载导入模板，按模板的列填写")])
        self.assertFalse(result.written)

    def test_merged_cells_are_refused_with_their_place(self) -> None:
        rows = [member_row(1), member_row(2, 所在党支部编码=None)]
        result = self.run_import(write_xlsx(self.tmp / "merged.xlsx", rows, merge="Q2:Q3"))
        self.assertEqual(len(result.errors), 1)
        row, column, message = result.errors[0]
        self.assertEqual((row, column), (2, "所在党支部编码"))
        self.assertIn("Q2:Q3是合并单元格", message)
        self.assert_refused(result)

    def test_blank_rows_are_skipped_and_later_rows_keep_their_numbers(self) -> None:
        rows = [member_row(1), [None] * len(HEADERS), member_row(2, 出生日期="1980-13-45")]
        result = self.run_import(write_xlsx(self.tmp / "blank.xlsx", rows))
        self.assertEqual(result.total, 2)
        self.assert_refused(result, (4, "出生日期", "日期“1980-13-45”不存在"))
        rows[2] = member_row(2)
        self.assertEqual(self.run_import(write_xlsx(self.tmp / "blank2.xlsx", rows)).counts["create"], 2)

    def test_an_id_number_with_a_bad_check_digit(self) -> None:
        good = member_row(2)[HEADERS.index("身份证号")]
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        result = self.run_import(write_xlsx(self.tmp / "id.xlsx", [member_row(1), member_row(2, 身份证号=bad)]))
        self.assert_refused(result, (3, "身份证号", "身份证号校验码错误（GB 11643）"))
        self.assertEqual(result.counts["refused"], 1)

    def test_an_id_number_stored_as_a_number(self) -> None:
        row = member_row(1)
        row[HEADERS.index("身份证号")] = 110105198001020000
        result = self.run_import(write_xlsx(self.tmp / "num.xlsx", [row]))
        self.assert_refused(result, (2, "身份证号",
                                     "身份证号被存成了数字（末几位已丢失），请把该列设为文本格式后重新填写"))

    def test_a_birth_date_after_the_admission_date(self) -> None:
        birth = datetime.date(2006, 3, 1)
        row = member_row(1, 出生日期=birth.isoformat(), 身份证号=id_number(birth, Gender.MALE, 777))
        result = self.run_import(write_xlsx(self.tmp / "dates.xlsx", [row]))
        self.assert_refused(result, (2, "入党时间", "入党时间不能早于出生日期"))

    def test_required_milestones_of_a_status(self) -> None:
        result = self.run_import(write_xlsx(self.tmp / "status.xlsx", [member_row(1, 转正时间="")]))
        self.assert_refused(result, (2, "转正时间", "状态为“正式党员”时必须填写转正时间"))

    def test_an_unknown_organization_code(self) -> None:
        result = self.run_import(write_xlsx(self.tmp / "org.xlsx", [member_row(1, 所在党支部编码="NOPE")]))
        self.assert_refused(result, (2, "所在党支部编码", "组织编码 NOPE 不存在或不在您的管理范围内"))

    def test_a_group_of_another_branch(self) -> None:
        result = self.run_import(write_xlsx(self.tmp / "group.xlsx",
                                            [member_row(1, 所在党支部编码="T02", 所在党小组编码="T0101")]))
        self.assert_refused(result, (2, "所在党小组编码", "第一党小组 不是 第二党支部 下属的党小组"))

    def test_the_same_id_number_twice_names_both_rows(self) -> None:
        twin = member_row(1, 姓名="重复")
        result = self.run_import(write_xlsx(self.tmp / "dup.xlsx", [member_row(1), member_row(2), twin]))
        self.assert_refused(result, (2, "身份证号", "身份证号与第4行重复"), (4, "身份证号", "身份证号与第2行重复"))

    def test_a_wrong_choice_lists_the_choices(self) -> None:
        result = self.run_import(write_xlsx(self.tmp / "choice.xlsx", [member_row(1, 党籍状态="党员")]))
        self.assertEqual(result.errors[0][:2], (2, "党籍状态"))
        self.assertIn("“党员”不是有效的选项，可选：入党申请人、入党积极分子", result.errors[0][2])
        self.assert_refused(result)

    def test_fifty_megabytes_of_junk_named_xlsx_is_refused_quickly(self) -> None:
        path = self.tmp / "junk.xlsx"
        block = os.urandom(1 << 20)
        with path.open("wb") as handle:
            for _i in range(50):
                handle.write(block)
        start = time.monotonic()
        result = self.run_import(path)
        self.assertLess(time.monotonic() - start, 2.0)
        self.assertEqual(errors_of(result), [(None, "", "文件不是有效的Excel文件")])
        self.assert_refused(result)

    def test_a_zip_that_is_not_a_workbook(self) -> None:
        import zipfile

        path = self.tmp / "doc.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", "<w/>")
        self.assertEqual(errors_of(self.run_import(path)), [(None, "", "文件不是有效的Excel文件")])

    def test_a_gbk_csv_from_chinese_excel_imports_correctly(self) -> None:
        path = write_csv(self.tmp / "gbk.csv", [member_row(1, 姓名="欧阳娜娜", 工作单位="区财政局")], encoding="gbk")
        result = self.run_import(path)
        self.assertEqual(result.counts["create"], 1, result.errors)
        self.assertEqual(Member.objects.get(workplace="区财政局").name, "欧阳娜娜")

    def test_an_empty_file(self) -> None:
        for name in ("empty.xlsx", "empty.csv"):
            path = self.tmp / name
            path.write_bytes(b"")
            self.assert_refused(self.run_import(path), (None, "", "文件是空的"))

    def test_a_header_without_rows(self) -> None:
        result = self.run_import(write_xlsx(self.tmp / "header-only.xlsx", []))
        self.assert_refused(result, (None, "", "文件中没有数据行（第1行为列名，数据从第2行开始）"))

    def test_a_file_too_large(self) -> None:
        path = write_csv(self.tmp / "big.csv", [member_row(n) for n in range(1, 20)])
        with override_settings(CHUXIN_MAX_IMPORT_BYTES=1024):
            result = self.run_import(path)
        self.assertEqual(len(result.errors), 1)
        self.assertTrue(result.errors[0][2].startswith("文件过大"), result.errors)
        self.assert_refused(result)

    def test_too_many_rows(self) -> None:
        rows = [member_row(n) for n in range(1, 6)]
        with override_settings(CHUXIN_MAX_IMPORT_ROWS=3):
            for path in (write_csv(self.tmp / "rows.csv", rows), write_xlsx(self.tmp / "rows.xlsx", rows)):
                result = self.run_import(path)
                self.assert_refused(result, (None, "", "数据行过多（5行），一次最多导入3行"))

    def test_a_file_that_is_neither_xlsx_nor_csv(self) -> None:
        path = self.tmp / "roster.pdf"
        path.write_bytes(b"%PDF-1.4")
        self.assert_refused(self.run_import(path), (None, "", "只支持导入xlsx或csv文件"))


class ScopeTest(ImportTestCase):
    def test_a_row_for_a_sibling_branch_is_refused_by_name_and_nothing_is_written(self) -> None:
        rows = [member_row(1), member_row(2, 所在党支部编码="T02")]
        result = self.run_import(write_xlsx(self.tmp / "sibling.xlsx", rows), self.p.branch1_manager)
        self.assert_refused(result, (3, "所在党支部编码", "组织编码 T02 不存在或不在您的管理范围内"))
        self.assertEqual((result.counts["create"], result.counts["refused"]), (1, 1))

    def test_an_existing_member_of_a_sibling_branch_cannot_be_overwritten(self) -> None:
        other = self.p.branch2_members[0]
        row = member_row(1, 身份证号=other.id_number, 姓名=other.name, 出生日期=other.birth_date.isoformat(),
                         性别="女", 入党时间="2008-07-01", 转正时间="2009-07-01")
        result = self.run_import(write_xlsx(self.tmp / "other.xlsx", [row]), self.p.branch1_manager)
        self.assert_refused(result, (2, "身份证号", "该身份证号已在您管理范围以外的组织登记，请通过组织关系转接办理"))

    def test_a_sibling_branchs_member_is_refused_alike_whatever_else_the_row_says(self) -> None:
        """Masked values are not compared with another branch's record: a right and a wrong guess of the
        hidden digits of its phone get the same answer."""
        other = self.p.branch2_members[0]
        answers = []
        for phone in (other.phone[:3] + "****" + other.phone[-4:], "138****0000"):
            row = self.export_row(other, 手机号码=phone)
            result = self.run_import(write_csv(self.tmp / "guess.csv", [row]), self.p.branch1_manager, dry_run=True)
            answers.append(errors_of(result))
        self.assertEqual(answers[0], answers[1])
        refusal = "该身份证号已在您管理范围以外的组织登记，请通过组织关系转接办理"
        self.assertEqual(answers[0], [(2, "身份证号", refusal)])

    def test_a_masked_id_number_in_a_sibling_branch_does_not_tell_who_is_there(self) -> None:
        other = self.p.branch2_members[0]
        id_number = str(other.id_number)
        answers = []
        for name in (other.name, "查无此人"):
            row = self.export_row(other, 姓名=name)
            row[HEADERS.index("身份证号")] = id_number[:6] + "********" + id_number[-4:]
            result = self.run_import(write_csv(self.tmp / "guess.csv", [row]), self.p.branch1_manager, dry_run=True)
            answers.append([e for e in errors_of(result) if e[1] in ("身份证号", "所在党支部编码")])
        self.assertEqual(answers[0], answers[1])
        self.assertIn((2, "所在党支部编码", "组织编码 T02 不存在或不在您的管理范围内"), answers[0])

    def test_a_member_cannot_be_moved_out_of_scope(self) -> None:
        member = self.p.branch1_members[2]
        path = self.export("one.csv", queryset=Member.objects.filter(pk=member.pk))
        path.write_text(path.read_text(encoding="utf-8-sig").replace(",T01,", ",T02,"), encoding="utf-8-sig")
        result = self.run_import(path, self.p.branch1_manager)
        self.assert_refused(result, (2, "所在党支部编码", "组织编码 T02 不存在或不在您的管理范围内"))

    def test_a_committee_manager_may_move_a_member_between_branches(self) -> None:
        member = self.p.branch1_members[2]
        StatusChange.objects.create(member=member, org=member.org, to_status=member.status,
                                    date=datetime.date(2020, 1, 1))
        path = self.export("one.csv", queryset=Member.objects.filter(pk=member.pk))
        path.write_text(path.read_text(encoding="utf-8-sig").replace(",T01,", ",T02,"), encoding="utf-8-sig")
        result = self.run_import(path, self.p.committee_manager)
        self.assertEqual(result.counts["update"], 1, result.errors)
        member.refresh_from_db()
        self.assertEqual((member.org, member.org_path), (self.p.branch2, self.p.branch2.path))
        self.assertEqual(set(StatusChange.objects.filter(member=member).values_list("org_path", flat=True)),
                         {self.p.branch2.path})
        # The change log follows too: the old branch no longer reads the member's personal data there.
        member_log = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Member),
                                                 object_id=member.pk)
        self.assertTrue(member_log.exists())
        self.assertFalse(member_log.restrict(self.p.branch1_manager).exists())
        self.assertEqual(member_log.restrict(self.p.branch2_manager).count(), member_log.count())


@override_settings(CHUXIN_TASKS="sync", CHUXIN_IMPORT_TASK_ROWS=1)
class BackgroundTest(ImportTestCase):
    def test_a_large_file_runs_as_a_task_with_progress_and_result(self) -> None:
        path = write_xlsx(self.tmp / "large.xlsx", [member_row(n) for n in range(1, 4)])
        self.client.force_login(self.p.branch1_manager)
        with override_settings(MEDIA_ROOT=self.tmp / "media"):
            with self.captureOnCommitCallbacks(execute=True), path.open("rb") as handle:
                response = self.client.post(reverse("imports:upload", args=["members"]), {"file": handle})
            check = Task.objects.get()
            self.assertRedirects(response, reverse("task_detail", args=[check.pk]))
            self.assertEqual(check.status, TaskStatus.SUCCEEDED, check.error)
            self.assertEqual((check.result or {})["counts"]["create"], 3)
            self.assertEqual(counts(), self.before)
            page = self.client.get(reverse("task_detail", args=[check.pk]))
            self.assertContains(page, "确认导入")
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(reverse("imports:confirm", args=["members"]),
                                            {"token": (check.result or {})["token"]})
            task = Task.objects.exclude(pk=check.pk).get()
            self.assertRedirects(response, reverse("task_detail", args=[task.pk]))
        self.assertEqual((task.status, (task.result or {})["written"]), (TaskStatus.SUCCEEDED, True))
        self.assertEqual((task.progress_done, task.progress_total), (3, 3))
        self.assertEqual(Member.objects.filter(name__startswith="导入").count(), 3)

    def test_a_long_list_export_runs_as_a_task_whose_file_holds_exactly_the_filtered_rows(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        url = reverse("orgs:member_list") + "?status=full&sort=name"
        with override_settings(MEDIA_ROOT=self.tmp / "media"):
            direct = self.client.get(url + "&export=csv")  # below the threshold: in the request
            self.assertEqual(direct.status_code, 200)
            expected = b"".join(direct.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
            with override_settings(CHUXIN_EXPORT_TASK_ROWS=1), self.captureOnCommitCallbacks(execute=True):
                response = self.client.get(url + "&export=csv&page=2")
            task = Task.objects.get()
            self.assertRedirects(response, reverse("task_detail", args=[task.pk]))
            self.assertEqual(task.status, TaskStatus.SUCCEEDED, task.error)
            rows = expected.count("\n") - 1
            self.assertEqual(((task.result or {})["rows"], task.progress_total), (rows, rows))
            page = self.client.get(reverse("task_detail", args=[task.pk]))
            download = reverse("task_download", args=[task.pk])
            self.assertContains(page, f'href="{download}"')
            file = self.client.get(download)
            self.assertEqual(b"".join(file.streaming_content).decode("utf-8-sig"), expected)  # type: ignore[attr-defined]
            self.assertNotIn(self.p.branch2_members[0].name, expected)
            self.client.force_login(self.p.branch2_manager)
            self.assertEqual(self.client.get(download).status_code, 404)
            self.assertEqual(self.client.get(reverse("task_detail", args=[task.pk])).status_code, 404)
            self.client.force_login(self.p.admin)  # an administrator sees the task, not the other's file
            self.assertEqual(self.client.get(download).status_code, 404)
            self.assertNotContains(self.client.get(reverse("task_detail", args=[task.pk])), download)

    def test_a_task_that_finds_errors_keeps_them_in_its_result(self) -> None:
        path = write_csv(self.tmp / "bad.csv", [member_row(1, 所在党支部编码="T02")])
        self.client.force_login(self.p.branch1_manager)
        with override_settings(MEDIA_ROOT=self.tmp / "media"):
            with self.captureOnCommitCallbacks(execute=True), path.open("rb") as handle:
                self.client.post(reverse("imports:upload", args=["members"]), {"file": handle})
            task = Task.objects.get()
            self.assertEqual((task.result or {})["errors"],
                             [[2, "所在党支部编码", "组织编码 T02 不存在或不在您的管理范围内"]])
            page = self.client.get(reverse("task_detail", args=[task.pk]))
            self.assertContains(page, "组织编码 T02 不存在或不在您的管理范围内")
            self.assertNotContains(page, "确认导入")
            errors = self.client.get(reverse("imports:task_errors", args=[task.pk]))
            self.assertIn("组织编码 T02", errors.getvalue().decode("utf-8-sig"))


class CommandTest(ImportTestCase):
    def test_import_prints_a_summary_and_writes(self) -> None:
        out = io.StringIO()
        path = write_xlsx(self.tmp / "cmd.xlsx", [member_row(1)])
        call_command("import", "members", str(path), "--user", "branch1", stdout=out, stderr=io.StringIO())
        self.assertIn("新建 1", out.getvalue())
        self.assertEqual(counts()[0], self.before[0] + 1)
        self.assertEqual(ObjectChange.objects.filter(action="create").latest("pk").user, self.p.branch1_manager)

    def test_import_prints_every_error_and_exits_1(self) -> None:
        out = io.StringIO()
        path = write_xlsx(self.tmp / "cmd.xlsx", [member_row(1, 所在党支部编码="T02"), member_row(2, 姓名="")])
        with self.assertRaises(CommandError) as caught:
            call_command("import", "members", str(path), "--user", "branch1", stdout=out, stderr=io.StringIO())
        self.assertEqual(caught.exception.returncode, 1)
        lines = out.getvalue().splitlines()
        self.assertIn("第2行 [所在党支部编码] 组织编码 T02 不存在或不在您的管理范围内", lines)
        self.assertIn("第3行 [姓名] 不能为空", lines)
        self.assertEqual(counts(), self.before)

    def test_dry_run_writes_nothing(self) -> None:
        out = io.StringIO()
        path = write_csv(self.tmp / "cmd.csv", [member_row(1)])
        call_command("import", "members", str(path), "--dry-run", "--user", "admin", stdout=out, stderr=io.StringIO())
        self.assertIn("新建 1", out.getvalue())
        self.assertEqual(counts(), self.before)

    def test_export_of_one_subtree_by_extension(self) -> None:
        for name in ("b2.csv", "b2.xlsx"):
            out = io.StringIO()
            path = self.tmp / name
            call_command("export", "members", str(path), "--org", "T02", "--user", "committee", stdout=out)
            self.assertIn("已导出 3 条", out.getvalue())
            result = self.run_import(path, self.p.branch2_manager)
            self.assertEqual(result.counts["unchanged"], 3, result.errors)

    def test_export_of_an_organization_outside_the_scope(self) -> None:
        with self.assertRaises(CommandError) as caught:
            call_command("export", "members", str(self.tmp / "x.csv"), "--org", "T02", "--user", "branch1",
                         stdout=io.StringIO())
        self.assertIn("组织编码 T02 不存在或不在您的管理范围内", str(caught.exception))


class ExportMaskingTest(ImportTestCase):
    def test_an_inspectors_export_masks_id_number_phone_and_birth_date(self) -> None:
        member = self.p.branch1_members[0]
        text = self.export("inspector.csv", self.p.inspector).read_text(encoding="utf-8-sig")
        self.assertIn(member.name, text)
        self.assertNotIn(member.id_number or "-", text)
        self.assertNotIn(member.phone, text)
        self.assertNotIn(f"{member.birth_date:%Y-%m-%d}", text)
        self.assertIn(f"{member.birth_date:%Y-%m}", text)
        full = self.export("manager.csv", self.p.branch1_manager).read_text(encoding="utf-8-sig")
        self.assertIn(f"{member.birth_date:%Y-%m-%d}", full)
        self.assertIn(member.id_number or "-", full)
