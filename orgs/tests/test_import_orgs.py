"""Importing and exporting the organization tree."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.changelog import build_change, snapshot
from core.imports.engine import ImportResult, import_file
from core.models import ObjectChange
from core.testing.views import PersonaTestCase
from orgs.choices import OrgKind
from orgs.models import Member, Organization
from orgs.resources import OrganizationResource

HEADERS = OrganizationResource.headers()


def org_row(code: str, name: str, parent: str, kind: str = "党支部", **changes: Any) -> list[Any]:
    row: dict[str, Any] = dict.fromkeys(HEADERS, "")
    row.update({"编码": code, "名称": name, "类别": kind, "上级组织编码": parent, "村（社区）组织": "否",
                "设立委员会": "否"})
    row.update(changes)
    return [row[h] for h in HEADERS]


def counts() -> tuple[int, int, int]:
    return Organization.objects.count(), Member.objects.count(), ObjectChange.objects.count()


class OrganizationImportTest(PersonaTestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.before = counts()

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def csv_file(self, rows: list[list[Any]], name: str = "orgs.csv") -> Path:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(HEADERS)
        writer.writerows(rows)
        path = self.tmp / name
        path.write_text(text.getvalue(), encoding="utf-8-sig")
        return path

    def run_import(self, path: Path, user: Any = None, *, dry_run: bool = False) -> ImportResult:
        return import_file(OrganizationResource(user or self.p.admin), path, dry_run=dry_run)

    def assert_refused(self, result: ImportResult, *expected: tuple[int | None, str, str]) -> None:
        errors = [tuple(e) for e in result.errors]
        for error in expected:
            self.assertIn(error, errors)
        self.assertFalse(result.written)
        self.assertEqual(counts(), self.before)

    def test_reimporting_an_unchanged_export_changes_nothing(self) -> None:
        for user, n in ((self.p.admin, 4), (self.p.branch1_manager, 2)):
            for fmt in ("xlsx", "csv"):
                path = self.tmp / f"orgs.{fmt}"
                OrganizationResource(user).export(fmt, path)
                result = self.run_import(path, user)
                self.assertEqual((result.counts["create"], result.counts["update"], result.counts["unchanged"]),
                                 (0, 0, n), result.errors)
        self.assertEqual(counts(), self.before)

    def test_a_new_subtree_may_list_children_before_their_parents(self) -> None:
        rows = [
            org_row("N0101", "新第一党小组", "N01", kind="党小组"),
            org_row("N01", "新党支部", "N00", 成立日期="2020-07-01", 本届任期开始="2023-07-01",
                    本届任期届满="2026-07-01"),
            org_row("N00", "新党总支", "T00", kind="党总支", 设立委员会="是"),
        ]
        result = self.run_import(self.csv_file(rows), self.p.committee_manager)
        self.assertEqual(result.counts["create"], 3, result.errors)
        general, branch, group = (Organization.objects.get(code=c) for c in ("N00", "N01", "N0101"))
        self.assertEqual((general.parent, branch.parent, group.parent), (self.p.committee, general, branch))
        self.assertEqual(group.path, f"{self.p.committee.path}{general.pk}.{branch.pk}.{group.pk}.")
        self.assertEqual((general.depth, branch.depth, group.depth), (1, 2, 3))
        self.assertTrue(general.has_committee)
        self.assertEqual(str(branch.term_end), "2026-07-01")
        ct = ContentType.objects.get_for_model(Organization)
        change = ObjectChange.objects.get(content_type=ct, object_id=group.pk, action="create")
        self.assertEqual((change.related_object_id, change.org_path), (branch.pk, group.path))
        self.assertIn("orgs.csv", change.message)
        for org in (general, branch, group):
            org.full_clean()
        self.assertTrue(Organization.objects.restrict(self.p.committee_manager, "change").filter(pk=group.pk).exists())

    def test_a_branch_manager_cannot_add_under_a_sibling_branch(self) -> None:
        rows = [org_row("N0101", "新党小组", "T01", kind="党小组"),
                org_row("N0201", "越权党小组", "T02", kind="党小组")]
        result = self.run_import(self.csv_file(rows), self.p.branch1_manager)
        self.assert_refused(result, (3, "上级组织编码", "组织编码 T02 不存在或不在您的管理范围内"))

    def test_only_an_administrator_adds_a_top_organization(self) -> None:
        path = self.csv_file([org_row("R00", "新党委", "", kind="党委")])
        result = self.run_import(path, self.p.committee_manager)
        self.assert_refused(result, (2, "上级组织编码", "只有管理员可以导入最上级组织（上级组织编码为空）"))
        self.assertEqual(self.run_import(path, self.p.admin).counts["create"], 1)
        self.assertEqual(Organization.objects.get(code="R00").depth, 0)

    def test_a_cycle_among_new_organizations_is_refused(self) -> None:
        rows = [org_row("C1", "甲", "C2"), org_row("C2", "乙", "C1")]
        result = self.run_import(self.csv_file(rows))
        self.assert_refused(result, (2, "上级组织编码", "上级组织编码形成循环"),
                            (3, "上级组织编码", "上级组织编码形成循环"))

    def test_moving_an_existing_organization_is_refused(self) -> None:
        path = self.tmp / "orgs.csv"
        OrganizationResource(self.p.admin).export("csv", path)
        path.write_text(path.read_text(encoding="utf-8-sig").replace("T0101,第一党小组,党小组,T01",
                                                                     "T0101,第一党小组,党小组,T02"),
                        encoding="utf-8-sig")
        result = self.run_import(path)
        self.assert_refused(result, (4, "上级组织编码", "不能通过导入调整上级组织，请在组织页面操作"))

    def test_term_end_must_follow_term_start(self) -> None:
        rows = [org_row("N01", "新党支部", "T00", 本届任期开始="2024-01-01", 本届任期届满="2023-01-01")]
        result = self.run_import(self.csv_file(rows))
        self.assert_refused(result, (2, "本届任期届满", "任期届满日期必须晚于任期开始日期。"))

    def test_an_unknown_parent_and_a_group_as_parent(self) -> None:
        rows = [org_row("N01", "新党支部", "NOPE"), org_row("N02", "组下组", "T0101", kind="党小组")]
        result = self.run_import(self.csv_file(rows))
        self.assert_refused(result, (2, "上级组织编码", "组织编码 NOPE 不存在或不在您的管理范围内"),
                            (3, "上级组织编码", "党小组不能设在党小组之下"))

    def test_an_organization_of_the_wrong_kind_for_its_parent_is_refused(self) -> None:
        rows = [org_row("N03", "支部下的党委", "T01", kind="党委"), org_row("N04", "新总支", "T00", kind="党总支"),
                org_row("N05", "总支下的党委", "N04", kind="党委")]
        result = self.run_import(self.csv_file(rows))
        self.assert_refused(result, (2, "上级组织编码", "党委不能设在党支部之下"),
                            (4, "上级组织编码", "党委不能设在党总支之下"))

    def test_a_changed_name_is_an_update_with_a_change_log(self) -> None:
        path = self.tmp / "orgs.xlsx"
        OrganizationResource(self.p.branch1_manager).export("xlsx", path)
        import openpyxl

        workbook = openpyxl.load_workbook(path)
        sheet = workbook.active
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == "T01":
                row[1].value = "第一党支部（更名）"
                row[6].value = "是"
        workbook.save(path)
        result = self.run_import(path, self.p.branch1_manager)
        self.assertEqual((result.counts["update"], result.counts["unchanged"]), (1, 1), result.errors)
        branch = Organization.objects.get(code="T01")
        self.assertEqual((branch.name, branch.has_committee, branch.path), ("第一党支部（更名）", True,
                                                                            self.p.branch1.path))
        change = ObjectChange.objects.filter(action="update", object_id=branch.pk).latest("pk")
        self.assertEqual((change.prechange_data or {})["name"], "第一党支部")
        self.assertEqual((change.postchange_data or {})["name"], "第一党支部（更名）")
        self.assertEqual(result.samples["update"][0]["changes"],
                         [["名称", "第一党支部", "第一党支部（更名）"], ["设立委员会", "否", "是"]])

    def test_the_change_rows_of_new_organizations_are_those_build_change_gives(self) -> None:
        rows = [org_row("N01", "新党支部", "T00", 设立委员会="是", 成立日期="2020-07-01"),
                org_row("N02", "新村党支部", "T00", **{"村（社区）组织": "是"})]
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.run_import(self.csv_file(rows)).counts["create"], 2)
        self.assertTrue(any(q["sql"].startswith('INSERT INTO "core_objectchange"') and "SELECT" in q["sql"]
                            for q in captured.captured_queries))
        ct = ContentType.objects.get_for_model(Organization)
        for org in Organization.objects.filter(code__in=["N01", "N02"]):
            change = ObjectChange.objects.get(action="create", content_type=ct, object_id=org.pk)
            expected = build_change(org, "create", acting_user=self.p.admin, after=snapshot(org),
                                    message=change.message)
            for name in ("object_repr", "related_content_type_id", "related_object_id", "org_path",
                         "related_org_path", "postchange_data"):
                self.assertEqual(getattr(change, name), getattr(expected, name), name)
        new_branch = ObjectChange.objects.get(content_type=ct, object_id=Organization.objects.get(code="N01").pk)
        self.assertIs((new_branch.postchange_data or {})["has_committee"], True)

    def test_a_code_used_outside_the_scope(self) -> None:
        result = self.run_import(self.csv_file([org_row("T02", "抢注", "T01")]), self.p.branch1_manager)
        self.assert_refused(result, (2, "编码", "组织编码 T02 已被您管理范围以外的组织使用"))

    def test_kinds_are_read_by_label_or_value(self) -> None:
        rows = [org_row("N01", "甲", "T00", kind="branch"), org_row("N02", "乙", "T00", kind="联合党支部")]
        self.assertEqual(self.run_import(self.csv_file(rows)).counts["create"], 2)
        self.assertEqual(Organization.objects.get(code="N02").kind, OrgKind.JOINT_BRANCH)
