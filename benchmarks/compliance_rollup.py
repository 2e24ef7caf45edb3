"""Compliance roll-up over a million members and twenty million hour records, against DuckDB.

The study-compliance summary a committee sees — party members, done, on track, behind and counted hours,
for its whole subtree and for each child organization — is computed by Chuxin from the per-member yearly
totals (``MemberYear``, kept current by every ledger change), never from the hour records. This script
times that summary for the top committee and for a branch (median of interleaved rounds), then computes
the same figures with DuckDB straight from the raw records (hour records, members, leadership seats,
loaded into DuckDB's columnar tables beforehand; only the query is timed), checks that every number is
identical, and prints the ratios. Goals (issue: study and training): top committee ≤ 1 s, branch ≤ 30 ms,
Chuxin ≤ 1× DuckDB's time; on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/compliance_rollup.py                  # SQLite file, built if missing
    .venv/bin/python benchmarks/compliance_rollup.py --database-url postgres://chuxin:chuxin@127.0.0.1:5432/chuxin_learning
    .venv/bin/python benchmarks/compliance_rollup.py --all            # both; PostgreSQL started via scripts/pg.sh

Building the data the first time (a 1,000,000-member demo, then hour records up to 20,000,000 generated
in SQL, then every member's yearly totals through ``learning.ledger.refresh_years``) takes several
minutes; later runs reuse it. DuckDB is a benchmark-only dependency (requirements/bench.txt).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = "sqlite:////tmp/chuxin-bench-learning.sqlite3"
DEFAULT_PG = "postgres://chuxin:chuxin@127.0.0.1:5432/chuxin_learning"
MEMBERS = 1_000_000
RECORDS = 20_000_000
PASSWORD = "bench-pass-1"


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuxin.settings")
    os.environ.setdefault("CHUXIN_SECRET_KEY", "benchmark-only")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def marker_path(url: str) -> Path:
    safe = "".join(c if c.isalnum() else "_" for c in url)[-60:]
    return Path(tempfile.gettempdir()) / f"chuxin-compliance-{safe}.json"


def build(url: str, members: int, records: int) -> dict[str, Any]:
    """The demo, the hour records and the yearly totals; returns the build's marker (its date)."""
    marker = marker_path(url)
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("members") == members and info.get("records") == records:
            return info
    env = {**os.environ, "DATABASE_URL": url}
    print(f"building the demo with {members:,} members into {url} …", flush=True)
    subprocess.run([sys.executable, "manage.py", "demo", "--members", str(members), "--no-serve",
                    "--password", PASSWORD, "--seed", "11"], cwd=ROOT, env=env, check=True)
    setup(url)
    from django.db import connection, transaction
    from django.utils import timezone

    from learning.ledger import refresh_years
    from orgs.choices import MEMBER_STATUSES
    from orgs.models import Member

    today = timezone.localdate()
    year = today.year
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM learning_studyrecord")
        have = cursor.fetchone()[0]
    party = Member.objects.filter(status__in=MEMBER_STATUSES).count()
    per_member = -(-(records - have) // party)
    days = max((today - datetime.date(year, 1, 1)).days, 1)
    start = time.perf_counter()
    print(f"generating {records - have:,} hour records ({per_member} per party member) …", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        _generate(cursor, connection.vendor, per_member, records - have, year, days)
    print(f"  {time.perf_counter() - start:.0f} s", flush=True)
    start = time.perf_counter()
    ids = list(Member.objects.filter(status__in=MEMBER_STATUSES).order_by("pk").values_list("pk", flat=True))
    print(f"computing the yearly totals of {len(ids):,} members with refresh_years …", flush=True)
    for i in range(0, len(ids), 20000):
        with transaction.atomic():
            refresh_years(ids[i:i + 20000], [year], today=today)
    print(f"  {time.perf_counter() - start:.0f} s", flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("VACUUM ANALYZE learning_memberyear")
            cursor.execute("VACUUM ANALYZE orgs_member")
    info = {"members": members, "records": records, "date": today.isoformat()}
    marker.write_text(json.dumps(info))
    return info


def _generate(cursor: Any, vendor: str, per_member: int, limit: int, year: int, days: int) -> None:
    """Hour records for every party member, in member order, with a deterministic spread of hours, kinds
    (about one in ten online, one in ten self-study, an occasional concentrated training) and dates."""
    columns = ("created, updated, org_id, org_path, member_id, date, year, hours, kind, source, title, provider, "
               "reference, attendance_id")
    kind = ("CASE WHEN (m.id + s.n) % 10 = 0 THEN 'online' WHEN (m.id + s.n) % 10 = 1 THEN 'self' "
            "WHEN s.n = 1 AND m.id % 3 = 0 THEN 'training' ELSE 'collective' END")
    hours = "((m.id * 7 + s.n * 13) % 4) + 1"
    offset = f"((m.id * 31 + s.n * 17) % {days})"
    if vendor == "sqlite":
        series = f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {per_member}) "
        date = f"date('{year}-01-01', '+' || {offset} || ' days')"
        now = "datetime('now')"
    else:
        series = f"WITH s(n) AS (SELECT generate_series(1, {per_member})) "
        date = f"DATE '{year}-01-01' + {offset}::int"
        now = "now()"
    cursor.execute(
        f"{series}INSERT INTO learning_studyrecord ({columns}) "
        f"SELECT {now}, {now}, m.org_id, m.org_path, m.id, {date}, {year}, {hours}, {kind}, 'external', "
        f"'基准学习记录', '', '', NULL FROM orgs_member m CROSS JOIN s "
        f"WHERE m.status IN ('full', 'probationary') ORDER BY m.id, s.n LIMIT {limit}"
    )


def chuxin_figures(org: Any, year: int, on: datetime.date) -> list[tuple[Any, ...]]:
    from learning import compliance

    total, children = compliance.rollup(org, year, on)
    rows = [total, *children]
    return [(s.org.code if s.org else "", s.members, s.done, s.on_track, s.behind,
             Decimal(s.hours).quantize(Decimal("0.1"))) for s in rows]


def export_raw(tmp: Path) -> dict[str, Path]:
    """Members, leadership seats and hour records as CSV files for DuckDB."""
    from django.db import connection

    queries = {
        "members": "SELECT id, org_path, status, conversion_date FROM orgs_member",
        "seats": "SELECT member_id, title, term_start, term_end FROM orgs_position",
        "records": "SELECT member_id, year, hours, kind FROM learning_studyrecord",
        "orgs": "SELECT id, code, path, parent_id, kind FROM orgs_organization",
    }
    files = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            path = tmp / f"{name}.csv"
            with path.open("w", newline="") as handle:
                writer = csv.writer(handle)
                if connection.vendor == "postgresql":
                    handle.close()
                    with path.open("wb") as raw, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
                        for chunk in copy:
                            raw.write(chunk)
                else:
                    cursor.execute(sql)
                    while rows := cursor.fetchmany(100_000):
                        writer.writerows(rows)
            files[name] = path
    return files


def duckdb_load(files: dict[str, Path]) -> Any:
    import duckdb

    con = duckdb.connect()
    schemas = {
        "members": "id BIGINT, org_path VARCHAR, status VARCHAR, conversion_date DATE",
        "seats": "member_id BIGINT, title VARCHAR, term_start DATE, term_end DATE",
        "records": "member_id BIGINT, year INTEGER, hours DECIMAL(5,1), kind VARCHAR",
        "orgs": "id BIGINT, code VARCHAR, path VARCHAR, parent_id BIGINT, kind VARCHAR",
    }
    for name, schema in schemas.items():
        columns = ", ".join(f"'{c.split()[0]}': '{c.split(maxsplit=1)[1]}'" for c in schema.split(", "))
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{files[name]}', header=false, "
                    f"columns={{{columns}}})")
    return con


DUCKDB_SQL = """
WITH totals AS (
    SELECT member_id, SUM(hours) AS hours,
           SUM(CASE WHEN kind IN ('online', 'self') THEN hours ELSE 0 END) AS capped,
           COUNT(*) FILTER (WHERE kind = 'training') AS trainings
    FROM records WHERE year = $year GROUP BY member_id
),
leaders AS (
    SELECT DISTINCT member_id FROM seats
    WHERE title <> 'group_leader' AND term_start <= $last AND (term_end IS NULL OR term_end >= $first)
),
party AS (
    SELECT m.id, m.org_path, COALESCE(t.hours, 0) - GREATEST(COALESCE(t.capped, 0) - $cap, 0) AS counted,
           COALESCE(t.trainings, 0) AS trainings,
           CASE WHEN l.member_id IS NOT NULL THEN $leader_hours ELSE $member_hours END AS required,
           CASE WHEN l.member_id IS NOT NULL THEN $leader_trainings
                WHEN m.status = 'probationary' OR m.conversion_date >= $converted_since THEN 1 ELSE 0 END
               AS trainings_required
    FROM members m LEFT JOIN totals t ON t.member_id = m.id LEFT JOIN leaders l ON l.member_id = m.id
    WHERE m.status IN ('full', 'probationary') AND starts_with(m.org_path, $root)
),
groups AS (
    SELECT code, path FROM orgs WHERE path = $root
    UNION ALL SELECT code, path FROM orgs WHERE parent_id = $root_id AND kind <> 'group'
)
SELECT g.code, COUNT(p.id) AS members,
       COUNT(p.id) FILTER (WHERE p.counted >= p.required AND p.trainings >= p.trainings_required) AS done,
       COUNT(p.id) FILTER (WHERE NOT (p.counted >= p.required AND p.trainings >= p.trainings_required)
                           AND p.counted >= p.required * $fraction) AS on_track,
       COALESCE(SUM(p.counted), 0) AS hours
FROM groups g JOIN party p ON starts_with(p.org_path, g.path)
GROUP BY g.code
"""


def duckdb_figures(con: Any, org: Any, year: int, on: datetime.date) -> dict[str, tuple[Any, ...]]:
    from core.rules import rule_value
    from learning.compliance import fraction_for
    from learning.ledger import rule_day

    rule_on = rule_day(year, on)
    params = {
        "year": year, "first": datetime.date(year, 1, 1), "last": datetime.date(year, 12, 31),
        "cap": Decimal(rule_value("learning.online.cap_hours", rule_on)),
        "leader_hours": Decimal(rule_value("learning.hours.leader_annual", rule_on)),
        "member_hours": Decimal(rule_value("learning.hours.member_annual", rule_on)),
        "leader_trainings": int(rule_value("learning.training.leader_min", rule_on)),
        "converted_since": min(rule_on, datetime.date(year, 12, 31)) - datetime.timedelta(
            days=int(rule_value("learning.training.converted_within_days", rule_on))),
        "fraction": fraction_for(year, on), "root": org.path, "root_id": org.pk,
    }
    rows = con.execute(DUCKDB_SQL, params).fetchall()
    return {code: (code, members, done, on_track, members - done - on_track, Decimal(hours).quantize(Decimal("0.1")))
            for code, members, done, on_track, hours in rows}


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(url: str, rounds: int, members: int, records: int) -> dict[str, float]:
    info = build(url, members, records)
    setup(url)
    from django.db import connection

    from orgs.choices import BRANCH_KINDS
    from orgs.models import Member, Organization

    on = datetime.date.fromisoformat(info["date"])
    year = on.year
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM learning_studyrecord WHERE year = %s", [year])
        n_records = cursor.fetchone()[0]
    top = Organization.objects.get(parent__isnull=True)
    branch = Member.objects.get(user__username="branch1").org
    assert branch.kind in BRANCH_KINDS
    print(f"{connection.vendor}: {Member.objects.count():,} members, {n_records:,} hour records in {year}, "
          f"figures as of {on}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        con = duckdb_load(export_raw(Path(tmp)))
        print(f"  DuckDB loaded the raw records in {time.perf_counter() - start:.0f} s (not timed below)", flush=True)

    for org in (top, branch):
        ours = chuxin_figures(org, year, on)
        theirs = duckdb_figures(con, org, year, on)
        for row in ours:
            expected = theirs.get(row[0], (row[0], 0, 0, 0, 0, Decimal("0.0")))
            assert row == expected, f"{org.code}: Chuxin {row} != DuckDB {expected}"
        print(f"  {org.name}: {len(ours)} rows identical in Chuxin and DuckDB "
              f"(total {ours[0][1]:,} members, {ours[0][2]:,} done, {ours[0][3]:,} on track, {ours[0][4]:,} behind)")

    times: dict[str, list[float]] = {"top": [], "branch": [], "duck_top": [], "duck_branch": []}
    for _round in range(rounds):
        for key, func, org in (("top", chuxin_figures, top), ("branch", chuxin_figures, branch)):
            start = time.perf_counter()
            func(org, year, on)
            times[key].append(time.perf_counter() - start)
        for key, org in (("duck_top", top), ("duck_branch", branch)):
            start = time.perf_counter()
            duckdb_figures(con, org, year, on)
            times[key].append(time.perf_counter() - start)
    result = {key: median_ms(values) for key, values in times.items()}
    print(f"  top committee : Chuxin {result['top']:8.1f} ms   DuckDB {result['duck_top']:8.1f} ms   "
          f"ratio {result['top'] / result['duck_top']:.2f}   (goals ≤ 1000 ms, ratio ≤ 1)")
    print(f"  branch        : Chuxin {result['branch']:8.1f} ms   DuckDB {result['duck_branch']:8.1f} ms   "
          f"ratio {result['branch'] / result['duck_branch']:.3f}   (goal ≤ 30 ms)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_SQLITE)
    parser.add_argument("--all", action="store_true", help="SQLite, then PostgreSQL (started with scripts/pg.sh)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--records", type=int, default=RECORDS)
    args = parser.parse_args()
    if args.all:
        for url in (DEFAULT_SQLITE, DEFAULT_PG):
            if url.startswith("postgres"):
                subprocess.run(["bash", "scripts/pg.sh", "start"], cwd=ROOT, check=True)
                subprocess.run(["bash", "-c", "su postgres -c \"psql -q -c 'CREATE DATABASE chuxin_learning "
                                "OWNER chuxin'\" 2>/dev/null || true"], cwd=ROOT)
            code = subprocess.run([sys.executable, __file__, "--database-url", url, "--rounds", str(args.rounds),
                                   "--members", str(args.members), "--records", str(args.records)], cwd=ROOT).returncode
            if code:
                raise SystemExit(code)
        return
    result = run(args.database_url, args.rounds, args.members, args.records)
    met = result["top"] <= 1000 and result["branch"] <= 30 and result["top"] <= result["duck_top"]
    raise SystemExit(0 if met else 1)


if __name__ == "__main__":
    main()
