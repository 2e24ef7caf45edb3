from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.filtersets import ChoicesFilter, Ordering, ScopedFilterSet, SubtreeFilter
from core.todos import managed_q
from orgs.choices import Category, OrgKind, Status, TransferStatus
from orgs.models import Member, Organization, RoleGrant, Transfer

SORT_HELP = _("排序字段，前加 - 表示倒序")


class MemberFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), widget=forms.TextInput(
        attrs={"placeholder": _("姓名，或身份证号、手机号的后几位"), "type": "search"}))
    status = ChoicesFilter(choices=Status.choices, label=_("党籍状态"))
    category = ChoicesFilter(choices=Category.choices, label=_("人员类别"))
    sort = Ordering(
        fields=(("name", "name"), ("birth_date", "birth_date"), ("admission_date", "admission_date"),
                ("status", "status"), ("org_path", "org"), ("pk", "id")),
        label=_("排序"), help_text=SORT_HELP,
    )

    class Meta:
        model = Member
        fields = ["org", "status", "category", "q"]

    def search(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Name, or the last digits of the ID number or phone (what people read off a card)."""
        value = value.strip()
        if not value:
            return qs
        q = Q(name__icontains=value)
        tail = value.upper()
        if len(tail) == 4 and tail.rstrip("X").isdigit():
            q |= Q(id_number__endswith=tail) | Q(phone__endswith=tail)
        return qs.filter(q)


class OrganizationFilterSet(ScopedFilterSet):
    org = SubtreeFilter(path_field="path")
    kind = ChoicesFilter(choices=OrgKind.choices, label=_("组织类别"))
    search_fields = ("name__icontains", "code__iexact", "unit_name__icontains")
    sort = Ordering(
        fields=(("path", "path"), ("name", "name"), ("code", "code"), ("kind", "kind"), ("term_end", "term_end")),
        label=_("排序"), help_text=SORT_HELP,
    )

    class Meta:
        model = Organization
        fields = ["org", "kind", "q"]


class TransferFilterSet(ScopedFilterSet):
    org = django_filters.ModelChoiceFilter(
        queryset=lambda request: Organization.objects.restrict(getattr(request, "user", None)),
        method="either_side", label=_("组织（转出或转入，含下级）"),
    )
    status = ChoicesFilter(choices=TransferStatus.choices, label=_("状态"))
    to_receive = django_filters.BooleanFilter(method="filter_to_receive", label=_("待我接收"))
    search_fields = ("member__name__icontains", "to_outside__icontains")
    sort = Ordering(fields=(("date", "date"), ("pk", "id")), label=_("排序"))

    class Meta:
        model = Transfer
        fields = ["org", "status", "to_receive", "q"]

    def filter_to_receive(self, qs: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        """Pending transfers into a subtree the user manages (``orgs.todos``): what waits for their answer,
        not the ones they sent."""
        if value is None:
            return qs
        waiting = to_receive_q(getattr(self.request, "user", None))
        if waiting is None:
            return qs.none() if value else qs
        return qs.filter(waiting) if value else qs.exclude(waiting)

    def either_side(self, qs: QuerySet[Any], name: str, value: Organization) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(Q(from_org_path__subtree=value.path) | Q(to_org_path__subtree=value.path))


def to_receive_q(user: Any) -> Q | None:
    """Pending transfers into a subtree ``user`` manages; ``None`` when they manage none."""
    receiving = managed_q(user, "to_org_path")
    return None if receiving is None else receiving & Q(status=TransferStatus.PENDING)


class RoleGrantFilterSet(ScopedFilterSet):
    org = SubtreeFilter()
    role = ChoicesFilter(choices=Role.choices, label=_("角色"))
    search_fields = ("user__username__icontains", "user__first_name__icontains")
    sort = Ordering(fields=(("user__username", "user"), ("role", "role")), label=_("排序"))

    class Meta:
        model = RoleGrant
        fields = ["org", "role", "q"]
