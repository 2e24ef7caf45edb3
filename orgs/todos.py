"""The orgs app's to-dos: transfers waiting for the receiving branch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.todos import Todo, managed_q, register_todos
from orgs.choices import TransferStatus
from orgs.models import Transfer


@register_todos
def transfer_todos(user: Any) -> Iterator[Todo]:
    receiving = managed_q(user, "to_org_path")
    if receiving is None:
        return
    count = Transfer.objects.restrict(user, "change").filter(receiving, status=TransferStatus.PENDING).count()
    yield Todo(_("待接收的组织关系转接"), count, f"{reverse('orgs:transfer_list')}?status={TransferStatus.PENDING}",
               "bi-box-arrow-in-down")
