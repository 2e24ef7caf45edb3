"""The figures of a subtree's rectification dashboard, from index ranges of the problem ledger.

Found, closed, overdue and on time are counted per child organization over its range of the
``problem_scope_figures`` index and per category over ``problem_category_figures``; the close rate over
time from the found and closed counts by day (``problem_found_series``, ``problem_closed_series``). Each
index holds every column its query reads, so the table itself is not touched, and no query sorts the
subtree's rows (SQLite has no hash aggregation: a ``GROUP BY`` over a million rows sorts them all).
The cost grows with the size of the subtree only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, F, Func, Q, QuerySet, Value
from django.utils.translation import gettext as _

from campaigns.choices import ProblemStatus
from campaigns.models import Campaign, Category, Problem
from campaigns.rules import percent
from core.tree import ancestor_paths
from orgs.models import Organization


@dataclass
class Tally:
    found: int = 0
    closed: int = 0
    overdue: int = 0
    on_time: int = 0
    label: str = ""
    org: Organization | None = None
    category_id: int | None = None

    def add(self, other: Tally) -> None:
        self.found += other.found
        self.closed += other.closed
        self.overdue += other.overdue
        self.on_time += other.on_time

    @property
    def open(self) -> int:
        return self.found - self.closed

    @property
    def close_rate(self) -> float | None:
        return percent(self.closed, self.found)

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.on_time, self.closed)

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "found": self.found, "closed": self.closed, "open": self.open,
                "overdue": self.overdue, "on_time": self.on_time, "close_rate": self.close_rate,
                "on_time_rate": self.on_time_rate}


@dataclass
class Dashboard:
    org: Organization
    on: datetime.date
    total: Tally
    by_category: list[Tally]
    by_child: list[Tally]
    months: list[str] = field(default_factory=list)
    found_cumulative: list[int] = field(default_factory=list)
    closed_cumulative: list[int] = field(default_factory=list)
    close_rate_series: list[float | None] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "org": self.org.pk, "date": self.on.isoformat(), "total": self.total.as_dict(),
            "by_category": [{**t.as_dict(), "category": t.category_id} for t in self.by_category],
            "by_child": [{**t.as_dict(), "org": t.org.pk if t.org else None} for t in self.by_child],
            "series": {"months": self.months, "found": self.found_cumulative, "closed": self.closed_cumulative,
                       "close_rate": self.close_rate_series},
        }


def _figures(problems: QuerySet[Problem], on: datetime.date) -> Tally:
    """Found, closed, overdue and on time among ``problems``, in one aggregate (a range of an index)."""
    closed = Q(status=ProblemStatus.CLOSED)
    row = problems.order_by().aggregate(
        found=Count("org_path"), closed=Count("org_path", filter=closed),
        overdue=Count("org_path", filter=~closed & Q(deadline__lt=on)),
        on_time=Count("org_path", filter=closed & Q(closed_on__lte=F("deadline"))))
    return Tally(row["found"], row["closed"], row["overdue"], row["on_time"])


SMALL = 20_000  # up to this many rows, sorting them for a GROUP BY costs less than a query per group


class ChildKey(Func):
    """PostgreSQL: the id of the child of ``org`` whose subtree holds a row (``''`` for ``org``'s own)."""

    output_field = CharField()

    def __init__(self, org: Organization) -> None:
        super().__init__(F("org_path"), Value("."), Value(org.depth + 2), function="split_part")


def _grouped(problems: QuerySet[Problem], key: Any, on: datetime.date) -> dict[Any, Tally]:
    closed = Q(status=ProblemStatus.CLOSED)
    rows = (problems.order_by().annotate(k=key).values("k")
            .annotate(found=Count("org_path"), closed=Count("org_path", filter=closed),
                      overdue=Count("org_path", filter=~closed & Q(deadline__lt=on)),
                      on_time=Count("org_path", filter=closed & Q(closed_on__lte=F("deadline")))))
    return {r["k"]: Tally(r["found"], r["closed"], r["overdue"], r["on_time"]) for r in rows}


def build(org: Organization, *, on: datetime.date, campaign: Campaign | None = None) -> Dashboard:
    """The figures of ``org``'s subtree: one range aggregate per child organization (and one for ``org``'s
    own problems), one per category, and the found and closed counts by day for the series. None of these
    sorts the subtree's rows, so the cost is a few passes over index ranges whatever the subtree's size."""
    base = Problem.objects.all() if campaign is None else Problem.objects.filter(campaign=campaign)
    children = list(org.children.order_by("code"))
    if connection.vendor == "postgresql":
        # PostgreSQL aggregates by hashing, in parallel: one grouped scan beats a query per child.
        grouped = _grouped(base.filter(org_path__subtree=org.path), ChildKey(org), on)
        by_child = [(child, grouped.get(str(child.pk), Tally())) for child in children]
    else:
        by_child = [(child, _figures(base.filter(org_path__subtree=child.path), on)) for child in children]
    child_rows = []
    for child, tally in by_child:
        if tally.found:
            tally.org, tally.label = child, child.name
            child_rows.append(tally)
    own = _figures(base.filter(org_path=org.path), on)
    if own.found:
        own.org, own.label = org, _("%(name)s（本级）") % {"name": org.name}
        child_rows.append(own)
    total = Tally(label=org.name, org=org)
    for tally in child_rows:
        total.add(tally)

    if campaign is not None:
        categories = list(campaign.categories.all())
    else:
        campaigns = Campaign.objects.filter(Q(org_path__subtree=org.path) | Q(org_path__in=ancestor_paths(org.path)))
        categories = list(Category.objects.filter(campaign__in=campaigns).order_by("campaign", "kind", "number"))
    category_rows = []
    scoped = base.filter(org_path__subtree=org.path)
    if connection.vendor == "postgresql" or total.found <= SMALL:
        # Few rows to sort (a branch), or hash aggregation: one grouped query for every category.
        grouped = _grouped(scoped, F("category_id"), on)
        per_category = [(c, grouped.get(c.pk, Tally())) for c in categories]
        uncategorized = grouped.get(None, Tally())
    else:
        per_category = [(c, _figures(scoped.filter(category=c), on)) for c in categories]
        uncategorized = _figures(scoped.filter(category__isnull=True), on)
    for category, tally in per_category:
        if tally.found:
            tally.category_id, tally.label = category.pk, category.name
            category_rows.append(tally)
    if uncategorized.found:
        uncategorized.label = _("未分类")
        category_rows.append(uncategorized)

    dashboard = Dashboard(org, on, total, category_rows, child_rows)
    _series(dashboard, scoped)
    return dashboard


def _series(dashboard: Dashboard, problems: QuerySet[Problem]) -> None:
    """Found and closed, cumulated by month, and the close rate at the end of each month. Counted by day
    (an index on each date column leads with the date, so SQLite reads a subtree day by day without
    sorting), then added up by month here."""
    found: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    for day, n in problems.order_by().values_list("found_on").annotate(n=Count("org_path")).values_list("found_on",
                                                                                                        "n"):
        found[f"{day:%Y-%m}"] += n
    for closed_day, n in (problems.filter(closed_on__isnull=False).order_by().values_list("closed_on")
                          .annotate(n=Count("org_path")).values_list("closed_on", "n")):
        closed[f"{closed_day:%Y-%m}"] += n
    months = sorted(set(found) | set(closed))
    if not months:
        return
    running_found = running_closed = 0
    for month in _month_range(months[0], months[-1]):
        running_found += found.get(month, 0)
        running_closed += closed.get(month, 0)
        dashboard.months.append(month)
        dashboard.found_cumulative.append(running_found)
        dashboard.closed_cumulative.append(running_closed)
        dashboard.close_rate_series.append(percent(running_closed, running_found))


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{year:04d}-{month:02d}" <= last and len(out) < 600:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out
