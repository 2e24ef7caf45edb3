"""Essay gaps for a subtree: requested and not submitted by the deadline; returned and not revised."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.gaps import Gap, member_gap, register_gap
from core.rules import rule_value
from core.tree import ancestor_paths
from essays import audience
from essays.choices import EssayStatus
from essays.models import Essay, EssayRequest
from orgs.models import Organization


@register_gap("essays.overdue", gettext_lazy("心得体会逾期未交"))
def overdue_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    """Members of the subtree asked for an essay (by their organizations or those above) whose deadline has
    passed, recently, without a submission."""
    key = "essays.overdue.lookback_days"
    since = on - datetime.timedelta(days=int(rule_value(key, on)))
    requests = EssayRequest.objects.filter(deadline__lt=on, deadline__gte=since).filter(
        Q(org_path__subtree=org.path) | Q(org_path__in=ancestor_paths(org.path)[:-1])).order_by("deadline", "pk")
    for request in requests:
        submitted = Essay.objects.filter(request=request, versions_count__gt=0).values("member_id")
        owing = (audience.members(request).in_subtree(org.path).exclude(pk__in=submitted)
                 .select_related("org").order_by("org_path", "pk"))
        for member in owing:
            yield member_gap(key, on, member, _("心得体会逾期未交"),
                       _("%(name)s未在%(date)s前提交心得体会《%(title)s》")
                       % {"name": member.name, "date": f"{request.deadline:%Y-%m-%d}", "title": request.title},
                             ref=f"request:{request.pk}")


@register_gap("essays.returned", gettext_lazy("心得体会退回未改"))
def returned_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    """Essays returned for revision more than the allowed days ago and not submitted again."""
    key = "essays.returned.revise_days"
    days = int(rule_value(key, on))
    essays = (Essay.objects.filter(org_path__subtree=org.path, status=EssayStatus.RETURNED)
              .annotate(returned=Max("versions__reviewed_at")).select_related("member__org", "request")
              .order_by("org_path", "pk"))
    for essay in essays:
        if essay.returned is None:
            continue
        returned = timezone.localtime(essay.returned).date()
        if (on - returned).days <= days:
            continue
        yield member_gap(key, on, essay.member, _("心得体会退回后未修改"),
                   _("%(name)s的心得体会《%(title)s》于%(date)s退回修改，已超过%(days)s天未重新提交")
                   % {"name": essay.member.name, "title": essay.title, "date": f"{returned:%Y-%m-%d}",
                      "days": days}, ref=f"essay:{essay.pk}")
