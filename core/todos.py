"""To-dos: what waits for the signed-in user, counted by each app and shown on the home page.

An app registers a function ``todos(user) -> Iterable[Todo]``; each to-do is a count read through the
scoping mechanism and a link to the list that holds those items. Only non-zero counts are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from core.scoping import get_scope


@dataclass(frozen=True)
class Todo:
    label: Any
    count: int
    url: str
    icon: str = "bi-check2-square"


TodoFunc = Callable[[Any], Iterable[Todo]]
_registry: list[TodoFunc] = []


def register_todos(func: TodoFunc) -> TodoFunc:
    if func not in _registry:
        _registry.append(func)
    return func


def todos_for(user: Any) -> list[Todo]:
    return [todo for func in _registry for todo in func(user) if todo.count]


def below_q(user: Any, field: str) -> Q | None:
    """Rows whose ``field`` (a tree path) lies strictly below an organization the user manages — what the
    level above reviews; ``None`` when the user manages nothing."""
    return _managed(user, field, strictly_below=True)


def managed_q(user: Any, field: str) -> Q | None:
    """Rows whose ``field`` (a tree path) lies in a subtree the user manages; ``None`` when none."""
    return _managed(user, field, strictly_below=False)


def _managed(user: Any, field: str, *, strictly_below: bool) -> Q | None:
    scope = get_scope(user, "change")
    if scope.everything:
        return Q()
    if not scope.paths:
        return None
    q = Q(pk__in=[])
    for path in scope.paths:
        inside = Q(**{f"{field}__subtree": path})
        q |= inside & ~Q(**{field: path}) if strictly_below else inside
    return q


@register_todos
def calendar_todos(user: Any) -> Iterable[Todo]:
    """An administrator is asked to enter the holidays of a year the calendar library does not know
    (``core.workdays.missing_years``)."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from core import workdays

    if not get_scope(user, "change").everything:
        return
    for year in workdays.missing_years(timezone.localdate()):
        yield Todo(_("录入%(year)s年法定节假日和调休安排") % {"year": year}, 1, reverse("admin:core_holiday_add"),
                   "bi-calendar-event")
