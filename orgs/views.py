from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.changelog import history_for
from core.choices import Action
from core.gaps import followups, gap_rules, gaps_for
from core.navigation import org_links
from core.scoping import can, can_in_org, get_scope
from core.views import generic
from orgs import forms, services
from orgs.choices import (
    BRANCH_KINDS,
    DEVELOPMENT_STATUSES,
    MEMBER_STATUSES,
    OrgKind,
    PositionTitle,
    Status,
    TransferStatus,
)
from orgs.filtersets import MemberFilterSet, OrganizationFilterSet, RoleGrantFilterSet, TransferFilterSet
from orgs.gaps import warnings_for
from orgs.models import Member, Organization, Position, RoleGrant, Transfer
from orgs.tables import MemberTable, OrganizationTable, RoleGrantTable, TransferTable

#
# Organizations
#


class OrganizationListView(generic.ObjectListView):
    queryset = Organization.objects.all()
    filterset = OrganizationFilterSet
    table = OrganizationTable
    export_resource = "orgs.resources.OrganizationResource"
    add_url_name = "orgs:organization_add"
    import_slug = "orgs"

    def get_extra_context(self) -> dict[str, Any]:
        return {"scope_org": scope_org(self.request)}


def scope_org(request: HttpRequest) -> Organization | None:
    """The organization a page is opened for (``?org=ID``), if the user may see it; lists and new-object
    forms of every app start from it."""
    pk = generic.query_id(request.GET.get("org"))
    return Organization.objects.restrict(request.user).filter(pk=pk).first() if pk else None


