"""Benchmark: import a large member roster with Chuxin's engine, and the same file with django-import-export.

Usage::

    .venv/bin/python benchmarks/import_members.py [--rows 100000] [--baseline-rows N] [--reimport] [--floor] [--keep]

Everything happens in a temporary directory (SQLite database, generated xlsx): a small organization tree
(a committee, two general branches, six branches) is created through ``orgs.services``; a roster of
``--rows`` valid members (unique ID numbers with correct check digits, consistent dates, spread over the
branches) is written in the import template's columns with the same writer as Chuxin's export (openpyxl,
write-only); then it is timed end to end — read, validate, write members, status history and change
log — with ``core.imports.engine.import_file``.

The baseline imports the same file with django-import-export through a plain ``ModelResource`` (one
declared field per template column, ``import_id_fields = ["id_number"]``, everything else default) into
an equivalent simple model whose table is created with ``schema_editor`` in the temporary database only
(the model is never part of the project's migrations). The baseline reads the whole file and imports its
first ``--baseline-rows`` rows (10,000 by default; its cost is per row, and all 100,000 rows take about
ten minutes on a slow machine); reading is charged in proportion to the rows imported.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰海燕文斌鹏飞宇浩然晓东春梅"
WORKPLACES = ["区委办公室", "区财政局", "区教育局", "第一人民医院", "城市建设投资集团", "实验小学", "街道办事处",
              "港务集团"]
JOBS = ["科员", "科长", "教师", "医师", "护士", "工程师", "会计", "职员", ""]


def setup_django(tmp: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["CHUXIN_DATA_DIR"] = str(tmp)
    os.environ["CHUXIN_TASKS"] = "sync"
    os.environ.setdefault("CHUXIN_SECRET_KEY", "benchmark-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "chuxin.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_tree() -> tuple[object, list[str]]:
    from django.contrib.auth import get_user_model

    from orgs import services
    from orgs.choices import OrgKind
    from orgs.models import Organization

    admin = get_user_model().objects.create_superuser("bench-admin", password=None)

    def org(code: str, name: str, kind: str, parent: Organization | None) -> Organization:
        return services.create_organization(Organization(code=code, name=name, kind=kind, parent=parent),
                                            acting_user=admin)

    committee = org("B00", "基准测试党委", OrgKind.COMMITTEE, None)
    codes = []
    for g in range(1, 3):
        general = org(f"B0{g}", f"第{g}党总支", OrgKind.GENERAL_BRANCH, committee)
        for b in range(1, 4):
            code = f"B0{g}0{b}"
            org(code, f"第{g}党总支第{b}党支部", OrgKind.BRANCH, general)
            codes.append(code)
    return admin, codes


def roster_rows(count: int, branch_codes: list[str]) -> list[list[Any]]:
    """``count`` valid, distinct members in the template's column order."""
    from orgs.rules import id_check_char

    rng = random.Random(20240701)
    base = datetime.date(1950, 1, 1)
    days = 14600  # birth dates 1950 … 1989, so that every milestone lies in the past
    rows: list[list[Any]] = []
    for i in range(count):
        birth = base + datetime.timedelta(days=i % days)
        male = rng.random() < 0.6
        seq = (i // days) * 2 + (1 if male else 0)
        first17 = f"110105{birth:%Y%m%d}{seq:03d}"
        id_number = first17 + id_check_char(first17)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        application = birth + datetime.timedelta(days=365 * 19 + rng.randint(0, 3000))
        activist = application + datetime.timedelta(days=rng.randint(30, 200))
        candidate = activist + datetime.timedelta(days=rng.randint(365, 500))
        admission = candidate + datetime.timedelta(days=rng.randint(60, 200))
        conversion = admission + datetime.timedelta(days=365)
        rows.append([
            name, "男" if male else "女", "汉族", birth, id_number, f"139{rng.randint(0, 99999999):08d}",
            rng.choice(["大学本科", "大学专科", "研究生（硕士）", "高中"]), rng.choice(WORKPLACES),
            rng.choice(JOBS) or None,
            "在职", "正式党员", application, activist, candidate, admission, conversion,
            # The last cell is an empty string, not None, so that every row has all the columns (openpyxl's
            # read-only reader, which django-import-export uses, otherwise returns short rows).
            branch_codes[i % len(branch_codes)], None, "",
        ])
    return rows


def write_roster(path: Path, rows: list[list[Any]]) -> None:
    from core.imports.files import write_xlsx
    from orgs.resources import MemberResource

    write_xlsx(path, title="党员", header=MemberResource.headers(), rows=rows)


def time_engine(path: Path, admin: object, rows: int) -> float:
    from core.imports.engine import import_file
    from core.models import ObjectChange
    from orgs.models import Member, StatusChange
    from orgs.resources import MemberResource

    phases: list[tuple[str, float]] = []

    def progress(done: int, total: int, message: str) -> None:
        if not phases or phases[-1][0] != message:
            phases.append((message, time.perf_counter()))

    start = time.perf_counter()
    result = import_file(MemberResource(admin), path, progress=progress)
    elapsed = time.perf_counter() - start
    if not result.ok:
        for error in result.errors[:20]:
            print("  error:", error)
        raise SystemExit("the engine refused the generated roster")
    counts = (Member.objects.count(), StatusChange.objects.count(),
              ObjectChange.objects.filter(action="create", content_type__model="member").count())
    assert counts == (rows, 0, rows), counts
    marks = {message: t for message, t in phases}
    read_end = marks.get("正在校验", start)
    write_start = marks.get("正在写入", read_end)
    print(f"  read  (calamine + column parse): {read_end - start:6.2f} s")
    print(f"  validate (set-wise, rules)     : {write_start - read_end:6.2f} s")
    print(f"  write (members, history, log)  : {start + elapsed - write_start:6.2f} s")
    print(f"  total                          : {elapsed:6.2f} s   "
          f"{result.counts['create']} created, {counts[1]} status rows, {counts[2]} change-log rows")
    return elapsed


def time_reimport(path: Path, admin: object, rows: int) -> float:
    """The same file again: every row now exists and is unchanged, so nothing may be written."""
    from core.imports.engine import import_file
    from core.models import ObjectChange
    from orgs.resources import MemberResource

    changes = ObjectChange.objects.count()
    start = time.perf_counter()
    result = import_file(MemberResource(admin), path)
    elapsed = time.perf_counter() - start
    assert result.ok and result.counts["unchanged"] == rows and ObjectChange.objects.count() == changes, result.counts
    print(f"  re-import, all {rows} rows unchanged: {elapsed:6.2f} s   {rows / elapsed:,.0f} rows/s")
    return elapsed


def time_floor(path: Path, db_path: Path, engine: float, rows: int) -> None:
    """What the libraries alone take for the same work: calamine reading the file, and SQLite inserting the
    very rows the engine stored (members, change log) with ``executemany`` in one transaction and committing.

    No Python step of the engine is in these figures, so their sum bounds its rate on this machine whatever
    the Python work costs. Neither part can start before the other ends: calamine returns the sheet only when
    it has read all of it, and SQLite has one writer.
    """
    import sqlite3
    import statistics

    import python_calamine
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    reads = []
    for _ in range(3):
        start = time.perf_counter()
        python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        reads.append(time.perf_counter() - start)
    writes: list[tuple[float, float, float]] = []
    for trial in range(3):
        copy = db_path.with_name(f"floor{trial}.sqlite3")
        shutil.copyfile(db_path, copy)
        db = sqlite3.connect(copy, isolation_level=None)
        db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-131072; "
                         "PRAGMA temp_store=MEMORY;")
        # The stored rows are copied aside (in memory) and put back with INSERT … SELECT: no value passes
        # through Python, so what is timed is SQLite's own work on the tables and their indexes.
        member_type = "(SELECT id FROM django_content_type WHERE app_label = 'orgs' AND model = 'member')"
        db.executescript(f"""
            CREATE TEMP TABLE saved_members AS SELECT * FROM orgs_member;
            CREATE TEMP TABLE saved_changes AS SELECT * FROM core_objectchange WHERE content_type_id = {member_type};
            BEGIN; DELETE FROM core_objectchange WHERE content_type_id = {member_type}; DELETE FROM orgs_member;
            COMMIT; PRAGMA wal_checkpoint(TRUNCATE);""")
        db.execute("BEGIN IMMEDIATE")
        start = time.perf_counter()
        db.execute("INSERT INTO orgs_member SELECT * FROM saved_members ORDER BY id")
        t1 = time.perf_counter()
        db.execute("INSERT INTO core_objectchange SELECT * FROM saved_changes ORDER BY id")
        t2 = time.perf_counter()
        db.execute("COMMIT")
        writes.append((t1 - start, t2 - t1, time.perf_counter() - t2))
        db.close()
        copy.unlink()
    read = statistics.median(reads)
    insert_members, insert_changes, commit = (statistics.median(w[i] for w in writes) for i in range(3))
    floor = read + insert_members + insert_changes + commit
    print("floor (the libraries alone, medians of 3):")
    print(f"  calamine reading the sheet to Python lists: {read:6.2f} s")
    print(f"  SQLite inserting the {rows} members       : {insert_members:6.2f} s")
    print(f"  SQLite inserting their change-log rows    : {insert_changes:6.2f} s")
    print(f"  commit                                    : {commit:6.2f} s")
    print(f"  sum {floor:.2f} s: at most {rows / floor:,.0f} rows/s if every Python step were free; "
          f"the engine's own work is the other {engine - floor:.2f} s")


