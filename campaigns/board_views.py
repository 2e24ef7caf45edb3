"""Pages of the dashboard and ledgers, benchmarking, 办实事 projects with their public feedback link,
and exemplars."""

from __future__ import annotations

import datetime
import secrets
import tempfile
import time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Avg, Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import benchmark, dashboard, forms, ledgers, services
from campaigns.choices import ExemplarKind
from campaigns.filtersets import ExemplarFilterSet, ProjectFilterSet
from campaigns.models import Campaign, Exemplar, Milestone, Problem, Project
from campaigns.tables import ExemplarTable, ProjectTable
from campaigns.views import act, kept_input
from core.choices import Action
from core.imports.files import CONTENT_TYPES
from core.middleware import client_address
from core.scoping import can
from core.tree import ancestor_paths
from core.views import generic
from learning.compliance import visible_org
from orgs.models import Organization
from orgs.views import scope_org

STAMP_SALT = "campaigns.feedback"
MIN_FORM_SECONDS = 3


def _chosen_campaign(request: HttpRequest) -> Campaign | None:
    value = request.GET.get("campaign", "")
    return Campaign.objects.restrict(request.user).filter(pk=value).first() if value.isdigit() else None


@login_required
def org_dashboard(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A subtree's rectification figures: by category and by child organization, close rate over time."""
    org = visible_org(request.user, pk)
    if org is None:
        raise Http404
    campaign = _chosen_campaign(request)
    on = timezone.localdate()
    if request.GET.get("export") == "xlsx":
        problems = Problem.objects.restrict(request.user).filter(org_path__subtree=org.path)
        if campaign is not None:
            problems = problems.filter(campaign=campaign)
        out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115  (FileResponse closes it)
        ledgers.write_ledgers(problems.select_related(None), out, on=on)
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename=f"{_('问题整改台账')}_{org.code}_{on:%Y%m%d}.xlsx",
                            content_type=CONTENT_TYPES["xlsx"])
    board = dashboard.build(org, on=on, campaign=campaign)
    chart = {
        "categories": [t.label for t in board.by_category],
        "found": [t.found for t in board.by_category], "closed": [t.closed for t in board.by_category],
        "overdue": [t.overdue for t in board.by_category],
        "months": board.months, "found_total": board.found_cumulative, "closed_total": board.closed_cumulative,
        "close_rate": board.close_rate_series,
        "category_links": [f"{reverse('campaigns:problem_list')}?org={org.pk}&category={t.category_id}"
                           if t.category_id else "" for t in board.by_category],
        "labels": {"found": _("发现"), "closed": _("已销号"), "overdue": _("逾期"), "found_total": _("累计发现"),
                   "closed_total": _("累计销号"), "close_rate": _("销号率")},
    }
    campaigns = (Campaign.objects.restrict(request.user)
                 .filter(Q(org_path__in=ancestor_paths(org.path)) | Q(org_path__subtree=org.path))
                 .order_by("-start")[:30])
    return render(request, "campaigns/dashboard.html", {
        "object": org, "board": board, "campaign": campaign, "campaigns": campaigns, "chart": chart,
        "campaign_query": f"&campaign={campaign.pk}" if campaign else "",
        "parent_visible": bool(org.parent_id and visible_org(request.user, org.parent_id)),
    })