def _status_counts(members: Any) -> Counter[str]:
    return Counter(dict(members.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")))


def subtree_counts(org: Organization, children: Sequence[Organization]) -> tuple[dict[str, int], dict[int, int]]:
    """The subtree's member counts by kind, and each child's party-member count, in one pass over the
    subtree: one grouped count per child subtree (each an index range) plus the organization's own members."""
    by_status = _status_counts(Member.objects.filter(org=org))
    per_child: dict[int, int] = {}
    for child in children:
        if child.kind == OrgKind.GROUP:  # a group's members belong to the branch and are counted there
            per_child[child.pk] = group_members(child)
            continue
        child_counts = _status_counts(Member.objects.in_subtree(child.path))
        per_child[child.pk] = sum(child_counts[s] for s in MEMBER_STATUSES)
        by_status.update(child_counts)
    orgs = Organization.objects.in_subtree(org.path).exclude(pk=org.pk).aggregate(
        branches=Count("pk", filter=Q(kind__in=BRANCH_KINDS)), total=Count("pk"))
    return {
        "full": by_status[Status.FULL],
        "probationary": by_status[Status.PROBATIONARY],
        "development": sum(by_status[s] for s in DEVELOPMENT_STATUSES),
        "branches": orgs["branches"],
        "orgs": orgs["total"],
    }, per_child


def group_members(group: Organization) -> int:
    return Member.objects.filter(group=group, status__in=MEMBER_STATUSES).count()


def party_members(children: Sequence[Organization]) -> dict[int, int]:
    """Each child's party members (full and probationary): one count per child, over its subtree's index
    range (a group's members belong to its branch, and are counted by group)."""
    return {child.pk: group_members(child) if child.kind == OrgKind.GROUP
            else Member.objects.in_subtree(child.path).filter(status__in=MEMBER_STATUSES).count()
            for child in children}


def title_rank() -> Case:
    """Positions in the order of ``PositionTitle`` (书记, 副书记, then the members of the committee)."""
    return Case(*(When(title=t.value, then=Value(i)) for i, t in enumerate(PositionTitle)), default=Value(99))


class OrganizationDetailView(generic.ObjectDetailView):
    queryset = Organization.objects.select_related("parent")
    template_name = "orgs/organization_detail.html"

    def get_extra_context(self, obj: Organization) -> dict[str, Any]:
        user = self.request.user
        ancestor_ids = [int(p) for p in obj.path.split(".")[:-2]]
        common = {
            "ancestors": Organization.objects.restrict(user).filter(pk__in=ancestor_ids).order_by("depth"),
            "recent_changes": history_for(obj, user)[:5],
            "oversees": can_in_org(user, Action.VIEW, obj.path),
            "parent_visible": obj.parent is not None and can(user, Action.VIEW, obj.parent),
        }
        if not common["oversees"]:
            # A member sees their own branch's page for its name and place in the tree; its roster, counts,
            # leadership and warnings belong to those granted the branch.
            return common
        today = timezone.localdate()
        children = list(obj.children.annotate(n_children=Count("children")).order_by("code"))
        counts, child_counts = subtree_counts(obj, children)
        return {
            **common,
            "children": [(child, child_counts.get(child.pk)) for child in children],
            "counts": counts,
            "positions": Position.objects.restrict(user).filter(org=obj)
            .filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
            .select_related("member").order_by(title_rank(), "term_start"),
            "warnings": warnings_for(obj, today),
            "org_links": org_links(),
            "can_reveal": can(user, Action.REVEAL, obj),
            "branch_members": Member.objects.restrict(user).filter(org=obj).only("pk", "name", "status")[:60],
        }


class OrganizationEditView(generic.ObjectEditView):
    queryset = Organization.objects.all()
    form_class = forms.OrganizationForm

    def initial_object(self) -> Organization:
        parent = scope_org(self.request)
        return Organization(parent=parent)

    def create(self, obj: Organization, *, acting_user: Any, message: str) -> Organization:
        return services.create_organization(obj, acting_user=acting_user, message=message)

    def update(self, obj: Organization, *, acting_user: Any, changes: dict[str, Any], message: str) -> Organization:
        return services.update_organization(obj, acting_user=acting_user, changes=changes, message=message)


class OrganizationDeleteView(generic.ObjectDeleteView):
    queryset = Organization.objects.all()

    def delete(self, obj: Organization, *, acting_user: Any, message: str) -> None:
        services.delete_organization(obj, acting_user=acting_user, message=message)


class OrganizationHistoryView(generic.ObjectHistoryView):
    queryset = Organization.objects.all()


@login_required
def organization_tree(request: HttpRequest, pk: int) -> HttpResponse:
    """The children of one organization, for the lazily expanded tree."""
    org = get_object_or_404(Organization.objects.restrict(request.user), pk=pk)
    if not can_in_org(request.user, Action.VIEW, org.path):
        raise Http404  # a member's own branch: its groups are for those granted it
    children = list(org.children.annotate(n_children=Count("children")).order_by("code"))
    counts = party_members(children)
    return render(request, "orgs/includes/child_tree.html",
                  {"children": [(child, counts[child.pk]) for child in children]})


@login_required
def organization_gaps(request: HttpRequest, pk: int) -> HttpResponseBase:
    org = get_object_or_404(Organization.objects.restrict(request.user), pk=pk)
    if not can_in_org(request.user, Action.VIEW, org.path):
        raise Http404  # a member's own branch: its gaps name other members
    try:
        on = datetime.date.fromisoformat(request.GET["date"]) if request.GET.get("date") else timezone.localdate()
    except ValueError:
        on = timezone.localdate()
    known = {rule.key: rule for rule in gap_rules()}
    rules = [key for key in request.GET.getlist("rule") if key in known] or None
    fmt = request.GET.get("export")
    if not fmt and rules is None and not request.GET.get("all") \
            and Organization.objects.in_subtree(org.path).count() > int(settings.CHUXIN_GAP_SUMMARY_ORGS):
        # A large subtree (a province) has hundreds of thousands of gaps: first how many of each kind, and
        # the organizations below to drill down into.
        summary = [(rule, rule.how_many(org, on)) for rule in known.values()]
        return render(request, "orgs/organization_gaps.html", {
            "object": org, "on": on, "summary": [(r, n) for r, n in summary if n],
            "total": sum(n for _r, n in summary), "children": org.children.order_by("code")})
    not_in_force: list[Any] = []
    gaps = gaps_for(org, on, rules, not_in_force)
    if fmt:
        from core.imports.engine import rows_response

        labels = {"hard": _("强制"), "warning": _("提醒")}
        return rows_response(
            fmt, title=_("差距"), filename=f"{_('差距')}_{org.code}_{on:%Y%m%d}",
            header=[_("性质"), _("组织编码"), _("组织名称"), _("差距"), _("说明"), _("依据")],
            rows=([labels.get(g.severity, g.severity), g.org_code, g.org_name, g.title, g.detail, g.source]
                  for g in gaps),
        )
    page = Paginator(gaps, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    shown = list(page.object_list)
    done = followups(request.user, shown)
    return render(request, "orgs/organization_gaps.html", {
        "object": org, "gaps": [(gap, done.get(gap.key)) for gap in shown], "page": page, "total": len(gaps),
        "on": on, "query": query.urlencode(), "can_rectify": can(request.user, Action.CHANGE, org),
        "chosen": [known[key] for key in rules or ()], "summary": None, "not_in_force": not_in_force})


#
# Members
#


class MemberListView(generic.ObjectListView):
    queryset = Member.objects.all()
    filterset = MemberFilterSet
    table = MemberTable
    export_resource = "orgs.resources.MemberResource"
    add_url_name = "orgs:member_add"
    import_slug = "members"

    def get_extra_context(self) -> dict[str, Any]:
        return {"scope_org": scope_org(self.request)}


class MemberDetailView(generic.ObjectDetailView):
    queryset = Member.objects.select_related("org", "group", "user")
    template_name = "orgs/member_detail.html"

    def get_extra_context(self, obj: Member) -> dict[str, Any]:
        user = self.request.user
        return {
            "can_reveal": can(user, Action.REVEAL, obj),
            "birth_date_masked": obj.birth_date_for(None) if not can(user, Action.REVEAL, obj) else None,
            "status_changes": obj.status_changes.select_related("created_by").order_by("-date", "-pk")[:20],
            "transfers": Transfer.objects.restrict(user).filter(member=obj).select_related("from_org", "to_org")[:20],
            "positions": Position.objects.restrict(user).filter(member=obj).select_related("org"),
            "recent_changes": history_for(obj, user)[:5],
            "org_links": org_links(),
            "status_form": forms.StatusChangeForm(initial={"status": obj.status}),
        }


class MemberEditView(generic.ObjectEditView):
    queryset = Member.objects.all()
    form_class = forms.MemberForm

    def initial_object(self) -> Member:
        org = scope_org(self.request)
        return Member(org=org) if org and org.kind in BRANCH_KINDS else Member()

    def create(self, obj: Member, *, acting_user: Any, message: str) -> Member:
        return services.create_member(obj, acting_user=acting_user, message=message)

    def update(self, obj: Member, *, acting_user: Any, changes: dict[str, Any], message: str) -> Member:
        return services.update_member(obj, acting_user=acting_user, changes=changes, message=message)


class MemberDeleteView(generic.ObjectDeleteView):
    queryset = Member.objects.all()

    def delete(self, obj: Member, *, acting_user: Any, message: str) -> None:
        services.delete_member(obj, acting_user=acting_user, message=message)


class MemberHistoryView(generic.ObjectHistoryView):
    queryset = Member.objects.all()


def _member(request: HttpRequest, pk: int) -> Member:
    return get_object_or_404(Member.objects.restrict(request.user).select_related("org"), pk=pk)


@login_required
@require_POST
def member_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """Show the full ID number or phone to a manager; each view is written to the change log."""
    member = _member(request, pk)
    if field not in ("id_number", "phone"):
        raise Http404
    value = services.reveal(member, field, acting_user=request.user)
    return HttpResponse(format_html('<span class="cx-masked">{}</span>', value) if value else "")


@login_required
def member_status(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = forms.StatusChangeForm(request.POST or None, initial={"status": member.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(member, acting_user=request.user, status=form.cleaned_data["status"],
                                   date=form.cleaned_data["date"], reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            generic._add_errors(form, exc)
        else:
            messages.success(request, _("党籍状态已更新"))
            return HttpResponseRedirect(member.get_absolute_url())
    return render(request, "orgs/member_action.html", {
        "object": member, "form": form, "title": _("变更党籍状态")})


@login_required
def member_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if not can(request.user, Action.CHANGE, member):
        raise PermissionDenied(_("您只有查看权限"))
    form = forms.TransferForm(request.POST or None, instance=Transfer(member=member, from_org=member.org))
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.start_transfer(form.instance, acting_user=request.user, message=form.instance.reason)
        except ValidationError as exc:
            generic._add_errors(form, exc)
        else:
            messages.success(request, _("已发起组织关系转接"))
            return HttpResponseRedirect(transfer.get_absolute_url())
    return render(request, "orgs/member_action.html", {
        "object": member, "form": form, "title": _("转出组织关系")})


@login_required
def branch_lookup(request: HttpRequest) -> HttpResponse:
    """The name of the party branch with exactly this code (``?to_org=CODE``), shown beside the receiving
    branch's code while a manager types it. Any branch may receive a transfer, so the form already accepts
    every code; an exact code only, never a search."""
    if get_scope(request.user, Action.CHANGE).empty:
        raise Http404
    code = request.GET.get("to_org", "").strip()[:40]
    if not code:
        return HttpResponse("")
    if code == request.GET.get("current"):
        return HttpResponse(format_html('<span class="text-danger">{}</span>', _("这是该党员现在所在的党支部")))
    branch = Organization.objects.filter(code=code, kind__in=BRANCH_KINDS).only("name").first()
    if branch is None:
        return HttpResponse(format_html('<span class="text-danger">{}</span>',
                                        _("找不到组织编码为“%(value)s”的党支部，请向接收方核实编码") % {"value": code}))
    return HttpResponse(format_html('<i class="bi bi-check-circle text-success"></i> {}', branch.name))


@login_required
def member_account(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if not can(request.user, Action.CHANGE, member):
        raise PermissionDenied(_("您只有查看权限"))
    form = forms.AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_account(member, acting_user=request.user, username=form.cleaned_data["username"],
                                    password=form.cleaned_data["password"], role=form.cleaned_data["role"])
        except ValidationError as exc:
            generic._add_errors(form, exc)
        else:
            messages.success(request, _("已创建登录账号"))
            return HttpResponseRedirect(member.get_absolute_url())
    return render(request, "orgs/member_action.html", {
        "object": member, "form": form, "title": _("创建登录账号")})


#
# Transfers
#


class TransferListView(generic.ObjectListView):
    queryset = Transfer.objects.all()
    filterset = TransferFilterSet
    table = TransferTable
    title = gettext_lazy("组织关系转接")


class TransferHistoryView(generic.ObjectHistoryView):
    queryset = Transfer.objects.all()


class TransferDetailView(generic.ObjectDetailView):
    queryset = Transfer.objects.select_related("member", "from_org", "to_org")
    template_name = "orgs/transfer_detail.html"

    def get_extra_context(self, obj: Transfer) -> dict[str, Any]:
        user = self.request.user
        pending = obj.status == TransferStatus.PENDING
        change = get_scope(user, Action.CHANGE)
        return {
            "can_receive": pending and obj.to_org_id is not None and change.covers_path(obj.to_org_path),
            "can_cancel": pending and change.covers_path(obj.from_org_path),
            "reply_form": forms.TransferReplyForm(),
        }


@login_required
@require_POST
def transfer_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    transfer = get_object_or_404(Transfer.objects.restrict(request.user), pk=pk)
    reply = request.POST.get("reply", "")
    handlers = {"confirm": services.confirm_transfer, "reject": services.reject_transfer}
    try:
        if action == "cancel":
            services.cancel_transfer(transfer, acting_user=request.user, message=reply)
        elif action in handlers:
            handlers[action](transfer, acting_user=request.user, reply=reply)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = {
            "confirm": _("已接收：%(name)s的组织关系已转入%(org)s"),
            "reject": _("已退回%(name)s的组织关系转接"),
            "cancel": _("已撤销%(name)s的组织关系转接"),
        }[action]
        messages.success(request, done % {"name": transfer.member.name, "org": transfer.to_org})
    return HttpResponseRedirect(transfer.get_absolute_url())


#
# Leadership positions
#


@login_required
def position_add(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_object_or_404(Organization.objects.restrict(request.user), pk=org_pk)
    if not can(request.user, Action.CHANGE, org):
        raise PermissionDenied(_("您只有查看权限"))
    form = forms.PositionForm(request.POST or None, instance=Position(org=org), user=request.user, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_position(form.instance, acting_user=request.user)
        except ValidationError as exc:
            generic._add_errors(form, exc)
        else:
            return HttpResponseRedirect(org.get_absolute_url())
    return render(request, "orgs/member_action.html", {"object": org, "form": form, "title": _("增加班子成员")})


class PositionDeleteView(generic.ObjectDeleteView):
    queryset = Position.objects.all()

    def delete(self, obj: Position, *, acting_user: Any, message: str) -> None:
        services.delete_position(obj, acting_user=acting_user, message=message)


#
# Role grants
#


class RoleGrantListView(generic.ObjectListView):
    queryset = RoleGrant.objects.all()
    filterset = RoleGrantFilterSet
    table = RoleGrantTable
    add_url_name = "orgs:grant_add"
    title = gettext_lazy("账号与授权")


class RoleGrantEditView(generic.ObjectEditView):
    queryset = RoleGrant.objects.all()
    form_class = forms.GrantForm

    def create(self, obj: RoleGrant, *, acting_user: Any, message: str) -> RoleGrant:
        return services.grant_role(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: RoleGrant) -> str:
        from django.urls import reverse

        return reverse("orgs:grant_list")


class RoleGrantDeleteView(generic.ObjectDeleteView):
    queryset = RoleGrant.objects.all()

    def delete(self, obj: RoleGrant, *, acting_user: Any, message: str) -> None:
        services.revoke_grant(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: RoleGrant) -> str:
        from django.urls import reverse

        return reverse("orgs:grant_list")
