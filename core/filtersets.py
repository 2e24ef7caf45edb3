"""FilterSet bases shared by list pages and the API: organization subtree, free text, sorting."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


def visible_orgs(request: Any) -> QuerySet[Any]:
    from orgs.models import Organization

    user = getattr(request, "user", None)
    return Organization.objects.restrict(user, "view").only("pk", "name", "path")


@extend_schema_field(OpenApiTypes.INT)
class SubtreeFilter(django_filters.ModelChoiceFilter):
    """``org=ID`` keeps the rows of that organization's whole subtree (one prefix condition)."""

    def __init__(self, *args: Any, path_field: str = "org_path", **kwargs: Any) -> None:
        self.path_field = path_field
        kwargs.setdefault("queryset", visible_orgs)
        kwargs.setdefault("label", _("组织（含下级）"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(**{f"{self.path_field}__subtree": value.path})


class ScopedFilterSet(django_filters.FilterSet):
    """Base: ``org`` (subtree) and ``q`` (free text over ``search_fields``); subclasses list the rest."""

    search_fields: ClassVar[tuple[str, ...]] = ("name__icontains",)
    org = SubtreeFilter()
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), widget=forms.TextInput(attrs={"placeholder": _("搜索"), "type": "search"})
    )

    def search(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return qs
        q = Q()
        for lookup in self.search_fields:
            q |= Q(**{lookup: value})
        return qs.filter(q)
