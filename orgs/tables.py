from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.choices import Action
from core.scoping import can
from core.tables import Column, Table
from orgs.models import Member, Organization, RoleGrant, Transfer


class MemberTable(Table):
    model = Member
    select_related = ("org",)
    default_sort = ("org_path", "pk")
    columns = (
        Column("name", link=True, sort="name"),
        Column("gender", phone=False),
        Column("birth_date", sort="birth_date", phone=False, accessor=lambda m, t: m.birth_date_for(t.user)),
        Column("id_number", accessor="id_number_masked", css="cx-masked", phone=False),
        Column("phone", accessor="phone_masked", css="cx-masked"),
        Column("category", phone=False),
        Column("status", sort="status"),
        Column("admission_date", sort="admission_date", phone=False),
        Column("org", label=_("所在党支部"), accessor="org.name", sort="org"),
    )


class OrganizationTable(Table):
    model = Organization
    select_related = ("parent",)
    default_sort = ("path",)
    columns = (
        Column("name", link=True, sort="name"),
        Column("code", sort="code"),
        Column("kind", sort="kind"),
        Column("parent", accessor="parent.name", phone=False),
        Column("unit_name", phone=False),
        Column("term_end", sort="term_end"),
    )


class TransferTable(Table):
    model = Transfer
    select_related = ("member", "from_org", "to_org")
    default_sort = ("-date", "-pk")
    columns = (
        Column("member", accessor="member.name", link=True),
        Column("from_org", accessor="from_org.name"),
        Column("to_org", accessor=lambda t, _table: t.to_org.name if t.to_org else t.to_outside),
        Column("date", sort="date"),
        Column("status"),
        Column("confirmed_date"),
    )


class RoleGrantTable(Table):
    model = RoleGrant
    select_related = ("user", "org")
    default_sort = ("user__username", "role")
    columns = (
        Column("user", accessor="user.username", sort="user"),
        Column("name", label=_("姓名"), accessor="user.first_name"),
        Column("role", sort="role"),
        Column("org", accessor=lambda g, _table: g.org.name if g.org else _("全部组织")),
        Column("created", label=_("授权时间"), accessor=lambda g, _table: f"{timezone.localtime(g.created):%Y-%m-%d}"),
        Column("revoke", label=_("操作"), accessor=lambda g, table: format_html(
            '<a class="text-danger" href="{}">{}</a>', reverse("orgs:grant_delete", args=[g.pk]), _("撤销"),
        ) if can(table.user, Action.CHANGE, g) else ""),
    )
