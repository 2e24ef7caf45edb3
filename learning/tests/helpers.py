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
                 audience: str = Audience.SUBTREE, audience_members: Any = (), audience_orgs: Any = (),
                 **extra: Any) -> Activity:
    day = day or timezone.localdate()
    return services.create_activity(Activity(
        org=org, title=f"学习活动{n}", form=form, start=at(day, start), end=at(day, end), hours=hours,
        audience=audience, **extra), acting_user=p.admin, audience_members=audience_members,
        audience_orgs=audience_orgs)


def open_now(activity: Activity) -> Activity:
    """Move ``activity`` so that it is running now (sign-in open), whatever the time of day."""
    now = timezone.now()
    activity.start, activity.end = now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=1)
    activity.save()
    return activity


def new_question(p: Personas, org: Any, n: int, *, kind: str = "single", tags: str = "党章", **extra: Any) -> Any:
    from learning.models import Question
    from learning.services import create_question

    kinds: dict[str, dict[str, Any]] = {
        "single": {"options": ["甲", "乙", "丙", "丁"], "answer": [n % 4]},
        "multiple": {"options": ["甲", "乙", "丙", "丁"], "answer": [0, 2]},
        "true_false": {"options": [], "answer": [n % 2 == 0]},
        "blank": {"options": [], "answer": [["初心"], ["使命"]]},
    }
    values = kinds[kind]
    text = f"第{n}题：不忘____，牢记____" if kind == "blank" else f"第{n}题（{kind}）"
    return create_question(Question(org=org, kind=kind, text=text, tags=tags, explanation=f"解析{n}",
                                    **values | extra), acting_user=p.admin)


def new_exam(p: Personas, org: Any, *, draw: list[dict[str, Any]] | None = None, **extra: Any) -> Any:
    from learning.models import Exam
    from learning.services import create_exam

    now = timezone.now()
    values: dict[str, Any] = {"title": "党章党规知识测试", "opens": now - datetime.timedelta(days=1),
                              "closes": now + datetime.timedelta(days=7), "time_limit": 30, "attempts_allowed": 2,
                              "pass_mark": 60, "draw": draw or [{"kind": "single", "tag": "党章", "count": 3}]}
    return create_exam(Exam(org=org, **values | extra), acting_user=p.admin)
