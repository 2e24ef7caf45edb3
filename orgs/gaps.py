"""Structure gaps of rules.md §4, computed set-wise for a whole subtree (one query per rule)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from core.gaps import Gap, register_gap
from core.rules import rule, rule_version
from orgs.choices import BRANCH_KINDS, MEMBER_STATUSES, Status
from orgs.models import Member, Organization


def _branch_counts(org: Organization) -> Iterator[tuple[Organization, int, int]]:
    """Each branch in the subtree with its full and total (full + probationary) member counts."""
    counts = {
        row["org_id"]: (row["full"], row["total"])
        for row in Member.objects.in_subtree(org.path)
        .filter(status__in=MEMBER_STATUSES)
        .values("org_id")
        .annotate(full=Count("pk", filter=Q(status=Status.FULL)), total=Count("pk"))
    }
    branches = Organization.objects.in_subtree(org.path).filter(kind__in=BRANCH_KINDS).only(
        "pk", "name", "code", "kind", "has_committee"
    )
    for branch in branches:
        full, total = counts.get(branch.pk, (0, 0))
        yield branch, full, total


def _gap(key: str, on: datetime.date, org: Organization, title: str, detail: str) -> Gap:
    version = rule_version(key, on)
    return Gap(rule=key, severity=version.severity, title=title, detail=detail, org_id=org.pk, org_name=org.name,
               org_code=org.code, source=version.source)


@register_gap("orgs.branch.min_full_members", _("党支部正式党员不足3人"))
def branch_too_small(org: Organization, on: datetime.date) -> Iterator[Gap]:
    minimum, _severity = rule("orgs.branch.min_full_members", on)
    for branch, full, _total in _branch_counts(org):
        if full < minimum:
            yield _gap("orgs.branch.min_full_members", on, branch, _("正式党员不足%(n)s人") % {"n": minimum},
                       _("现有正式党员%(full)s人，应调整为联合党支部或充实力量") % {"full": full})


@register_gap("orgs.branch.committee_min_full_members", _("正式党员7人以上未设支委会"))
def branch_without_committee(org: Organization, on: datetime.date) -> Iterator[Gap]:
    threshold, _severity = rule("orgs.branch.committee_min_full_members", on)
    for branch, full, _total in _branch_counts(org):
        if full >= threshold and not branch.has_committee:
            yield _gap("orgs.branch.committee_min_full_members", on, branch, _("应设立支部委员会"),
                       _("正式党员%(full)s人，达到%(n)s人应设立支部委员会") % {"full": full, "n": threshold})


@register_gap("orgs.branch.max_members", _("党支部党员超过50人"))
def branch_too_large(org: Organization, on: datetime.date) -> Iterator[Gap]:
    maximum, _severity = rule("orgs.branch.max_members", on)
    for branch, _full, total in _branch_counts(org):
        if total > maximum:
            yield _gap("orgs.branch.max_members", on, branch, _("党员人数超过%(n)s人") % {"n": maximum},
                       _("现有党员%(total)s人，一般应分设党支部") % {"total": total})


@register_gap("orgs.committee.term_overdue_grace_days", _("委员会任期届满未换届"))
def term_ended(org: Organization, on: datetime.date) -> Iterator[Gap]:
    grace, _severity = rule("orgs.committee.term_overdue_grace_days", on)
    cutoff = on - datetime.timedelta(days=int(grace))
    for item in Organization.objects.in_subtree(org.path).filter(term_end__lt=cutoff).only(
        "pk", "name", "code", "term_end"
    ):
        yield _gap("orgs.committee.term_overdue_grace_days", on, item, _("任期已届满"),
                   _("本届任期于%(date)s届满，应按期换届") % {"date": f"{item.term_end:%Y-%m-%d}"})
