"""The yearly totals behind every compliance figure, recomputed per member inside the writing transaction.

A change to a member's ledger (an attendance, a make-up, an imported certificate) calls ``refresh_years``
for the members and years it touched: one grouped query over those members' records (indexed by member
and year), one over their leadership positions, and one upsert. Compliance pages then aggregate one
``MemberYear`` row per member and never read the records themselves.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.rules import first_effective, rule_value
from learning import rules
from learning.choices import CAPPED_KINDS, StudyKind
from learning.models import MemberYear, StudyRecord
from orgs.choices import MEMBER_STATUSES, PositionTitle, Status
from orgs.models import Member, Position

LEADER_TITLES = [t for t in PositionTitle if t != PositionTitle.GROUP_LEADER]


# The rules a year of the ledger is counted by (``requirement`` and ``refresh_years``).
LEDGER_RULES = ("learning.online.cap_hours", "learning.hours.member_annual", "learning.hours.leader_annual",
                "learning.training.leader_min", "learning.training.converted_within_days")


def first_year() -> int:
    """The first year the ledger can count: every rule it counts by is in force at that year's end."""
    starts = [first_effective(key) for key in LEDGER_RULES]
    return max(start.year for start in starts if start is not None) if any(starts) else 1


def year_error(day: datetime.date | None) -> str | None:
    """Why hours dated ``day`` cannot be recorded, if they cannot: their year has no rules to count them by."""
    if day is None or day.year >= first_year():
        return None
    return _("学时只能记入%(year)s年及以后的年度：此前没有学时规则") % {"year": first_year()}


def rule_day(year: int, today: datetime.date | None = None) -> datetime.date:
    """The day whose rules apply to ``year``: today for the current year, the year's last day otherwise."""
    today = today or timezone.localdate()
    return today if today.year == year else datetime.date(year, 12, 31)


def leaders(member_ids: Iterable[int] | QuerySet[Any], year: int) -> set[int]:
    """Members who held a secretary or committee seat at some time in ``year`` (``member_ids`` may be a
    queryset of ids, used as a subquery rather than a list of a whole subtree's members)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    ids = member_ids if isinstance(member_ids, QuerySet) else list(member_ids)
    return set(
        Position.objects.filter(member_id__in=ids, title__in=LEADER_TITLES, term_start__lte=last)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=first))
        .values_list("member_id", flat=True)
    )


def requirement(member: Any, leader: bool, year: int, on: datetime.date) -> tuple[Decimal, int]:
    """(hours, concentrated trainings) ``member`` owes in ``year``; nothing for those not (yet) members."""
    if member.status not in MEMBER_STATUSES:
        return Decimal(0), 0
    if leader:
        return (Decimal(rule_value("learning.hours.leader_annual", on)),
                int(rule_value("learning.training.leader_min", on)))
    within = int(rule_value("learning.training.converted_within_days", on))
    recent = member.conversion_date is not None and member.conversion_date >= (
        min(on, datetime.date(year, 12, 31)) - datetime.timedelta(days=within))
    needs = member.status == Status.PROBATIONARY or recent
    return Decimal(rule_value("learning.hours.member_annual", on)), 1 if needs else 0


def refresh_years(member_ids: Iterable[int], years: Iterable[int], *, today: datetime.date | None = None) -> None:
    """Recompute the ``MemberYear`` rows of these members for these years (create them where missing)."""
    ids = sorted(set(member_ids))
    if not ids:
        return
    for year in sorted(set(years)):
        on = rule_day(year, today)
        cap = Decimal(rule_value("learning.online.cap_hours", on))
        totals: dict[int, dict[str, Any]] = defaultdict(dict)
        for chunk in _chunks(ids):
            for row in (
                StudyRecord.objects.filter(member_id__in=chunk, year=year).order_by().values("member_id")
                .annotate(total=Sum("hours"), capped=Sum("hours", filter=Q(kind__in=CAPPED_KINDS)),
                          training_count=Count("pk", filter=Q(kind=StudyKind.TRAINING)))
            ):
                totals[row["member_id"]] = row
        rows = []
        for chunk in _chunks(ids):
            held = leaders(chunk, year)
            for member in Member.objects.filter(pk__in=chunk).only(
                    "pk", "org_id", "org_path", "status", "conversion_date"):
                got = totals.get(member.pk, {})
                hours = got.get("total") or Decimal(0)
                capped = got.get("capped") or Decimal(0)
                leader = member.pk in held
                required, trainings_required = requirement(member, leader, year, on)
                rows.append(MemberYear(
                    member_id=member.pk, year=year, org_id=member.org_id, org_path=member.org_path, hours=hours,
                    capped_hours=capped, counted=rules.counted_hours(hours, capped, cap),
                    trainings=got.get("training_count") or 0, required=required,
                    trainings_required=trainings_required, leader=leader,
                ))
        MemberYear.objects.bulk_create(
            rows, batch_size=500, update_conflicts=True, unique_fields=["member", "year"],
            update_fields=["org", "org_path", "hours", "capped_hours", "counted", "trainings", "required",
                           "trainings_required", "leader", "updated"],
        )


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