def time_import_export(path: Path, rows: int) -> float:
    from django.db import connection, models
    from import_export import fields, resources
    from import_export.formats.base_formats import XLSX

    class BenchMember(models.Model):
        """The same columns as the member roster, plainly typed (benchmark only, never migrated)."""

        name = models.CharField(max_length=50)
        gender = models.CharField(max_length=10)
        ethnicity = models.CharField(max_length=10)
        birth_date = models.DateField()
        id_number = models.CharField(max_length=18, unique=True)
        phone = models.CharField(max_length=20, blank=True, null=True)
        education = models.CharField(max_length=20, blank=True, null=True)
        workplace = models.CharField(max_length=200, blank=True, null=True)
        job = models.CharField(max_length=100, blank=True, null=True)
        category = models.CharField(max_length=20)
        status = models.CharField(max_length=20)
        application_date = models.DateField(null=True)
        activist_date = models.DateField(null=True)
        candidate_date = models.DateField(null=True)
        admission_date = models.DateField(null=True)
        conversion_date = models.DateField(null=True)
        org_code = models.CharField(max_length=32)
        group_code = models.CharField(max_length=32, blank=True, null=True)
        note = models.TextField(blank=True, null=True)

        class Meta:
            app_label = "core"  # registered in this process only; never migrated
            db_table = "benchmark_member"

        def __str__(self) -> str:
            return self.name

    with connection.schema_editor() as editor:
        editor.create_model(BenchMember)

    from orgs.resources import MemberResource

    attrs = {c.field if c.field not in ("org", "group") else f"{c.field}_code": c.header
             for c in MemberResource.columns}

    class BenchMemberResource(resources.ModelResource):
        class Meta:
            model = BenchMember
            import_id_fields = ["id_number"]
            fields = list(attrs)

    for attribute, header in attrs.items():
        BenchMemberResource.fields[attribute] = fields.Field(attribute=attribute, column_name=header)

    start = time.perf_counter()
    dataset = XLSX().create_dataset(path.read_bytes())
    read = time.perf_counter() - start
    total_rows = len(dataset)
    if rows < total_rows:
        del dataset[rows:]
    start = time.perf_counter()
    result = BenchMemberResource().import_data(dataset, dry_run=False, raise_errors=True)
    imported = time.perf_counter() - start
    assert not result.has_errors() and BenchMember._default_manager.count() == rows, result.totals
    # Reading is charged in proportion to the rows imported, so a partial run is not penalized for
    # reading rows it then skips.
    elapsed = read * rows / total_rows + imported
    print(f"  read (tablib/openpyxl, whole file): {read:6.2f} s")
    print(f"  import {rows} rows                : {imported:6.2f} s")
    print(f"  total for {rows} rows             : {elapsed:6.2f} s   {result.totals.get('new', 0)} created")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000,
                        help="rows django-import-export imports from the same file (default 10,000; its rate is "
                             "per row, and all 100,000 take about ten minutes)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--reimport", action="store_true", help="also time importing the same file again (unchanged)")
    parser.add_argument("--floor", action="store_true",
                        help="also time the libraries alone on the same work (reading the file, inserting and "
                             "committing the rows the engine stored), the bound of any engine on this machine")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="chuxin-bench-"))
    try:
        setup_django(tmp)
        admin, codes = build_tree()
        path = tmp / "roster.xlsx"
        start = time.perf_counter()
        write_roster(path, roster_rows(args.rows, codes))
        print(f"generated {args.rows} rows in {path.stat().st_size / 1e6:.1f} MB ({time.perf_counter() - start:.1f} s)")

        print("chuxin engine (core.imports.engine.import_file):")
        engine = time_engine(path, admin, args.rows)
        engine_rate = args.rows / engine
        print(f"  rate: {engine_rate:,.0f} rows/s (goal ≥ 40,000)")
        if args.reimport:
            time_reimport(path, admin, args.rows)
        if args.floor:
            time_floor(path, tmp / "bench.sqlite3", engine, args.rows)
        if args.skip_baseline:
            return
        baseline_rows = min(args.baseline_rows, args.rows)
        print(f"django-import-export (plain ModelResource), {baseline_rows} rows of the same file:")
        baseline = time_import_export(path, baseline_rows)
        baseline_rate = baseline_rows / baseline
        print(f"  rate: {baseline_rate:,.0f} rows/s")
        print(f"ratio: {engine_rate / baseline_rate:.1f}× (goal ≥ 25×)")
    finally:
        if args.keep:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
