"""The learning app's to-dos: the exams open now that a member has yet to sit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.todos import Todo, register_todos
from learning.choices import AttemptStatus
from learning.models import Attempt, Exam


def to_take_q(user: Any) -> Q:
    """Exams addressed to ``user`` as a member (their branch's and those above it), open now, which they have
    not handed in yet."""
    addressed = Exam.self_scope_q(user) if getattr(user, "pk", None) else None
    if addressed is None:
        return Q(pk__in=[])
    now = timezone.now()
    handed_in = Attempt.objects.filter(member__user_id=user.pk, status=AttemptStatus.SUBMITTED).values("exam_id")
    return addressed & Q(opens__lte=now, closes__gte=now) & ~Q(pk__in=handed_in)


@register_todos
def exam_todos(user: Any) -> Iterator[Todo]:
    count = Exam.objects.filter(to_take_q(user)).count()
    yield Todo(_("待参加的考试"), count, f"{reverse('learning:exam_list')}?to_take=true", "bi-pencil")
