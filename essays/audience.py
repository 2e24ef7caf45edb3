"""Who must write an essay for a request: its audience rule resolved to members, set-wise."""

from __future__ import annotations

from typing import Any

from core.scoping import ScopedQuerySet
from essays.choices import EssayAudience
from learning.choices import CREDITED_ATTENDANCE
from learning.models import Attendance
from orgs.choices import MEMBER_STATUSES
from orgs.models import Member


def members(request: Any) -> ScopedQuerySet[Member]:
    """The party members (full and probationary) asked to write for ``request``."""
    party = Member.objects.filter(status__in=MEMBER_STATUSES)
    if request.audience == EssayAudience.SUBTREE:
        return party.in_subtree(request.org_path)
    if request.audience == EssayAudience.MEMBERS:
        return party.filter(pk__in=request.audience_members.values("pk"))
    if request.activity_id is None:
        return party.none()
    attended = Attendance.objects.filter(activity_id=request.activity_id, status__in=CREDITED_ATTENDANCE)
    # Only attendees inside the requesting organization's subtree: a branch asking about a committee's
    # lecture asks its own members, never a sibling's.
    return party.in_subtree(request.org_path).filter(pk__in=attended.values("member_id"))


def includes(request: Any, member: Member) -> bool:
    return members(request).filter(pk=member.pk).exists()
