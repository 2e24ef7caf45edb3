"""Attendance, make-up study, the ledger and the yearly totals, through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import ObjectChange
from core.testing.views import PersonaTestCase
from learning import services
from learning.choices import ActivityForm, AttendanceStatus, Audience, StudyKind
from learning.ledger import refresh_years
from learning.models import ActivitySeries, Attendance, MemberYear, StudyRecord
from learning.tests.helpers import at, new_activity
from orgs import services as org_services
from orgs.choices import PositionTitle
from orgs.models import Position


class ActivityTest(PersonaTestCase):
    def test_a_past_activity_does_not_expect_who_came_after_it(self) -> None:
        from orgs.models import Member, Transfer

        today = timezone.localdate()
        last_week = new_activity(self.p, self.p.branch1, day=today - datetime.timedelta(days=7))
        whole = new_activity(self.p, self.p.committee, 2, day=today - datetime.timedelta(days=7))
        before = {pk for pk in services.audience_queryset(last_week).values_list("pk", flat=True)}
        newcomer = self.p.branch2_members[0]
        transfer = org_services.start_transfer(Transfer(member=newcomer, to_org=self.p.branch1, date=today),
                                               acting_user=self.p.branch2_manager)
        org_services.confirm_transfer(transfer, acting_user=self.p.branch1_manager)
        Member.objects.filter(pk=self.p.branch1_members[1].pk).update(admission_date=today)
        after = set(services.audience_queryset(last_week).values_list("pk", flat=True))
        self.assertEqual(after, before - {self.p.branch1_members[1].pk})
        self.assertNotIn(newcomer.pk, after)
        # Within the audience's organizations a move changes nothing: the committee expected them all along.
        self.assertIn(newcomer.pk, set(services.audience_queryset(whole).values_list("pk", flat=True)))
        # An activity after the arrival expects the newcomer.
        tomorrow = new_activity(self.p, self.p.branch1, 3, day=today + datetime.timedelta(days=1))
        self.assertIn(newcomer.pk, set(services.audience_queryset(tomorrow).values_list("pk", flat=True)))

    def test_a_postponed_activity_keeps_its_makeup_window(self) -> None:
        activity = new_activity(self.p, self.p.branch1)
        assert activity.makeup_until is not None
        window = activity.makeup_until - timezone.localtime(activity.end).date()
        later = datetime.timedelta(days=60)
        services.update_activity(activity, acting_user=self.p.branch1_manager,
                                 changes={"start": activity.start + later, "end": activity.end + later})
        activity.refresh_from_db()
        assert activity.makeup_until is not None
        self.assertEqual(activity.makeup_until - timezone.localtime(activity.end).date(), window)

    def test_an_old_activity_without_its_chosen_organizations_still_takes_unrelated_edits(self) -> None:
        from learning.models import Activity

        activity = new_activity(self.p, self.p.branch1)
        Activity.objects.filter(pk=activity.pk).update(audience=Audience.ORGS)
        activity.refresh_from_db()
        services.update_activity(activity, acting_user=self.p.branch1_manager, changes={"title": "改名"})
        with self.assertRaises(ValidationError):
            services.update_activity(activity, acting_user=self.p.branch1_manager, changes={"audience_orgs": []})

    def test_a_member_moved_away_and_back_after_an_activity_stays_in_its_audience(self) -> None:
        from orgs.models import Transfer

        today = timezone.localdate()
        last_week = new_activity(self.p, self.p.branch1, day=today - datetime.timedelta(days=7))
        member = self.p.branch1_members[1]
        for sender, receiver, to_org, days_ago in ((self.p.branch1_manager, self.p.branch2_manager, self.p.branch2, 5),
                                                   (self.p.branch2_manager, self.p.branch1_manager, self.p.branch1, 2)):
            transfer = org_services.start_transfer(
                Transfer(member=member, to_org=to_org, date=today - datetime.timedelta(days=days_ago)),
                acting_user=sender)
            org_services.confirm_transfer(transfer, acting_user=receiver)
            Transfer.objects.filter(pk=transfer.pk).update(confirmed_date=today - datetime.timedelta(days=days_ago))
        self.assertIn(member.pk, set(services.audience_queryset(last_week).values_list("pk", flat=True)))

    def test_hours_default_to_the_conversion_rule_and_kind_to_the_form(self) -> None:
        activity = new_activity(self.p, self.p.branch1, start=9, end=17, form=ActivityForm.PARTY_SCHOOL)
        self.assertEqual(activity.hours, Decimal(8))
        self.assertEqual(activity.kind, StudyKind.TRAINING)
        self.assertEqual(activity.makeup_until, timezone.localdate() + datetime.timedelta(days=30))

    def test_more_than_24_hours_a_day_or_negative_hours_are_refused(self) -> None:
        for hours in (Decimal(25), Decimal(-1)):
            with self.assertRaises(ValidationError) as ctx:
                new_activity(self.p, self.p.branch1, hours=hours)
            self.assertIn("hours", ctx.exception.message_dict)

    def test_a_sibling_manager_cannot_organize_for_another_branch(self) -> None:
        from learning.models import Activity

        with self.assertRaises(PermissionDenied):
            services.create_activity(Activity(org=self.p.branch1, title="越权", form=ActivityForm.SEMINAR,
                                              start=at(timezone.localdate(), 9), end=at(timezone.localdate(), 10)),
                                     acting_user=self.p.branch2_manager)
        self.assertFalse(Activity.objects.filter(title="越权").exists())

    def test_chosen_organizations_must_lie_below_the_organizer(self) -> None:
        from learning.models import Activity

        with self.assertRaises(ValidationError):
            services.create_activity(Activity(org=self.p.branch1, title="指定", form=ActivityForm.SEMINAR,
                                              audience=Audience.ORGS, start=at(timezone.localdate(), 9),
                                              end=at(timezone.localdate(), 10)),
                                     acting_user=self.p.admin, audience_orgs=[self.p.branch2])

    def test_a_monthly_series_creates_one_activity_a_month(self) -> None:
        series = ActivitySeries(org=self.p.branch1, title="主题党日", form=ActivityForm.THEME_DAY, day=15,
                                first_date=datetime.date(2026, 1, 1), last_date=datetime.date(2026, 12, 31),
                                start_time=datetime.time(14, 30), end_time=datetime.time(17, 0))
        made = services.create_series(series, acting_user=self.p.branch1_manager)
        self.assertEqual([a.start.astimezone(timezone.get_current_timezone()).date() for a in made],
                         [datetime.date(2026, m, 15) for m in range(1, 13)])
        self.assertTrue(all(a.hours == Decimal("2.5") for a in made))

    def test_a_weekly_series_falls_on_the_weekday(self) -> None:
        series = ActivitySeries(org=self.p.branch1, title="周五学习", form=ActivityForm.CONCENTRATED, day=5,
                                frequency="weekly", first_date=datetime.date(2026, 11, 1),
                                last_date=datetime.date(2026, 11, 30), start_time=datetime.time(16, 0),
                                end_time=datetime.time(17, 0))
        self.assertEqual(services.series_dates(series),
                         [datetime.date(2026, 11, d) for d in (6, 13, 20, 27)])


class SignInTest(PersonaTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()
        self.activity = new_activity(self.p, self.p.branch1, day=self.today, start=9, end=12, sign_in_code="8421")
        self.during = at(self.today, 10)

    def test_a_member_signs_in_once_and_is_credited(self) -> None:
        attendance = services.sign_in(self.activity, acting_user=self.p.member_user, code="8421", now=self.during)
        self.assertEqual(attendance.status, AttendanceStatus.PRESENT)
        record = StudyRecord.objects.get(attendance=attendance)
        self.assertEqual(record.hours, Decimal(4))
        year = MemberYear.objects.get(member=self.p.member, year=self.today.year)
        self.assertEqual((year.hours, year.counted, year.required), (Decimal(4), Decimal(4), Decimal(32)))
        with self.assertRaisesMessage(ValidationError, "已经签到"):
            services.sign_in(self.activity, acting_user=self.p.member_user, code="8421", now=self.during)
        self.assertEqual(StudyRecord.objects.filter(member=self.p.member).count(), 1)

    def test_the_wrong_code_or_outside_the_window_changes_nothing(self) -> None:
        with self.assertRaises(ValidationError):
            services.sign_in(self.activity, acting_user=self.p.member_user, code="0000", now=self.during)
        with self.assertRaisesMessage(ValidationError, "尚未开始"):
            services.sign_in(self.activity, acting_user=self.p.member_user, code="8421", now=at(self.today, 8))
        with self.assertRaisesMessage(ValidationError, "已经结束"):
            services.sign_in(self.activity, acting_user=self.p.member_user, code="8421", now=at(self.today, 13))
        self.assertFalse(Attendance.objects.exists())
        self.assertFalse(MemberYear.objects.exists())

    def test_sign_in_opens_half_an_hour_early(self) -> None:
        services.sign_in(self.activity, acting_user=self.p.member_user, code="8421", now=at(self.today, 8, 35))

    def test_a_member_outside_the_audience_cannot_sign_in(self) -> None:
        other = new_activity(self.p, self.p.branch2, n=2, day=self.today)
        with self.assertRaisesMessage(ValidationError, "不在这次活动的参加对象"):
            services.sign_in(other, acting_user=self.p.member_user, now=self.during)

    def test_an_account_without_a_member_record_cannot_sign_in(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.sign_in(self.activity, acting_user=self.p.branch1_manager, code="8421", now=self.during)


class RecordAttendanceTest(PersonaTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()
        self.activity = new_activity(self.p, self.p.branch1, day=self.today, start=9, end=17)
        self.a, self.b, self.c, _ = self.p.branch1_members

    def record(self, *entries: tuple, user=None) -> list[Attendance]:  # type: ignore[no-untyped-def,type-arg]
        return services.record_attendance(
            self.activity, [services.Entry(m, s, r) for m, s, r in entries],
            acting_user=user or self.p.branch1_manager, message="会后登记")

    def test_bulk_attendance_credits_the_present_and_logs_each_change(self) -> None:
        self.record((self.a, "present", ""), (self.b, "absent", "出差"), (self.c, "excused", "病假"))
        self.assertEqual(set(StudyRecord.objects.values_list("member_id", flat=True)), {self.a.pk})
        self.assertEqual(MemberYear.objects.get(member=self.a).counted, Decimal(8))
        self.assertEqual(MemberYear.objects.get(member=self.b).counted, Decimal(0))
        logged = ObjectChange.objects.filter(content_type__model="attendance", message="会后登记")
        self.assertEqual(logged.count(), 3)

    def test_correcting_present_to_absent_removes_the_hours(self) -> None:
        self.record((self.a, "present", ""))
        self.record((self.a, "absent", "临时出差"))
        self.assertFalse(StudyRecord.objects.filter(member=self.a).exists())
        self.assertEqual(MemberYear.objects.get(member=self.a).counted, Decimal(0))
        change = ObjectChange.objects.filter(content_type__model="attendance", action="update").get()
        self.assertEqual((change.prechange_data or {}).get("status"), "present")
        self.assertEqual((change.postchange_data or {}).get("status"), "absent")

    def test_an_absence_needs_a_reason_and_nothing_is_written_without_one(self) -> None:
        with self.assertRaisesMessage(ValidationError, "注明原因"):
            self.record((self.a, "present", ""), (self.b, "absent", ""))
        self.assertFalse(Attendance.objects.exists())

    def test_namesakes_are_told_apart_by_the_last_digits_of_their_id_numbers(self) -> None:
        from orgs.models import Member

        Member.objects.filter(pk=self.b.pk).update(name=self.a.name)
        self.b.refresh_from_db()
        with self.assertRaises(ValidationError) as refused:
            self.record((self.a, "absent", ""), (self.b, "absent", "病假"))
        self.assertEqual(refused.exception.messages,
                         [f"{self.a.name}（身份证号尾号{str(self.a.id_number)[-4:]}）：缺席或请假请注明原因"])

    def test_members_outside_the_audience_are_refused_by_name(self) -> None:
        outsider = self.p.branch2_members[0]
        with self.assertRaisesMessage(ValidationError, outsider.name):
            self.record((self.a, "present", ""), (outsider, "present", ""))
        self.assertFalse(Attendance.objects.exists())

    def test_the_inspector_and_the_sibling_manager_cannot_record(self) -> None:
        from django.http import Http404

        with self.assertRaises(PermissionDenied):
            self.record((self.a, "present", ""), user=self.p.inspector)
        with self.assertRaises(Http404):
            self.record((self.a, "present", ""), user=self.p.branch2_manager)
        self.assertFalse(Attendance.objects.exists())

    def test_makeup_within_the_window_is_credited_on_its_date(self) -> None:
        (absent,) = self.record((self.b, "absent", "出差"))
        services.record_makeup(absent, acting_user=self.p.branch1_manager, date=self.today)
        record = StudyRecord.objects.get(member=self.b)
        self.assertEqual((record.source, record.date, record.hours), ("makeup", self.today, Decimal(8)))
        self.assertEqual(Attendance.objects.get(pk=absent.pk).status, AttendanceStatus.MAKEUP)

    def test_makeup_after_the_window_is_refused(self) -> None:
        (absent,) = self.record((self.b, "absent", "出差"))
        self.activity.makeup_until = self.today - datetime.timedelta(days=1)
        self.activity.save()
        with self.assertRaisesMessage(ValidationError, "补学期限"):
            services.record_makeup(absent, acting_user=self.p.branch1_manager, date=self.today)
        self.assertFalse(StudyRecord.objects.filter(member=self.b).exists())

    def test_changing_the_activity_hours_recredits_the_ledger(self) -> None:
        self.record((self.a, "present", ""))
        services.update_activity(self.activity, acting_user=self.p.branch1_manager, changes={"hours": Decimal(6)})
        self.assertEqual(StudyRecord.objects.get(member=self.a).hours, Decimal(6))
        self.assertEqual(MemberYear.objects.get(member=self.a).counted, Decimal(6))

    def test_an_activity_with_attendance_cannot_be_deleted(self) -> None:
        self.record((self.a, "present", ""))
        with self.assertRaises(ValidationError):
            services.delete_activity(self.activity, acting_user=self.p.branch1_manager)


class LedgerTest(PersonaTestCase):
    def test_a_secretary_owes_56_hours_and_a_concentrated_training(self) -> None:
        secretary = self.p.branch1_members[1]
        org_services.add_position(Position(org=self.p.branch1, member=secretary, title=PositionTitle.SECRETARY,
                                           term_start=datetime.date(2024, 1, 1)), acting_user=self.p.admin)
        year = timezone.localdate().year
        refresh_years([secretary.pk, self.p.member.pk], [year])
        row = MemberYear.objects.get(member=secretary, year=year)
        self.assertEqual((row.required, row.trainings_required, row.leader), (Decimal(56), 1, True))
        self.assertEqual(MemberYear.objects.get(member=self.p.member, year=year).required, Decimal(32))

    def test_a_probationary_member_owes_one_concentrated_training(self) -> None:
        probationary = self.p.branch1_members[3]
        refresh_years([probationary.pk], [timezone.localdate().year])
        self.assertEqual(MemberYear.objects.get(member=probationary).trainings_required, 1)

    def test_online_hours_beyond_the_cap_do_not_count(self) -> None:
        member = self.p.member
        for n in range(3):
            services.create_record(StudyRecord(member=member, date=timezone.localdate(), hours=Decimal(8),
                                               kind=StudyKind.ONLINE, title=f"网络课程{n}"),
                                   acting_user=self.p.branch1_manager)
        row = MemberYear.objects.get(member=member)
        self.assertEqual((row.hours, row.capped_hours, row.counted), (Decimal(24), Decimal(24), Decimal(16)))

    def test_records_follow_a_transferred_member(self) -> None:
        member = self.p.member
        services.create_record(StudyRecord(member=member, date=timezone.localdate(), hours=Decimal(4),
                                           kind=StudyKind.COLLECTIVE, title="外单位学习"),
                               acting_user=self.p.branch1_manager)
        record = StudyRecord.objects.get(member=member)
        history = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(StudyRecord),
                                              object_id=record.pk)
        self.assertTrue(history.restrict(self.p.branch1_manager).exists())
        org_services.records_follow([member.pk], self.p.branch2)
        self.assertEqual(StudyRecord.objects.get(member=member).org_path, self.p.branch2.path)
        self.assertEqual(MemberYear.objects.get(member=member).org_path, self.p.branch2.path)
        # The line's own change log goes along: the old branch no longer reads it, the new one does.
        self.assertFalse(history.restrict(self.p.branch1_manager).exists())
        self.assertTrue(history.restrict(self.p.branch2_manager).exists())

    def test_a_record_dated_in_the_future_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            services.create_record(StudyRecord(member=self.p.member, hours=Decimal(4), kind=StudyKind.ONLINE,
                                               date=timezone.localdate() + datetime.timedelta(days=1), title="未来"),
                                   acting_user=self.p.branch1_manager)
        self.assertFalse(StudyRecord.objects.exists())


class DerivedLinesTest(PersonaTestCase):
    def test_exam_lines_cannot_be_edited_and_a_moved_line_refreshes_both_members(self) -> None:
        record = services.create_record(StudyRecord(member=self.p.branch1_members[0], date=timezone.localdate(),
                                                    hours=Decimal(4), kind=StudyKind.ONLINE, title="网课"),
                                        acting_user=self.p.branch1_manager)
        other = self.p.branch1_members[1]
        services.update_record(record, acting_user=self.p.branch1_manager, changes={"member": other})
        self.assertEqual(MemberYear.objects.get(member=self.p.branch1_members[0]).hours, Decimal(0))
        self.assertEqual(MemberYear.objects.get(member=other).hours, Decimal(4))
        StudyRecord.objects.filter(pk=record.pk).update(source="exam")
        record.refresh_from_db()
        with self.assertRaises(ValidationError):
            services.update_record(record, acting_user=self.p.branch1_manager, changes={"hours": Decimal(8)})
        with self.assertRaises(ValidationError):
            services.delete_record(record, acting_user=self.p.branch1_manager)
