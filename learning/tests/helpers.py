"""Shared builders for the learning tests (on top of the persona tree of ``core.testing.personas``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from core.testing.personas import Personas
from learning import services
from learning.choices import ActivityForm, Audience
from learning.models import Activity


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def new_activity(p: Personas, org: Any, n: int = 1, *, day: datetime.date | None = None, hours: Any = None,
                 start: int = 9, end: int = 12, form: str = ActivityForm.CONCENTRATED,
                 audience: str = Audience.SUBTREE, **extra: Any) -> Activity:
    day = day or timezone.localdate()
    return services.create_activity(Activity(
        org=org, title=f"学习活动{n}", form=form, start=at(day, start), end=at(day, end), hours=hours,
        audience=audience, **extra), acting_user=p.admin)


def open_now(activity: Activity) -> Activity:
    """Move ``activity`` so that it is running now (sign-in open), whatever the time of day."""
    now = timezone.now()
    activity.start, activity.end = now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=1)
    activity.save()
    return activity
