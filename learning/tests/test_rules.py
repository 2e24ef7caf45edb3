"""The conversion and pace rules of rules.md §3, as pure functions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import SimpleTestCase, TestCase

from learning import rules
from learning.choices import Standing

CONV = rules.Conversion(Decimal(8), Decimal(4), Decimal(6), Decimal(3))
D = Decimal


Span = tuple[datetime.datetime, datetime.datetime]


def span(day: int, start: tuple[int, int], end_day: int, end: tuple[int, int]) -> Span:
    return (datetime.datetime(2026, 3, day, *start), datetime.datetime(2026, 3, end_day, *end))


class ConversionTest(SimpleTestCase):
    def test_a_full_day_counts_eight_hours(self) -> None:
        self.assertEqual(rules.credited_hours(*span(2, (9, 0), 2, (17, 0)), CONV), D(8))

    def test_half_a_day_counts_four_hours(self) -> None:
        self.assertEqual(rules.credited_hours(*span(2, (8, 30), 2, (11, 45)), CONV), D(4))

    def test_a_short_session_counts_its_actual_hours_to_half_an_hour(self) -> None:
        self.assertEqual(rules.credited_hours(*span(2, (14, 0), 2, (15, 40)), CONV), D("1.5"))
        self.assertEqual(rules.credited_hours(*span(2, (14, 0), 2, (15, 50)), CONV), D(2))

    def test_a_three_day_course_counts_three_full_days(self) -> None:
        self.assertEqual(rules.credited_hours(*span(2, (9, 0), 4, (17, 0)), CONV), D(24))

    def test_no_activity_credits_more_than_24_hours_a_day(self) -> None:
        self.assertEqual(rules.max_hours(*span(2, (9, 0), 3, (17, 0))), D(48))


class PaceTest(SimpleTestCase):
    def test_online_hours_count_only_up_to_the_cap(self) -> None:
        self.assertEqual(rules.counted_hours(D(40), capped=D(30), cap=D(16)), D(26))
        self.assertEqual(rules.counted_hours(D(40), capped=D(10), cap=D(16)), D(40))

    def test_half_way_through_the_year_half_the_hours_are_due(self) -> None:
        self.assertEqual(rules.due_by(D(32), datetime.date(2026, 12, 31)), D(32))
        self.assertAlmostEqual(float(rules.due_by(D(32), datetime.date(2026, 7, 2))), 16.0, delta=0.1)

    def test_standing(self) -> None:
        mid = datetime.date(2026, 7, 2)
        self.assertEqual(rules.standing(D(32), D(32), 0, 0, mid), Standing.DONE)
        self.assertEqual(rules.standing(D(56), D(56), 0, 1, mid), Standing.ON_TRACK)  # training still owed
        self.assertEqual(rules.standing(D(17), D(32), 0, 0, mid), Standing.ON_TRACK)
        self.assertEqual(rules.standing(D(15), D(32), 0, 0, mid), Standing.BEHIND)

    def test_last_quarter_end(self) -> None:
        self.assertIsNone(rules.last_quarter_end(datetime.date(2026, 3, 30)))
        self.assertEqual(rules.last_quarter_end(datetime.date(2026, 3, 31)), datetime.date(2026, 3, 31))
        self.assertEqual(rules.last_quarter_end(datetime.date(2026, 11, 21)), datetime.date(2026, 9, 30))

    def test_the_year_is_out_of_reach_when_the_weeks_left_cannot_hold_the_shortfall(self) -> None:
        december = datetime.date(2026, 12, 10)
        self.assertTrue(rules.cannot_make_year(D(0), D(32), december, per_week=D(8)))
        self.assertFalse(rules.cannot_make_year(D(20), D(32), december, per_week=D(8)))


class PlanVersionTest(TestCase):
    def test_the_hours_rules_cite_the_plan_in_force_on_the_day(self) -> None:
        from core.rules import rule_version

        for key, *_rest in rules.PLAN_RULES:
            old = rule_version(key, datetime.date(2022, 6, 1))
            new = rule_version(key, datetime.date(2026, 11, 21))
            self.assertIn("2019—2023", old.source)
            self.assertTrue(new.source.startswith("《全国党员教育培训工作规划（2024—2028年）》"), new.source)
            self.assertEqual(old.value, new.value)  # figures kept, and the source says so
            self.assertIn("沿用", new.source)

    def test_an_adjusted_rule_is_not_overridden_by_a_newer_shipped_version(self) -> None:
        from core.models import Rule
        from core.rules import clear_cache, install_default_rules, rule_value

        self.addCleanup(clear_cache)  # the cache outlives the test's transaction
        Rule.objects.filter(key__in=["learning.hours.member_annual", "learning.hours.leader_annual"],
                            effective_from=rules.PLAN_2024_START).delete()
        # A local requirement: an administrator's edit, which takes the "shipped" mark off (core.admin.RuleAdmin).
        Rule.objects.filter(key="learning.hours.member_annual").update(value=40, shipped=False)
        clear_cache()
        install_default_rules()
        self.assertEqual(rule_value("learning.hours.member_annual", datetime.date(2025, 6, 1)), 40)
        self.assertFalse(Rule.objects.filter(key="learning.hours.member_annual",
                                             effective_from=rules.PLAN_2024_START).exists())
        # A rule left as shipped gets the new version.
        self.assertIn("2024—2028", Rule.objects.get(key="learning.hours.leader_annual",
                                                    effective_from=rules.PLAN_2024_START).source)


def test_too_few_options_say_how_many_were_read():
    options = rules.parse_options("甲/乙/丙")  # one line: one option
    assert rules.question_error("single", "题干", options, [0]) == (
        "options", "选择题应有2–8个非空选项，每行一个（现读到1个）")
