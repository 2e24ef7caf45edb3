"""Pages of campaigns, checklists, the problem ledger and its rectifications."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import forms, links, services
from campaigns.choices import OPEN_STATUSES, Answer, ProblemSource, ProblemStatus
from campaigns.filtersets import CampaignFilterSet, ChecklistFilterSet, ProblemFilterSet
from campaigns.models import Assignment, Campaign, Checklist, Evidence, Milestone, Problem, Project, Requirement
from campaigns.tables import CampaignTable, ChecklistTable, ProblemTable
from core import services as core
from core import workdays
from core.changelog import history_for
from core.choices import Action, ChangeAction
from core.scoping import can, get_scope
from core.text import listing, nested, sentences
from core.views import generic
from essays.models import Essay
from orgs.models import Member, Organization
from orgs.views import scope_org


def _refused(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, sentences(generic.error_messages(exc)))
    else:
        messages.error(request, str(exc) or _("不在您的管理范围内"))


def act(request: HttpRequest, form: Any, run: Callable[[dict[str, Any]], Any], done: str | Callable[[Any], str],
        target: str) -> HttpResponseRedirect:
    """A POST action on an object's page: the form checked, the service run with its cleaned data, the outcome
    told on the page it returns to. A refusal by scope (``OutOfScope``) is a 403, any other a message; what
    was typed into a refused form is kept for the page to show again (``kept_input``). ``done`` may be a
    function of what the service returned."""
    if not form.is_valid():
        messages.error(request, forms.form_errors(form))
        keep_input(request, form, target)
    else:
        try:
            outcome = run(form.cleaned_data)
        except core.OutOfScope as exc:
            raise PermissionDenied(str(exc)) from exc
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
            keep_input(request, form, target)
        else:
            messages.success(request, done(outcome) if callable(done) else done)
    return HttpResponseRedirect(target)


KEPT_INPUT = "cx_kept_input"


def keep_input(request: HttpRequest, form: Any, target: str) -> None:
    """Keep the text typed into a refused form for the page at ``target`` that the redirect shows (files
    cannot be kept: the browser must send them again)."""
    # Every value of a field chosen several times (members to assign), one value of the others.
    data = {name: values if len(values) > 1 or _multiple(form, name) else values[0]
            for name, values in request.POST.lists() if name != "csrfmiddlewaretoken"}
    request.session[KEPT_INPUT] = {"form": type(form).__name__, "path": target, "data": data}


def _multiple(form: Any, name: str) -> bool:
    field = getattr(form, "fields", {}).get(name)
    return isinstance(field, django_forms.MultipleChoiceField | django_forms.ModelMultipleChoiceField)


def kept_input(request: HttpRequest, form_class: type) -> dict[str, Any] | None:
    """What was typed into a refused ``form_class`` form on this page just before, once, as initial values."""
    kept = request.session.get(KEPT_INPUT)
    if not kept or kept.get("form") != form_class.__name__ or kept.get("path") != request.path:
        return None
    del request.session[KEPT_INPUT]
    return dict(kept["data"])


#
# Campaigns
#


class CampaignListView(generic.ObjectListView):
    queryset = Campaign.objects.all()
    filterset = CampaignFilterSet
    table = CampaignTable
    export_resource = "campaigns.resources.CampaignResource"
    add_url_name = "campaigns:campaign_add"
    extra_actions = (("campaigns:campaign_launch", gettext_lazy("从模板创建"), "bi-files"),)

    def get_extra_context(self) -> dict[str, Any]:
        return {"scope_org": scope_org(self.request)}


class CampaignDetailView(generic.ObjectDetailView):
    queryset = Campaign.objects.select_related("org")
    template_name = "campaigns/campaign_detail.html"

    def get_extra_context(self, obj: Campaign) -> dict[str, Any]:
        user = self.request.user
        editable = can(user, Action.CHANGE, obj)
        requirements = list(obj.requirements.select_related("activity", "essay_request"))
        links.show_links(requirements, user)  # a linked record the reader may not see is left out
        for requirement in requirements:
            requirement.progress = _requirement_progress(requirement, user)  # type: ignore[attr-defined]
        return {
            "org_visible": can(user, Action.VIEW, obj.org),
            "categories": obj.categories.all(),
            "requirements": requirements,
            "checklists": Checklist.objects.restrict(user).filter(campaign=obj),
            # The figures are counted after the page has loaded (``campaign_figures``): for a province
            # committee that takes most of a second, which the page itself need not wait for.
            "figures_org": _figures_org(self.request, obj),
            "requirement_form": forms.RequirementForm(
                user=user, instance=Requirement(campaign=obj),
                initial=kept_input(self.request, forms.RequirementForm)) if editable else None,
        }


def _figures_org(request: HttpRequest, campaign: Campaign) -> Organization | None:
    """Whose rectification figures a campaign page shows: the organization it is opened for (``?org=``) when
    inside the campaign, else the launching one; ``None`` for a reader whose scope does not cover it."""
    home = scope_org(request)
    org = home if home is not None and home.path.startswith(campaign.org_path) else campaign.org
    return org if get_scope(request.user, Action.VIEW).covers_path(org.path) else None


@login_required
def campaign_figures(request: HttpRequest, pk: int) -> HttpResponse:
    """The rectification figures of a campaign page, loaded by the page."""
    from campaigns import dashboard

    campaign = get_object_or_404(Campaign.objects.restrict(request.user).select_related("org"), pk=pk)
    org = _figures_org(request, campaign)
    if org is None:
        raise Http404
    figures = dashboard.build(org, on=timezone.localdate(), campaign=campaign)
    return render(request, "campaigns/includes/figures.html", {"total": figures.total})


def _requirement_progress(requirement: Requirement, user: Any) -> str:
    """What the learning and essays apps record for a required activity, as far as the reader may see: only
    for a linked record the reader may see (``links.show_links``), so a hidden one does not show as a count."""
    activity = getattr(requirement, "shown_activity", None)
    essay_request = getattr(requirement, "shown_essay_request", None)
    if activity is not None:
        from learning.choices import CREDITED_ATTENDANCE
        from learning.models import Attendance

        n = Attendance.objects.restrict(user).filter(activity=activity, status__in=CREDITED_ATTENDANCE).count()
        return _("%(n)s人次参加") % {"n": n}
    if essay_request is not None:
        n = Essay.objects.restrict(user).filter(request=essay_request, versions_count__gt=0).count()
        return _("已提交%(n)s篇") % {"n": n}
    return ""


class CampaignEditView(generic.ObjectEditView):
    queryset = Campaign.objects.all()
    form_class = forms.CampaignForm

    def initial_object(self) -> Campaign:
        return Campaign(org=scope_org(self.request))  # type: ignore[misc]

    def make_form(self, obj: Any, data: Any = None, files: Any = None) -> Any:
        self.form = super().make_form(obj, data, files)
        return self.form

    def create(self, obj: Campaign, *, acting_user: Any, message: str) -> Campaign:
        data = self.form.cleaned_data
        obj.batches = data.get("batch_text") or []
        return services.create_campaign(obj, acting_user=acting_user, goals=data["goals"], specials=data["specials"],
                                        message=message)

    def update(self, obj: Campaign, *, acting_user: Any, changes: dict[str, Any], message: str) -> Campaign:
        goals, specials = changes.pop("goals", None), changes.pop("specials", None)
        if "batch_text" in changes:
            changes["batches"] = changes.pop("batch_text")
        return services.update_campaign(obj, acting_user=acting_user, changes=changes, goals=goals,
                                        specials=specials, message=message)


class CampaignDeleteView(generic.ObjectDeleteView):
    queryset = Campaign.objects.all()

    def delete(self, obj: Campaign, *, acting_user: Any, message: str) -> None:
        services.delete_campaign(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: Any) -> str:
        return reverse("campaigns:campaign_list")


class CampaignHistoryView(generic.ObjectHistoryView):
    queryset = Campaign.objects.all()


@login_required
def campaign_launch(request: HttpRequest) -> HttpResponse:
    """Copy a shipped template (2019, 2023, 2024) into a campaign of one's own organization."""
    form = forms.LaunchForm(request.POST or None, user=request.user,
                            initial={"start": timezone.localdate(), "org": scope_org(request)})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.launch_from_template(form.cleaned_data["template"], org=form.cleaned_data["org"],
                                                     acting_user=request.user, start=form.cleaned_data["start"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, generic.error_messages(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("已创建“%(name)s”，请按本单位实际修改") % {"name": campaign})
            return HttpResponseRedirect(campaign.get_absolute_url())
    from campaigns.catalogue import TEMPLATES

    return render(request, "campaigns/campaign_launch.html", {"form": form, "templates": TEMPLATES.values()})


@login_required
@require_POST
def requirement_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = get_object_or_404(Campaign.objects.restrict(request.user), pk=pk)
    form = forms.RequirementForm(request.POST, user=request.user, instance=Requirement(campaign=campaign))
    return act(request, form, lambda data: services.add_requirement(form.instance, acting_user=request.user),
               _("已添加"), campaign.get_absolute_url())


@login_required
@require_POST
def requirement_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    requirement = get_object_or_404(Requirement.objects.filter(
        campaign__in=Campaign.objects.restrict(request.user)), pk=pk)
    try:
        services.delete_requirement(requirement, acting_user=request.user)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return HttpResponseRedirect(requirement.campaign.get_absolute_url())


#
# Checklists and self-inspection
#


class ChecklistListView(generic.ObjectListView):
    queryset = Checklist.objects.all()
    filterset = ChecklistFilterSet
    table = ChecklistTable
    export_resource = "campaigns.resources.ChecklistResource"
    add_url_name = "campaigns:checklist_add"


class ChecklistDetailView(generic.ObjectDetailView):
    queryset = Checklist.objects.select_related("org", "campaign")
    template_name = "campaigns/checklist_detail.html"

    def get_extra_context(self, obj: Checklist) -> dict[str, Any]:
        user = self.request.user
        editable = can(user, Action.CHANGE, obj)
        items = list(obj.items.all())
        return {
            "items": items,
            "item_count": len(items),
            # How far each unsubmitted one has got (answers saved), counted by the database.
            "assignments": Assignment.objects.restrict(user).filter(checklist=obj)
            .select_related("member", "org").annotate(answered=Count("answers"))[:500],
            "assign_form": forms.AssignForm(
                user=user, checklist=obj, initial=kept_input(self.request, forms.AssignForm)) if editable else None,
        }


class ChecklistEditView(generic.ObjectEditView):
    queryset = Checklist.objects.all()
    form_class = forms.ChecklistForm

    def initial_object(self) -> Checklist:
        campaign = self.request.GET.get("campaign", "")
        return Checklist(org=scope_org(self.request),  # type: ignore[misc]
                         campaign_id=int(campaign) if campaign.isdigit() else None)

    def make_form(self, obj: Any, data: Any = None, files: Any = None) -> Any:
        self.form = super().make_form(obj, data, files)
        return self.form

    def create(self, obj: Checklist, *, acting_user: Any, message: str) -> Checklist:
        return services.create_checklist(obj, acting_user=acting_user, items=self.form.cleaned_data["items"],
                                         message=message)

    def update(self, obj: Checklist, *, acting_user: Any, changes: dict[str, Any], message: str) -> Checklist:
        items = changes.pop("items", None)
        if items is not None:
            services.set_items(obj, acting_user=acting_user, items=items, message=message)
        return core.update_object(obj, acting_user=acting_user, changes=changes, message=message)


class ChecklistDeleteView(generic.ObjectDeleteView):
    queryset = Checklist.objects.all()

    def delete(self, obj: Checklist, *, acting_user: Any, message: str) -> None:
        services.delete_checklist(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: Any) -> str:
        return reverse("campaigns:checklist_list")


class ChecklistHistoryView(generic.ObjectHistoryView):
    queryset = Checklist.objects.all()


@login_required
def checklist_copy(request: HttpRequest) -> HttpResponseBase:
    """The 18-item template as a checklist of the user's organization."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("campaigns:checklist_list"))
    org = Organization.objects.restrict(request.user, Action.CHANGE).filter(pk=request.POST.get("org") or 0).first() \
        or scope_org(request)
    if org is None:
        raise PermissionDenied(_("不在您的管理范围内"))
    try:
        checklist = services.copy_checklist(org, acting_user=request.user)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("已复制“十八个是否”检视清单，可以按需修改"))
    return HttpResponseRedirect(checklist.get_absolute_url())


@login_required
@require_POST
def checklist_assign(request: HttpRequest, pk: int) -> HttpResponseBase:
    checklist = get_object_or_404(Checklist.objects.restrict(request.user), pk=pk)
    form = forms.AssignForm(request.POST, user=request.user, checklist=checklist)
    return act(request, form, lambda data: services.assign_checklist(
        checklist, acting_user=request.user, members=data["members"], orgs=data["orgs"]),
        lambda made: _("已分派%(n)s份") % {"n": len(made)} if made else _("所选对象都已有这份检视清单，没有新分派"),
        checklist.get_absolute_url())


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a checklist item by item (the person, or the organization's managers), or read the answers."""
    assignment = get_object_or_404(Assignment.objects.restrict(request.user).select_related(
        "checklist", "member", "org"), pk=pk)
    items = list(assignment.checklist.items.all())
    answers = {a.item_id: a for a in assignment.answers.all()}
    editable = assignment.submitted_at is None and services.may_answer(request.user, assignment)
    if request.method == "POST":
        if not editable:
            if assignment.submitted_at is None or not services.may_answer(request.user, assignment):
                raise PermissionDenied(_("不能修改这份检视结果"))
            # Sent again from a page kept in the browser (the Back button): it was submitted meanwhile.
            messages.warning(request, _("这份检视结果已经提交，不能再修改"))
            return HttpResponseRedirect(reverse("campaigns:assignment_detail", args=[assignment.pk]))
        posted = {}
        for item in items:
            value = request.POST.get(f"answer-{item.pk}", "")
            if value:
                posted[item.pk] = (value, request.POST.get(f"note-{item.pk}", ""))
        try:
            services.answer_checklist(assignment, acting_user=request.user, answers=posted,
                                      submit=request.POST.get("action") == "submit")
        except ValidationError as exc:
            _refused(request, exc)
            for item_id, (value, note) in posted.items():
                answers[item_id] = type("Posted", (), {"answer": value, "note": note})()  # keep what was typed
        else:
            messages.success(request, _("已提交") if request.POST.get("action") == "submit" else _("已保存"))
            return HttpResponseRedirect(reverse("campaigns:assignment_detail", args=[assignment.pk]))
    may_propose = can(request.user, Action.CHANGE, assignment) and assignment.submitted_at is not None
    # A finding already in the ledger links to its problem instead of offering to file it again.
    filed = {problem.answer_id: problem for problem in Problem.objects.restrict(request.user).filter(
        answer__assignment=assignment, status__in=OPEN_STATUSES).order_by("pk")} if may_propose else {}
    rows = [(item, answers.get(item.pk), filed.get(getattr(answers.get(item.pk), "pk", None))) for item in items]
    return render(request, "campaigns/assignment_detail.html", {
        "object": assignment, "rows": rows, "editable": editable, "choices": Answer.choices,
        "may_propose": may_propose,
    })


#
# The problem ledger
#


class ProblemListView(generic.ObjectListView):
    queryset = Problem.objects.all()
    filterset = ProblemFilterSet
    table = ProblemTable
    export_resource = "campaigns.resources.ProblemResource"
    add_url_name = "campaigns:problem_add"

    def get_extra_context(self) -> dict[str, Any]:
        return {"scope_org": scope_org(self.request)}


class ProblemDetailView(generic.ObjectDetailView):
    queryset = Problem.objects.select_related("org", "campaign", "category", "owner", "gap_org", "gap_member",
                                              "essay", "answer__item")
    template_name = "campaigns/problem_detail.html"

    def get_extra_context(self, obj: Problem) -> dict[str, Any]:
        user = self.request.user
        may_work = services.may_work_on(user, obj) and obj.status not in (ProblemStatus.CLOSED,
                                                                           ProblemStatus.SUBMITTED)
        may_review = services.may_review(user, obj)
        today = timezone.localdate()
        milestones = list(obj.milestones.all())
        unreached = [m for m in milestones if m.done_on is None]
        return {
            "updates": obj.updates.select_related("author").prefetch_related("files"),
            "reviews": _review_trail(obj, user),
            "milestones": milestones,
            "today": today,
            "unreached": services.open_milestones_text(unreached) if unreached else "",
            "may_work": may_work,
            # The level above reviews the request; it does not file it on the branch's behalf.
            "may_submit": may_work and services.may_submit(user, obj),
            "close_note": (kept_input(self.request, forms.SubmitForm) or {}).get("note", ""),
            "may_review": may_review and obj.status == ProblemStatus.SUBMITTED and not services.filed_by(user, obj),
            "filed_by_me": may_review and obj.status == ProblemStatus.SUBMITTED and services.filed_by(user, obj),
            "may_reopen": may_review and obj.status == ProblemStatus.CLOSED,
            "progress_form": forms.ProgressForm(problem=obj, initial=kept_input(self.request, forms.ProgressForm))
            if may_work else None,
            "milestone_form": forms.MilestoneForm(initial=kept_input(self.request, forms.MilestoneForm))
            if can(user, Action.CHANGE, obj) and obj.is_open else None,
            "review_form": forms.ReviewForm(initial=kept_input(self.request, forms.ReviewForm)),
            "reopen_form": forms.ReopenForm(initial=kept_input(self.request, forms.ReopenForm)),
            "gap_open": services.gap_exists(obj, today) if obj.gap_rule else None,
            "overdue": obj.is_open and obj.deadline < today,
            # A deadline counted through a year whose holidays nobody has entered fell on plain weekdays.
            "calendar_unknown": listing(workdays.undescribed_years(obj.found_on, obj.deadline))
            if obj.deadline_workdays is not None and obj.found_on and obj.deadline else "",
            "has_evidence": services.has_evidence(obj),
        }


def _in_every_language(message: str) -> set[str]:
    texts = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.add(gettext(message))
    return texts


def _review_trail(problem: Problem, user: Any) -> list[dict[str, Any]]:
    """Requests for close-out (from the change log, with the note) and the reviews, newest first."""
    trail = [{"label": r.get_decision_display(), "who": r.reviewer or "", "when": r.created, "text": r.comment}
             for r in problem.reviews.select_related("reviewer")]
    own = history_for(problem, user).filter(content_type=ContentType.objects.get_for_model(Problem),
                                             object_id=problem.pk, action=ChangeAction.UPDATE)
    for change in own.select_related(None).only("time", "user_name", "message", "prechange_data", "postchange_data"):
        before, after = change.prechange_data or {}, change.postchange_data or {}
        if after.get("status") == ProblemStatus.SUBMITTED and before.get("status") != ProblemStatus.SUBMITTED:
            # The default note was written in the language of whoever filed the request, not the reader's.
            note = "" if change.message in _in_every_language("申请销号") else change.message
            trail.append({"label": _("申请销号"), "who": change.user_name, "when": change.time, "text": note})
    return sorted(trail, key=lambda entry: entry["when"], reverse=True)


class ProblemEditView(generic.ObjectEditView):
    """New problems are typed in, or come prefilled from a gap (``?gap=rule&org=&member=&title=&detail=``),
    an essay (``?essay=ID``) or a self-inspection answer (``?answer=ID``); saving keeps the link."""

    queryset = Problem.objects.all()
    form_class = forms.ProblemForm

    def initial_object(self) -> Problem:
        get = self.request.GET
        today = timezone.localdate()
        problem = Problem(org=scope_org(self.request), found_on=today,  # type: ignore[misc]
                          deadline=today + datetime.timedelta(days=30), source=ProblemSource.SELF)
        if get.get("campaign", "").isdigit():
            problem.campaign = Campaign.objects.restrict(self.request.user).filter(pk=get["campaign"]).first()
        if get.get("gap"):
            org_id = generic.query_id(get.get("org"))
            org = Organization.objects.restrict(self.request.user).filter(pk=org_id).first() if org_id else None
            if org is None:
                raise Http404
            member_id = generic.query_id(get.get("member"))
            member = Member.objects.restrict(self.request.user).filter(pk=member_id).first() if member_id else None
            problem.gap_rule, problem.gap_org, problem.gap_member = get["gap"][:60], org, member
            problem.gap_title = get.get("title", "")[:200]
            problem.gap_ref = get.get("ref", "")[:60]
            problem.org, problem.owner, problem.source = org, member, ProblemSource.GAP
            problem.title = problem.gap_title
            problem.description = get.get("detail", "")[:2000]
            problem.standard = _("差距消除：“%(t)s”不再出现在差距清单中") % {"t": nested(problem.gap_title)}
            problem.measures = _("查明原因，对照规定逐项补齐：%(d)s") % {"d": problem.description}
        elif get.get("essay", "").isdigit():
            essay = Essay.objects.restrict(self.request.user).select_related("member", "org").filter(
                pk=get["essay"]).first()
            if essay is None:
                raise Http404
            problem.essay, problem.org, problem.owner = essay, essay.org, essay.member
            problem.source, problem.title = ProblemSource.ESSAY, _("心得体会《%(t)s》存在问题") % {"t": essay.title}
        elif get.get("answer", "").isdigit():
            from campaigns.models import AnswerRow

            answer = AnswerRow.objects.filter(assignment__in=Assignment.objects.restrict(self.request.user),
                                              pk=get["answer"]).select_related("item", "assignment__member",
                                                                                "assignment__org").first()
            if answer is None:
                raise Http404
            problem.answer, problem.org = answer, answer.assignment.org
            problem.owner = answer.assignment.member
            problem.campaign = problem.campaign or answer.assignment.checklist.campaign
            problem.source, problem.title = ProblemSource.SELF, answer.item.text[:200]
            problem.description = answer.note
        return problem

    def create(self, obj: Problem, *, acting_user: Any, message: str) -> Problem:
        return services.create_problem(obj, acting_user=acting_user, message=message)

    def update(self, obj: Problem, *, acting_user: Any, changes: dict[str, Any], message: str) -> Problem:
        return services.update_problem(obj, acting_user=acting_user, changes=changes, message=message)


class ProblemDeleteView(generic.ObjectDeleteView):
    queryset = Problem.objects.all()

    def delete(self, obj: Problem, *, acting_user: Any, message: str) -> None:
        services.delete_problem(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: Any) -> str:
        return reverse("campaigns:problem_list")


class ProblemHistoryView(generic.ObjectHistoryView):
    queryset = Problem.objects.all()


def _problem(request: HttpRequest, pk: int) -> Problem:
    return get_object_or_404(Problem.objects.restrict(request.user).select_related("owner", "campaign"), pk=pk)


@login_required
@require_POST
def problem_progress(request: HttpRequest, pk: int) -> HttpResponseBase:
    problem = _problem(request, pk)
    return act(request, forms.ProgressForm(request.POST, request.FILES, problem=problem),
               lambda data: services.add_progress(problem, acting_user=request.user, text=data["text"],
                                                  files=data["evidence"], milestone=data["milestone"]),
               _("整改进展已保存"), problem.get_absolute_url())


@login_required
@require_POST
def problem_milestone(request: HttpRequest, pk: int) -> HttpResponseBase:
    problem = _problem(request, pk)
    form = forms.MilestoneForm(request.POST, instance=Milestone(problem=problem))
    return act(request, form, lambda data: services.add_milestone(form.instance, acting_user=request.user),
               _("已添加"), problem.get_absolute_url())


@login_required
@require_POST
def milestone_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Remove a step added by mistake (not reached yet), from the page of its problem or project."""
    problems, projects = Problem.objects.restrict(request.user), Project.objects.restrict(request.user)
    milestone = get_object_or_404(Milestone.objects.select_related("problem", "project").filter(
        Q(problem__in=problems) | Q(project__in=projects)), pk=pk)
    owner = milestone.problem or milestone.project
    assert owner is not None
    try:
        services.delete_milestone(milestone, acting_user=request.user)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已删除时间节点“%(title)s”") % {"title": milestone.title})
    return HttpResponseRedirect(owner.get_absolute_url())


@login_required
def problem_owner_options(request: HttpRequest) -> HttpResponse:
    """The options of the problem form's responsible person for the organization chosen (``?org=ID``)."""
    chosen = generic.query_id(request.GET.get("org"))
    org = Organization.objects.restrict(request.user, Action.VIEW).filter(pk=chosen).first() if chosen else None
    owners = forms.owner_choices(request.user, org)[:forms.OWNER_CHOICES] if org is not None else []
    options = [format_html('<option value="">{}</option>', "---------")]
    options += [format_html('<option value="{}">{}</option>', m.pk, m.name) for m in owners]
    return HttpResponse(mark_safe("".join(options)))  # noqa: S308  (each option escaped above)


@login_required
@require_POST
def problem_submit(request: HttpRequest, pk: int) -> HttpResponseBase:
    problem = _problem(request, pk)
    return act(request, forms.SubmitForm(request.POST),
               lambda data: services.submit_for_close(problem, acting_user=request.user, note=data["note"]),
               _("已申请销号，等待上级审核"), problem.get_absolute_url())


@login_required
@require_POST
def problem_review(request: HttpRequest, pk: int) -> HttpResponseBase:
    problem = _problem(request, pk)
    return act(request, forms.ReviewForm(request.POST),
               lambda data: services.review_problem(problem, acting_user=request.user, decision=data["decision"],
                                                    comment=data["comment"]),
               _("审核结果已保存"), problem.get_absolute_url())


@login_required
@require_POST
def problem_reopen(request: HttpRequest, pk: int) -> HttpResponseBase:
    problem = _problem(request, pk)
    return act(request, forms.ReopenForm(request.POST),
               lambda data: services.reopen_problem(problem, acting_user=request.user, comment=data["comment"],
                                                    deadline=data["deadline"]),
               _("已重新打开，进入整改"), problem.get_absolute_url())


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, to those who may see what it belongs to (never served as a static file)."""
    evidence = get_object_or_404(Evidence.objects.restrict(request.user), pk=pk)
    inline = evidence.content_type.startswith("image/") or evidence.content_type == "application/pdf"
    response = FileResponse(evidence.file.open("rb"), as_attachment=not inline, filename=evidence.name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
