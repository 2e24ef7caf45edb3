"""Who must attend an activity: its audience rule resolved to members, set-wise."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.scoping import ScopedQuerySet
from learning.choices import Audience
from learning.ledger import LEADER_TITLES
from orgs.choices import MEMBER_STATUSES, PositionTitle, TransferStatus
from orgs.models import Member, Position, Transfer


def members(activity: Any) -> ScopedQuerySet[Member]:
    """The party members (full and probationary) the activity asks to attend.

    An organization's audience is who belongs to it now, less who came later than the activity's day: a
    member admitted after it, or received from outside the audience's organizations after it (an activity
    of last week does not expect the member who transferred in yesterday).
    """
    party = Member.objects.filter(status__in=MEMBER_STATUSES)
    audience = activity.audience
    day = timezone.localtime(activity.start).date()
    if audience in (Audience.SUBTREE, Audience.ORGS):
        paths = ([activity.org_path] if audience == Audience.SUBTREE
                 else list(activity.audience_orgs.values_list("path", flat=True)))
        if not paths:
            return party.none()
        return party.filter(_any_subtree("org_path", paths)).exclude(admission_date__gt=day).exclude(
            pk__in=_received_after(day, paths))
    if audience == Audience.MEMBERS:
        return party.filter(pk__in=activity.audience_members.values("pk"))
    titles = [PositionTitle.SECRETARY] if audience == Audience.SECRETARIES else LEADER_TITLES
    seats = Position.objects.in_subtree(activity.org_path).filter(title__in=titles, term_start__lte=day).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=day))
    return party.filter(pk__in=seats.values("member_id"))


def _any_subtree(field: str, paths: list[str]) -> Q:
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__subtree": path})
    return q


def _received_after(day: Any, paths: list[str]) -> Any:
    """The members who were outside these subtrees on ``day``: their first confirmed transfer after it (by the
    day it was received, or sent when no receiving day was recorded) came from outside them. A member who
    was moved away and back after the day was inside on the day, and stays in the audience."""
    moves = (Transfer.objects.filter(status=TransferStatus.CONFIRMED)
             .annotate(effective=Coalesce("confirmed_date", "date")).filter(effective__gt=day))
    first = moves.filter(member=OuterRef("member_id")).order_by("effective", "pk").values("pk")[:1]
    return moves.filter(pk=Subquery(first)).exclude(_any_subtree("from_org_path", paths)).values("member_id")


def includes(activity: Any, member: Member) -> bool:
    return members(activity).filter(pk=member.pk).exists()
