"""Review views' figures: the distribution of originality and the state of essays, for a set of essays."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from essays.choices import EssayStatus
from essays.models import Essay

# Originality bands, lowest first: (lower bound inclusive, upper bound exclusive, label).
BANDS = [(0, 50, "0–49%"), (50, 70, "50–69%"), (70, 85, "70–84%"), (85, 101, "85–100%")]


def summary(essays: QuerySet[Essay]) -> dict[str, Any]:
    """Counts by status and by originality band, and the mean, in two queries."""
    by_status = dict(essays.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    late = essays.filter(late_days__gt=0).count()
    bands = essays.filter(originality__isnull=False).aggregate(
        mean=Avg("originality"),
        **{f"b{i}": Count("pk", filter=Q(originality__gte=lo, originality__lt=hi)) for i, (lo, hi, _l) in
           enumerate(BANDS)})
    total = sum(bands[f"b{i}"] for i in range(len(BANDS)))
    return {
        "statuses": [(s, by_status.get(s.value, 0)) for s in EssayStatus],
        "submitted": sum(n for s, n in by_status.items() if s != EssayStatus.DRAFT),
        "late": late,
        "bands": [{"label": label, "count": bands[f"b{i}"], "low": lo, "high": hi,
                   "share": round(100 * bands[f"b{i}"] / total) if total else 0}
                  for i, (lo, hi, label) in enumerate(BANDS)],
        "mean": round(float(bands["mean"]), 1) if bands["mean"] is not None else None,
        "checked": total,
    }


def by_child(essays: QuerySet[Essay], org: Any) -> list[dict[str, Any]]:
    """The same per child organization of ``org`` (its subtree each)."""
    rows = []
    for child in org.children.order_by("code", "pk"):
        part = essays.filter(org_path__subtree=child.path)
        figures = part.aggregate(n=Count("pk"), submitted=Count("pk", filter=~Q(status=EssayStatus.DRAFT)),
                                 low=Count("pk", filter=Q(originality__lt=BANDS[1][0])), mean=Avg("originality"))
        if figures["n"]:
            rows.append({"org": child, **figures,
                         "mean": round(float(figures["mean"]), 1) if figures["mean"] is not None else None})
    return rows
