"""Pages and API of the question bank and exams: generic suites, the paper never holds the answers."""

from __future__ import annotations

import datetime
import io
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from core.imports.engine import import_file
from core.testing.api import APITestCase, APIViewTestCases
from core.testing.personas import Personas
from core.testing.views import PersonaTestCase, ViewTestCases
from learning.choices import AttemptStatus
from learning.models import Attempt, Exam, Question
from learning.resources import QuestionResource
from learning.tests.helpers import new_exam, new_question
from orgs.models import Organization


class QuestionViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = Question
    url_prefix = "learning:question"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Question:
        return new_question(p, org, n * 100 + org.pk)

    def update_data(self) -> dict[str, Any]:
        return {"explanation": "见党章第一章", "source": "《中国共产党章程》"}

    def test_the_form_takes_options_and_letters(self) -> None:
        self.as_user(self.p.branch1_manager)
        response = self.client.post(self.url("add"), {
            "org": self.p.branch1.pk, "kind": "multiple", "text": "下列属于“四个意识”的是",
            "options_text": "A. 政治意识\nB. 大局意识\nC. 经济意识\nD. 核心意识", "answer_text": "ABD",
            "tags": "四个意识", "active": "on"})
        self.assertEqual(response.status_code, 302, response.context and response.context["form"].errors)
        question = Question.objects.get(text="下列属于“四个意识”的是")
        self.assertEqual((question.options[2], question.answer), ("经济意识", [0, 1, 3]))

    def test_a_bad_answer_is_named_on_its_field(self) -> None:
        self.as_user(self.p.branch1_manager)
        response = self.client.post(self.url("add"), {"org": self.p.branch1.pk, "kind": "single", "text": "题",
                                                      "options_text": "甲\n乙", "answer_text": "C"})
        self.assertIn("answer_text", response.context["form"].errors)

    def test_members_cannot_read_the_bank(self) -> None:
        self.as_user(self.p.member_user)
        self.assertEqual(self.client.get(self.url("detail", self.obj1)).status_code, 404)
        self.assertNotContains(self.client.get(self.url("list")), self.obj1.get_absolute_url())


class ExamViewTest(ViewTestCases.PrimaryObjectViewTestCase):
    model = Exam
    url_prefix = "learning:exam"
    list_queries = 7

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Exam:
        if not Question.objects.filter(org=p.committee).exists():
            for k in range(4):
                new_question(p, p.committee, k)
        return new_exam(p, org, title=f"考试{org.code}-{n}")

    def update_data(self) -> dict[str, Any]:
        return {"time_limit": "45", "pass_mark": "70"}

    def test_the_export_holds_the_filtered_rows_under_chinese_headers_in_any_language(self) -> None:
        new_exam(self.p, self.p.branch1, title="另一场考试")
        self.as_user(self.p.branch1_manager)
        response = self.client.get(self.url("list"), {"export": "xlsx", "q": self.obj1.title},
                                   headers={"accept-language": "en"})
        self.assertIn("Exam", response["Content-Disposition"])  # the page is in English; the file is not
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        header, *rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
        self.assertEqual(header[:4], ["编号", "名称", "组织单位编码", "组织单位"])
        self.assertIn("及格分（百分制）", header)
        self.assertEqual([row[1] for row in rows], [self.obj1.title])
        self.assertEqual(rows[0][header.index("抽题规则")], "共3题：单选题（党章）3题")
        self.assertEqual(rows[0][header.index("组织单位编码")], self.p.branch1.code)


