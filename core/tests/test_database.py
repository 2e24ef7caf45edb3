"""SQLite statistics are rebuilt after a migration drops them."""

from __future__ import annotations

import unittest

from django.db import connection

from core.database import analyze_unanalyzed
from core.testing.views import PersonaTestCase


@unittest.skipUnless(connection.vendor == "sqlite", "statistics for the query planner are a SQLite matter here")
class AnalyzeTest(PersonaTestCase):
    def stats(self, table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
            return int(cursor.fetchone()[0])

    def test_a_table_with_rows_and_no_statistics_is_analyzed_once(self) -> None:
        analyze_unanalyzed()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'orgs_member'")  # as a rebuilt table has none
        self.assertEqual(self.stats("orgs_member"), 0)
        self.assertIn("orgs_member", analyze_unanalyzed())
        self.assertGreater(self.stats("orgs_member"), 0)
        self.assertNotIn("orgs_member", analyze_unanalyzed())

    def test_empty_tables_are_left_alone(self) -> None:
        self.assertNotIn("campaigns_problem", analyze_unanalyzed())
        self.assertEqual(self.stats("campaigns_problem"), 0)
