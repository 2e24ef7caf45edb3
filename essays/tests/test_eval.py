"""The accuracy goals of originality checking, on a smaller seeded run of ``essays.eval.run``.

The full evaluation (``python -m essays.eval.run``, reported in docs/originality-evaluation.md) runs 200
essays per disguise and three stress disguises; this one runs the first 120 essays of each disguise with a
goal (same seed, same corpus, so the same essays as the report) and all 300 formulation-only essays, in
about two seconds.

Every goal is asserted, for every disguise, and a stricter one besides: at most 1 % of the
formulation-only essays get any passage at all.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from django.test import SimpleTestCase

from essays.eval import run


class EvaluationGoalsTest(SimpleTestCase):
    evaluation: run.Evaluation

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.evaluation = run.evaluate(seed=2024, per_row=120, formulation_essays=300, synthetic=300,
                                      rows=run.GOAL_ROWS)

    def test_the_evaluation_set_is_real_text_of_the_promised_size(self) -> None:
        names = run.SOURCES + run.OWN + run.BACKGROUND
        self.assertEqual(len(set(names)), len(names))
        self.assertEqual({p.stem for p in run.TEXTS.glob("*.txt")}, set(names), "every text is in one pool")
        self.assertGreaterEqual(len(names), 25)
        documents = [run.load(name) for name in names]
        self.assertGreaterEqual(sum(len(d.body) for d in documents), 60_000)
        readme = (run.TEXTS / "README.md").read_text(encoding="utf-8")
        for document in documents:
            with self.subTest(document.name):
                self.assertTrue(document.title and document.source)
                self.assertIn(f"{document.name}.txt", readme)

    def test_a_copied_passage_is_found_under_each_disguise(self) -> None:
        for kind in run.GOAL_ROWS:
            tally = self.evaluation.tallies[kind]
            with self.subTest(kind):
                self.assertGreaterEqual(tally.copies, 200)
                self.assertGreaterEqual(tally.recall, 0.95, run.LABELS[kind])

    def test_the_originality_is_within_five_points_of_the_true_share(self) -> None:
        for kind in run.GOAL_ROWS:
            with self.subTest(kind):
                self.assertGreaterEqual(self.evaluation.tallies[kind].within(5.0), 0.95, run.LABELS[kind])

    def test_reported_passages_name_the_copied_source(self) -> None:
        for kind in run.GOAL_ROWS:
            with self.subTest(kind):
                self.assertGreaterEqual(self.evaluation.tallies[kind].precision, 0.99, run.LABELS[kind])

    def test_essays_sharing_only_fixed_formulations_are_not_flagged(self) -> None:
        formulations = self.evaluation.formulations
        self.assertEqual(formulations.essays, 300)
        self.assertGreater(formulations.occurrences, 2000)
        # Passage-level precision: the share of formulation and quotation occurrences no passage touches.
        self.assertGreaterEqual(1 - formulations.occurrences_flagged / formulations.occurrences, 0.99)

    def test_at_most_one_percent_of_formulation_only_essays_have_a_passage(self) -> None:
        # Stricter than the requirement (essay level): two formulations side by side in a few other
        # documents make a rare run across their junction; the common-coverage rule keeps it out.
        formulations = self.evaluation.formulations
        self.assertLessEqual(formulations.flagged_essays, 0.01 * formulations.essays)


class CommandTest(SimpleTestCase):
    def test_markdown_table(self) -> None:
        out = io.StringIO()
        with redirect_stdout(out):
            code = run.main(["--essays", "3", "--formulation-essays", "3", "--synthetic", "50",
                             "--rows", "verbatim,stitched", "--markdown"])
        self.assertEqual(code, 0)
        text = out.getvalue()
        self.assertIn("| disguise |", text)
        self.assertIn("| verbatim (baseline, no disguise) | 3 |", text)
        self.assertIn("goals:", text)
