"""Indicators for comparing an organization with an exemplar and with its peers (对标): each a figure
over one subtree, read set-wise — study compliance, rectification close rate and on-time rate, the share
overdue, and the beneficiaries' satisfaction with its 办实事 projects."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import OPEN_STATUSES, ProblemStatus
from campaigns.models import Feedback, Problem
from campaigns.rules import percent
from learning import compliance
from orgs.models import Organization


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any
    higher_is_better: bool = True


INDICATORS = (
    Indicator("study", _("学习达标及进度正常率")),
    Indicator("close_rate", _("整改销号率")),
    Indicator("on_time", _("按期销号率")),
    Indicator("overdue", _("整改逾期率"), higher_is_better=False),
    Indicator("satisfaction", _("办实事群众满意度")),
)


def indicators(org: Organization, on: datetime.date) -> dict[str, float | None]:
    """Each indicator in percent for ``org``'s subtree (``None`` where there is nothing to measure)."""
    study = compliance.summary(org, on.year, on)
    closed = Q(status=ProblemStatus.CLOSED)
    p = Problem.objects.in_subtree(org.path).order_by().aggregate(
        n=Count("org_path"), closed=Count("org_path", filter=closed),
        on_time=Count("org_path", filter=closed & Q(closed_on__lte=F("deadline"))),
        overdue=Count("org_path", filter=Q(status__in=OPEN_STATUSES, deadline__lt=on)))
    rating = Feedback.objects.in_subtree(org.path).aggregate(avg=Avg("rating"))["avg"]
    return {
        "study": percent(study.done + study.on_track, study.members),
        "close_rate": percent(p["closed"], p["n"]),
        "on_time": percent(p["on_time"], p["closed"]),
        "overdue": percent(p["overdue"], p["n"]),
        "satisfaction": round(float(rating) * 20, 1) if rating is not None else None,
    }


def peer_average(rows: list[dict[str, float | None]]) -> dict[str, float | None]:
    average: dict[str, float | None] = {}
    for indicator in INDICATORS:
        values = [r[indicator.key] for r in rows if r.get(indicator.key) is not None]
        average[indicator.key] = round(sum(v for v in values if v is not None) / len(values), 1) if values else None
    return average


# A viewer who may not see every peer gets the peer average of an indicator only when at least this many
# of the peers hidden from them have a figure for it: neither the average itself nor the average less the
# peers they can see then shows one sibling's figure.
PEER_AVERAGE_MIN = 3
PEER_LIMIT = 50


def peers(org: Any, on: datetime.date, user: Any) -> tuple[list[dict[str, Any]], dict[str, float | None] | None, int]:
    """The other children of ``org``'s parent: those ``user`` may see, each with its figures; the average
    of all of them per indicator (``None`` where hidden peers with a figure are fewer than
    ``PEER_AVERAGE_MIN``; ``None`` altogether without peers); and how many peers there are. The average is
    a published aggregate (rates, never records), like the figures a committee reports upwards."""
    if not org.parent_id:
        return [], None, 0
    everyone = list(Organization.objects.filter(parent_id=org.parent_id).exclude(pk=org.pk)
                    .order_by("code")[:PEER_LIMIT])
    if not everyone:
        return [], None, 0
    visible = set(Organization.objects.restrict(user).filter(pk__in=[p.pk for p in everyone])
                  .values_list("pk", flat=True))
    if 0 < len(everyone) - len(visible) < PEER_AVERAGE_MIN:
        # Too few hidden peers for any average to be shown: only the visible ones need their figures.
        shown = [{"org": peer, "values": indicators(peer, on)} for peer in everyone if peer.pk in visible]
        return shown, None, len(everyone)
    values = {peer.pk: indicators(peer, on) for peer in everyone}
    shown = [{"org": peer, "values": values[peer.pk]} for peer in everyone if peer.pk in visible]
    average = peer_average(list(values.values()))
    hidden = [values[peer.pk] for peer in everyone if peer.pk not in visible]
    if hidden:
        for indicator in INDICATORS:
            if sum(1 for v in hidden if v.get(indicator.key) is not None) < PEER_AVERAGE_MIN:
                average[indicator.key] = None
    if all(v is None for v in average.values()):
        return shown, None, len(everyone)
    return shown, average, len(everyone)
