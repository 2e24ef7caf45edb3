"""Study points (积分): rules as data (points and a daily cap per action, a daily total cap), awarded once
per source (an attendance, an attempt) inside the transaction that earned them.

There is no public personal ranking unless an administrator enables ranking within a branch
(``learning.points.branch_ranking``); organizations see averages and the distribution.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Sum

from core.rules import rule_value
from learning.models import PointEntry
from orgs.choices import MEMBER_STATUSES
from orgs.models import Member, Organization


def _today_points(member_id: int, day: datetime.date) -> dict[str, int]:
    rows = PointEntry.objects.filter(member_id=member_id, date=day).values("action").annotate(n=Sum("points"))
    return {row["action"]: row["n"] for row in rows}


def award(member: Member, action: str, ref: str, *, day: datetime.date, count: int = 1) -> PointEntry | None:
    """Award ``count`` times the action's points, within the caps; once per (member, action, ref). Returns
    the entry written (for the caller's change log), or ``None`` when nothing was earned."""
    if count <= 0 or PointEntry.objects.filter(member=member, action=action, ref=ref).exists():
        return None
    earned = _today_points(member.pk, day)
    per = int(rule_value(f"learning.points.{action}", day)) * count
    room_action = int(rule_value(f"learning.points.{action}.daily_cap", day)) - earned.get(action, 0)
    room_total = int(rule_value("learning.points.daily_cap", day)) - sum(earned.values())
    points = max(0, min(per, room_action, room_total))
    if not points:
        return None
    return PointEntry.objects.create(member=member, org_id=member.org_id, date=day, action=action, points=points,
                                     ref=ref)


def withdraw(refs: Iterable[str], *actions: str) -> list[PointEntry]:
    """Take back the points of sources that no longer earn them (an attendance corrected to absent); returns
    the entries removed (for the caller's change log)."""
    entries = list(PointEntry.objects.filter(action__in=actions, ref__in=list(refs)).select_related("org"))
    if entries:
        PointEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
    return entries


def member_total(member: Member, year: int) -> int:
    return PointEntry.objects.filter(member=member, date__year=year).aggregate(n=Sum("points"))["n"] or 0


def branch_rank(member: Member, year: int) -> tuple[int, int] | None:
    """(rank, members) within the member's branch, when an administrator enabled branch ranking."""
    if not int(rule_value("learning.points.branch_ranking")):
        return None
    totals = dict(PointEntry.objects.filter(org_id=member.org_id, date__year=year).values("member_id")
                  .annotate(n=Sum("points")).values_list("member_id", "n"))
    mine = totals.get(member.pk, 0)
    peers = Member.objects.filter(org_id=member.org_id, status__in=MEMBER_STATUSES).count()
    return 1 + sum(1 for n in totals.values() if n > mine), peers


BANDS = [(0, 1, "0"), (1, 50, "1–49"), (50, 100, "50–99"), (100, 200, "100–199"), (200, 10**9, "≥200")]


def org_summary(org: Organization, year: int) -> dict[str, Any]:
    """Per-member average and the distribution of the subtree's members' points for the year."""
    members = Member.objects.in_subtree(org.path).filter(status__in=MEMBER_STATUSES).count()
    totals = list(PointEntry.objects.filter(org_path__subtree=org.path, date__year=year).values("member_id")
                  .annotate(n=Sum("points")).values_list("n", flat=True))
    counts = [0] * len(BANDS)
    counts[0] = members - len(totals)
    for n in totals:
        for i, (low, high, _label) in enumerate(BANDS):
            if low <= n < high:
                counts[i] += 1
    total = sum(totals)
    return {"members": members, "average": round(total / members, 1) if members else 0,
            "bands": [{"label": label, "count": c, "percent": round(100 * c / members) if members else 0}
                      for (_lo, _hi, label), c in zip(BANDS, counts, strict=True)]}


