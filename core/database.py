"""Database upkeep that Django leaves to the operator.

SQLite plans queries from the statistics ``ANALYZE`` keeps in ``sqlite_stat1``. A migration that rebuilds a
table (SQLite's way to add most columns) drops that table's statistics, and without them the planner can
pick an index that makes a dashboard of a million problems seventeen times slower (measured: 0.75 s → 12.7 s).
So after every ``migrate``, each table that holds rows and has no statistics is analyzed again (about a second
per million rows); empty tables (a new installation) are skipped.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections


def analyze_unanalyzed(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> list[str]:
    """``ANALYZE`` the SQLite tables with rows and indexes but no statistics; returns their names."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    quote = connection.ops.quote_name
    done = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index' "
                       "AND tbl_name NOT LIKE 'sqlite_%'")
        indexed = {row[0] for row in cursor.fetchall()}
        try:
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
            analyzed = {row[0] for row in cursor.fetchall()}
        except OperationalError:  # never analyzed: the statistics table does not exist yet
            analyzed = set()
        for table in sorted(indexed - analyzed):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                cursor.execute(f"ANALYZE {quote(table)}")
                done.append(table)
    return done
