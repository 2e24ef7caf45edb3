"""The figures of a subtree's rectification dashboard, from two grouped scans of the problem ledger.

Every figure — found, closed, overdue, on time, by category and by child organization — comes from one
``GROUP BY`` over the subtree's range of the ``problem_scope_figures`` index (which holds every column
read, so the table itself is not touched), and the close rate over time from a second. The cost grows
with the size of the subtree only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Count, F, Func, Q, QuerySet, Value
from django.utils.translation import gettext as _

from campaigns.choices import ProblemStatus
from campaigns.models import Campaign, Category, Problem
from campaigns.rules import percent
from orgs.models import Organization


class ChildKey(Func):
    """The id of the child of ``org`` whose subtree holds a path (``''`` for ``org`` itself): the path's
    segment after ``org``'s own. Rows must lie in ``org``'s subtree."""

    output_field = CharField()

    def __init__(self, path_field: str, org: Organization) -> None:
        self.prefix_length = len(org.path)
        super().__init__(F(path_field), Value("."), Value(org.depth + 2), function="split_part")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        start = self.prefix_length + 1
        rest = f"substr({column}, {start})"
        return f"substr({column}, {start}, max(instr({rest}, '.') - 1, 0))", [*params, *params]


class Month(Func):
    """``YYYY-MM`` of a date column, without a per-row function call on SQLite (dates are ISO text there)."""

    output_field = CharField()

    def __init__(self, field_name: str) -> None:
        super().__init__(F(field_name), Value("YYYY-MM"), function="to_char")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"substr({sql}, 1, 7)", params


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


def problems_of(org: Organization, campaign: Campaign | None = None) -> QuerySet[Problem]:
    qs = Problem.objects.in_subtree(org.path)
    return qs.filter(campaign=campaign) if campaign is not None else qs


def build(org: Organization, *, on: datetime.date, campaign: Campaign | None = None) -> Dashboard:
    closed = Q(status=ProblemStatus.CLOSED)
    rows = (problems_of(org, campaign).order_by()
            .annotate(child=ChildKey("org_path", org))
            .values("child", "category_id")
            .annotate(found=Count("org_path"), closed=Count("org_path", filter=closed),
                      overdue=Count("org_path", filter=~closed & Q(deadline__lt=on)),
                      on_time=Count("org_path", filter=closed & Q(closed_on__lte=F("deadline")))))
    by_child: dict[str, Tally] = defaultdict(Tally)
    by_category: dict[int | None, Tally] = defaultdict(Tally)
    total = Tally(label=org.name, org=org)
    for row in rows:
        tally = Tally(row["found"], row["closed"], row["overdue"], row["on_time"])
        by_child[row["child"] or ""].add(tally)
        by_category[row["category_id"]].add(tally)
        total.add(tally)

    children = {str(c.pk): c for c in org.children.only("pk", "name", "code", "path").order_by("code")}
    child_rows = []
    for key, child in children.items():
        found = by_child.get(key)
        if found is not None:
            found.org, found.label = child, child.name
            child_rows.append(found)
    if "" in by_child:
        own = by_child[""]
        own.org, own.label = org, _("%(name)s（本级）") % {"name": org.name}
        child_rows.append(own)

    names = dict(Category.objects.filter(pk__in=[k for k in by_category if k]).values_list("pk", "name"))
    category_rows = []
    for category_id, part in sorted(by_category.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        part.category_id = category_id
        part.label = names.get(category_id, "") if category_id else _("未分类")
        category_rows.append(part)

    dashboard = Dashboard(org, on, total, category_rows, child_rows)
    _series(dashboard, problems_of(org, campaign))
    return dashboard


def _series(dashboard: Dashboard, problems: QuerySet[Problem]) -> None:
    """Found and closed, cumulated by month, and the close rate at the end of each month."""
    found: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    for found_month, closed_month, n in (problems.order_by().annotate(fm=Month("found_on"), cm=Month("closed_on"))
                                         .values("fm", "cm").annotate(n=Count("org_path"))
                                         .values_list("fm", "cm", "n")):
        found[found_month] += n
        if closed_month:
            closed[closed_month] += n
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
