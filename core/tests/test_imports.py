"""The generic import/export engine: cell parsing, file reading and writing, the import pages and task pages."""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from core.choices import TaskStatus
from core.imports.columns import UNSET, BooleanColumn, CellError, ChoiceColumn, DateColumn, Masked, TextColumn
from core.imports.engine import error_line
from core.imports.files import FileError, csv_cell, decode_csv, read_table, write_csv, write_xlsx
from core.models import Task
from core.testing.personas import id_number
from core.testing.views import PersonaTestCase
from orgs.choices import Gender, Status
from orgs.models import Member
from orgs.resources import MemberResource
from orgs.rules import mask_id_number, normalize_id_number


class ColumnTest(SimpleTestCase):
    def test_dates_in_the_forms_spreadsheets_produce(self) -> None:
        column = DateColumn("日期", "d")
        expected = datetime.date(2021, 7, 1)
        for raw in ("2021-07-01", "2021/7/1", "2021.07.01", "20210701", "2021年7月1日", 20210701, 44378.0,
                    datetime.datetime(2021, 7, 1, 0, 0), expected):
            self.assertEqual(column.parse(raw), expected, raw)
        for raw, message in (("07/01/2021", "日期格式应为YYYY-MM-DD"), ("2021-02-30", "日期“2021-02-30”不存在"),
                             (True, "日期格式应为YYYY-MM-DD"), (2021, "日期格式应为YYYY-MM-DD")):
            with self.assertRaisesMessage(CellError, message):
                column.parse(raw)

    def test_the_fast_and_exact_paths_agree(self) -> None:
        column = DateColumn("日期", "d")
        values, errors = column.parse_many(["2021-07-01", "", None, "2021/7/2", "bad"])
        self.assertEqual(values[:4], [datetime.date(2021, 7, 1), None, None, datetime.date(2021, 7, 2)])
        self.assertEqual(errors, {4: "日期格式应为YYYY-MM-DD"})
        text = TextColumn("姓名", "name", required=True, max_length=3)
        self.assertEqual(text.parse_many(["甲", " 乙 ", "", "丙丁戊己"]),
                         (["甲", "乙", None, None], {2: "不能为空", 3: "不能超过3个字符"}))

    def test_choices_by_label_or_stored_value(self) -> None:
        column = ChoiceColumn("党籍状态", "status", Status.choices, required=True)
        self.assertEqual(column.parse("正式党员"), Status.FULL)
        self.assertEqual(column.parse("full"), Status.FULL)
        self.assertEqual(column.parse_many(["预备党员", "probationary"])[0], [Status.PROBATIONARY] * 2)
        education = ChoiceColumn("学历", "e", [("master", "研究生（硕士）")])
        self.assertEqual(education.parse("研究生(硕士)"), "master")
        self.assertEqual(education.format("master"), "研究生（硕士）")
        with self.assertRaisesMessage(CellError, "“博士后”不是有效的选项，可选：研究生（硕士）"):
            education.parse("博士后")

    def test_blank_cells_of_a_defaulted_column_are_unset(self) -> None:
        column = ChoiceColumn("民族", "ethnicity", [("汉族", "汉族")], default="汉族")
        self.assertEqual(column.parse_many(["", "汉族"])[0], [UNSET, "汉族"])

    def test_booleans(self) -> None:
        column = BooleanColumn("设立委员会", "c", default=False)
        self.assertEqual([column.parse(v) for v in ("是", "否", "TRUE", 0, 1.0, True)], [True, False, True, False,
                                                                                         True, True])
        with self.assertRaisesMessage(CellError, "应填写“是”或“否”"):
            column.parse("也许")

    def test_text_cells(self) -> None:
        ids = TextColumn("身份证号", "id", normalize=normalize_id_number, mask=mask_id_number, max_length=18,
                         numeric_error="数字")
        self.assertEqual(ids.parse(" 11010119900101001x "), "11010119900101001X")
        self.assertIsInstance(ids.parse("110101********001X"), Masked)
        for raw in (1.10101199001011e17, "1.10101E+17"):
            with self.assertRaisesMessage(CellError, "数字"):
                ids.parse(raw)
        plain = TextColumn("手机号码", "phone")
        self.assertEqual(plain.parse(13800000000.0), "13800000000")
        self.assertEqual(plain.parse("'=SUM(A1)"), "=SUM(A1)")
        self.assertEqual(plain.parse_many(["\t110101", "'-x"])[0], ["110101", "-x"])

    def test_error_lines(self) -> None:
        self.assertEqual(error_line(3, "身份证号", "校验码错误"), "第3行 [身份证号] 校验码错误")
        self.assertEqual(error_line(None, "", "文件是空的"), "文件是空的")


