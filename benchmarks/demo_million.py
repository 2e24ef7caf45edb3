"""Time ``chuxin demo --members 1000000 --no-serve`` into a fresh SQLite file; the goal is at most 180 s.

Run from the project root: ``.venv/bin/python benchmarks/demo_million.py [--members N] [--keep]``.
The demo runs in a subprocess with ``DATABASE_URL`` pointing at a temporary file, so the measured time
includes start-up and ``migrate``, exactly as a user would see it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 180.0
TABLES = ("orgs_member", "orgs_statuschange", "orgs_organization", "orgs_position", "orgs_transfer")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database file and print its path")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="chuxin-demo-bench-"))
    db = workdir / "demo.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    command = [sys.executable, str(ROOT / "manage.py"), "demo", "--members", str(args.members), "--no-serve",
               "--password", "benchmark-pass", "--seed", str(args.seed)]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout)
        print(f"demo failed with exit code {result.returncode}", file=sys.stderr)
        return result.returncode

    with sqlite3.connect(db) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608
    size_mb = db.stat().st_size / 1e6
    rows = sum(counts.values())
    print(f"members:        {counts['orgs_member']:,}")
    print(f"organizations:  {counts['orgs_organization']:,}")
    print(f"positions:      {counts['orgs_position']:,}")
    print(f"status changes: {counts['orgs_statuschange']:,}")
    print(f"transfers:      {counts['orgs_transfer']:,}")
    print(f"seconds:        {seconds:.1f}  (whole command: start-up, migrate, generate, write, commit)")
    members_per_second = counts["orgs_member"] / seconds
    print(f"rows/s:         {rows / seconds:,.0f} rows/s over {rows:,} rows; {members_per_second:,.0f} members/s")
    print(f"database:       {size_mb:,.0f} MB")
    print(f"goal:           {seconds / GOAL_SECONDS:.2f} × the {GOAL_SECONDS:.0f} s goal "
          f"({'met' if seconds <= GOAL_SECONDS else 'MISSED'})")
    if args.keep:
        print(f"kept:           {db}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if seconds <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