@login_required
def org_benchmark(request: HttpRequest, pk: int) -> HttpResponse:
    """Compare an organization with an exemplar and with its peers (the other children of its parent)."""
    org = visible_org(request.user, pk)
    if org is None:
        raise Http404
    on = timezone.localdate()
    # The indicators are an organization's: an exemplary collective is compared, not a person (whose
    # branch's figures would stand in for them, and be the branch's own when it compares itself).
    offered = Exemplar.objects.restrict(request.user).filter(kind=ExemplarKind.ORG).select_related("member", "subject")
    exemplars = offered.order_by("-year")[:100]
    chosen = None
    if request.GET.get("exemplar", "").isdigit():
        chosen = offered.filter(pk=request.GET["exemplar"]).first()
    mine = benchmark.indicators(org, on)
    peers, average, peer_count = benchmark.peers(org, on, request.user)
    exemplar_values = None
    if chosen is not None:
        compared = chosen.compared_org_id()
        # Registering an exemplar publishes it to those who may see it: its organization's figures (rates,
        # never its records) are shown with it, wherever that organization is.
        exemplar_org = Organization.objects.filter(pk=compared).first() if compared else None
        if exemplar_org is not None:
            exemplar_values = benchmark.indicators(exemplar_org, on)
    series = [{"name": org.name, "values": [mine[i.key] for i in benchmark.INDICATORS]}]
    if exemplar_values is not None and chosen is not None:
        series.append({"name": _("典型：%(n)s") % {"n": chosen.name},
                       "values": [exemplar_values[i.key] for i in benchmark.INDICATORS]})
    if average is not None:
        series.append({"name": _("同级平均"), "values": [average[i.key] for i in benchmark.INDICATORS]})
    rows = [{"indicator": i, "mine": mine[i.key], "exemplar": exemplar_values[i.key] if exemplar_values else None,
             "average": average[i.key] if average else None} for i in benchmark.INDICATORS]
    return render(request, "campaigns/benchmark.html", {
        "object": org, "rows": rows, "peers": peers, "peer_count": peer_count, "average_shown": average is not None,
        "peer_minimum": benchmark.PEER_AVERAGE_MIN, "exemplars": exemplars, "chosen": chosen,
        "indicators": benchmark.INDICATORS,
        "chart": {"labels": [str(i.label) for i in benchmark.INDICATORS], "series": series},
    })


#
# 办实事 projects
#


class ProjectListView(generic.ObjectListView):
    queryset = Project.objects.all()
    filterset = ProjectFilterSet
    table = ProjectTable
    export_resource = "campaigns.resources.ProjectResource"
    add_url_name = "campaigns:project_add"

    def get_extra_context(self) -> dict[str, Any]:
        return {"scope_org": scope_org(self.request)}


class ProjectDetailView(generic.ObjectDetailView):
    queryset = Project.objects.select_related("org", "campaign", "owner")
    template_name = "campaigns/project_detail.html"

    def get_extra_context(self, obj: Project) -> dict[str, Any]:
        user = self.request.user
        feedback = obj.feedback.all()
        figures = feedback.aggregate(n=Count("pk"), avg=Avg("rating"))
        editable = can(user, Action.CHANGE, obj)
        return {
            "files": obj.files.all(),
            "milestones": obj.milestones.all(),
            "feedback": feedback[:50],
            "feedback_count": figures["n"],
            "rating": round(float(figures["avg"]), 1) if figures["avg"] is not None else None,
            "public_url": self.request.build_absolute_uri(obj.public_url()),
            "files_form": forms.ProjectFilesForm() if editable or getattr(obj.owner, "user_id", None) == user.pk
            else None,
            "milestone_form": forms.MilestoneForm(initial=kept_input(self.request, forms.MilestoneForm))
            if editable else None,
            "overdue": obj.status != "done" and obj.deadline < timezone.localdate(),
        }


class ProjectEditView(generic.ObjectEditView):
    queryset = Project.objects.all()
    form_class = forms.ProjectForm

    def initial_object(self) -> Project:
        return Project(org=scope_org(self.request), start=timezone.localdate())  # type: ignore[misc]

    def create(self, obj: Project, *, acting_user: Any, message: str) -> Project:
        return services.create_project(obj, acting_user=acting_user, message=message)

    def update(self, obj: Project, *, acting_user: Any, changes: dict[str, Any], message: str) -> Project:
        return services.update_project(obj, acting_user=acting_user, changes=changes, message=message)


class ProjectDeleteView(generic.ObjectDeleteView):
    queryset = Project.objects.all()

    def delete(self, obj: Project, *, acting_user: Any, message: str) -> None:
        services.delete_project(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: Any) -> str:
        return reverse("campaigns:project_list")


class ProjectHistoryView(generic.ObjectHistoryView):
    queryset = Project.objects.all()


@login_required
@require_POST
def project_files(request: HttpRequest, pk: int) -> HttpResponseBase:
    project = get_object_or_404(Project.objects.restrict(request.user), pk=pk)
    return act(request, forms.ProjectFilesForm(request.POST, request.FILES),
               lambda data: services.add_project_files(project, acting_user=request.user, phase=data["phase"],
                                                       files=data["evidence"]),
               _("已上传"), project.get_absolute_url())


