"""The study gap rules over a date, and importing hours done elsewhere."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
from django.utils import timezone

from core.gaps import gaps_for
from core.imports.engine import import_file
from core.models import ObjectChange
from core.testing.views import PersonaTestCase
from learning import services
from learning.choices import StudyKind
from learning.models import MemberYear, StudyRecord
from learning.resources import StudyRecordResource
from orgs import services as org_services
from orgs.choices import PositionTitle
from orgs.models import Member, Position

D = datetime.date


def rules_of(gaps: list, member: object) -> set[str]:  # type: ignore[type-arg]
    return {g.rule for g in gaps if g.member_id == member.pk}  # type: ignore[attr-defined]


class PaceGapTest(PersonaTestCase):
    def record(self, member: Member, hours: int, day: datetime.date, kind: str = StudyKind.COLLECTIVE) -> None:
        services.create_record(StudyRecord(member=member, date=day, hours=Decimal(hours), kind=kind, title="学习"),
                               acting_user=self.p.admin)

    def test_no_pace_gap_in_the_first_quarter(self) -> None:
        gaps = gaps_for(self.p.branch1, D(2026, 3, 30), rules=["learning.pace"])
        self.assertEqual(gaps, [])

    def test_behind_pace_at_the_quarter_end_and_made_up(self) -> None:
        member = self.p.member
        on = D(2026, 7, 10)  # last quarter end 06-30: 32 × 181/365 ≈ 15.9 due, 8 tolerated → behind below 7.9
        gaps = gaps_for(self.p.branch1, on, ["learning.pace"])
        self.assertIn("learning.pace.tolerance_hours", rules_of(gaps, member))
        self.record(member, 8, D(2026, 5, 1))
        self.assertNotIn("learning.pace.tolerance_hours",
                         rules_of(gaps_for(self.p.branch1, on, ["learning.pace"]), member))

    def test_the_year_out_of_reach_in_december(self) -> None:
        member = self.p.member
        self.record(member, 8, D(2026, 3, 1))
        gaps = gaps_for(self.p.branch1, D(2026, 12, 20), ["learning.pace"])
        self.assertEqual(rules_of(gaps, member), {"learning.pace.max_hours_per_week"})
        self.assertTrue(any("无法在年底前完成" in g.detail for g in gaps))

    def test_a_sibling_branchs_gaps_are_not_in_branch1s_list(self) -> None:
        gaps = gaps_for(self.p.branch1, D(2026, 11, 21))
        self.assertFalse({g.member_id for g in gaps} & {m.pk for m in self.p.branch2_members})
        self.assertEqual({g.org_id for g in gaps}, {self.p.branch1.pk})


class TrainingGapTest(PersonaTestCase):
    def test_a_secretary_without_a_concentrated_training_from_july(self) -> None:
        secretary = self.p.branch1_members[1]
        org_services.add_position(Position(org=self.p.branch1, member=secretary, title=PositionTitle.SECRETARY,
                                           term_start=D(2020, 1, 1)), acting_user=self.p.admin)
        self.assertFalse(rules_of(gaps_for(self.p.branch1, D(2026, 6, 1), ["learning.training"]), secretary))
        on = D(2026, 8, 1)
        self.assertEqual(rules_of(gaps_for(self.p.branch1, on, ["learning.training"]), secretary),
                         {"learning.training.leader_min"})
        services.create_record(StudyRecord(member=secretary, date=D(2026, 4, 1), hours=Decimal(24),
                                           kind=StudyKind.TRAINING, title="书记轮训"), acting_user=self.p.admin)
        self.assertFalse(rules_of(gaps_for(self.p.branch1, on, ["learning.training"]), secretary))

    def test_a_new_secretary_untrained_after_six_months(self) -> None:
        secretary = self.p.branch1_members[2]
        org_services.add_position(Position(org=self.p.branch1, member=secretary, title=PositionTitle.SECRETARY,
                                           term_start=D(2026, 1, 15)), acting_user=self.p.admin)
        gaps = gaps_for(self.p.branch1, D(2026, 7, 20), ["learning.training"])
        self.assertIn("learning.training.new_secretary_months", rules_of(gaps, secretary))
        self.assertFalse("learning.training.new_secretary_months"
                         in rules_of(gaps_for(self.p.branch1, D(2026, 7, 10), ["learning.training"]), secretary))

    def test_a_probationary_member_without_training_a_year_after_admission(self) -> None:
        probationary = self.p.branch1_members[3]  # admitted 2024-06-30
        gaps = gaps_for(self.p.branch1, D(2025, 7, 1), ["learning.training"])
        self.assertIn("learning.training.converted_within_days", rules_of(gaps, probationary))
        services.create_record(StudyRecord(member=probationary, date=D(2025, 3, 1), hours=Decimal(8),
                                           kind=StudyKind.TRAINING, title="预备党员培训班"), acting_user=self.p.admin)
        self.assertFalse(rules_of(gaps_for(self.p.branch1, D(2025, 7, 1), ["learning.training"]), probationary))


HEADERS = StudyRecordResource.headers()


class HoursImportTest(PersonaTestCase):
    def write(self, rows: list[list[object]], name: str = "hours.xlsx") -> Path:
        path = Path(self.tmp) / name
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(HEADERS)
        for row in rows:
            sheet.append(row)
        book.save(path)
        return path

    def setUp(self) -> None:
        import tempfile

        self.tmp = tempfile.mkdtemp()
        self.today = timezone.localdate()
        self.a, self.b = self.p.branch1_members[:2]

    def row(self, member: object, title: str = "网络培训", hours: object = 4, **extra: object) -> list[object]:
        values = {"编号": "", "身份证号": member.id_number, "学习内容": title, "学习日期": self.today.isoformat(),  # type: ignore[attr-defined]
                  "学时": hours, "学时类别": "网络学习", "举办单位或平台": "中国干部网络学院", "证书或记录编号": ""}
        values.update(extra)
        return [values[h] for h in HEADERS]

    def test_import_credits_hours_and_reimport_changes_nothing(self) -> None:
        path = self.write([self.row(self.a), self.row(self.b, hours=6, 学时类别="集中培训")])
        result = import_file(StudyRecordResource(self.p.branch1_manager), path)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.counts["create"], 2)
        self.assertEqual(MemberYear.objects.get(member=self.b).trainings, 1)
        logged = ObjectChange.objects.filter(content_type__model="studyrecord", action="create").count()
        again = import_file(StudyRecordResource(self.p.branch1_manager), path)
        self.assertEqual(again.counts["unchanged"], 2)
        self.assertEqual(ObjectChange.objects.filter(content_type__model="studyrecord").count(), logged)

    def test_a_member_of_another_branch_is_refused_and_nothing_is_written(self) -> None:
        outsider = self.p.branch2_members[0]
        path = self.write([self.row(self.a), self.row(outsider)])
        result = import_file(StudyRecordResource(self.p.branch1_manager), path)
        self.assertFalse(result.ok)
        (error,) = result.errors
        self.assertEqual(error[0], 3)
        self.assertIn(outsider.id_number, error[2])
        self.assertFalse(StudyRecord.objects.exists())
        self.assertFalse(MemberYear.objects.exists())

    def test_bad_hours_a_future_date_and_duplicates_are_named_by_row_and_column(self) -> None:
        tomorrow = (self.today + datetime.timedelta(days=1)).isoformat()
        path = self.write([self.row(self.a, hours=-2), self.row(self.a, title="课A", hours=30),
                           self.row(self.b, 学习日期=tomorrow), self.row(self.b, title="课B"),
                           self.row(self.b, title="课B"), self.row(self.b, title="旧课", 学习日期="2018-12-31")])
        result = import_file(StudyRecordResource(self.p.branch1_manager), path)
        self.assertFalse(result.ok)
        by_row = {(row, column) for row, column, _message in result.errors}
        self.assertEqual(by_row, {(2, "学时"), (3, "学时"), (4, "学习日期"), (5, "学习内容"), (6, "学习内容"),
                                  (7, "学习日期")})
        self.assertIn((7, "学习日期", "学时只能记入2019年及以后的年度：此前没有学时规则"), result.errors)
        self.assertFalse(StudyRecord.objects.exists())

    def test_the_export_reimports_unchanged(self) -> None:
        services.create_record(StudyRecord(member=self.a, date=self.today, hours=Decimal("2.5"), kind=StudyKind.SELF,
                                           title="读原著", reference="R-1"), acting_user=self.p.admin)
        path = Path(self.tmp) / "export.xlsx"
        StudyRecordResource(self.p.branch1_manager).export("xlsx", path)
        result = import_file(StudyRecordResource(self.p.branch1_manager), path)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.counts["unchanged"], 1)
