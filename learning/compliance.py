"""Compliance with the annual study requirement, for a subtree: set-wise over the yearly totals.

A party member is *done* when their counted hours and concentrated trainings reach the year's
requirement, *on track* while their hours are at or above the even pace, and *behind* otherwise —
including members with no hours at all, who have no ``MemberYear`` row yet. Each figure is a couple of
index range scans over one subtree (``org_path``), never a scan of the hour records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, ExpressionWrapper, F, Func, Q, QuerySet, Sum, Value
from django.db.models import DecimalField as DecimalOutput

from core.choices import Action
from core.scoping import get_scope
from learning import rules
from learning.models import MemberYear
from orgs.choices import MEMBER_STATUSES, OrgKind
from orgs.models import Member, Organization

HOURS_OUTPUT: DecimalOutput = DecimalOutput(max_digits=12, decimal_places=4)


def visible_org(user: Any, pk: Any) -> Organization | None:
    """The organization whose compliance ``user`` may read: one inside a subtree they are granted (managers,
    inspectors, administrators). The member role reads only its own standing, never its branch's list."""
    scope = get_scope(user, Action.VIEW)
    org = Organization.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if org is None or not scope.covers_path(org.path):
        return None
    return org


def done_q() -> Q:
    return Q(counted__gte=F("required"), trainings__gte=F("trainings_required"))


def pace_q(fraction: Decimal) -> Q:
    due = ExpressionWrapper(F("required") * Value(fraction), output_field=HOURS_OUTPUT)
    return Q(counted__gte=due)


def fraction_for(year: int, on: datetime.date) -> Decimal:
    """How much of ``year`` has passed on ``on`` (all of it for past years, none for future ones)."""
    if year < on.year:
        return Decimal(1)
    if year > on.year:
        return Decimal(0)
    return rules.year_fraction(on)


@dataclass
class Summary:
    org: Organization | None
    members: int
    done: int
    on_track: int
    hours: Decimal

    @property
    def behind(self) -> int:
        return max(self.members - self.done - self.on_track, 0)

    @property
    def average(self) -> Decimal:
        return (self.hours / self.members).quantize(Decimal("0.1")) if self.members else Decimal(0)

    def percent(self, count: int) -> float:
        return round(100 * count / self.members, 1) if self.members else 0.0

    @property
    def done_pct(self) -> float:
        return self.percent(self.done)

    @property
    def on_track_pct(self) -> float:
        return self.percent(self.on_track)

    @property
    def behind_pct(self) -> float:
        return self.percent(self.behind)

    def as_dict(self) -> dict[str, Any]:
        org = self.org
        return {
            "org": org.pk if org else None, "org_name": org.name if org else "", "org_code": org.code if org else "",
            "members": self.members, "done": self.done, "on_track": self.on_track, "behind": self.behind,
            "hours": str(Decimal(self.hours).quantize(Decimal("0.1"))), "average_hours": str(self.average),
        }


def _summarize(org: Organization | None, members: QuerySet[Member], years: QuerySet[MemberYear],
               fraction: Decimal) -> Summary:
    count = members.filter(status__in=MEMBER_STATUSES).count()
    done = done_q()
    # COUNT(year), not COUNT(id): every column the aggregate reads is in the covering index (index-only scan).
    figures = years.filter(required__gt=0).aggregate(
        done=Count("year", filter=done), on_track=Count("year", filter=~done & pace_q(fraction)),
        hours=Sum("counted"))
    return Summary(org, count, figures["done"], figures["on_track"], figures["hours"] or Decimal(0))


def summary(org: Organization, year: int, on: datetime.date) -> Summary:
    """The whole subtree of ``org``."""
    return _summarize(org, Member.objects.in_subtree(org.path), MemberYear.objects.filter(
        year=year, org_path__subtree=org.path), fraction_for(year, on))


def by_child(org: Organization, year: int, on: datetime.date) -> list[Summary]:
    """One summary per child organization (party groups are counted within their branch), plus one for
    the members kept directly by ``org`` when it is a branch."""
    fraction = fraction_for(year, on)
    if connection.vendor == "postgresql":
        return _by_child_grouped(org, year, fraction)
    found = []
    for child in org.children.exclude(kind=OrgKind.GROUP).order_by("code"):
        found.append(_summarize(child, Member.objects.in_subtree(child.path),
                                MemberYear.objects.filter(year=year, org_path__subtree=child.path), fraction))
    if Member.objects.filter(org=org).exists():
        found.append(_summarize(org, Member.objects.filter(org=org),
                                MemberYear.objects.filter(year=year, org=org), fraction))
    return found


