"""What a campaign's required activities link to, as far as the reader may see.

A requirement may count a learning activity or an essay request of another part of the tree (the committee
links a branch's activity). A reader who may see the campaign but not the linked record must not learn of
it: the link is left out exactly as if none were set. One query per linked model, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from campaigns.models import Requirement
from core.choices import Action
from essays.models import EssayRequest
from learning.models import Activity


def visible_links(requirements: Iterable[Requirement], user: Any) -> tuple[set[int], set[int]]:
    """The ids of the learning activities and of the essay requests linked from ``requirements`` that
    ``user`` may see."""
    requirements = list(requirements)
    activity_ids = {r.activity_id for r in requirements if r.activity_id}
    request_ids = {r.essay_request_id for r in requirements if r.essay_request_id}
    activities: set[int] = set()
    requests: set[int] = set()
    if activity_ids:
        activities = set(Activity.objects.restrict(user, Action.VIEW).filter(pk__in=activity_ids)
                         .values_list("pk", flat=True))
    if request_ids:
        requests = set(EssayRequest.objects.restrict(user, Action.VIEW).filter(pk__in=request_ids)
                       .values_list("pk", flat=True))
    return activities, requests


def show_links(requirements: list[Requirement], user: Any) -> None:
    """Give each requirement ``shown_activity`` and ``shown_essay_request``: the linked record when ``user``
    may see it, else ``None``."""
    activities, requests = visible_links(requirements, user)
    for requirement in requirements:
        requirement.shown_activity = (  # type: ignore[attr-defined]
            requirement.activity if requirement.activity_id in activities else None)
        requirement.shown_essay_request = (  # type: ignore[attr-defined]
            requirement.essay_request if requirement.essay_request_id in requests else None)
