"""Campaign gaps for a subtree: rectifications overdue or due soon, 办实事 projects past their deadline."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.choices import OPEN_STATUSES, ProjectStatus
from campaigns.models import Problem, Project
from core.gaps import FollowUp, Gap, register_followups, register_gap
from core.rules import rule_value, rule_version
from orgs.models import Organization


def _gap(key: str, on: datetime.date, org: Organization, title: str, detail: str, problem: int) -> Gap:
    version = rule_version(key, on)
    return Gap(rule=key, severity=version.severity, title=title, detail=detail, org_id=org.pk, org_name=org.name,
               org_code=org.code, source=version.source, extra={"problem": problem}, ref=f"problem:{problem}")


@register_gap("campaigns.overdue", gettext_lazy("整改逾期"))
def overdue_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    problems = (Problem.objects.in_subtree(org.path).filter(status__in=OPEN_STATUSES, deadline__lt=on)
                .select_related("org").order_by("org_path", "deadline", "pk"))
    for p in problems:
        yield _gap("campaigns.overdue", on, p.org, _("整改逾期未销号"),
                   _("%(no)s“%(title)s”办结时限为%(date)s，已逾期%(days)s天（%(status)s）")
                   % {"no": p.ledger_no, "title": p.title, "date": f"{p.deadline:%Y-%m-%d}",
                      "days": (on - p.deadline).days, "status": p.get_status_display()}, p.pk)


@register_gap("campaigns.due_soon", gettext_lazy("整改即将到期"))
def due_soon_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    days = int(rule_value("campaigns.due_soon.days", on))
    problems = (Problem.objects.in_subtree(org.path)
                .filter(status__in=OPEN_STATUSES, deadline__gte=on, deadline__lte=on + datetime.timedelta(days=days))
                .select_related("org").order_by("org_path", "deadline", "pk"))
    for p in problems:
        yield _gap("campaigns.due_soon.days", on, p.org, _("整改即将到期"),
                   _("%(no)s“%(title)s”将于%(date)s到期（%(status)s）")
                   % {"no": p.ledger_no, "title": p.title, "date": f"{p.deadline:%Y-%m-%d}",
                      "status": p.get_status_display()}, p.pk)


@register_gap("campaigns.project_overdue", gettext_lazy("办实事逾期"))
def project_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    projects = (Project.objects.in_subtree(org.path).exclude(status=ProjectStatus.DONE).filter(deadline__lt=on)
                .select_related("org").order_by("org_path", "deadline", "pk"))
    for p in projects:
        version = rule_version("campaigns.project_overdue", on)
        yield Gap(rule="campaigns.project_overdue", severity=version.severity, title=_("办实事项目逾期未办结"),
                  detail=_("“%(title)s”完成时限为%(date)s，已逾期%(days)s天")
                  % {"title": p.title, "date": f"{p.deadline:%Y-%m-%d}", "days": (on - p.deadline).days},
                  org_id=p.org_id, org_name=p.org.name, org_code=p.org.code, source=version.source,
                  extra={"project": p.pk}, ref=f"project:{p.pk}")


def open_problems_for(gaps: list[Gap]) -> dict[tuple[Any, ...], Problem]:
    """The problems not yet closed that were filed for these gaps, by ``Gap.key`` (unrestricted: the
    service uses it to refuse a second rectification of one gap)."""
    checks = {g.check for g in gaps if g.check}
    orgs = {g.org_id for g in gaps}
    if not checks:
        return {}
    found: dict[tuple[Any, ...], Problem] = {}
    for problem in (Problem.objects.filter(status__in=OPEN_STATUSES, gap_rule__in=checks, gap_org_id__in=orgs)
                    .order_by("pk")):
        found.setdefault((problem.gap_rule, problem.gap_org_id, problem.gap_member_id, problem.gap_ref), problem)
    wanted = {g.key for g in gaps}
    return {key: problem for key, problem in found.items() if key in wanted}


@register_followups
def rectifications(user: Any, gaps: list[Gap]) -> dict[tuple[Any, ...], FollowUp]:
    """Gaps already filed as problems (not yet closed): the gap list links to the problem."""
    filed = open_problems_for(gaps)
    visible = set(Problem.objects.restrict(user).filter(pk__in=[p.pk for p in filed.values()])
                  .values_list("pk", flat=True))
    return {key: FollowUp(_("已列入整改 %(no)s") % {"no": problem.ledger_no}, problem.get_absolute_url())
            if problem.pk in visible else FollowUp(_("已由上级列入整改"), "")
            for key, problem in filed.items()}
