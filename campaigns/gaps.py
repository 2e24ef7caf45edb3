"""Campaign gaps for a subtree: rectifications overdue or due soon, 办实事 projects past their deadline."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.choices import OPEN_STATUSES, ProblemStatus, ProjectStatus
from campaigns.models import Problem, Project
from core.gaps import FollowUp, Gap, register_followups, register_gap
from core.rules import rule_value, rule_version
from core.text import nested
from orgs.models import Organization


def _problem_gaps(check: str, key: str, on: datetime.date, problems: Any, title: str, detail: str) -> Iterator[Gap]:
    """One gap per problem row; the rule, the texts and the status labels are looked up once, not per row
    (a province's ledger has hundreds of thousands of overdue problems)."""
    version = rule_version(key, on)
    labels = {value: str(label) for value, label in ProblemStatus.choices}
    rows = problems.order_by("org_path", "deadline", "pk").values_list(
        "pk", "title", "deadline", "status", "org_id", "org__name", "org__code")
    for pk, problem_title, deadline, status, org_id, org_name, org_code in rows.iterator(chunk_size=5000):
        text = detail % {"no": Problem.ledger_no_of(pk), "title": nested(problem_title), "date": f"{deadline:%Y-%m-%d}",
                         "days": (on - deadline).days, "status": labels.get(status, status)}
        yield Gap(rule=key, severity=version.severity, title=title, detail=text, org_id=org_id, org_name=org_name,
                  org_code=org_code, source=version.source, extra={"problem": pk}, ref=f"problem:{pk}", check=check)


def _overdue(org: Organization, on: datetime.date) -> Any:
    return Problem.objects.in_subtree(org.path).filter(status__in=OPEN_STATUSES, deadline__lt=on)


def _due_soon(org: Organization, on: datetime.date) -> Any:
    days = int(rule_value("campaigns.due_soon.days", on))
    return Problem.objects.in_subtree(org.path).filter(
        status__in=OPEN_STATUSES, deadline__gte=on, deadline__lte=on + datetime.timedelta(days=days))


@register_gap("campaigns.overdue", gettext_lazy("整改逾期"), count=lambda org, on: _overdue(org, on).count())
def overdue_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    problems = _overdue(org, on)
    return _problem_gaps("campaigns.overdue", "campaigns.overdue", on, problems, _("整改逾期未销号"),
                         _("%(no)s“%(title)s”办结时限为%(date)s，已逾期%(days)s天（%(status)s）"))


@register_gap("campaigns.due_soon", gettext_lazy("整改即将到期"), count=lambda org, on: _due_soon(org, on).count())
def due_soon_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    problems = _due_soon(org, on)
    return _problem_gaps("campaigns.due_soon", "campaigns.due_soon.days", on, problems, _("整改即将到期"),
                         _("%(no)s“%(title)s”将于%(date)s到期（%(status)s）"))


@register_gap("campaigns.project_overdue", gettext_lazy("办实事逾期"))
def project_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    projects = (Project.objects.in_subtree(org.path).exclude(status=ProjectStatus.DONE).filter(deadline__lt=on)
                .select_related("org").order_by("org_path", "deadline", "pk"))
    version = rule_version("campaigns.project_overdue", on)
    for p in projects:
        yield Gap(rule="campaigns.project_overdue", severity=version.severity, title=_("办实事项目逾期未办结"),
                  detail=_("“%(title)s”完成时限为%(date)s，已逾期%(days)s天")
                  % {"title": nested(p.title), "date": f"{p.deadline:%Y-%m-%d}", "days": (on - p.deadline).days},
                  org_id=p.org_id, org_name=p.org.name, org_code=p.org.code, source=version.source,
                  extra={"project": p.pk}, ref=f"project:{p.pk}")


def _filed_for(gaps: list[Gap], statuses: Any, *, latest: bool) -> dict[tuple[Any, ...], Problem]:
    """One problem in ``statuses`` filed for each of these gaps (the first, or with ``latest`` the last), by
    ``Gap.key``; unrestricted. Found by the gap's organization (an indexed handful of rows): filtering by a
    scope's subtree up front leads SQLite to walk a province's whole ledger."""
    checks = {g.check for g in gaps if g.check}
    if not checks:
        return {}
    wanted = {g.key for g in gaps}
    found: dict[tuple[Any, ...], Problem] = {}
    for problem in (Problem.objects.filter(status__in=statuses, gap_rule__in=checks,
                                           gap_org_id__in={g.org_id for g in gaps})
                    .order_by("-pk" if latest else "pk")):
        if problem.gap_key in wanted:
            found.setdefault(problem.gap_key, problem)
    return found


@register_followups
def rectifications(user: Any, gaps: list[Gap]) -> dict[tuple[Any, ...], FollowUp]:
    """Gaps already filed as problems: the gap list links to the problem not yet closed, or, when the gap
    is still there after its problem was closed, to that problem (for a new rectification or 回头看)."""
    filed = _filed_for(gaps, OPEN_STATUSES, latest=False)
    closed = _filed_for([g for g in gaps if g.key not in filed], [ProblemStatus.CLOSED], latest=True)
    visible = set(Problem.objects.restrict(user).filter(pk__in=[p.pk for p in [*filed.values(), *closed.values()]])
                  .values_list("pk", flat=True))
    found = {key: FollowUp(_("已列入整改 %(no)s") % {"no": problem.ledger_no}, problem.get_absolute_url())
             if problem.pk in visible else FollowUp(_("已由上级列入整改"), "")
             for key, problem in filed.items()}
    for key, problem in closed.items():
        if problem.pk in visible:  # a closed one the user cannot open is not mentioned
            found[key] = FollowUp(_("%(no)s已销号，差距仍在") % {"no": problem.ledger_no},
                                  problem.get_absolute_url(), closed=True)
    return found
