"""The campaigns app's to-dos: rectifications to review (the level above) and to redo (returned)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaigns.choices import ProblemStatus
from campaigns.models import Assignment, Checklist, Problem
from core.choices import Role
from core.todos import Todo, below_q, managed_q, register_todos
from orgs.models import RoleGrant


def tasks_to_answer(user: Any) -> Any:
    """The self-inspection tasks waiting for ``user``'s answers: their own as a person, and those given to an
    organization they are granted (not the ones of the organizations below it: each answers its own)."""
    if not getattr(user, "pk", None):
        return Assignment.objects.none()
    # The organizations the user is a manager of, by their own grants: the same people ``core.notify``
    # tells (a grant below another one the user holds counts too).
    managed = RoleGrant.objects.filter(user_id=user.pk, role=Role.MANAGER, org__isnull=False).values("org__path")
    mine = Q(member__user_id=user.pk) | Q(for_org=True, org_path__in=managed)
    return Assignment.objects.filter(mine, submitted_at__isnull=True)


def to_redo_q(user: Any) -> Q:
    """Returned problems ``user`` answers for: their own as the responsible person, or in a subtree they
    manage. (``problem_todos`` counts the same rows in two parts, each read from an index.)"""
    returned = Q(status=ProblemStatus.RETURNED)
    own = Q(owner__user_id=user.pk) if getattr(user, "pk", None) else Q(pk__in=[])
    mine = managed_q(user, "org_path")
    if mine is None:
        return returned & own
    # ``Q()`` (an administrator: everything) would vanish from ``own | mine`` and leave only ``own``.
    return returned if mine == Q() else returned & (own | mine)


@register_todos
def problem_todos(user: Any) -> Iterator[Todo]:
    problems = Problem.objects.restrict(user, "view")
    below = below_q(user, "org_path")
    if below is not None:
        count = problems.filter(below, status=ProblemStatus.SUBMITTED).exclude(submitted_by=user).count()
        yield Todo(_("待审核销号的整改问题"), count,
                   f"{reverse('campaigns:problem_list')}?status={ProblemStatus.SUBMITTED}&mine_to_review=true",
                   "bi-clipboard-check")
    returned = problems.filter(status=ProblemStatus.RETURNED)
    own = returned.filter(owner__user_id=user.pk)
    mine = managed_q(user, "org_path")
    if mine is None:
        count = own.count()
    elif mine == Q():  # everything
        count = returned.count()
    else:
        # Two counts rather than one with "mine or own": the OR would join every returned problem of the
        # subtree to its owner, where each count alone reads an index (see the model's indexes).
        count = returned.filter(mine).count() + own.exclude(mine).count()
    yield Todo(_("被退回、需继续整改的问题"), count,
               f"{reverse('campaigns:problem_list')}?mine_to_redo=true", "bi-arrow-counterclockwise")


@register_todos
def checklist_todos(user: Any) -> Iterator[Todo]:
    count = Checklist.objects.restrict(user, "view").filter(
        pk__in=tasks_to_answer(user).values("checklist_id")).count()
    yield Todo(_("待填写的检视清单"), count, f"{reverse('campaigns:checklist_list')}?to_answer=true",
               "bi-ui-checks")
