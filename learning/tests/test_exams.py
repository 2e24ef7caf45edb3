"""The question bank, exams and attempts: drawing, server-side scoring, the bad submissions."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import SimpleTestCase
from django.utils import timezone

from core.testing.views import PersonaTestCase
from learning import rules, services
from learning.choices import AttemptStatus, QuestionKind
from learning.models import Attempt, MemberYear, Question, StudyRecord
from learning.tests.helpers import new_exam, new_question


class QuestionRulesTest(SimpleTestCase):
    def test_a_single_choice_question_needs_one_answer_among_its_options(self) -> None:
        self.assertIsNone(rules.question_error("single", "题", ["甲", "乙"], [1]))
        self.assertEqual(rules.question_error("single", "题", ["甲", "乙"], [0, 1])[0], "answer")  # type: ignore[index]
        self.assertEqual(rules.question_error("single", "题", ["甲"], [0])[0], "options")  # type: ignore[index]
        self.assertEqual(rules.question_error("multiple", "题", ["甲", "乙", "丙"], [3, 0])[0], "answer")  # type: ignore[index]

    def test_a_blank_question_has_one_answer_list_per_blank(self) -> None:
        self.assertIsNone(rules.question_error("blank", "不忘____，牢记____", [], [["初心"], ["使命"]]))
        self.assertEqual(rules.question_error("blank", "不忘____", [], [["初心"], ["使命"]])[0], "answer")  # type: ignore[index]
        self.assertEqual(rules.question_error("blank", "不忘初心", [], [["初心"]])[0], "text")  # type: ignore[index]

    def test_typed_answers(self) -> None:
        self.assertEqual(rules.parse_answer("multiple", "a c", ["1", "2", "3"]), [0, 2])
        self.assertEqual(rules.parse_answer("true_false", "错", []), [False])
        self.assertEqual(rules.parse_answer("blank", "初心/初衷\n使命", []), [["初心", "初衷"], ["使命"]])
        with self.assertRaises(ValueError):
            rules.parse_answer("single", "E", ["1", "2", "3"])
        self.assertEqual(rules.parse_options("A. 甲\nB、乙\n丙"), ["甲", "乙", "丙"])
        self.assertEqual(rules.format_answer("multiple", [0, 2]), "AC")

    def test_blank_answers_ignore_width_spaces_and_punctuation(self) -> None:
        self.assertTrue(rules.is_correct("blank", [["初心"], ["使命"]], [" 初心 ", "使命。"]))
        self.assertTrue(rules.is_correct("blank", [["ＡＢ"]], ["ab"]))
        self.assertFalse(rules.is_correct("blank", [["初心"], ["使命"]], ["初心"]))
        self.assertFalse(rules.is_correct("single", [1], [1, 2]))


class ExamTest(PersonaTestCase):
    def setUp(self) -> None:
        self.questions = [new_question(self.p, self.p.committee, n) for n in range(6)]
        new_question(self.p, self.p.committee, 10, kind="true_false", tags="纪律")
        self.exam = new_exam(self.p, self.p.branch1, hours_on_pass=Decimal(2))
        self.user = self.p.member_user

    def answers_for(self, attempt: Attempt, correct: int) -> dict[str, object]:
        bank = Question.objects.in_bulk(attempt.questions)
        out: dict[str, object] = {}
        for i, qid in enumerate(attempt.questions):
            answer = bank[qid].answer
            out[str(qid)] = answer if i < correct else [(answer[0] + 1) % 4]
        return out

    def test_an_exam_whose_rules_the_bank_cannot_fill_is_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "只有"):
            new_exam(self.p, self.p.branch1, draw=[{"kind": "single", "tag": "党章", "count": 7}])
        with self.assertRaises(ValidationError):
            new_exam(self.p, self.p.branch1, draw=[{"kind": "essay", "count": 1}])

    def test_the_sibling_branchs_bank_is_not_drawn(self) -> None:
        for n in range(20, 25):
            new_question(self.p, self.p.branch2, n, tags="支部")
        with self.assertRaises(ValidationError):
            new_exam(self.p, self.p.branch1, draw=[{"kind": "single", "tag": "支部", "count": 1}])

    def test_a_paper_never_asks_twice_about_one_statement_while_the_bank_allows(self) -> None:
        from learning.services import create_question

        sentence = "党支部是党的基础组织，是党在社会基层组织中的战斗堡垒"

        def question(kind: str, text: str, **values: object) -> Question:
            return create_question(Question(org=self.p.branch1, kind=kind, text=text, tags="支部", **values),
                                   acting_user=self.p.admin)

        pair = {question("blank", sentence.replace("社会", rules.BLANK), answer=[["社会"]]).pk,
                question("single", sentence.replace("社会", "（  ）"), options=["社会", "基层", "城市", "农村"],
                         answer=[0]).pk,
                question("blank", sentence.replace("基础", rules.BLANK), answer=[["基础"]]).pk}
        question("blank", f"党员必须全心全意为人民{rules.BLANK}", answer=[["服务"]])
        question("single", "党的最高理想是实现（  ）", options=["共产主义", "小康", "现代化", "复兴"], answer=[0])
        exam = new_exam(self.p, self.p.branch1, draw=[{"kind": "blank", "tag": "支部", "count": 2},
                                                      {"kind": "single", "tag": "支部", "count": 1}])
        for seed in range(30):
            paper = services.draw(exam, random.Random(seed))
            self.assertEqual(len(paper), 3)
            self.assertLessEqual(len(pair & set(paper)), 1, seed)
        # A bank that cannot keep them apart still yields a paper.
        tight = new_exam(self.p, self.p.branch1, draw=[{"kind": "blank", "tag": "支部", "count": 3}])
        self.assertEqual(len(services.draw(tight, random.Random(0))), 3)

    def test_start_draws_the_rules_questions_and_resumes_the_open_attempt(self) -> None:
        attempt = services.start_attempt(self.exam, acting_user=self.user, rng=random.Random(1))
        self.assertEqual(len(attempt.questions), 3)
        self.assertTrue(set(attempt.questions) <= {q.pk for q in self.questions})
        self.assertEqual(services.start_attempt(self.exam, acting_user=self.user).pk, attempt.pk)
        self.assertEqual(attempt.deadline - attempt.started, datetime.timedelta(minutes=30))

    def test_scoring_is_on_the_server_and_a_pass_credits_hours_once(self) -> None:
        attempt = services.start_attempt(self.exam, acting_user=self.user)
        done = services.submit_attempt(attempt, self.answers_for(attempt, 2), acting_user=self.user)
        self.assertEqual((done.score, done.passed, done.status), (Decimal("66.7"), True, AttemptStatus.SUBMITTED))
        self.assertEqual(StudyRecord.objects.get(member=self.p.member, source="exam").hours, Decimal(2))
        self.assertEqual(MemberYear.objects.get(member=self.p.member).hours, Decimal(2))
        second = services.start_attempt(self.exam, acting_user=self.user)
        services.submit_attempt(second, self.answers_for(second, 3), acting_user=self.user)
        self.assertEqual(StudyRecord.objects.filter(member=self.p.member, source="exam").count(), 1)

    def test_a_second_submission_changes_nothing(self) -> None:
        attempt = services.start_attempt(self.exam, acting_user=self.user)
        services.submit_attempt(attempt, self.answers_for(attempt, 0), acting_user=self.user)
        with self.assertRaisesMessage(ValidationError, "已经交过了"):
            services.submit_attempt(attempt, self.answers_for(attempt, 3), acting_user=self.user)
        self.assertEqual(Attempt.objects.get(pk=attempt.pk).score, Decimal(0))

    def test_a_late_submission_is_refused(self) -> None:
        attempt = services.start_attempt(self.exam, acting_user=self.user)
        late = attempt.deadline + services.GRACE + datetime.timedelta(seconds=1)
        with self.assertRaisesMessage(ValidationError, "时限"):
            services.submit_attempt(attempt, self.answers_for(attempt, 3), acting_user=self.user, now=late)
        self.assertEqual(Attempt.objects.get(pk=attempt.pk).status, AttemptStatus.OPEN)
        self.assertFalse(StudyRecord.objects.exists())

    def test_answers_to_questions_not_in_the_attempt_are_refused(self) -> None:
        attempt = services.start_attempt(self.exam, acting_user=self.user)
        foreign = next(q for q in self.questions if q.pk not in attempt.questions)
        for answers in ({str(foreign.pk): [0]}, {"abc": [0]}, {str(attempt.questions[0]): [9]},
                        {str(attempt.questions[0]): [0, 1]}, ["not", "a", "dict"]):
            with self.assertRaises(ValidationError):
                services.submit_attempt(attempt, answers, acting_user=self.user)
        self.assertEqual(Attempt.objects.get(pk=attempt.pk).status, AttemptStatus.OPEN)

    def test_the_attempt_limit_and_the_window(self) -> None:
        for _n in range(2):
            attempt = services.start_attempt(self.exam, acting_user=self.user)
            services.submit_attempt(attempt, {}, acting_user=self.user)
        with self.assertRaisesMessage(ValidationError, "次数上限"):
            services.start_attempt(self.exam, acting_user=self.user)
        later = new_exam(self.p, self.p.branch1, opens=timezone.now() + datetime.timedelta(days=1))
        with self.assertRaisesMessage(ValidationError, "尚未开放"):
            services.start_attempt(later, acting_user=self.user)

    def test_an_expired_attempt_is_closed_when_the_member_comes_back(self) -> None:
        attempt = services.start_attempt(self.exam, acting_user=self.user)
        services.start_attempt(self.exam, acting_user=self.user, now=attempt.deadline + datetime.timedelta(hours=1))
        self.assertEqual(Attempt.objects.get(pk=attempt.pk).status, AttemptStatus.EXPIRED)
        self.assertEqual(Attempt.objects.filter(exam=self.exam).count(), 2)
        from core.models import ObjectChange

        logged = ObjectChange.objects.get(object_id=attempt.pk, content_type__model="attempt", action="update")
        self.assertEqual(((logged.prechange_data or {})["status"], (logged.postchange_data or {})["status"],
                          logged.user_id, logged.message), ("open", "expired", None, "答题时间已到，系统自动收卷"))
        self.assertNotIn("answers", logged.postchange_data or {})
        from learning.services.exams import expire

        self.assertEqual(expire(Attempt.objects.filter(pk=attempt.pk), attempt.deadline + datetime.timedelta(hours=2)),
                         0)  # already closed: not closed or logged twice

    def test_only_the_member_may_sit_and_submit(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.start_attempt(self.exam, acting_user=self.p.branch1_manager)
        attempt = services.start_attempt(self.exam, acting_user=self.user)
        from django.http import Http404

        with self.assertRaises(Http404):
            services.submit_attempt(attempt, {}, acting_user=self.p.branch1_manager)

    def test_a_drawn_question_cannot_be_deleted(self) -> None:
        attempt = services.start_attempt(self.exam, acting_user=self.user)
        question = Question.objects.get(pk=attempt.questions[0])
        with self.assertRaises(ValidationError):
            services.delete_question(question, acting_user=self.p.admin)
        spare = new_question(self.p, self.p.committee, 30, kind=QuestionKind.TRUE_FALSE, tags="其他")
        services.delete_question(spare, acting_user=self.p.admin)


class PointsTest(PersonaTestCase):
    def test_attendance_earns_points_within_the_daily_caps_and_loses_them_when_corrected(self) -> None:
        from learning.models import PointEntry
        from learning.tests.helpers import new_activity

        member = self.p.branch1_members[0]
        activities = [new_activity(self.p, self.p.branch1, n) for n in range(3)]
        for activity in activities:
            services.record_attendance(activity, [services.Entry(member, "present")],
                                       acting_user=self.p.branch1_manager)
        # 5 points each, at most 10 a day for attending
        self.assertEqual(sorted(PointEntry.objects.filter(member=member).values_list("points", flat=True)), [5, 5])
        services.record_attendance(activities[0], [services.Entry(member, "absent", "出差")],
                                   acting_user=self.p.branch1_manager)
        self.assertEqual(sum(PointEntry.objects.filter(member=member).values_list("points", flat=True)), 5)

    def test_an_exam_earns_a_point_per_correct_answer_up_to_the_cap(self) -> None:
        from learning import points
        from learning.models import PointEntry

        for n in range(8):
            new_question(self.p, self.p.committee, n)
        exam = new_exam(self.p, self.p.branch1, draw=[{"kind": "single", "tag": "党章", "count": 8}])
        attempt = services.start_attempt(exam, acting_user=self.p.member_user)
        bank = Question.objects.in_bulk(attempt.questions)
        services.submit_attempt(attempt, {str(q): bank[q].answer for q in attempt.questions},
                                acting_user=self.p.member_user)
        awarded = dict(PointEntry.objects.filter(member=self.p.member).values_list("action", "points"))
        self.assertEqual(awarded, {"exam_correct": 5, "exam_pass": 2})
        self.assertEqual(points.member_total(self.p.member, timezone.localdate().year), 7)
        self.assertIsNone(points.branch_rank(self.p.member, timezone.localdate().year))


class SuspiciousAttemptTest(PersonaTestCase):
    def test_too_fast_and_identical_attempts_are_flagged_for_the_organizer(self) -> None:
        from django.contrib.auth import get_user_model

        for n in range(4):
            new_question(self.p, self.p.committee, n)
        exam = new_exam(self.p, self.p.branch1)
        other = self.p.branch1_members[1]
        other.user = get_user_model().objects.create_user("wangfang", password="x-unused-9")
        other.save()
        from core.choices import Role
        from orgs.models import RoleGrant

        RoleGrant.objects.create(user=other.user, role=Role.MEMBER, org=self.p.branch1)
        start = timezone.now() - datetime.timedelta(minutes=5)
        same: dict[str, object] = {}
        for user in (self.p.member_user, other.user):
            attempt = services.start_attempt(exam, acting_user=user, now=start, rng=random.Random(3))
            same = same or {str(q): [0] for q in attempt.questions}
            services.submit_attempt(attempt, same, acting_user=user, now=start + datetime.timedelta(seconds=4))
        flagged = services.exams.suspicious(Attempt.objects.filter(exam=exam), exam)
        reasons = [f["reason"] for f in flagged]
        self.assertEqual(sum("少于阅读" in r for r in reasons), 2)
        self.assertEqual(sum("完全相同" in r for r in reasons), 2)
        self.client.force_login(self.p.branch1_manager)
        self.assertEqual(len(self.client.get(exam.get_absolute_url()).context["suspicious"]), 4)
        self.client.force_login(self.p.member_user)
        self.assertEqual(self.client.get(exam.get_absolute_url()).context["suspicious"], [])
