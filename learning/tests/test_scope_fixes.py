"""Holes found in review, each pinned: a named member who moved away, answers shown to other readers, the
change log of attendance-derived ledger lines and points, generated questions all or none, member filters
of the API, and attempts and points following a transferred member."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ObjectChange
from core.testing.personas import Personas
from core.testing.views import PersonaTestCase
from learning import services
from learning.choices import AttendanceStatus, Audience
from learning.ledger import refresh_years
from learning.models import Attempt, Attendance, PointEntry, Question, StudyRecord
from learning.tests.helpers import new_activity, new_exam, new_question
from orgs import services as org_services
from orgs.models import Member, Organization, Transfer


def transfer(p: Personas, member: Member, to: Organization) -> None:
    """Move ``member`` from branch1 the way people do: branch1 starts the transfer, the receiver confirms."""
    started = org_services.start_transfer(Transfer(member=member, to_org=to, date=timezone.localdate()),
                                          acting_user=p.branch1_manager)
    org_services.confirm_transfer(started, acting_user=p.branch2_manager)


def changes_of(obj: Any, action: str | None = None) -> Any:
    qs = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    return qs.filter(action=action) if action else qs


class MovedAudienceMemberTest(PersonaTestCase):
    """A member named in branch1's activity who then moved to branch2 is branch2's business."""

    def setUp(self) -> None:
        self.stays, self.moved = self.p.branch1_members[1], self.p.branch1_members[2]
        self.activity = new_activity(self.p, self.p.branch1, 1, audience=Audience.MEMBERS,
                                     audience_members=[self.stays, self.moved])
        transfer(self.p, self.moved, self.p.branch2)

    def test_the_organizers_roll_leaves_out_a_named_member_who_moved_to_a_sibling_branch(self) -> None:
        self.client.force_login(self.p.branch1_manager)
        url = reverse("learning:activity_attendance", args=[self.activity.pk])
        response = self.client.get(url)
        self.assertEqual([member for member, _a, _s in response.context["rows"]], [self.stays])
        self.assertNotContains(response, self.moved.name)
        self.client.post(url, {f"status-{self.moved.pk}": AttendanceStatus.PRESENT})
        self.assertFalse(Attendance.objects.filter(member=self.moved).exists())
        self.assertFalse(StudyRecord.objects.filter(member=self.moved).exists())

    def test_recording_the_moved_member_is_refused_like_a_member_not_in_the_audience(self) -> None:
        stranger = self.p.branch1_members[3]  # in branch1, never named in the audience
        refusals = []
        for member in (self.moved, stranger):
            with self.assertRaises(ValidationError) as ctx:
                services.record_attendance(self.activity, [services.Entry(member, AttendanceStatus.PRESENT)],
                                           acting_user=self.p.branch1_manager)
            refusals.append([m.replace(member.name, "某") for m in ctx.exception.messages])
        self.assertEqual(refusals[0], refusals[1])
        self.assertFalse(Attendance.objects.filter(member=self.moved).exists())
        self.assertFalse(StudyRecord.objects.filter(member=self.moved).exists())
        with self.assertRaises(ValidationError):
            services.record_attendance(self.activity, [services.Entry(self.stays, AttendanceStatus.PRESENT),
                                                        services.Entry(self.moved, AttendanceStatus.PRESENT)],
                                       acting_user=self.p.branch1_manager)
        self.assertFalse(Attendance.objects.exists())  # nothing written when one entry is refused

    def test_the_api_shows_each_reader_only_the_named_members_they_may_see(self) -> None:
        api = APIClient()
        for user, expected in ((self.p.branch1_manager, [self.stays.pk]), (self.p.branch2_manager, [self.moved.pk]),
                               (self.p.admin, sorted([self.stays.pk, self.moved.pk]))):
            api.force_authenticate(user)
            detail = api.get(reverse("activity-detail", args=[self.activity.pk]))
            self.assertEqual(sorted(detail.data["audience_members"]), expected, user)
            listed = [row for row in api.get(reverse("activity-list")).data["results"]
                      if row["id"] == self.activity.pk]
            self.assertEqual(sorted(listed[0]["audience_members"]), expected, user)


class AttemptAnswersForOtherReadersTest(PersonaTestCase):
    """The right answers of an attempt are shown to others only for the questions of banks they may read."""

    def setUp(self) -> None:
        self.committee_q = new_question(self.p, self.p.committee, 1, tags="党章")
        self.branch_q = new_question(self.p, self.p.branch1, 2, tags="支部")

    def sit(self, exam: Any) -> Attempt:
        attempt = services.start_attempt(exam, acting_user=self.p.member_user)
        return services.submit_attempt(attempt, {}, acting_user=self.p.member_user)

    def test_a_branch_manager_is_not_shown_the_answers_of_the_committees_bank(self) -> None:
        exam = new_exam(self.p, self.p.committee, attempts_allowed=1,
                        draw=[{"kind": "single", "tag": "党章", "count": 1}])
        attempt = self.sit(exam)
        self.assertTrue(services.exams.answers_may_be_shown(attempt))  # the member has no try left
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(attempt.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, self.committee_q.explanation)
        self.assertEqual([row["answer"] for row in response.context["rows"]], [""])
        # the committee's manager keeps that bank and reads it anyway
        self.client.force_login(self.p.committee_manager)
        response = self.client.get(attempt.get_absolute_url())
        self.assertContains(response, self.committee_q.explanation)
        # the member's own result is unchanged: with no try left, the answers are shown
        self.client.force_login(self.p.member_user)
        self.assertContains(self.client.get(attempt.get_absolute_url()), self.committee_q.explanation)

    def test_the_answers_stay_hidden_while_the_last_attempt_is_being_answered(self) -> None:
        exam = new_exam(self.p, self.p.committee, attempts_allowed=2,
                        draw=[{"kind": "single", "tag": "党章", "count": 1}])
        first = self.sit(exam)
        self.assertFalse(services.exams.answers_may_be_shown(first))  # a try is left
        last = services.start_attempt(exam, acting_user=self.p.member_user)  # the same question again
        self.assertFalse(services.exams.answers_may_be_shown(first))
        self.client.force_login(self.p.member_user)
        self.assertNotContains(self.client.get(first.get_absolute_url()), self.committee_q.explanation)
        services.submit_attempt(last, {}, acting_user=self.p.member_user)
        self.assertTrue(services.exams.answers_may_be_shown(first))
        self.assertContains(self.client.get(first.get_absolute_url()), self.committee_q.explanation)

    def test_a_true_or_false_answer_reads_in_the_readers_language(self) -> None:
        new_question(self.p, self.p.committee, 5, kind="true_false", tags="判断")
        exam = new_exam(self.p, self.p.committee, attempts_allowed=1,
                        draw=[{"kind": "true_false", "tag": "判断", "count": 1}])
        attempt = services.start_attempt(exam, acting_user=self.p.member_user)
        (qid,) = attempt.questions
        services.submit_attempt(attempt, {str(qid): True}, acting_user=self.p.member_user)
        self.client.force_login(self.p.member_user)
        self.assertContains(self.client.get(attempt.get_absolute_url()), "我的答案：对")
        self.assertContains(self.client.get(attempt.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"), "My answer: True")

    def test_questions_of_the_readers_own_bank_are_shown_and_the_others_are_not(self) -> None:
        exam = new_exam(self.p, self.p.branch1, attempts_allowed=2,
                        draw=[{"kind": "single", "tag": "党章", "count": 1},
                              {"kind": "single", "tag": "支部", "count": 1}])
        attempt = self.sit(exam)
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(attempt.get_absolute_url())
        self.assertContains(response, self.branch_q.explanation)
        self.assertNotContains(response, self.committee_q.explanation)
        # the member may sit again: their own result holds no answers (as before)
        self.client.force_login(self.p.member_user)
        result = self.client.get(attempt.get_absolute_url())
        self.assertNotContains(result, self.branch_q.explanation)
        self.assertNotContains(result, self.committee_q.explanation)


class AttendanceLedgerChangeLogTest(PersonaTestCase):
    """Every ledger line and point derived from attendance has its change-log rows."""

    def test_recording_recrediting_correcting_and_making_up_log_each_line_and_point(self) -> None:
        activity = new_activity(self.p, self.p.branch1, 1, day=timezone.localdate() - datetime.timedelta(days=1))
        member = self.p.branch1_members[1]
        manager = self.p.branch1_manager
        services.record_attendance(activity, [services.Entry(member, AttendanceStatus.PRESENT)],
                                   acting_user=manager, message="登记出勤")
        record = StudyRecord.objects.get(member=member)
        entry = PointEntry.objects.get(member=member)
        created = changes_of(record, "create").get()
        self.assertEqual((created.message, created.user, created.related_object_id, created.org_path),
                         ("登记出勤", manager, member.pk, self.p.branch1.path))
        self.assertEqual(Decimal(created.postchange_data["hours"]), 4)  # half a day
        self.assertEqual(changes_of(entry, "create").get().postchange_data["points"], entry.points)

        attendance = Attendance.objects.get(member=member)
        services.update_activity(activity, acting_user=manager, changes={"hours": Decimal(2)}, message="改学时")
        updated = changes_of(record, "update").get()  # the same line, changed in place
        self.assertEqual((Decimal(updated.prechange_data["hours"]), Decimal(updated.postchange_data["hours"]),
                          updated.message), (4, 2, "改学时"))
        hours = changes_of(attendance, "update").get()
        self.assertEqual((Decimal(hours.prechange_data["hours"]), Decimal(hours.postchange_data["hours"])), (4, 2))

        services.record_attendance(activity, [services.Entry(member, AttendanceStatus.ABSENT, "出差")],
                                   acting_user=manager, message="更正")
        self.assertFalse(StudyRecord.objects.filter(pk=record.pk).exists())
        self.assertEqual(Decimal(changes_of(record, "delete").get().prechange_data["hours"]), 2)
        self.assertEqual(changes_of(entry, "delete").get().message, "更正")

        services.record_makeup(attendance, acting_user=manager, date=timezone.localdate())
        line = StudyRecord.objects.get(member=member)
        points = PointEntry.objects.get(member=member)
        self.assertEqual(changes_of(line, "create").get().postchange_data["source"], "makeup")
        self.assertEqual(changes_of(points, "create").get().postchange_data["action"], "makeup")

    def test_the_log_is_written_in_one_statement_for_the_whole_roll(self) -> None:
        activity = new_activity(self.p, self.p.branch1, 1, day=timezone.localdate() - datetime.timedelta(days=1))
        members = self.p.branch1_members[:3]
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            services.record_attendance(activity, [services.Entry(m, AttendanceStatus.PRESENT) for m in members],
                                       acting_user=self.p.branch1_manager)
        inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "core_objectchange"')]
        self.assertEqual(len(inserts), 1)
        self.assertEqual(ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(StudyRecord)).count(), 3)


class GeneratedQuestionsAllOrNoneTest(PersonaTestCase):
    def post(self, **proposals: Any) -> Any:
        data: dict[str, Any] = {"step": "accept", "org": self.p.branch1.pk, "text": "不忘初心，牢记使命。",
                                "limit": 5, "source": "党章", "tags": "党章", "count": 3}
        data |= {
            "p0-include": "1", "p0-kind": "blank", "p0-term": "初心", "p0-text": "不忘____，牢记使命。",
            "p0-answer": "初心",
            "p1-include": "1", "p1-kind": "single", "p1-term": "共产主义", "p1-text": "党的最高理想是什么？",
            "p1-options": "共产主义\n社会主义\n小康社会\n现代化", "p1-answer": "A",
            "p2-kind": "blank", "p2-term": "使命", "p2-text": "不忘初心，牢记____。", "p2-answer": "使命",
        }
        data |= proposals
        self.client.force_login(self.p.branch1_manager)
        return self.client.post(reverse("learning:question_generate"), data)

    def test_one_refused_proposal_puts_none_into_the_bank_and_the_page_keeps_them_all(self) -> None:
        response = self.post(**{"p1-answer": "E"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Question.objects.count(), 0)
        self.assertEqual(len(response.context["errors"]), 1)
        self.assertTrue(response.context["errors"][0].startswith("第2题“答案”："), response.context["errors"])
        kept = response.context["proposals"]
        self.assertEqual([item["p"].text for item in kept],
                         ["不忘____，牢记使命。", "党的最高理想是什么？", "不忘初心，牢记____。"])
        self.assertEqual([item["include"] for item in kept], [True, True, False])
        self.assertEqual(kept[1]["answer_text"], "E")
        self.assertContains(response, "党的最高理想是什么？")
        self.assertContains(response, 'name="p2-include" id="p2-include" value="1">')
        self.assertContains(response, 'name="p0-include" id="p0-include" value="1" checked>')

    def test_a_refusal_of_the_model_names_the_question_and_its_field(self) -> None:
        response = self.post(**{"p0-text": "不忘初心，牢记使命。"})  # a blank question without a blank
        self.assertEqual(Question.objects.count(), 0)
        self.assertEqual(len(response.context["errors"]), 1)
        self.assertTrue(response.context["errors"][0].startswith("第1题“题干”："), response.context["errors"])

    def test_when_all_are_valid_all_go_into_the_bank(self) -> None:
        response = self.post()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(sorted(Question.objects.values_list("text", flat=True)),
                         sorted(["不忘____，牢记使命。", "党的最高理想是什么？"]))


class MemberFilterTest(PersonaTestCase):
    def test_a_sibling_branchs_member_filters_exactly_like_a_missing_one(self) -> None:
        sibling = self.p.branch2_members[0]
        own = self.p.branch1_members[1]
        refresh_years([sibling.pk, own.pk], [timezone.localdate().year])
        for member in (sibling, own):
            PointEntry.objects.create(member=member, org=member.org, date=timezone.localdate(), action="attend",
                                      points=5, ref=f"test-{member.pk}")
        api = APIClient()
        api.force_authenticate(self.p.branch1_manager)
        for name in ("memberyear-list", "pointentry-list"):
            url = reverse(name)
            outside = api.get(url, {"member": sibling.pk})
            missing = api.get(url, {"member": 999999})
            self.assertEqual((outside.status_code, outside.data), (missing.status_code, missing.data), name)
            self.assertEqual(outside.status_code, 200, name)
            self.assertEqual(outside.data["results"], [], name)
            mine = api.get(url, {"member": own.pk})
            self.assertEqual([row["member"] for row in mine.data["results"]], [own.pk], name)


class TransferredMemberExamRecordsTest(PersonaTestCase):
    def test_attempts_and_points_follow_the_member_to_the_new_branch(self) -> None:
        member = self.p.member
        for n in range(3):
            new_question(self.p, self.p.committee, n)
        exam = new_exam(self.p, self.p.committee)
        attempt = services.start_attempt(exam, acting_user=self.p.member_user)
        questions = Question.objects.in_bulk(attempt.questions)
        attempt = services.submit_attempt(attempt, {str(pk): q.answer for pk, q in questions.items()},
                                          acting_user=self.p.member_user)
        activity = new_activity(self.p, self.p.committee, 1, day=timezone.localdate() - datetime.timedelta(days=1))
        services.record_attendance(activity, [services.Entry(member, AttendanceStatus.PRESENT)],
                                   acting_user=self.p.committee_manager)
        entries = set(PointEntry.objects.filter(member=member).values_list("pk", flat=True))
        self.assertEqual(len(entries), 3)  # correct answers, the pass, the attendance

        transfer(self.p, member, self.p.branch2)

        self.assertEqual(set(PointEntry.objects.filter(org=self.p.branch2).values_list("pk", flat=True)), entries)
        self.assertEqual(Attempt.objects.get(pk=attempt.pk).org_path, self.p.branch2.path)
        api = APIClient()
        for user, sees in ((self.p.branch1_manager, False), (self.p.branch2_manager, True)):
            self.client.force_login(user)
            api.force_authenticate(user)
            self.assertEqual(self.client.get(attempt.get_absolute_url()).status_code, 200 if sees else 404, user)
            self.assertEqual(api.get(reverse("attempt-detail", args=[attempt.pk])).status_code,
                             200 if sees else 404, user)
            points = {row["id"] for row in api.get(reverse("pointentry-list")).data["results"]}
            self.assertEqual(points >= entries, sees, user)
            self.assertEqual(bool(points & entries), sees, user)
            # the records' change log goes with them
            self.assertEqual(changes_of(attempt).restrict(user).exists(), sees, user)
            logged_points = ObjectChange.objects.filter(
                content_type=ContentType.objects.get_for_model(PointEntry), object_id__in=entries)
            self.assertTrue(logged_points.exists())
            self.assertEqual(logged_points.restrict(user).exists(), sees, user)


class ExamDrawCheckScopeTest(PersonaTestCase):
    """The draw check counts the questions of the banks an exam may draw from: only after the permission."""

    def test_an_exam_in_a_sibling_branch_is_refused_before_any_bank_is_counted(self) -> None:
        from core.services import OutOfScope
        from learning.models import Exam

        for n in range(2):
            new_question(self.p, self.p.branch1, n)
        now = timezone.now()
        exam = Exam(org=self.p.branch1, title="试探", opens=now, closes=now + datetime.timedelta(days=1),
                    time_limit=30, attempts_allowed=1, pass_mark=60,
                    draw=[{"kind": "single", "tag": "党章", "count": 50}])
        with self.assertRaises(OutOfScope) as refused:
            services.create_exam(exam, acting_user=self.p.branch2_manager)
        self.assertNotIn("只有", str(refused.exception))
        with self.assertRaisesMessage(ValidationError, "只有2道"):  # the branch's own manager is told
            services.create_exam(exam, acting_user=self.p.branch1_manager)
        mine = new_exam(self.p, self.p.branch1, draw=[{"kind": "single", "tag": "党章", "count": 2}])
        with self.assertRaises(Http404):  # a sibling's exam is missing to them
            services.update_exam(mine, acting_user=self.p.branch2_manager,
                                 changes={"draw": [{"kind": "single", "tag": "党章", "count": 50}]})
        self.assertEqual(Exam.objects.get(pk=mine.pk).draw, [{"kind": "single", "tag": "党章", "count": 2}])


class ActivityFiguresTest(PersonaTestCase):
    def test_a_member_is_not_shown_the_roll_figures_that_their_own_scope_would_make_one(self) -> None:
        activity = new_activity(self.p, self.p.branch1)
        self.client.force_login(self.p.branch1_manager)
        self.assertContains(self.client.get(activity.get_absolute_url()), 'id="cx-roll-figures"')
        self.client.force_login(self.p.member_user)
        page = self.client.get(activity.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'id="cx-roll-figures"')