class PaperTest(PersonaTestCase):
    def setUp(self) -> None:
        for n in range(4):
            new_question(self.p, self.p.committee, n)
        self.exam = new_exam(self.p, self.p.branch1, attempts_allowed=1)
        self.client.force_login(self.p.member_user)

    def test_the_member_sits_the_exam_and_the_paper_holds_no_answer(self) -> None:
        response = self.client.post(reverse("learning:exam_start", args=[self.exam.pk]))
        attempt = Attempt.objects.get()
        self.assertRedirects(response, reverse("learning:attempt_take", args=[attempt.pk]))
        paper = self.client.get(response["Location"]).content.decode()
        for question in Question.objects.filter(pk__in=attempt.questions):
            self.assertIn(question.text, paper)
            self.assertNotIn(question.explanation, paper)
        first = Question.objects.get(pk=attempt.questions[0])
        response = self.client.post(reverse("learning:attempt_take", args=[attempt.pk]),
                                    {f"q{first.pk}": str(first.answer[0])})
        self.assertRedirects(response, attempt.get_absolute_url())
        attempt.refresh_from_db()
        self.assertEqual((attempt.status, attempt.score), (AttemptStatus.SUBMITTED, Decimal("33.3")))  # 1 of 3
        result = self.client.get(attempt.get_absolute_url())
        self.assertContains(result, first.explanation)
        again = self.client.post(reverse("learning:attempt_take", args=[attempt.pk]), {f"q{first.pk}": "0"})
        self.assertRedirects(again, attempt.get_absolute_url())
        self.assertEqual(Attempt.objects.get(pk=attempt.pk).score, attempt.score)

    def test_every_questions_options_are_lettered_from_a(self) -> None:
        import re

        self.client.post(reverse("learning:exam_start", args=[self.exam.pk]))
        attempt = Attempt.objects.get()
        paper = self.client.get(reverse("learning:attempt_take", args=[attempt.pk])).content.decode()
        for question in Question.objects.filter(pk__in=attempt.questions):
            letters = re.findall(rf'for="q{question.pk}-\d+">([A-H])\. ', paper)
            self.assertEqual(letters, list("ABCDEFGH"[:len(question.options)]), question.text)

    def test_with_a_try_left_the_result_holds_no_answers_or_explanations(self) -> None:
        exam = new_exam(self.p, self.p.branch1, attempts_allowed=2, title="可重考")
        self.client.post(reverse("learning:exam_start", args=[exam.pk]))
        attempt = Attempt.objects.get(exam=exam)
        self.client.post(reverse("learning:attempt_take", args=[attempt.pk]), {})
        result = self.client.get(attempt.get_absolute_url()).content.decode()
        self.assertIn("还可以再次作答", result)
        for question in Question.objects.filter(pk__in=attempt.questions):
            self.assertNotIn(question.explanation, result)

    def test_a_late_submission_goes_to_the_result_and_never_loops(self) -> None:
        self.client.post(reverse("learning:exam_start", args=[self.exam.pk]))
        attempt = Attempt.objects.get()
        Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=5))
        response = self.client.post(reverse("learning:attempt_take", args=[attempt.pk]), {})
        self.assertRedirects(response, attempt.get_absolute_url())
        self.assertEqual(Attempt.objects.get(pk=attempt.pk).status, AttemptStatus.EXPIRED)
        self.assertEqual(self.client.get(attempt.get_absolute_url()).status_code, 200)
        taken = self.client.get(reverse("learning:attempt_take", args=[attempt.pk]))
        self.assertRedirects(taken, attempt.get_absolute_url())

    def test_another_member_cannot_open_the_attempt(self) -> None:
        self.client.post(reverse("learning:exam_start", args=[self.exam.pk]))
        attempt = Attempt.objects.get()
        self.client.force_login(self.p.branch2_manager)
        self.assertEqual(self.client.get(reverse("learning:attempt_take", args=[attempt.pk])).status_code, 404)
        self.assertEqual(self.client.get(attempt.get_absolute_url()).status_code, 404)

    def test_the_organizer_sees_the_score_distribution_by_organization(self) -> None:
        self.client.post(reverse("learning:exam_start", args=[self.exam.pk]))
        attempt = Attempt.objects.get()
        self.client.post(reverse("learning:attempt_take", args=[attempt.pk]), {})
        own = self.client.get(self.exam.get_absolute_url())  # the member who sat it sees their attempt only
        self.assertNotContains(own, "成绩分布")
        self.assertContains(own, "我的答卷")
        self.client.force_login(self.p.branch1_manager)
        response = self.client.get(self.exam.get_absolute_url())
        self.assertContains(response, "成绩分布")
        self.assertEqual([row["attempts"] for row in response.context["by_org"]], [1])
        self.assertEqual(sum(band["count"] for band in response.context["distribution"]), 1)


    def test_figures_count_people_by_their_best_attempt(self) -> None:
        """A member who passed and then handed in a blank second attempt counts once, as passed, with the
        best score, in the table as in the distribution."""
        from learning import services
        from learning.models import Question

        exam = new_exam(self.p, self.p.branch1, attempts_allowed=2)
        first = services.start_attempt(exam, acting_user=self.p.member_user)
        right = {str(q.pk): q.answer for q in Question.objects.filter(pk__in=first.questions)}
        services.submit_attempt(first, right, acting_user=self.p.member_user)
        second = services.start_attempt(exam, acting_user=self.p.member_user)
        services.submit_attempt(second, {}, acting_user=self.p.member_user)
        self.client.force_login(self.p.branch1_manager)
        (row,) = self.client.get(exam.get_absolute_url()).context["by_org"]
        self.assertEqual((row["people"], row["attempts"], row["mean"], row["pass_rate"]), (1, 2, 100.0, 100))

