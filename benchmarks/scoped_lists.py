"""Scoped list latency with a million members: the cost of scoping and of an exact count.

Measured in one process through the whole stack (middleware, token auth, DRF, serializer), in
interleaved rounds so that machine noise hits every case alike:

  (a) a bare API view: 50 member rows by primary-key range, same serializer, no scoping, no count
  (b) branch1's first page of members (/api/members/, scoped, with its exact count)
  (c) committee's first page of members with the exact total count over the whole tree

Goals (issue: platform foundation): b / a <= 1.5 and c <= 200 ms, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/scoped_lists.py                       # SQLite file, built if missing
    .venv/bin/python benchmarks/scoped_lists.py --database-url postgres://chuxin:chuxin@127.0.0.1:5432/chuxin_bench
    .venv/bin/python benchmarks/scoped_lists.py --all                 # both, PostgreSQL started via scripts/pg.sh
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = "sqlite:////tmp/chuxin-bench-1m.sqlite3"
DEFAULT_PG = "postgres://chuxin:chuxin@127.0.0.1:5432/chuxin_bench"
PASSWORD = "bench-pass-1"


def build_if_empty(url: str, members: int) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    check = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from orgs.models import Member;print(Member.objects.count())"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    have = int(check.stdout.strip().splitlines()[-1]) if check.returncode == 0 and check.stdout.strip() else 0
    if have >= members:
        return
    print(f"building the demo with {members:,} members into {url} …", flush=True)
    subprocess.run([sys.executable, "manage.py", "demo", "--members", str(members), "--no-serve",
                    "--password", PASSWORD, "--seed", "7"], cwd=ROOT, env=env, check=True)


def measure(url: str, rounds: int) -> dict[str, float]:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuxin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.urls import include, path
    from rest_framework.authtoken.models import Token
    from rest_framework.response import Response
    from rest_framework.test import APIClient
    from rest_framework.views import APIView

    from orgs.api.serializers import MemberSerializer
    from orgs.models import Member

    class BareMemberList(APIView):
        """50 rows by primary-key range: what a list costs without scoping and without a count."""

        def get(self, request):  # type: ignore[no-untyped-def]
            start = int(request.query_params["start"])
            rows = Member.objects.select_related("org").filter(pk__gte=start, pk__lt=start + 50).order_by("pk")
            return Response(MemberSerializer(rows, many=True, context={"request": request}).data)

    urls = types.ModuleType("bench_urls")
    urls.urlpatterns = [path("bench/bare/", BareMemberList.as_view()), path("", include("chuxin.urls"))]  # type: ignore[attr-defined]
    sys.modules["bench_urls"] = urls
    settings.ROOT_URLCONF = "bench_urls"
    settings.ALLOWED_HOSTS = ["*"]

    def client(username: str) -> APIClient:
        from django.contrib.auth import get_user_model

        token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username=username))
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    committee, branch1 = client("committee"), client("branch1")
    top = Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    cases = {
        "a_bare": lambda i: committee.get(f"/bench/bare/?start={1 + (i * 7919) % max(1, top - 50)}"),
        "b_branch1": lambda i: branch1.get("/api/members/?page_size=50"),
        "c_committee": lambda i: committee.get("/api/members/?page_size=50"),
    }
    checks = {name: case(0) for name, case in cases.items()}
    for name, response in checks.items():
        assert response.status_code == 200, (name, response.status_code, response.content[:300])
    total = checks["c_committee"].json()["count"]
    branch_count = checks["b_branch1"].json()["count"]
    assert len(checks["a_bare"].json()) == 50 and total == Member.objects.count()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for i in range(rounds):
        for name, case in cases.items():
            t0 = time.perf_counter()
            response = case(i)
            times[name].append(time.perf_counter() - t0)
            assert response.status_code == 200
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    print(f"\n{connection.vendor}: {total:,} members; branch1 sees {branch_count}; {rounds} interleaved rounds")
    for name, value in medians.items():
        print(f"  {name:<12} median {value:8.2f} ms   (min {min(times[name]) * 1000:7.2f}, "
              f"max {max(times[name]) * 1000:7.2f})")
    ratio = medians["b_branch1"] / medians["a_bare"]
    print(f"  b / a = {ratio:.2f}  (goal <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})")
    print(f"  c     = {medians['c_committee']:.1f} ms  (goal <= 200 ms: "
          f"{'met' if medians['c_committee'] <= 200 else 'NOT met'})")
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_SQLITE)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--all", action="store_true", help="run on SQLite and on PostgreSQL, one after the other")
    args = parser.parse_args()
    if args.all:
        subprocess.run(["bash", "scripts/pg.sh", "start"], cwd=ROOT, check=True)
        subprocess.run(["su", "postgres", "-c", "psql -qc 'create database chuxin_bench owner chuxin'"],
                       cwd=ROOT, capture_output=True)
        for url in (DEFAULT_SQLITE, DEFAULT_PG):
            subprocess.run([sys.executable, __file__, "--database-url", url, "--members", str(args.members),
                            "--rounds", str(args.rounds)], cwd=ROOT, check=True)
        return
    build_if_empty(args.database_url, args.members)
    measure(args.database_url, args.rounds)


if __name__ == "__main__":
    main()