def _child_key(depth: int) -> Func:
    """The id of the child of an organization at ``depth`` that a path lies under (``''`` for the organization
    itself): the path's segment after the organization's own."""
    return Func(F("org_path"), Value("."), Value(depth + 2), function="split_part", output_field=CharField())


def _by_child_grouped(org: Organization, year: int, fraction: Decimal) -> list[Summary]:
    """PostgreSQL: the same figures from one grouped scan per table over the whole subtree, which it can run
    in parallel, instead of two small scans per child."""
    key = _child_key(org.depth)
    counts = dict(Member.objects.in_subtree(org.path).filter(status__in=MEMBER_STATUSES).order_by()
                  .annotate(k=key).values("k").annotate(n=Count("org_path")).values_list("k", "n"))
    done = done_q()
    figures = {row["k"]: row for row in MemberYear.objects.filter(year=year, org_path__subtree=org.path,
                                                                   required__gt=0).order_by()
               .annotate(k=key).values("k").annotate(done=Count("year", filter=done),
                                                     on_track=Count("year", filter=~done & pace_q(fraction)),
                                                     hours=Sum("counted"))}
    found = []
    for child in org.children.exclude(kind=OrgKind.GROUP).order_by("code"):
        row = figures.get(str(child.pk), {})
        found.append(Summary(child, counts.get(str(child.pk), 0), row.get("done", 0), row.get("on_track", 0),
                             row.get("hours") or Decimal(0)))
    if "" in counts:
        row = figures.get("", {})
        found.append(Summary(org, counts[""], row.get("done", 0), row.get("on_track", 0),
                             row.get("hours") or Decimal(0)))
    return found


def rollup(org: Organization, year: int, on: datetime.date) -> tuple[Summary, list[Summary]]:
    """The subtree's summary and its rows by child organization, scanning each member's entries once: the
    children (with the organization's own members) partition the subtree, so the total is their sum."""
    rows = by_child(org, year, on)
    total = Summary(org, sum(r.members for r in rows), sum(r.done for r in rows), sum(r.on_track for r in rows),
                    sum((Decimal(r.hours) for r in rows), Decimal(0)))
    return total, rows


def members_with_standing(org: Organization, year: int, on: datetime.date,
                          standing: str | None = None) -> QuerySet[Member]:
    """The party members of the subtree with their year's figures annotated (``my_*``), optionally only those
    with one standing; a member without hours has no totals and is behind."""
    from django.db.models import OuterRef, Subquery

    fraction = fraction_for(year, on)
    years = MemberYear.objects.filter(year=year)
    members = Member.objects.in_subtree(org.path).filter(status__in=MEMBER_STATUSES)
    own = years.filter(member=OuterRef("pk"))
    for name in ("counted", "required", "trainings", "trainings_required", "hours", "capped_hours", "leader"):
        members = members.annotate(**{f"my_{name}": Subquery(own.values(name)[:1])})
    if standing == "done":
        members = members.filter(pk__in=years.filter(done_q(), required__gt=0).values("member_id"))
    elif standing == "on_track":
        members = members.filter(pk__in=years.filter(~done_q() & pace_q(fraction), required__gt=0)
                                 .values("member_id"))
    elif standing == "behind":
        members = members.exclude(pk__in=years.filter(done_q() | pace_q(fraction), required__gt=0)
                                  .values("member_id"))
    return members


def member_standing(member: Member, year: int, on: datetime.date) -> dict[str, Any]:
    """One member's figures and standing for ``year`` (zeros and the plain requirement without a row)."""
    from learning.ledger import leaders, requirement, rule_day

    row = MemberYear.objects.filter(member=member, year=year).first()
    if row is None:
        rule_on = rule_day(year, on)
        required, trainings_required = requirement(member, member.pk in leaders([member.pk], year), year, rule_on)
        row = MemberYear(member=member, year=year, required=required, trainings_required=trainings_required)
    fraction = fraction_for(year, on)
    due = row.required * fraction
    if row.required <= 0:
        standing = ""
    elif row.counted >= row.required and row.trainings >= row.trainings_required:
        standing = "done"
    else:
        standing = "on_track" if row.counted >= due else "behind"
    return {"row": row, "due": due.quantize(Decimal("0.1")), "standing": standing,
            "percent": min(100, int(100 * row.counted / row.required)) if row.required else 0}
