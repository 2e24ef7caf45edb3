"""Pages of the learning app: the generic suites, and the roll, sign-in, ledger and compliance pages."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from core.testing.personas import Personas
from core.testing.views import PersonaTestCase, ViewTestCases
from learning import services
from learning.choices import AttendanceStatus, StudyKind
from learning.models import Activity, ActivityMaterial, Attendance, MemberYear, StudyRecord
from learning.tests.helpers import new_activity, open_now
from orgs.models import Organization


class ActivityViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = Activity
    url_prefix = "learning:activity"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Activity:
        return new_activity(p, org, n * 10 + org.pk)

    def update_data(self) -> dict[str, Any]:
        return {"place": "党员活动室", "hours": "3.5"}


class StudyRecordViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = StudyRecord
    url_prefix = "learning:record"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> StudyRecord:
        member = p.branch1_members[n % 3] if org == p.branch1 else p.branch2_members[n % 2]
        return services.create_record(StudyRecord(
            member=member, date=timezone.localdate(), hours=Decimal(4), kind=StudyKind.ONLINE,
            title=f"网络课程{org.code}-{n}", reference=f"CERT-{org.code}-{n}"), acting_user=p.admin)

    def update_data(self) -> dict[str, Any]:
        return {"hours": "6.0", "provider": "市委党校"}

    def export_marker(self, obj: StudyRecord) -> str:
        return obj.title

    def test_a_manager_adds_a_record_by_id_number_and_the_totals_follow(self) -> None:
        self.as_user(self.p.branch1_manager)
        member = self.p.branch1_members[2]
        response = self.client.post(self.url("add"), {
            "id_number": member.id_number, "date": timezone.localdate().isoformat(), "hours": "8", "kind": "training",
            "title": "市委党校轮训", "provider": "市委党校"})
        self.assertEqual(response.status_code, 302, response.context and response.context["form"].errors)
        self.assertEqual(MemberYear.objects.get(member=member, year=timezone.localdate().year).trainings, 1)

    def test_an_id_number_of_another_branch_is_refused(self) -> None:
        self.as_user(self.p.branch1_manager)
        response = self.client.post(self.url("add"), {
            "id_number": self.p.branch2_members[0].id_number, "date": timezone.localdate().isoformat(), "hours": "8",
            "kind": "training", "title": "越权"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("id_number", response.context["form"].errors)
        self.assertFalse(StudyRecord.objects.filter(title="越权").exists())


class AttendancePageTest(PersonaTestCase):
    def setUp(self) -> None:
        self.activity = new_activity(self.p, self.p.committee, 1)
        self.url = reverse("learning:activity_attendance", args=[self.activity.pk])

    def test_branch1_manager_records_only_branch1_members_on_a_committee_activity(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(self.url)
        self.assertEqual({m.org_id for m, _a, _p in response.context["rows"]}, {self.p.branch1.pk})
        outsider = self.p.branch2_members[0]
        response = self.client.post(self.url, {f"status-{outsider.pk}": "present"})
        self.assertFalse(Attendance.objects.exists())
        self.client.force_login(self.p.inspector)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.force_login(self.p.committee_manager)
        response = self.client.get(self.url)
        names = [m.name for m, _a, _p in response.context["rows"]]
        self.assertEqual(len(names), 4 + 2)  # party members only: branch2's applicant is not in the audience

    def test_the_roll_records_attendance_and_reports_errors_without_writing(self) -> None:
        self.client.force_login(self.p.committee_manager)
        a, b = self.p.branch1_members[:2]
        response = self.client.post(self.url, {f"status-{a.pk}": "present", f"status-{b.pk}": "absent"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("注明原因", " ".join(response.context["errors"]))
        self.assertFalse(Attendance.objects.exists())
        c = self.p.branch1_members[2]
        response = self.client.post(self.url, {f"status-{b.pk}": "absent", f"status-{c.pk}": "excused",
                                               f"reason-{c.pk}": "出差"})
        self.assertContains(response, f'name="reason-{c.pk}" value="出差"')  # what was typed comes back
        self.assertContains(response, '<option value="excused" selected>')
        response = self.client.post(self.url, {f"status-{a.pk}": "present", f"status-{b.pk}": "absent",
                                               f"reason-{b.pk}": "出差", "changelog_message": "会后补登"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(dict(Attendance.objects.values_list("member_id", "status")),
                         {a.pk: "present", b.pk: "absent"})

    def test_makeup_from_the_roll(self) -> None:
        b = self.p.branch1_members[1]
        (absent,) = services.record_attendance(self.activity, [services.Entry(b, "excused", "病假")],
                                               acting_user=self.p.committee_manager)
        self.client.force_login(self.p.branch2_manager)
        url = reverse("learning:attendance_makeup", args=[absent.pk])
        self.assertEqual(self.client.post(url, {"date": timezone.localdate().isoformat()}).status_code, 404)
        self.assertEqual(Attendance.objects.get(pk=absent.pk).status, AttendanceStatus.EXCUSED)
        self.client.force_login(self.p.committee_manager)
        self.client.post(url, {"date": timezone.localdate().isoformat()})
        self.assertEqual(Attendance.objects.get(pk=absent.pk).status, AttendanceStatus.MAKEUP)


class SignInPageTest(PersonaTestCase):
    def test_member_signs_in_from_the_page(self) -> None:
        activity = open_now(new_activity(self.p, self.p.branch1, 1))
        self.client.force_login(self.p.member_user)
        detail = self.client.get(activity.get_absolute_url())
        self.assertTrue(detail.context["may_sign_in"])
        response = self.client.post(reverse("learning:activity_sign_in", args=[activity.pk]))
        self.assertEqual(response.status_code, 302)
        again = self.client.post(reverse("learning:activity_sign_in", args=[activity.pk]))
        self.assertEqual(again.status_code, 400)
        self.assertContains(again, "已经签到", status_code=400)

    def test_the_page_says_why_instead_of_offering_a_button_that_would_be_refused(self) -> None:
        import datetime

        url = lambda a: reverse("learning:activity_sign_in", args=[a.pk])  # noqa: E731
        tomorrow = new_activity(self.p, self.p.branch1, 1, day=timezone.localdate() + datetime.timedelta(days=1))
        over = new_activity(self.p, self.p.branch1, 2, day=timezone.localdate() - datetime.timedelta(days=1))
        running = open_now(new_activity(self.p, self.p.branch1, 3))
        self.client.force_login(self.p.member_user)
        for activity, reason in ((tomorrow, "签到尚未开始"), (over, "活动已经结束")):
            page = self.client.get(url(activity))
            self.assertContains(page, reason)
            self.assertNotContains(page, "确认签到")
        self.assertContains(self.client.get(url(tomorrow)), "刷新")
        self.assertNotContains(self.client.get(url(over)), "刷新")
        self.assertContains(self.client.get(url(running)), "确认签到")
        self.client.post(url(running))
        done = self.client.get(url(running))
        self.assertContains(done, "您已经签到过了")
        self.assertNotContains(done, "确认签到")
        # A manager without a member record of their own is told so rather than shown the button.
        self.client.force_login(self.p.branch1_manager)
        self.assertContains(self.client.get(url(running)), "没有关联党员档案")

    def test_a_member_asking_to_delete_is_refused_for_the_right_reason(self) -> None:
        activity = open_now(new_activity(self.p, self.p.branch1, 1))
        self.client.force_login(self.p.member_user)
        self.client.post(reverse("learning:activity_sign_in", args=[activity.pk]))
        # The activity has attendance now, which a manager would be told; a member is told only "no".
        response = self.client.post(reverse("learning:activity_delete", args=[activity.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, "出勤记录", status_code=403)
        self.assertTrue(Activity.objects.filter(pk=activity.pk).exists())

    def test_a_member_cannot_open_another_branchs_activity(self) -> None:
        activity = new_activity(self.p, self.p.branch2, 2)
        self.client.force_login(self.p.member_user)
        self.assertEqual(self.client.get(activity.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.post(reverse("learning:activity_sign_in", args=[activity.pk])).status_code, 404)

    def test_branch_managers_see_the_committees_activity_but_cannot_edit_it(self) -> None:
        activity = new_activity(self.p, self.p.committee, 4)
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.get(activity.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(reverse("learning:activity_edit", args=[activity.pk])).status_code, 403)
        own = new_activity(self.p, self.p.branch1, 5)
        self.assertEqual(self.client.get(own.get_absolute_url()).status_code, 404)

    def test_a_member_sees_the_committees_activity_for_the_whole_subtree(self) -> None:
        activity = new_activity(self.p, self.p.committee, 3)
        self.client.force_login(self.p.member_user)
        self.assertEqual(self.client.get(activity.get_absolute_url()).status_code, 200)
        response = self.client.get(reverse("learning:activity_list"))
        self.assertContains(response, activity.get_absolute_url())


class MaterialTest(PersonaTestCase):
    def test_materials_are_uploaded_by_the_organizer_and_read_only_within_scope(self) -> None:
        activity = new_activity(self.p, self.p.branch1, 1)
        self.client.force_login(self.p.branch1_manager)
        upload = SimpleUploadedFile("讲话稿.txt", "不忘初心".encode(), content_type="text/plain")
        self.client.post(reverse("learning:material_add", args=[activity.pk]), {"file": upload})
        material = ActivityMaterial.objects.get()
        url = reverse("learning:material_download", args=[material.pk])
        self.assertEqual(b"".join(self.client.get(url).streaming_content).decode(), "不忘初心")  # type: ignore[attr-defined]
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.p.member_user)
        self.assertEqual(self.client.get(url).status_code, 200)


class StandingPagesTest(PersonaTestCase):
    def setUp(self) -> None:
        self.activity = new_activity(self.p, self.p.committee, 1, start=9, end=17)
        services.record_attendance(
            self.activity, [services.Entry(m, "present") for m in self.p.branch1_members[:2]]
            + [services.Entry(self.p.branch2_members[0], "present")], acting_user=self.p.committee_manager)

    def test_my_study_shows_the_members_own_ledger(self) -> None:
        self.client.force_login(self.p.member_user)
        response = self.client.get(reverse("learning:my_study"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["standing"]["row"].counted, Decimal(8))
        self.assertContains(response, self.activity.title)
        required = response.context["standing"]["row"].required
        # Whole hours read as whole numbers, whichever year's rule they come from ("8 / 32", not "8.0 / 32.0").
        self.assertContains(response, f'>8</span><span class="text-muted">/ {int(required)} ')

    def test_compliance_by_child_organization(self) -> None:
        self.client.force_login(self.p.committee_manager)
        response = self.client.get(reverse("learning:compliance", args=[self.p.committee.pk]))
        self.assertEqual(response.status_code, 200)
        total = response.context["total"]
        self.assertEqual(total.members, 6)
        rows = {s.org.code: s for s in response.context["children"]}
        self.assertEqual(rows["T01"].members, 4)
        self.assertEqual(rows["T01"].hours, Decimal(16))
        self.assertEqual(rows["T02"].hours, Decimal(8))
        self.assertEqual(rows["T01"].done + rows["T01"].on_track + rows["T01"].behind, 4)

    def test_the_sibling_branch_cannot_open_branch1_compliance(self) -> None:
        self.client.force_login(self.p.branch2_manager)
        url = reverse("learning:compliance", args=[self.p.branch1.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get(url, {"export": "csv"}).status_code, 404)

    def test_the_list_of_those_behind_exports_only_the_subtree(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        url = reverse("learning:compliance", args=[self.p.branch1.pk])
        response = self.client.get(url, {"standing": "behind", "export": "xlsx"})
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0)  # type: ignore[attr-defined]
        names = [row[0] for row in sheet.to_python()[1:]]
        expected = {m.name for m in self.p.branch1_members}
        self.assertTrue(set(names) <= expected)
        self.assertFalse({m.name for m in self.p.branch2_members} & set(names))


class RollupTest(PersonaTestCase):
    def test_the_total_of_the_rollup_equals_the_subtree_summary(self) -> None:
        from learning import compliance

        activity = new_activity(self.p, self.p.committee, 1, start=9, end=17)
        services.record_attendance(activity, [services.Entry(m, "present") for m in self.p.branch1_members[:3]],
                                   acting_user=self.p.committee_manager)
        today = timezone.localdate()
        for org in (self.p.committee, self.p.branch1, self.p.branch2):
            total, _rows = compliance.rollup(org, today.year, today)
            expected = compliance.summary(org, today.year, today)
            self.assertEqual((total.members, total.done, total.on_track, total.hours),
                             (expected.members, expected.done, expected.on_track, expected.hours), org)


class MemberStudyPageTest(PersonaTestCase):
    def test_the_drill_down_to_a_member_is_scoped(self) -> None:
        member = self.p.branch1_members[1]
        url = reverse("learning:member_study", args=[member.pk])
        for user, status in ((self.p.branch1_manager, 200), (self.p.inspector, 200), (self.p.committee_manager, 200),
                             (self.p.branch2_manager, 404), (self.p.member_user, 404), (self.p.outsider, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, status, user)
        self.client.force_login(self.p.branch1_manager)
        compliance_page = self.client.get(reverse("learning:compliance", args=[self.p.branch1.pk]))
        self.assertContains(compliance_page, url)


class ActivityFormCheckTest(PersonaTestCase):
    """An activity the form would save meaninglessly is refused, with the field named and the input kept."""

    def post(self, **fields: str) -> Any:
        data = {"title": "专题学习", "form": "concentrated", "org": str(self.p.branch1.pk),
                "start": "2026-11-20T09:00", "end": "2026-11-20T11:00", "audience": "subtree", **fields}
        self.client.force_login(self.p.branch1_manager)
        return self.client.post(reverse("learning:activity_add"), data)

    def test_an_audience_of_chosen_organizations_or_members_must_choose_some(self) -> None:
        from learning.models import Activity

        for audience, message in (("orgs", "请选择参加的组织"), ("members", "请填写参加的党员")):
            response = self.post(audience=audience)
            self.assertEqual(response.status_code, 200, audience)
            self.assertContains(response, message)
            self.assertContains(response, 'value="专题学习"')
        self.assertFalse(Activity.objects.filter(title="专题学习").exists())

    def test_the_makeup_deadline_cannot_precede_the_activity(self) -> None:
        response = self.post(makeup_until="2026-01-01")
        self.assertContains(response, "补学截止日期不能早于活动结束的日期")

    def test_a_series_offers_only_audiences_it_can_name(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        form = self.client.get(reverse("learning:series_add")).context["form"]
        self.assertEqual([v for v, _label in form.fields["audience"].choices], ["subtree", "leaders", "secretaries"])


class ExamBankSummaryTest(PersonaTestCase):
    def test_a_branch_is_told_what_the_banks_above_it_hold_without_seeing_the_questions(self) -> None:
        from learning.tests.helpers import new_question

        for n in range(3):
            new_question(self.p, self.p.committee, n, tags="党章")
        new_question(self.p, self.p.committee, 9, kind="true_false", tags="党规,党章")
        self.client.force_login(self.p.branch1_manager)
        page = self.client.get(reverse("learning:exam_add"))
        self.assertContains(page, f"{self.p.branch1.name}可抽试题：单选题 3（党章 3）；判断题 1（")
        self.assertEqual(self.client.get(reverse("learning:question_list")).context["page"].paginator.count, 0)
        self.client.force_login(self.p.branch2_manager)
        self.assertContains(self.client.get(reverse("learning:exam_add")), f"{self.p.branch2.name}可抽试题：单选题 3")


    def test_a_rule_asking_for_more_than_the_bank_holds_is_told_at_the_field_with_the_counts(self) -> None:
        from learning.models import Exam
        from learning.tests.helpers import new_question

        for n in range(3):
            new_question(self.p, self.p.committee, n, tags="党章")
        self.client.force_login(self.p.branch1_manager)
        response = self.client.post(reverse("learning:exam_add"), {
            "title": "党章测试", "org": self.p.branch1.pk, "opens": "2026-12-01T09:00", "closes": "2026-12-10T18:00",
            "time_limit": "30", "attempts_allowed": "1", "pass_mark": "60", "hours_on_pass": "1",
            "draw_text": "单选题 5 党章"})
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form.errors["draw_text"], ["题库中“党章”单选题只有3道，抽题规则要5道"])
        self.assertEqual(form.non_field_errors(), [])
        self.assertContains(response, f"{self.p.branch1.name}可抽试题：单选题 3（党章 3）")
        self.assertFalse(Exam.objects.exists())


class LongActivityTest(PersonaTestCase):
    def test_an_activity_credits_at_most_one_ledger_line_of_hours(self) -> None:
        """A line of the hours ledger holds one day's hours (at most 24); an activity crediting more, typed
        or worked out from a long span, is refused rather than failing when attendance is recorded."""
        import datetime
        from decimal import Decimal

        from django.core.exceptions import ValidationError

        from learning import services
        from learning.tests.helpers import at

        day = timezone.localdate()
        spans: list[tuple[Decimal | None, datetime.datetime]] = [
            (Decimal(40), at(day + datetime.timedelta(days=1), 17)), (None, at(day + datetime.timedelta(days=38), 17))]
        for hours, end in spans:
            with self.assertRaises(ValidationError) as refused:
                extra: dict[str, Any] = {"hours": hours} if hours is not None else {}  # blank: worked out from the span
                services.create_activity(Activity(org=self.p.branch1, title="长培训", form="concentrated",
                                                  start=at(day, 9), end=end, audience="subtree", **extra),
                                         acting_user=self.p.branch1_manager)
            self.assertIn("一次活动最多计24学时", str(refused.exception.message_dict["hours"]))
        self.assertFalse(Activity.objects.filter(title="长培训").exists())
        three_days = services.create_activity(
            Activity(org=self.p.branch1, title="三天培训", form="concentrated", start=at(day, 9),
                     end=at(day + datetime.timedelta(days=2), 17), audience="subtree"),
            acting_user=self.p.branch1_manager)
        self.assertEqual(three_days.hours, 24)


class NumberMinimumTest(PersonaTestCase):
    def test_a_time_limit_below_one_minute_gets_the_one_message_that_applies(self) -> None:
        from learning.forms import ExamForm

        for value in ("-5", "0"):
            form = ExamForm(data={"time_limit": value}, user=self.p.branch1_manager)
            self.assertFalse(form.is_valid())
            self.assertEqual(form.errors["time_limit"], ["确保该值大于或等于1。"], value)
        self.assertIn('min="1"', str(ExamForm(user=self.p.branch1_manager)["time_limit"]))

    def test_hours_dated_before_the_first_rules_are_refused_on_the_page_not_a_server_error(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        response = self.client.post(reverse("learning:record_add"), {
            "id_number": self.p.member.id_number, "date": "2018-06-01", "hours": "2", "kind": "online",
            "title": "补录旧记录"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "学时只能记入2019年及以后的年度：此前没有学时规则")
        self.assertFalse(StudyRecord.objects.filter(title="补录旧记录").exists())
        self.assertEqual(self.client.post(reverse("learning:record_add"), {
            "id_number": self.p.member.id_number, "date": "2019-01-02", "hours": "2", "kind": "online",
            "title": "补录旧记录"}).status_code, 302)

    def test_hours_with_too_many_decimals_are_told_about_the_decimals(self) -> None:
        from learning.forms import StudyRecordForm

        form = StudyRecordForm(data={"id_number": self.p.member.id_number, "date": "2025-05-01", "hours": "1.23456",
                                     "kind": "collective", "title": "网上学习"}, user=self.p.branch1_manager)
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["hours"], ["最多1位小数，共不超过5位数字"])

    def test_a_study_record_reports_its_wrong_hours_and_its_future_date_together(self) -> None:
        import datetime

        from learning.forms import StudyRecordForm

        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        form = StudyRecordForm(data={"id_number": self.p.member.id_number, "date": f"{tomorrow}", "hours": "30",
                                     "kind": "collective", "title": "网上学习"}, user=self.p.branch1_manager)
        self.assertFalse(form.is_valid())
        self.assertIn("date", form.errors)
        self.assertIn("hours", form.errors)
