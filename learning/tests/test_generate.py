"""Question generation on real regulation texts: blanks only on meaningful terms."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from django.test import SimpleTestCase

from core.testing.views import PersonaTestCase
from learning import generate, rules

TEXT = (Path(__file__).resolve().parent.parent / "data" / "regulations.txt").read_text(encoding="utf-8")


class GenerateTest(SimpleTestCase):
    proposals: ClassVar[list[generate.Proposal]]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.proposals = generate.propose(TEXT, limit=30, seed=1)

    def test_it_proposes_questions_of_both_kinds(self) -> None:
        kinds = {p.kind for p in self.proposals}
        self.assertEqual(kinds, {"blank", "single"})
        self.assertGreaterEqual(sum(p.kind == "blank" for p in self.proposals), 15)

    def test_blanks_fall_on_meaningful_terms_never_on_particles_punctuation_or_numbers(self) -> None:
        jieba = generate._jieba()
        for p in self.proposals:
            term = p.term
            self.assertRegex(term, r"^[\u4e00-\u9fff]{2,8}$", p)
            self.assertIsNone(re.search(r"[0-9一二三四五六七八九十百千万零两第个]", term), p)
            self.assertNotIn(term, generate.STOPWORDS)
            tags = {pair.flag for pair in jieba.posseg.cut(term)}
            self.assertFalse(tags & {"u", "uj", "ul", "uz", "p", "c", "x", "m", "q", "r", "d"}, (term, tags))
            # the blank replaces exactly the term's one occurrence in its sentence
            self.assertEqual(p.sentence.count(term), 1)

    def test_a_blank_question_is_a_valid_bank_question(self) -> None:
        for p in self.proposals:
            self.assertIsNone(rules.question_error(p.kind, p.text, p.options, p.answer), p)
            if p.kind == "blank":
                self.assertEqual(p.text.replace("____", p.term), p.sentence)

    def test_distractors_are_other_terms_of_the_same_kind(self) -> None:
        for p in (p for p in self.proposals if p.kind == "single"):
            self.assertEqual(p.options[p.answer[0]], p.term)
            self.assertEqual(len(set(p.options)), 4)
            for option in p.options:
                self.assertIn(option, TEXT)
                if option != p.term:  # a distractor must not already stand in the stem
                    self.assertNotIn(option, p.text)

    def test_the_same_term_is_not_asked_twice(self) -> None:
        blanks = [p.term for p in self.proposals if p.kind == "blank"]
        self.assertEqual(len(blanks), len(set(blanks)))

    def test_figures_like_three_members_or_once_a_month_are_not_blanked(self) -> None:
        for p in self.proposals:
            self.assertNotIn(p.term, {"3人", "1次", "每月", "每季度", "1天"})


class GeneratePageTest(PersonaTestCase):
    def test_propose_edit_and_accept_into_the_bank(self) -> None:
        from django.urls import reverse

        from learning.models import Question

        self.client.force_login(self.p.branch1_manager)
        url = reverse("learning:question_generate")
        response = self.client.post(url, {"step": "propose", "org": self.p.branch1.pk, "text": TEXT, "limit": 6,
                                          "source": "党章", "tags": "党章"})
        proposals = response.context["proposals"]
        self.assertTrue(proposals)
        data: dict[str, object] = {"step": "accept", "org": self.p.branch1.pk, "text": TEXT, "limit": 6,
                                   "source": "党章", "tags": "党章", "count": len(proposals)}
        for i, item in enumerate(proposals[:2]):
            p = item["p"]
            data |= {f"p{i}-include": "1", f"p{i}-kind": p.kind, f"p{i}-text": p.text,
                     f"p{i}-options": item["options_text"], f"p{i}-answer": item["answer_text"]}
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Question.objects.filter(org=self.p.branch1, source="党章").count(), 2)

    def test_inspectors_and_members_cannot_generate(self) -> None:
        from django.urls import reverse

        for user in (self.p.inspector, self.p.member_user):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("learning:question_generate")).status_code, 403)

    def test_a_sibling_bank_is_not_a_choice(self) -> None:
        from django.urls import reverse

        self.client.force_login(self.p.branch1_manager)
        response = self.client.post(reverse("learning:question_generate"), {
            "step": "propose", "org": self.p.branch2.pk, "text": TEXT, "limit": 3})
        self.assertIn("org", response.context["form"].errors)
