from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.choices import Action
from core.scoping import can, get_scope
from core.views import generic
from learning import compliance, forms, points, services
from learning.choices import AttendanceStatus, RecordSource, Standing
from learning.filtersets import ActivityFilterSet, StudyRecordFilterSet
from learning.models import Activity, ActivityMaterial, ActivitySeries, Attendance, SignInFailure, StudyRecord
from learning.tables import ActivityTable, StudyRecordTable
from orgs.models import Member, Organization
from orgs.views import scope_org

#
# Activities
#


class ActivityListView(generic.ObjectListView):
    queryset = Activity.objects.all()
    filterset = ActivityFilterSet
    table = ActivityTable
    export_resource = "learning.resources.ActivityResource"
    add_url_name = "learning:activity_add"
    extra_actions = (("learning:series_add", gettext_lazy("周期性活动"), "bi-arrow-repeat"),)

    def get_extra_context(self) -> dict[str, Any]:
        return {"scope_org": scope_org(self.request)}


class ActivityDetailView(generic.ObjectDetailView):
    queryset = Activity.objects.select_related("org", "series")
    template_name = "learning/activity_detail.html"

    def get_extra_context(self, obj: Activity) -> dict[str, Any]:
        user = self.request.user
        manage = can(user, Action.CHANGE, obj)
        attendances = Attendance.objects.restrict(user).filter(activity=obj)
        counts = dict(attendances.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        member = Member.objects.filter(user=user).first() if user.is_authenticated else None
        own = Attendance.objects.filter(activity=obj, member=member).first() if member else None
        opens, _closes = services.open_window(obj)
        expected = services.audience_queryset(obj).restrict(user).count()
        # The sign-in page's own check: open now, invited, not signed in, not locked out by wrong codes.
        may_sign_in, locked = own is None and member is not None, False
        if may_sign_in:
            try:
                services.check_sign_in(obj, member, now=timezone.now())
            except ValidationError as exc:
                may_sign_in = False
                locked = "code" in getattr(exc, "error_dict", {})
            except PermissionDenied:
                may_sign_in = False
        scope = get_scope(user, Action.VIEW)
        return {
            "can_change": manage,
            "may_record": services.may_record(user, obj),
            # The roll's figures are for those granted an organization; a member's own scope would count one.
            "show_counts": scope.oversees,
            "counts": [(s, counts.get(s.value, 0)) for s in AttendanceStatus],
            "expected": expected,
            "unrecorded": max(expected - sum(counts.values()), 0),
            "materials": obj.files.all(),
            "material_form": forms.MaterialForm() if manage else None,
            "own": own,
            "may_sign_in": may_sign_in,
            "sign_in_locked": locked,
            "opens": opens,
            "audience_orgs": Organization.objects.restrict(user).filter(pk__in=obj.audience_orgs.values("pk")),
            "audience_members": Member.objects.restrict(user).filter(
                pk__in=obj.audience_members.values("pk")).only("pk", "name")[:50],
        }


class ActivityEditView(generic.ObjectEditView):
    queryset = Activity.objects.all()
    form_class = forms.ActivityForm

    def initial_object(self) -> Activity:
        return Activity(org=scope_org(self.request))  # type: ignore[misc]

    def make_form(self, obj: Any, data: Any = None, files: Any = None) -> Any:
        self.form = super().make_form(obj, data, files)
        return self.form

    def create(self, obj: Activity, *, acting_user: Any, message: str) -> Activity:
        data = self.form.cleaned_data
        return services.create_activity(obj, acting_user=acting_user, message=message,
                                        audience_orgs=list(data.get("audience_orgs") or []),
                                        audience_members=data.get("member_ids") or [])

    def update(self, obj: Activity, *, acting_user: Any, changes: dict[str, Any], message: str) -> Activity:
        if "member_ids" in changes:
            changes["audience_members"] = changes.pop("member_ids")
        return services.update_activity(obj, acting_user=acting_user, changes=changes, message=message)


class ActivityDeleteView(generic.ObjectDeleteView):
    queryset = Activity.objects.all()

    def delete(self, obj: Activity, *, acting_user: Any, message: str) -> None:
        services.delete_activity(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: Any) -> str:
        return reverse("learning:activity_list")


class ActivityHistoryView(generic.ObjectHistoryView):
    queryset = Activity.objects.all()


class SeriesEditView(generic.ObjectEditView):
    queryset = ActivitySeries.objects.all()
    form_class = forms.SeriesForm

    def initial_object(self) -> ActivitySeries:
        return ActivitySeries(org=scope_org(self.request))  # type: ignore[misc]

    def create(self, obj: ActivitySeries, *, acting_user: Any, message: str) -> ActivitySeries:
        made = services.create_series(obj, acting_user=acting_user, message=message)
        messages.info(self.request, _("已按规则生成%(n)s次活动") % {"n": len(made)})
        return obj

    def success_url(self, obj: Any) -> str:
        return reverse("learning:activity_list") + f"?q={obj.title}"


#
# Attendance
#


@login_required
def activity_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The organizer's roll: the audience (within the user's scope), 100 a page, each with a status."""
    activity = services.visible_activity(request.user, pk)
    if not services.may_record(request.user, activity):
        raise PermissionDenied(_("您只有查看权限"))
    wrong = (SignInFailure.objects.filter(activity=activity, member=OuterRef("pk")).order_by().values("member")
             .annotate(n=Count("pk")).values("n"))
    audience = (services.recordable_members(request.user, activity).select_related("org")
                .annotate(wrong_codes=Subquery(wrong)).order_by("org_path", "pk"))
    page = Paginator(audience, 100).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    current = {a.member_id: a for a in Attendance.objects.filter(activity=activity, member__in=rows)}
    errors: list[str] = []
    if request.method == "POST":
        entries = []
        for member in rows:
            status = request.POST.get(f"status-{member.pk}", "")
            reason = request.POST.get(f"reason-{member.pk}", "")
            if not status:
                continue
            if status not in dict(forms.RECORDABLE):
                errors.append(_("%(name)s：出勤情况无效") % {"name": member.name})
                continue
            entries.append(services.Entry(member, status, reason))
        if not errors:
            try:
                saved = services.record_attendance(activity, entries, acting_user=request.user,
                                                   message=request.POST.get("changelog_message", ""))
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("已登记%(n)s人的出勤情况") % {"n": len(saved)})
                return HttpResponseRedirect(request.get_full_path())
    return render(request, "learning/activity_attendance.html", {
        "object": activity, "page": page, "errors": errors, "choices": forms.RECORDABLE,
        # After an error the roll shows what was sent, statuses and reasons alike, so nothing typed is lost.
        "rows": [(m, current.get(m.pk), {"status": request.POST.get(f"status-{m.pk}", ""),
                                          "reason": request.POST.get(f"reason-{m.pk}", "")} if errors else None)
                 for m in rows],
        "max_wrong_codes": services.max_wrong_codes(activity), "locked": _locked(request.user, activity),
        "makeup_form": forms.MakeupForm(initial={"date": timezone.localdate()}),
    })


def _locked(user: Any, activity: Activity) -> int:
    """How many members in the user's scope entered too many wrong codes to sign in and are not recorded yet."""
    limit = services.max_wrong_codes(activity)
    return (SignInFailure.objects.restrict(user).filter(activity=activity)
            .exclude(member__in=Attendance.objects.filter(activity=activity).values("member"))
            .order_by().values("member").annotate(n=Count("pk")).filter(n__gte=limit).count())


