"""Keep the yearly totals' requirement current when what it depends on changes outside this app:
a leadership seat (56 hours instead of 32) or a member's status and conversion date."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from orgs.models import Member, Position


def _refresh(member_id: int) -> None:
    from learning.ledger import refresh_years
    from learning.models import MemberYear

    year = timezone.localdate().year
    if MemberYear.objects.filter(member_id=member_id, year=year).exists():
        refresh_years([member_id], [year])


@receiver(post_save, sender=Position)
@receiver(post_delete, sender=Position)
def position_changed(sender: Any, instance: Position, **kwargs: Any) -> None:
    _refresh(instance.member_id)


@receiver(post_save, sender=Member)
def member_changed(sender: Any, instance: Member, created: bool, **kwargs: Any) -> None:
    if not created:
        _refresh(instance.pk)
