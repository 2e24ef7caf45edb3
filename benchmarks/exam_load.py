"""Exam load: 300 members sit a 20-question exam at the same time against the running server on loopback.

The script prepares a PostgreSQL database (a 2,000-member demo, a bank of 120 questions, an exam of 20
drawn at random, 300 member accounts with API tokens), starts ``chuxin serve`` on it, and runs 300
virtual members as asyncio tasks speaking HTTP/1.1 over loopback (the standard library only; an
equivalent of locust without its dependencies). Each member starts within a ramp of ``--ramp`` seconds,
starts the exam (``POST /api/learning/exams/{id}/start/``), reads and answers for a random 5–20 s, and
submits (``POST /api/learning/attempts/{id}/submit/``); one member in ten double-clicks, sending the same
submission twice at once. The run is bounded (``--timeout``). It prints the latency percentiles of the
starts and the submissions and checks afterwards that every member's submission was counted exactly once:
300 submitted attempts, one per member, one accepted and one refused submission per double click, one
change-log entry per submission. Goal (issue: study and training): p95 of submissions ≤ 300 ms.

    .venv/bin/python benchmarks/exam_load.py            # PostgreSQL started with scripts/pg.sh
    .venv/bin/python benchmarks/exam_load.py --members 300 --ramp 10 --workers 2 --threads 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
URL = "postgres://chuxin:chuxin@127.0.0.1:5432/chuxin_examload"
PORT = 8765
PASSWORD = "bench-pass-1"


def prepare(members: int) -> tuple[int, list[str]]:
    """A fresh demo, the bank, the exam and ``members`` accounts with tokens; returns (exam id, tokens)."""
    subprocess.run(["bash", "scripts/pg.sh", "start"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["su", "postgres", "-c", "psql -q -c 'DROP DATABASE IF EXISTS chuxin_examload' "
                    "-c 'CREATE DATABASE chuxin_examload OWNER chuxin'"], check=True, capture_output=True)
    env = {**os.environ, "DATABASE_URL": URL}
    subprocess.run([sys.executable, "manage.py", "demo", "--members", "2000", "--no-serve", "--password", PASSWORD,
                    "--seed", "5"], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuxin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from core.choices import Role
    from learning.models import Exam, Question
    from orgs.choices import MEMBER_STATUSES
    from orgs.models import Member, Organization, RoleGrant

    top = Organization.objects.get(parent__isnull=True)
    rng = random.Random(1)
    Question.objects.bulk_create([
        Question(org=top, org_path=top.path, kind="single", text=f"第{n}题：下列说法正确的是", tags="党章",
                 options=["选项甲", "选项乙", "选项丙", "选项丁"], answer=[rng.randrange(4)], explanation="见党章")
        for n in range(120)])
    now = timezone.now()
    exam = Exam.objects.create(org=top, title="党章党规知识测试（压力测试）", opens=now - datetime.timedelta(hours=1),
                               closes=now + datetime.timedelta(hours=2), time_limit=30, attempts_allowed=1,
                               pass_mark=60, draw=[{"kind": "single", "tag": "党章", "count": 20}])
    User = get_user_model()
    chosen = list(Member.objects.filter(status__in=MEMBER_STATUSES, user__isnull=True).order_by("pk")[:members])
    hashed = make_password(PASSWORD)
    users = User.objects.bulk_create([User(username=f"load{m.pk}", password=hashed) for m in chosen])
    users = list(User.objects.filter(username__in=[u.username for u in users]).order_by("username"))
    by_name = {u.username: u for u in users}
    for m in chosen:
        m.user = by_name[f"load{m.pk}"]
    Member.objects.bulk_update(chosen, ["user"])
    RoleGrant.objects.bulk_create([RoleGrant(user=m.user, role=Role.MEMBER, org=m.org) for m in chosen])
    tokens = [Token.objects.create(user=by_name[f"load{m.pk}"]).key for m in chosen]
    return exam.pk, tokens


async def request(method: str, path: str, token: str, body: Any = None) -> tuple[int, Any, float]:
    """One HTTP/1.1 request on a fresh loopback connection; returns (status, JSON body, seconds)."""
    payload = json.dumps(body).encode() if body is not None else b""
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nAuthorization: Token {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n")
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.write(head.encode() + payload)
    await writer.drain()
    raw = await reader.read()
    elapsed = time.perf_counter() - start
    writer.close()
    header, _sep, content = raw.partition(b"\r\n\r\n")
    status = int(header.split(b" ", 2)[1])
    if b"chunked" in header.lower():
        content = _dechunk(content)
    try:
        data = json.loads(content) if content else None
    except json.JSONDecodeError:
        data = content[:200]
    return status, data, elapsed


def _dechunk(content: bytes) -> bytes:
    out, rest = b"", content
    while rest:
        size_line, _sep, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


async def member(exam: int, token: str, ramp: float, double: bool, rng: random.Random,
                 results: dict[str, list[Any]]) -> None:
    await asyncio.sleep(rng.uniform(0, ramp))
    status, paper, seconds = await request("POST", f"/api/learning/exams/{exam}/start/", token)
    results["start"].append((status, seconds))
    if status != 201:
        results["errors"].append(("start", status, paper))
        return
    await asyncio.sleep(rng.uniform(5, 20))
    answers = {str(q["id"]): [rng.randrange(len(q["options"]))] for q in paper["paper"]}
    path = f"/api/learning/attempts/{paper['id']}/submit/"
    calls = [request("POST", path, token, {"answers": answers}) for _n in range(2 if double else 1)]
    outcomes = await asyncio.gather(*calls)
    for status, data, seconds in outcomes:
        results["submit"].append((status, seconds))
        if status not in (200, 400) or (status == 400 and not double):
            results["errors"].append(("submit", status, data))
    if double:
        results["doubles"].append(sorted(s for s, _d, _t in outcomes))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run_load(exam: int, tokens: list[str], ramp: float, timeout: float) -> dict[str, list[Any]]:
    rng = random.Random(7)
    results: dict[str, list[Any]] = {"start": [], "submit": [], "errors": [], "doubles": []}
    tasks = [member(exam, token, ramp, i % 10 == 0, random.Random(rng.random()), results)
             for i, token in enumerate(tokens)]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=timeout)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds over which the members arrive")
    parser.add_argument("--workers", type=int, default=2, help="server processes (chuxin serve --workers)")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument("--timeout", type=float, default=120.0, help="bound on the whole run, seconds")
    args = parser.parse_args()
    print(f"preparing the database ({args.members} member accounts, 120 questions, a 20-question exam) …", flush=True)
    exam, tokens = prepare(args.members)
    env = {**os.environ, "DATABASE_URL": URL}
    server = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(PORT), "--workers",
                               str(args.workers), "--threads", str(args.threads)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _n in range(100):
            try:
                asyncio.run(request("GET", "/api/", tokens[0]))
                break
            except OSError:
                time.sleep(0.2)
        started = time.perf_counter()
        results = asyncio.run(run_load(exam, tokens, args.ramp, args.timeout))
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=20)
    starts = [s for _status, s in results["start"]]
    submits = [s for _status, s in results["submit"]]
    print(f"{len(tokens)} members in {wall:.1f} s; {len(starts)} starts, {len(submits)} submissions "
          f"({len(results['doubles'])} double clicks)")
    for name, values in (("start", starts), ("submit", submits)):
        print(f"  {name:6}: p50 {percentile(values, 50) * 1000:6.1f} ms   p95 {percentile(values, 95) * 1000:6.1f} ms"
              f"   p99 {percentile(values, 99) * 1000:6.1f} ms   max {max(values) * 1000:6.1f} ms")
    p95 = percentile(submits, 95) * 1000
    print(f"  goal: submissions p95 ≤ 300 ms → {p95:.1f} ms ({'met' if p95 <= 300 else 'missed'})")
    if results["errors"]:
        print("  errors:", results["errors"][:5])

    from django.db.models import Count

    from core.models import ObjectChange
    from learning.models import Attempt

    attempts = Attempt.objects.filter(exam_id=exam)
    per_member = set(attempts.values("member_id").annotate(n=Count("pk")).values_list("n", flat=True))
    submitted = attempts.filter(status="submitted").count()
    logged = ObjectChange.objects.filter(content_type__model="attempt", action="update", message="交卷").count()
    doubles_ok = all(pair == [200, 400] for pair in results["doubles"])
    print(f"  counted: {submitted} submitted attempts, attempts per member {sorted(per_member)}, "
          f"{logged} submission log entries, double clicks each one accepted and one refused: {doubles_ok}")
    ok = (submitted == len(tokens) and per_member == {1} and logged == len(tokens) and doubles_ok
          and not results["errors"] and p95 <= 300)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
