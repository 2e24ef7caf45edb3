"""Matching an essay against an index: copied passages found under disguises, shared formulations not."""

from __future__ import annotations

import random
import re
from pathlib import Path

from django.test import SimpleTestCase

from essays.index import Index

TEXT = (Path(__file__).resolve().parents[2] / "learning" / "data" / "regulations.txt").read_text(encoding="utf-8")
SENTENCES = [s for s in re.split(r"(?<=[。；])", TEXT.replace("\n", "")) if len(s) > 30]
OWN = ("今年以来，我坚持每周抽出固定时间学习，把学习笔记整理成册，在支部学习会上交流体会。"
       "在社区志愿服务中，我主动联系三户困难群众，帮他们解决了看病和子女上学的实际困难。"
       "对照检查，我在联系群众方面还有差距，下一步要多走访、多倾听，把群众的事放在心上。")


class IndexTest(SimpleTestCase):
    def setUp(self) -> None:
        self.sources = {i + 1: s for i, s in enumerate(SENTENCES)}
        self.index = Index.build(self.sources.items())

    def test_an_own_text_is_original(self) -> None:
        result = self.index.check(OWN)
        self.assertEqual(result.passages, [])
        self.assertEqual(result.originality, 100.0)

    def test_a_copied_sentence_is_found_with_its_source_and_place(self) -> None:
        copied = SENTENCES[3]
        essay = OWN[:60] + copied + OWN[60:]
        result = self.index.check(essay)
        self.assertEqual({p.source for p in result.passages}, {4})
        passage = result.passages[0]
        self.assertGreaterEqual(passage.start, 55)
        self.assertLessEqual(passage.end, 60 + len(copied) + 2)
        self.assertLess(result.originality, 100 * (1 - len(copied) / len(essay)) + 15)

    def test_stitched_passages_name_each_source(self) -> None:
        essay = SENTENCES[1] + OWN + SENTENCES[6]
        self.assertEqual({p.source for p in self.index.check(essay).passages}, {2, 7})

    def test_disguises_do_not_hide_a_copy(self) -> None:
        copied = SENTENCES[5]
        disguised = copied.replace("，", " ").replace("党", "黨").replace("组织", "組織的")
        self.assertIn(6, {p.source for p in self.index.check(OWN + disguised).passages})

    def test_formulations_in_many_documents_are_not_evidence(self) -> None:
        slogan = "不忘初心、牢记使命，守初心、担使命，找差距、抓落实"
        rng = random.Random(2)
        docs = {i: rng.choice(SENTENCES) + slogan + rng.choice(SENTENCES) for i in range(1, 401)}
        index = Index.build(docs.items())
        result = index.check(OWN + slogan)
        self.assertEqual(result.passages, [], "a slogan everybody writes is not a copy")

    def test_an_essay_is_not_its_own_source(self) -> None:
        self.assertEqual(self.index.check(SENTENCES[2], exclude=3).passages, [])