class FileTest(SimpleTestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def test_csv_encodings(self) -> None:
        text = "姓名,备注\n张三,党员\n"
        for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("gbk"), text.encode("gb18030"),
                     text.encode("utf-16")):
            self.assertEqual(decode_csv(data), text)
        with self.assertRaises(FileError):
            decode_csv(b"\x00\x01\x02binary")

    def test_a_tab_separated_unicode_text_file(self) -> None:
        path = self.tmp / "unicode.csv"
        path.write_bytes("姓名\t备注\n张三\t党员\n".encode("utf-16"))
        self.assertEqual(read_table(path, "csv").rows, [["姓名", "备注"], ["张三", "党员"]])

    def test_an_xlsx_renamed_csv_is_explained(self) -> None:
        path = self.tmp / "book.csv"
        write_xlsx(path, title="t", header=["a"], rows=[["b"]])
        with self.assertRaisesMessage(FileError, "这是Excel文件"):
            read_table(path, "csv")

    def test_csv_cells_keep_excel_from_mangling_values(self) -> None:
        self.assertEqual(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)")
        self.assertEqual(csv_cell("110101199001010011", digits_as_text=True), "\t110101199001010011")
        self.assertEqual(csv_cell("001", digits_as_text=True), "\t001")
        self.assertEqual(csv_cell("13800000000", digits_as_text=True), "13800000000")
        self.assertEqual(csv_cell(datetime.date(2021, 7, 1)), "2021-07-01")
        out = io.BytesIO()
        write_csv(out, header=["姓名"], rows=[["张三"]])
        self.assertTrue(out.getvalue().startswith(b"\xef\xbb\xbf"))

    def test_xlsx_text_that_looks_like_a_formula_stays_text(self) -> None:
        path = self.tmp / "formula.xlsx"
        write_xlsx(path, title="t", header=["备注", "日期"], rows=[["=1+2", datetime.date(2021, 7, 1)]])
        sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        self.assertEqual(sheet.to_python()[1], ["=1+2", datetime.date(2021, 7, 1)])


    def test_xlsx_text_of_several_lines_is_shown_as_lines(self) -> None:
        from openpyxl import load_workbook

        path = self.tmp / "lines.xlsx"
        write_xlsx(path, title="t", header=["整改措施", "编号"], rows=[["一、建立台账\n二、逐项整改", "WT1"]])
        sheet = load_workbook(path).active
        assert sheet is not None
        measures, number = sheet["A2"], sheet["B2"]
        self.assertEqual(measures.value, "一、建立台账\n二、逐项整改")
        self.assertTrue(measures.alignment.wrap_text)
        self.assertFalse(number.alignment.wrap_text)

