"""Structure gaps of rules.md §4 (branch size, committee, term), computed set-wise for a subtree."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role
from core.gaps import Gap, register_gap
from core.rules import rule_version
from orgs.choices import BRANCH_KINDS, LEAVING_STATUSES, MEMBER_STATUSES, Status
from orgs.models import Member, Organization, RoleGrant


def _gap(key: str, on: datetime.date, org: Organization, title: str, detail: str, ref: str = "") -> Gap:
    version = rule_version(key, on)
    return Gap(rule=key, severity=version.severity, title=title, detail=detail, org_id=org.pk, org_name=org.name,
               org_code=org.code, source=version.source, ref=ref)


def branch_gaps(branch: Organization, full: int, total: int, on: datetime.date) -> Iterator[Gap]:
    """The size and committee gaps of one branch, given its full and total (full + probationary) counts."""
    minimum = rule_version("orgs.branch.min_full_members", on).value
    if full < minimum:
        yield _gap("orgs.branch.min_full_members", on, branch, _("正式党员不足%(n)s人") % {"n": minimum},
                   _("现有正式党员%(full)s人，应调整为联合党支部或充实力量") % {"full": full})
    threshold = rule_version("orgs.branch.committee_min_full_members", on).value
    if full >= threshold and not branch.has_committee:
        yield _gap("orgs.branch.committee_min_full_members", on, branch, _("应设立支部委员会"),
                   _("正式党员%(full)s人，达到%(n)s人应设立支部委员会") % {"full": full, "n": threshold})
    maximum = rule_version("orgs.branch.max_members", on).value
    if total > maximum:
        yield _gap("orgs.branch.max_members", on, branch, _("党员人数超过%(n)s人") % {"n": maximum},
                   _("现有党员%(total)s人，一般应分设党支部") % {"total": total})


def term_gaps(orgs: Iterable[Organization], on: datetime.date) -> Iterator[Gap]:
    grace = int(rule_version("orgs.committee.term_overdue_grace_days", on).value)
    for org in orgs:
        if org.term_end and org.term_end < on - datetime.timedelta(days=grace):
            yield _gap("orgs.committee.term_overdue_grace_days", on, org, _("任期已届满"),
                       _("本届任期于%(date)s届满，应按期换届") % {"date": f"{org.term_end:%Y-%m-%d}"})


def member_counts(**filters: object) -> dict[int, tuple[int, int]]:
    """org id → (full, full + probationary) for the members matching ``filters``."""
    rows = (
        Member.objects.filter(status__in=MEMBER_STATUSES, **filters)
        .values("org_id")
        .annotate(full=Count("pk", filter=Q(status=Status.FULL)), total=Count("pk"))
    )
    return {row["org_id"]: (row["full"], row["total"]) for row in rows}


def warnings_for(org: Organization, on: datetime.date) -> list[Gap]:
    """The structure gaps of ``org`` itself (not its subtree): cheap enough for every organization page."""
    found = list(term_gaps([org], on))
    if org.kind in BRANCH_KINDS:
        full, total = member_counts(org=org).get(org.pk, (0, 0))
        found.extend(branch_gaps(org, full, total, on))
    return found


@register_gap("orgs.structure", gettext_lazy("组织设置"))
def structure_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    counts = member_counts(org_path__subtree=org.path)
    branches = Organization.objects.in_subtree(org.path).filter(kind__in=BRANCH_KINDS).only(
        "pk", "name", "code", "kind", "has_committee"
    )
    for branch in branches:
        full, total = counts.get(branch.pk, (0, 0))
        yield from branch_gaps(branch, full, total, on)
    yield from term_gaps(
        Organization.objects.in_subtree(org.path).filter(term_end__isnull=False).only("pk", "name", "code", "term_end"),
        on,
    )


@register_gap("orgs.grants", gettext_lazy("授权调整"))
def grant_gaps(org: Organization, on: datetime.date) -> Iterator[Gap]:
    """Manager and inspector grants in the subtree whose holder's member record has moved out of the granted
    organization (a transferred secretary) or left the party: the grant still opens the old branch's records."""
    grants = (RoleGrant.objects.in_subtree(org.path).filter(role__in=(Role.MANAGER, Role.INSPECTOR),
                                                            user__member__isnull=False)
              .select_related("org", "user", "user__member").order_by("org_path", "pk"))
    for grant in grants:
        member = grant.user.member  # type: ignore[attr-defined]
        granted = grant.org
        if granted is None:
            continue
        if member.status in LEAVING_STATUSES:
            where = _("党籍状态为“%(status)s”") % {"status": member.get_status_display()}
        elif not member.org_path.startswith(granted.path):
            # Where it went is not named: that organization may be outside the viewer's scope.
            where = _("组织关系已转出本组织")
        else:
            continue
        yield _gap("orgs.grants.holder_left", on, granted, _("授权未随组织关系调整"),
                   _("账号 %(user)s（%(name)s）仍有本组织的%(role)s授权，但其%(where)s；请收回或调整授权")
                   % {"user": grant.user.get_username(), "name": member.name, "role": grant.get_role_display(),
                      "where": where}, ref=f"grant:{grant.pk}")
