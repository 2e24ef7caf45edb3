"""The orgs app's to-dos: transfers waiting for the receiving branch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.todos import Todo, register_todos
from orgs.filtersets import to_receive_q
from orgs.models import Transfer


@register_todos
def transfer_todos(user: Any) -> Iterator[Todo]:
    waiting = to_receive_q(user)
    if waiting is None:
        return
    count = Transfer.objects.restrict(user, "change").filter(waiting).count()
    yield Todo(_("待接收的组织关系转接"), count, f"{reverse('orgs:transfer_list')}?to_receive=true",
               "bi-box-arrow-in-down")