@login_required
def activity_sign_in(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's sign-in, made for a phone: one field (the code, when the activity has one) and a button."""
    activity = services.visible_activity(request.user, pk)
    form = forms.SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_in(activity, acting_user=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("签到成功，已计入%(hours)s学时") % {"hours": activity.hours})
            return HttpResponseRedirect(activity.get_absolute_url())
    # What stands in the way of signing in now (not open yet, over, done already, not invited, too many wrong
    # codes) is said instead of offering a button that can only be refused.
    member = Member.objects.filter(user=cast(Any, request.user)).first()
    now = timezone.now()
    refusal: list[str] = []
    try:
        services.check_sign_in(activity, member, now=now)
    except ValidationError as exc:
        refusal = exc.messages
    except PermissionDenied as exc:
        refusal = [str(exc)]
    context = {"object": activity, "form": form, "refusal": refusal,
               "not_open_yet": bool(refusal) and now < services.open_window(activity)[0]}
    return render(request, "learning/activity_sign_in.html", context,
                  status=400 if form.errors else 200)


@login_required
@require_POST
def attendance_makeup(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = get_object_or_404(Attendance.objects.restrict(request.user).select_related("member"), pk=pk)
    form = forms.MakeupForm(request.POST)
    if form.is_valid():
        try:
            services.record_makeup(attendance, acting_user=request.user, date=form.cleaned_data["date"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已登记%(name)s补学") % {"name": attendance.member.name})
    else:
        messages.error(request, _("请填写有效的补学日期"))
    return HttpResponseRedirect(reverse("learning:activity_attendance", args=[attendance.activity_id]))


#
# Materials
#


@login_required
@require_POST
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = services.visible_activity(request.user, pk)
    if not can(request.user, Action.CHANGE, activity):
        raise PermissionDenied(_("您只有查看权限"))  # before a file is stored
    form = forms.MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        material = form.save(commit=False)
        material.activity = activity
        material.title = form.cleaned_data["title"]
        services.add_material(material, acting_user=request.user)
        messages.success(request, _("已上传“%(title)s”") % {"title": material.title})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return HttpResponseRedirect(activity.get_absolute_url())


@login_required
def material_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    material = get_object_or_404(ActivityMaterial.objects.restrict(request.user).select_related("activity"), pk=pk)
    if not material.file:
        raise Http404
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def material_delete(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(ActivityMaterial.objects.restrict(request.user), pk=pk)
    services.delete_material(material, acting_user=request.user)
    messages.success(request, _("已删除“%(title)s”") % {"title": material.title})
    return HttpResponseRedirect(reverse("learning:activity_detail", args=[material.activity_id]))


#
# The ledger
#


class StudyRecordListView(generic.ObjectListView):
    queryset = StudyRecord.objects.all()
    filterset = StudyRecordFilterSet
    table = StudyRecordTable
    export_resource = "learning.resources.StudyRecordResource"
    add_url_name = "learning:record_add"
    import_slug = "study-records"

    def get_extra_context(self) -> dict[str, Any]:
        return {"scope_org": scope_org(self.request)}


class StudyRecordDetailView(generic.ObjectDetailView):
    queryset = StudyRecord.objects.select_related("member", "org", "attendance__activity")
    template_name = "learning/record_detail.html"

    def get_extra_context(self, obj: StudyRecord) -> dict[str, Any]:
        derived = bool(obj.attendance_id) or obj.source == RecordSource.EXAM
        return {"can_change": can(self.request.user, Action.CHANGE, obj) and not derived}


class StudyRecordEditView(generic.ObjectEditView):
    queryset = StudyRecord.objects.all()
    form_class = forms.StudyRecordForm

    def create(self, obj: StudyRecord, *, acting_user: Any, message: str) -> StudyRecord:
        return services.create_record(obj, acting_user=acting_user, message=message)

    def update(self, obj: StudyRecord, *, acting_user: Any, changes: dict[str, Any], message: str) -> StudyRecord:
        return services.update_record(obj, acting_user=acting_user, changes=changes, message=message)


class StudyRecordDeleteView(generic.ObjectDeleteView):
    queryset = StudyRecord.objects.all()

    def delete(self, obj: StudyRecord, *, acting_user: Any, message: str) -> None:
        services.delete_record(obj, acting_user=acting_user, message=message)


class StudyRecordHistoryView(generic.ObjectHistoryView):
    queryset = StudyRecord.objects.all()


#
# Standing and compliance
#


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    today = timezone.localdate()
    return int(value) if value.isdigit() and 2000 <= int(value) <= today.year + 1 else today.year


@login_required
def my_study(request: HttpRequest) -> HttpResponse:
    """A member's own ledger and standing for the year, and the activities they are asked to attend."""
    member = Member.objects.filter(user=cast(Any, request.user)).select_related("org").first()
    if member is None:
        raise Http404
    return _study_page(request, member, own=True)


@login_required
def member_study(request: HttpRequest, pk: int) -> HttpResponse:
    """One member's ledger and standing, for those whose scope holds the member (the compliance drill-down)."""
    member = get_object_or_404(Member.objects.restrict(request.user).select_related("org"), pk=pk)
    return _study_page(request, member, own=member.user_id == request.user.pk)


def _study_page(request: HttpRequest, member: Member, *, own: bool) -> HttpResponse:
    year = _year(request)
    today = timezone.localdate()
    records = StudyRecord.objects.filter(member=member, year=year).order_by("-date", "-pk")
    # Only the member is shown what to attend next: the audience is resolved through their own scope.
    upcoming = (Activity.objects.restrict(request.user).filter(end__gte=timezone.now())
                .exclude(attendances__member=member).order_by("start")[:10]) if own else []
    missed = Attendance.objects.filter(member=member, status__in=(AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED),
                                       activity__makeup_until__gte=today).select_related("activity")
    return render(request, "learning/my_study.html", {
        "points": points.member_total(member, year), "rank": points.branch_rank(member, year) if own else None,
        "member": member, "year": year, "standing": compliance.member_standing(member, year, today), "own": own,
        "records": records, "upcoming": upcoming, "missed": missed, "years": range(today.year, today.year - 5, -1),
    })


@login_required
def org_compliance(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The subtree's compliance for a year: by child organization with a chart, drill-down to the branch
    and the member, and the members of one standing (exportable)."""
    org = compliance.visible_org(request.user, pk)
    if org is None:
        raise Http404
    year = _year(request)
    today = timezone.localdate()
    standing = request.GET.get("standing", "")
    if standing not in Standing.values:
        standing = ""
    members = compliance.members_with_standing(org, year, today, standing or None).select_related("org").order_by(
        "org_path", "pk")
    fmt = request.GET.get("export")
    if fmt:
        return _export_standing(org, year, members, fmt, standing)
    total, children = compliance.rollup(org, year, today)
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "learning/compliance.html", {
        "query": query.urlencode(), "points": points.org_summary(org, year),
        "object": org, "year": year, "total": total, "children": children, "page": page, "standing": standing,
        "standings": Standing.choices, "years": range(today.year, today.year - 5, -1),
        "fraction": int(compliance.fraction_for(year, today) * 100),
    })


def _export_standing(org: Organization, year: int, members: Any, fmt: str, standing: str) -> HttpResponseBase:
    from core.imports.engine import rows_response

    label = dict(Standing.choices).get(standing, _("全部党员"))
    return rows_response(
        fmt, title=str(label), filename=f"{_('学时完成情况')}_{org.code}_{year}_{standing or 'all'}",
        header=[_("姓名"), _("所在党支部"), _("应完成学时"), _("计入学时"), _("全部学时"), _("集中培训次数"),
                _("应参加集中培训次数")],
        rows=([m.name, m.org.name, _num(m.my_required), _num(m.my_counted), _num(m.my_hours), m.my_trainings or 0,
               m.my_trainings_required or 0] for m in members.iterator(chunk_size=2000)),
    )


def _num(value: Any) -> float:
    return float(value) if value is not None else 0.0


