"""The essays app's to-dos: essays to review, the essays a member has yet to hand in, and the returned ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.todos import Todo, managed_q, register_todos
from essays.choices import EssayStatus
from essays.models import Essay, EssayRequest


@register_todos
def essay_todos(user: Any) -> Iterator[Todo]:
    if managed_q(user, "org_path") is not None:
        # The managers of the author's branch or of the requesting organization review (never the author).
        count = (Essay.objects.restrict(user, "change").filter(status=EssayStatus.SUBMITTED)
                 .exclude(member__user_id=user.pk).count())
        url = f"{reverse('essays:essay_list')}?status={EssayStatus.SUBMITTED}&not_mine=true"
        yield Todo(_("待审阅的心得体会"), count, url, "bi-journal-check")
    yield Todo(_("待撰写的心得体会"), to_write(user).count(), reverse("essays:mine"), "bi-journal-text")
    count = Essay.objects.filter(member__user_id=user.pk, status=EssayStatus.RETURNED).count()
    yield Todo(_("被退回、需修改的心得体会"), count, reverse("essays:mine"), "bi-pencil-square")


def to_write(user: Any) -> Any:
    """The requests addressed to ``user`` as a member, still open, to which they have handed in nothing yet
    (no essay, or a draft)."""
    addressed = EssayRequest.self_scope_q(user) if getattr(user, "pk", None) else None
    if addressed is None:
        return EssayRequest.objects.none()
    handed_in = (Essay.objects.filter(member__user_id=user.pk).exclude(status=EssayStatus.DRAFT)
                 .values("request_id"))
    return (EssayRequest.objects.restrict(user).filter(addressed, deadline__gte=timezone.localdate())
            .exclude(pk__in=handed_in))