class ImportPageTest(PersonaTestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.media = override_settings(MEDIA_ROOT=self.tmp / "media")
        self.media.enable()

    def tearDown(self) -> None:
        self.media.disable()
        self._tmp.cleanup()

    def roster(self, *rows: list[Any], name: str = "roster.xlsx") -> Path:
        path = self.tmp / name
        write_xlsx(path, title="党员", header=MemberResource.headers(), rows=list(rows))
        return path

    def new_row(self, **changes: Any) -> list[Any]:
        values = dict.fromkeys(MemberResource.headers(), None)
        values.update({"姓名": "页面导入", "性别": "女", "党籍状态": "入党申请人", "申请入党日期": "2020-01-01",
                       "身份证号": id_number(datetime.date(1990, 3, 7), Gender.FEMALE, 700), "所在党支部编码": "T01"})
        values.update(changes)
        return list(values.values())

    def upload(self, path: Path) -> Any:
        with path.open("rb") as handle:
            return self.client.post(reverse("imports:upload", args=["members"]), {"file": handle})

    def test_only_accounts_that_may_change_something_can_import(self) -> None:
        url = reverse("imports:upload", args=["members"])
        for user, status in ((self.p.outsider, 403), (self.p.inspector, 403), (self.p.member_user, 403),
                             (self.p.branch1_manager, 200), (self.p.admin, 200)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, status, user)
        page = self.client.get(url)
        self.assertContains(page, "<h1 class=\"h3 mb-3\">导入党员</h1>", html=True)
        self.assertContains(page, "所在党支部编码")
        self.assertContains(self.client.get(reverse("imports:index")), "导入党组织")
        self.assertEqual(self.client.get(reverse("imports:upload", args=["nothing"])).status_code, 404)

    def test_preview_then_confirm(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.upload(self.roster(self.new_row()))
        self.assertContains(response, "检查通过")
        self.assertContains(response, "确认导入")
        self.assertFalse(Member.objects.filter(name="页面导入").exists())
        token = response.context["result"]["token"]
        response = self.client.post(reverse("imports:confirm", args=["members"]), {"token": token})
        self.assertContains(response, "导入完成：新建 1 条，更新 0 条。")
        member = Member.objects.get(name="页面导入")
        self.assertEqual(member.org, self.p.branch1)
        again = self.client.post(reverse("imports:confirm", args=["members"]), {"token": token})
        self.assertRedirects(again, reverse("imports:upload", args=["members"]))

    def test_a_file_that_changes_nothing_says_so_and_offers_nothing_to_confirm(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.upload(self.roster(self.new_row()))
        token = response.context["result"]["token"]
        self.client.post(reverse("imports:confirm", args=["members"]), {"token": token})
        again = self.upload(self.roster(self.new_row()))
        self.assertContains(again, "文件与现有数据一致，没有需要新建或更新的记录")
        self.assertNotContains(again, "确认导入")

    def test_errors_are_listed_with_row_column_and_reason(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.upload(self.roster(self.new_row(), self.new_row(姓名="", 所在党支部编码="T02")))
        self.assertContains(response, "没有写入任何数据")
        self.assertContains(response, "<th scope=\"col\">行</th>", html=False)
        errors = response.context["result"]["errors"]
        self.assertIn([3, "姓名", "不能为空"], errors)
        self.assertIn([3, "所在党支部编码", "组织编码 T02 不存在或不在您的管理范围内"], errors)
        self.assertIn([3, "身份证号", "身份证号与第2行重复"], errors)
        self.assertNotContains(response, "确认导入")

    def test_a_bad_file_is_explained_on_the_upload_page(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        path = self.tmp / "junk.xlsx"
        path.write_bytes(b"not a workbook" * 100)
        self.assertContains(self.upload(path), "文件不是有效的Excel文件")
        path = self.tmp / "roster.txt"
        path.write_bytes(b"x")
        self.assertContains(self.upload(path), "只支持导入xlsx或csv文件", status_code=400)

    def test_someone_elses_upload_cannot_be_confirmed(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        token = self.upload(self.roster(self.new_row())).context["result"]["token"]
        self.client.force_login(self.p.admin)
        response = self.client.post(reverse("imports:confirm", args=["members"]), {"token": token})
        self.assertRedirects(response, reverse("imports:upload", args=["members"]))
        self.assertFalse(Member.objects.filter(name="页面导入").exists())

    def test_templates_download_in_both_formats(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(reverse("imports:template", args=["members", "xlsx"]))
        path = self.tmp / "template.xlsx"
        path.write_bytes(response.getvalue())
        workbook = openpyxl.load_workbook(path)
        self.assertEqual([c.value for c in workbook.worksheets[0][1]], MemberResource.headers())
        self.assertIn("必填", workbook.worksheets[0]["A1"].comment.text)
        self.assertEqual(workbook.worksheets[1]["A1"].value, "列名")
        response = self.client.get(reverse("imports:template", args=["orgs", "csv"]))
        text = response.getvalue().decode("utf-8-sig")
        self.assertTrue(text.startswith("编码,名称,类别,上级组织编码"))
        self.assertEqual(len(text.strip().splitlines()), 2)
        self.assertEqual(self.client.get(reverse("imports:template", args=["orgs", "pdf"])).status_code, 404)

    def test_every_templates_example_row_passes_every_check_but_its_placeholder_codes(self) -> None:
        """The csv template's example row, imported unchanged (dry run), breaks no rule of its own: the only
        errors are the references to organizations (and other records) that the example cannot know."""
        from core.imports.columns import ForeignKeyColumn
        from core.imports.engine import import_file, resources

        self.assertGreater(len(resources()), 3)
        for slug, resource_class in resources().items():
            resource = resource_class(self.p.admin)
            path = self.tmp / f"{slug}.csv"
            resource.write_template("csv", path)
            result = import_file(resource, path, dry_run=True)
            references = {str(c.header) for c in resource.columns if isinstance(c, ForeignKeyColumn)}
            others = [e for e in result.errors if e[1] not in references]
            self.assertEqual(others, [], slug)

    def test_export_applies_the_list_filters_and_the_scope(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(reverse("imports:export", args=["members", "csv"]), {"status": "full"})
        text = response.getvalue().decode("utf-8-sig")
        names = sorted(line.split(",")[0] for line in text.strip().splitlines()[1:])
        self.assertEqual(names, ["张伟", "李强", "王芳"])
        self.assertIn("attachment", response["Content-Disposition"])


class TaskPageTest(PersonaTestCase):
    def task(self, **fields: Any) -> Task:
        return Task.objects.create(kind="imports.run", title="导入文件“名册.xlsx”", user=self.p.branch1_manager,
                                   **fields)

    def test_a_running_task_polls_every_second(self) -> None:
        task = self.task(status=TaskStatus.RUNNING, progress_done=30, progress_total=120, progress_message="正在校验")
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(reverse("task_detail", args=[task.pk]))
        self.assertContains(response, 'hx-trigger="every 1s"')
        self.assertContains(response, f'hx-get="{reverse("task_detail", args=[task.pk])}"')
        self.assertContains(response, "25%")
        partial = self.client.get(reverse("task_detail", args=[task.pk]), HTTP_HX_REQUEST="true")
        self.assertNotContains(partial, "<html")
        self.assertContains(partial, "正在校验")

    def test_a_finished_import_shows_its_result_and_stops_polling(self) -> None:
        result = {"kind": "import", "resource": "members", "title": "党员", "filename": "名册.xlsx", "dry_run": False,
                  "written": True, "ok": True, "total": 2, "error_count": 0, "errors": [],
                  "counts": {"create": 2, "update": 0, "unchanged": 0, "refused": 0},
                  "samples": {"create": [{"row": 2, "key": "", "label": "甲"}], "update": [], "unchanged": [],
                              "refused": []}}
        task = self.task(status=TaskStatus.SUCCEEDED, result=result)
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(reverse("task_detail", args=[task.pk]), HTTP_HX_REQUEST="true")
        self.assertNotContains(response, "hx-trigger")
        self.assertContains(response, "导入完成：新建 2 条")

    def test_a_failed_task_says_nothing_was_written(self) -> None:
        task = self.task(status=TaskStatus.FAILED, error="Traceback …")
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(reverse("task_detail", args=[task.pk]))
        self.assertContains(response, "没有写入任何数据")
        self.assertNotContains(response, "Traceback")

    def test_someone_elses_task_is_not_found(self) -> None:
        task = self.task(status=TaskStatus.RUNNING)
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.get(reverse("task_detail", args=[task.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("imports:task_errors", args=[task.pk])).status_code, 404)
