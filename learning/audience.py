"""Who must attend an activity: its audience rule resolved to members, set-wise."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from core.scoping import ScopedQuerySet
from learning.choices import Audience
from learning.ledger import LEADER_TITLES
from orgs.choices import MEMBER_STATUSES, PositionTitle
from orgs.models import Member, Position


def members(activity: Any) -> ScopedQuerySet[Member]:
    """The party members (full and probationary) the activity asks to attend."""
    party = Member.objects.filter(status__in=MEMBER_STATUSES)
    audience = activity.audience
    if audience == Audience.SUBTREE:
        return party.in_subtree(activity.org_path)
    if audience == Audience.ORGS:
        q = Q()
        for path in activity.audience_orgs.values_list("path", flat=True):
            q |= Q(org_path__subtree=path)
        return party.filter(q) if q else party.none()
    if audience == Audience.MEMBERS:
        return party.filter(pk__in=activity.audience_members.values("pk"))
    titles = [PositionTitle.SECRETARY] if audience == Audience.SECRETARIES else LEADER_TITLES
    day = timezone.localtime(activity.start).date()
    seats = Position.objects.in_subtree(activity.org_path).filter(title__in=titles, term_start__lte=day).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=day))
    return party.filter(pk__in=seats.values("member_id"))


def includes(activity: Any, member: Member) -> bool:
    return members(activity).filter(pk=member.pk).exists()