@login_required
@require_POST
def project_milestone(request: HttpRequest, pk: int) -> HttpResponseBase:
    project = get_object_or_404(Project.objects.restrict(request.user), pk=pk)
    form = forms.MilestoneForm(request.POST, instance=Milestone(project=project))
    return act(request, form, lambda data: services.add_milestone(form.instance, acting_user=request.user),
               _("已添加"), project.get_absolute_url())


def _client(request: HttpRequest) -> str:
    return services.client_digest(client_address(request) or "unknown")


def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The public page of one project: what was done, and a form for the beneficiaries (no login).

    Spam is kept out by a field people do not see (filled only by robots), a signed time stamp (a form
    sent within seconds of being served, or days later, is refused), and the service's rate limits."""
    project = Project.objects.select_related("org").filter(public_token=token).first()
    if project is None:
        raise Http404
    form = forms.FeedbackForm(request.POST or None)
    status, thanks = 200, False
    if request.method == "POST":
        if form.is_valid():
            refusal, nonce = _read_stamp(form.cleaned_data["stamp"], project)
            if form.cleaned_data["website"]:
                refusal, status = _("提交未被接受"), 400
            elif refusal:
                status = 400
            else:
                try:
                    services.submit_feedback(project, rating=form.cleaned_data["rating"],
                                             comment=form.cleaned_data["comment"], name=form.cleaned_data["name"],
                                             client=_client(request), nonce=nonce)
                except services.FeedbackRefused as exc:
                    refusal, status = exc.messages[0], exc.status
                else:
                    thanks = True
            if refusal:
                form.add_error(None, refusal)
        else:
            status = 400
    if thanks:
        form = forms.FeedbackForm()
    # Every page served carries a fresh ticket, also after a refusal, so what was typed can be sent again.
    return render(request, "campaigns/feedback.html", {"project": project, "form": form, "thanks": thanks,
                                                       "stamp": new_stamp(project)}, status=status)


def new_stamp(project: Project) -> str:
    """A signed, single-use ticket for one served form: the project, the time, a random nonce."""
    return signing.dumps({"p": project.public_token, "at": time.time(), "n": secrets.token_hex(12)}, salt=STAMP_SALT)


def _read_stamp(stamp: str, project: Project) -> tuple[str, str]:
    """(refusal, nonce): the reason to refuse the form, or ``""`` and the nonce to record."""
    try:
        value = signing.loads(stamp, salt=STAMP_SALT, max_age=datetime.timedelta(days=1))
    except signing.SignatureExpired:
        return _("页面已过期，请重新填写后提交"), ""
    except signing.BadSignature:
        return _("提交未被接受"), ""
    if value.get("p") != project.public_token:
        return _("提交未被接受"), ""
    if time.time() - float(value.get("at", 0)) < MIN_FORM_SECONDS:
        return _("提交太快，请确认填写内容后再提交"), ""
    return "", str(value.get("n", ""))


#
# Exemplars
#


class ExemplarListView(generic.ObjectListView):
    queryset = Exemplar.objects.all()
    filterset = ExemplarFilterSet
    table = ExemplarTable
    export_resource = "campaigns.resources.ExemplarResource"
    add_url_name = "campaigns:exemplar_add"


class ExemplarDetailView(generic.ObjectDetailView):
    queryset = Exemplar.objects.select_related("org", "member", "subject")
    template_name = "campaigns/exemplar_detail.html"


class ExemplarEditView(generic.ObjectEditView):
    queryset = Exemplar.objects.all()
    form_class = forms.ExemplarForm

    def initial_object(self) -> Exemplar:
        return Exemplar(org=scope_org(self.request), year=timezone.localdate().year)  # type: ignore[misc]

    def create(self, obj: Exemplar, *, acting_user: Any, message: str) -> Exemplar:
        return services.create_exemplar(obj, acting_user=acting_user, message=message)

    def update(self, obj: Exemplar, *, acting_user: Any, changes: dict[str, Any], message: str) -> Exemplar:
        return services.update_exemplar(obj, acting_user=acting_user, changes=changes, message=message)


class ExemplarDeleteView(generic.ObjectDeleteView):
    queryset = Exemplar.objects.all()

    def delete(self, obj: Exemplar, *, acting_user: Any, message: str) -> None:
        services.delete_exemplar(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: Any) -> str:
        return reverse("campaigns:exemplar_list")


class ExemplarHistoryView(generic.ObjectHistoryView):
    queryset = Exemplar.objects.all()