class QuestionAPITest(APIViewTestCases.APIViewTestCase):
    model = Question
    basename = "question"
    list_queries = 3

    @classmethod
    def make_object(cls, p: Personas, org: Organization, n: int) -> Question:
        return new_question(p, org, n)

    def create_data(self) -> dict[str, Any]:
        return {"org": self.p.branch1.pk, "kind": "true_false", "text": "党员有退党的自由。", "answer": [True]}

    def update_data(self) -> dict[str, Any]:
        return {"source": "党章第九条"}

    def test_an_invalid_answer_is_a_400_on_its_field(self) -> None:
        self.login(self.p.branch1_manager)
        response = self.client.post(self.list_url(), {**self.create_data(), "answer": ["maybe"]}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("answer", response.data)


class AttemptAPITest(APITestCase):
    def setUp(self) -> None:
        super().setUp()
        for n in range(4):
            new_question(self.p, self.p.committee, n)
        self.exam = new_exam(self.p, self.p.branch1)

    def test_start_and_submit_once(self) -> None:
        self.login(self.p.member_user)
        started = self.client.post(reverse("exam-start", args=[self.exam.pk]))
        self.assertEqual(started.status_code, 201)
        self.assertNotIn("answer", json.dumps(started.data["paper"]))
        url = reverse("attempt-submit", args=[started.data["id"]])
        forged = self.client.post(url, {"answers": {"999999": [0]}}, format="json")
        self.assertEqual(forged.status_code, 400)
        done = self.client.post(url, {"answers": {}}, format="json")
        self.assertEqual((done.status_code, done.data["status"]), (200, "submitted"))
        twice = self.client.post(url, {"answers": {}}, format="json")
        self.assertEqual(twice.status_code, 400)
        self.login(self.p.branch2_manager)
        self.assertEqual(self.client.get(reverse("attempt-detail", args=[started.data["id"]])).status_code, 404)


class QuestionImportTest(PersonaTestCase):
    def write(self, rows: list[list[Any]]) -> Path:
        path = Path(tempfile.mkdtemp()) / "bank.xlsx"
        book = openpyxl.Workbook()
        book.active.append(QuestionResource.headers())
        for row in rows:
            book.active.append(row)
        book.save(path)
        return path

    def test_import_then_reimport_changes_nothing_and_errors_name_the_cell(self) -> None:
        rows = [["", "单选题", "党的最高理想是实现____。", "共产主义\n社会主义", "A", "", "党章", "", "T01"],
                ["", "判断题", "党员有退党的自由。", "", "对", "", "党章", "", "T01"],
                ["", "填空题", "不忘____，牢记____。", "", "初心\n使命", "", "", "", "T01"]]
        path = self.write(rows)
        result = import_file(QuestionResource(self.p.branch1_manager), path)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(Question.objects.count(), 3)
        self.assertEqual(Question.objects.get(kind="blank").answer, [["初心"], ["使命"]])
        again = import_file(QuestionResource(self.p.branch1_manager), path)
        self.assertEqual(again.counts["unchanged"], 3, again.errors)
        bad = self.write([["", "单选题", "题", "甲\n乙", "C", "", "", "", "T01"],
                          ["", "单选题", "题二", "甲\n乙", "A", "", "", "", "T02"]])
        result = import_file(QuestionResource(self.p.branch1_manager), bad)
        self.assertEqual({(r, c) for r, c, _m in result.errors}, {(2, "答案"), (3, "题库所属组织编码")})
        self.assertEqual(Question.objects.count(), 3)

    def test_an_export_reimports_unchanged(self) -> None:
        new_question(self.p, self.p.branch1, 1, kind="multiple")
        new_question(self.p, self.p.branch1, 2, kind="blank")
        path = Path(tempfile.mkdtemp()) / "export.xlsx"
        QuestionResource(self.p.branch1_manager).export("xlsx", path)
        result = import_file(QuestionResource(self.p.branch1_manager), path)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.counts["unchanged"], 2)


class ExamFormTest(PersonaTestCase):
    def test_draw_rules_in_either_language_or_as_codes(self) -> None:
        from django.utils import translation

        from learning.forms import ExamForm

        for text in ("单选题 10 党章\n判断题 5", "Single choice 10 党章\nTrue/false 5", "single 10 党章\ntrue_false 5"):
            form = ExamForm(data={"draw_text": text}, user=self.p.admin)
            form.is_valid()
            self.assertNotIn("draw_text", form.errors, text)
            self.assertEqual(form.cleaned_data["draw_text"], [{"kind": "single", "count": 10, "tag": "党章"},
                                                              {"kind": "true_false", "count": 5, "tag": ""}])
        with translation.override("en"):
            form = ExamForm(data={"draw_text": "essay 3"}, user=self.p.admin)
            self.assertIn("draw_text", form.errors)


class DistributionTest(PersonaTestCase):
    def test_a_member_counts_once_with_their_best_attempt(self) -> None:
        from learning import services
        from learning.exam_views import distribution

        for n in range(4):
            new_question(self.p, self.p.committee, n)
        exam = new_exam(self.p, self.p.branch1, attempts_allowed=2)
        first = services.start_attempt(exam, acting_user=self.p.member_user)
        services.submit_attempt(first, {}, acting_user=self.p.member_user)
        second = services.start_attempt(exam, acting_user=self.p.member_user)
        bank = Question.objects.in_bulk(second.questions)
        services.submit_attempt(second, {str(q): bank[q].answer for q in second.questions},
                                acting_user=self.p.member_user)
        bands = {b["label"]: b["count"] for b in distribution(Attempt.objects.filter(exam=exam), exam)}
        self.assertEqual(bands, {"0–59": 0, "60–69": 0, "70–79": 0, "80–89": 0, "90–100": 1})
