"""Fingerprints see through the disguises of a copied passage and keep the winnowing guarantee."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from django.test import SimpleTestCase

from essays import fingerprint as fp

TEXT = (Path(__file__).resolve().parents[2] / "learning" / "data" / "regulations.txt").read_text(encoding="utf-8")
PASSAGE = ("党支部是党的基础组织，是党组织开展工作的基本单元，是党在社会基层组织中的战斗堡垒，"
           "是党的全部工作和战斗力的基础，担负直接教育党员、管理党员、监督党员和组织群众、"
           "宣传群众、凝聚群众、服务群众的职责。")


def shared(a: str, b: str) -> float:
    x, y = set(fp.index_hashes(a).tolist()), set(fp.index_hashes(b).tolist())
    return len(x & y) / max(len(x), 1)


class NormalizationTest(SimpleTestCase):
    def test_punctuation_whitespace_width_and_case_are_ignored(self) -> None:
        disguised = PASSAGE.replace("，", " , ").replace("。", "．\n\n").replace("、", "/")
        self.assertEqual(fp.index_hashes(disguised).tolist(), fp.index_hashes(PASSAGE).tolist())
        self.assertEqual(fp.normalized("ＡＢＣ１２３")[0].tolist(), [ord(c) for c in "abc123"])

    def test_traditional_characters_read_as_simplified(self) -> None:
        traditional = "黨支部是黨的基礎組織，是黨組織開展工作的基本單元，是黨在社會基層組織中的戰鬥堡壘"
        simplified = "党支部是党的基础组织，是党组织开展工作的基本单元，是党在社会基层组织中的战斗堡垒"
        self.assertEqual(fp.normalized(traditional)[0].tolist(), fp.normalized(simplified)[0].tolist())

    def test_filler_particles_inserted_or_removed_change_nothing(self) -> None:
        padded = PASSAGE.replace("基础组织", "基础的组织").replace("开展工作", "开展了工作")
        self.assertEqual(fp.index_hashes(padded).tolist(), fp.index_hashes(PASSAGE).tolist())

    def test_offsets_point_back_into_the_original_text(self) -> None:
        text = "  不忘初心，\n牢记使命！"
        points, offsets = fp.normalized(text)
        self.assertEqual("".join(text[i] for i in offsets), "不忘初心牢记使命")
        self.assertEqual("".join(chr(p) for p in points), "不忘初心牢记使命")


class WinnowingTest(SimpleTestCase):
    def test_a_shared_run_of_the_guaranteed_length_always_shares_a_fingerprint(self) -> None:
        rng = random.Random(3)
        # Characters that normalize to themselves (no fillers, no traditional forms), so runs keep their length.
        alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000) if fp.table()[c] == c]
        for _trial in range(200):
            common = "".join(rng.choice(alphabet) for _n in range(fp.GUARANTEE))
            a = "".join(rng.choice(alphabet) for _n in range(rng.randrange(0, 40))) + common
            b = common + "".join(rng.choice(alphabet) for _n in range(rng.randrange(0, 40)))
            self.assertTrue(set(fp.index_hashes(a).tolist()) & set(fp.index_hashes(b).tolist()))

    def test_a_few_changed_characters_leave_most_fingerprints(self) -> None:
        changed = PASSAGE.replace("基本单元", "基本单位").replace("战斗力", "凝聚力")
        self.assertGreater(shared(PASSAGE, changed), 0.5)

    def test_unrelated_texts_share_almost_nothing(self) -> None:
        other = TEXT[TEXT.index("第二十一条"):]
        self.assertLess(shared(PASSAGE, other), 0.05)

    def test_positions_are_within_the_text_and_short_texts_work(self) -> None:
        prints = fp.fingerprint(TEXT)
        self.assertTrue(np.all(prints.positions < prints.length))
        self.assertEqual(len(fp.fingerprint("").hashes), 0)
        self.assertEqual(len(fp.fingerprint("不忘初心").hashes), 0)
        self.assertEqual(len(fp.fingerprint("不忘初心牢记使命担当作为").hashes), 1)
