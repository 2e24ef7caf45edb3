from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import services as core
from core.choices import Action
from core.scoping import can, get_scope
from core.text import sentences
from core.views import generic
from essays import audience, forms, originality, reports, services, uploads
from essays.choices import CheckStatus, EssayStatus
from essays.filtersets import EssayFilterSet, EssayRequestFilterSet
from essays.models import Essay, EssayRequest, EssayVersion, Formulation, ReferenceDocument
from essays.tables import EssayRequestTable, EssayTable
from learning.compliance import visible_org
from learning.models import Activity
from orgs.models import Member
from orgs.views import scope_org

#
# Requests
#


class RequestListView(generic.ObjectListView):
    queryset = EssayRequest.objects.all()
    filterset = EssayRequestFilterSet
    table = EssayRequestTable
    export_resource = "essays.resources.EssayRequestResource"
    add_url_name = "essays:request_add"

    def get_extra_context(self) -> dict[str, Any]:
        return {"scope_org": scope_org(self.request)}


class RequestDetailView(generic.ObjectDetailView):
    queryset = EssayRequest.objects.select_related("org")
    template_name = "essays/request_detail.html"

    def get_extra_context(self, obj: EssayRequest) -> dict[str, Any]:
        user = self.request.user
        # The linked activity only when the reader may see it: a hidden one is left out as if none were linked.
        activity = (Activity.objects.restrict(user, Action.VIEW).filter(pk=obj.activity_id).first()
                    if obj.activity_id else None)
        essays = Essay.objects.restrict(user).filter(request=obj)
        member = Member.objects.filter(user=user).first() if user.is_authenticated else None
        own = Essay.objects.filter(request=obj, member=member).first() if member else None
        scope = get_scope(user, Action.VIEW)
        manages = scope.oversees
        expected = audience.members(obj).restrict(user).count() if manages else 0
        summary = reports.summary(essays)
        return {
            "can_change": can(user, Action.CHANGE, obj),
            "activity": activity,
            "own": own,
            "may_write": member is not None and own is None and audience.includes(obj, member),
            "manages": manages,
            "expected": expected,
            "summary": summary,
            "missing": max(expected - summary["submitted"], 0),
            "to_review": essays.filter(status=EssayStatus.SUBMITTED).select_related("member", "org")
            .order_by("originality", "submitted_at")[:20],
            "overdue": services.deadline_passed(obj),
        }


class RequestEditView(generic.ObjectEditView):
    queryset = EssayRequest.objects.all()
    form_class = forms.EssayRequestForm

    def initial_object(self) -> EssayRequest:
        return EssayRequest(org=scope_org(self.request))  # type: ignore[misc]

    def make_form(self, obj: Any, data: Any = None, files: Any = None) -> Any:
        self.form = super().make_form(obj, data, files)
        if obj.pk is None and data is None and self.request.GET.get("activity", "").isdigit():
            self.form.initial["activity"] = self.request.GET["activity"]
        return self.form

    def create(self, obj: EssayRequest, *, acting_user: Any, message: str) -> EssayRequest:
        return services.create_request(obj, acting_user=acting_user, message=message,
                                       members=self.form.cleaned_data.get("member_ids") or [])

    def update(self, obj: EssayRequest, *, acting_user: Any, changes: dict[str, Any], message: str) -> EssayRequest:
        members = changes.pop("member_ids", None)
        return services.update_request(obj, acting_user=acting_user, changes=changes, members=members, message=message)


class RequestDeleteView(generic.ObjectDeleteView):
    queryset = EssayRequest.objects.all()

    def delete(self, obj: EssayRequest, *, acting_user: Any, message: str) -> None:
        services.delete_request(obj, acting_user=acting_user, message=message)

    def success_url(self, obj: Any) -> str:
        return reverse("essays:request_list")


class RequestHistoryView(generic.ObjectHistoryView):
    queryset = EssayRequest.objects.all()


#
# Essays
#


class EssayListView(generic.ObjectListView):
    queryset = Essay.objects.all()
    filterset = EssayFilterSet
    table = EssayTable
    export_resource = "essays.resources.EssayResource"

    def can_add(self) -> bool:
        return False

    def get_extra_context(self) -> dict[str, Any]:
        return {"scope_org": scope_org(self.request)}


class EssayHistoryView(generic.ObjectHistoryView):
    queryset = Essay.objects.all()


@login_required
def my_essays(request: HttpRequest) -> HttpResponse:
    """A member's requests (open first) with their essay's state."""
    member = Member.objects.filter(user=cast(Any, request.user)).first()
    if member is None:
        return render(request, "essays/mine.html", {"rows": [], "no_member": True})
    # The requests addressed to this member (a manager's scope holds many more that do not concern them).
    addressed = EssayRequest.self_scope_q(request.user) or Q(pk__in=[])
    requests = (EssayRequest.objects.restrict(request.user).filter(addressed).select_related("org")
                .order_by("-deadline", "-pk")[:100])
    own = {e.request_id: e for e in Essay.objects.filter(member=member, request__in=[r.pk for r in requests])}
    today = timezone.localdate()
    rows: list[dict[str, Any]] = [{"request": r, "essay": own.get(r.pk), "overdue": r.deadline < today}
                                  for r in requests]
    rows.sort(key=lambda row: (row["essay"] is not None and row["essay"].status == EssayStatus.APPROVED,
                               row["overdue"]))
    return render(request, "essays/mine.html", {"rows": rows})


@login_required
def essay_start(request: HttpRequest, pk: int) -> HttpResponseBase:
    obj = get_object_or_404(EssayRequest.objects.restrict(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseRedirect(obj.get_absolute_url())
    try:
        essay = services.start_essay(obj, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, sentences(getattr(exc, "messages", [str(exc)])))
        return HttpResponseRedirect(obj.get_absolute_url())
    return HttpResponseRedirect(reverse("essays:essay_write", args=[essay.pk]))


def _own_essay(request: HttpRequest, pk: int) -> Essay:
    user = cast(Any, request.user)
    essay = Essay.objects.select_related("request", "member").filter(pk=pk, member__user=user).first()
    if essay is None:
        raise Http404
    return essay


@login_required
def essay_write(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The author's editor: save a draft (also by the page itself, every few seconds of typing), upload a
    .docx or .txt into the editor, submit."""
    essay = _own_essay(request, pk)
    if request.method == "GET" and essay.status == EssayStatus.APPROVED:
        # Nothing left to write: the essay's page shows it as approved.
        messages.info(request, _("心得体会已经审阅通过，不能再修改"))
        return HttpResponseRedirect(essay.get_absolute_url())
    form = forms.EssayForm(initial={"title": essay.title, "text": essay.text})
    if request.method == "POST":
        form = forms.EssayForm(request.POST, request.FILES)
        action = request.POST.get("action", "draft")
        if form.is_valid():
            title, text = form.cleaned_data["title"], form.cleaned_data["text"]
            upload = form.cleaned_data.get("upload")
            try:
                if upload is not None:
                    text = uploads.text_of(upload)
                    action = "draft"
                if action == "submit":
                    services.submit(essay, acting_user=request.user, title=title, text=text)
                    messages.success(request, _("已提交，正在检查原创度"))
                    return HttpResponseRedirect(essay.get_absolute_url())
                services.save_draft(essay, acting_user=request.user, title=title, text=text)
            except ValidationError as exc:
                errors = generic.error_messages(exc)
                if request.headers.get("x-autosave"):
                    return JsonResponse({"saved": False, "errors": errors}, status=400)
                if upload is not None:
                    # The upload form sends no text: the editor shows the stored draft again, never an empty
                    # box that the next save would store over it.
                    shown = request.POST.copy()
                    shown["text"] = essay.text
                    form = forms.EssayForm(shown)
                    form.is_valid()
                for message in errors:
                    form.add_error(None, message)
            else:
                if request.headers.get("x-autosave"):
                    return JsonResponse({"saved": True, "at": f"{timezone.localtime():%H:%M:%S}",
                                         "letters": originality.letters(text)})
                if upload is not None:
                    messages.info(request, _("已从文件读取正文，请检查后提交"))
                else:
                    messages.success(request, _("草稿已保存"))
                return HttpResponseRedirect(reverse("essays:essay_write", args=[essay.pk]))
        elif request.headers.get("x-autosave"):
            messages_ = [m for errors in form.errors.values() for m in errors]
            return JsonResponse({"saved": False, "errors": messages_}, status=400)
    last = essay.versions.order_by("-number").first()
    return render(request, "essays/essay_write.html", {
        "essay": essay, "object": essay, "form": form, "last": last,
        "letters": originality.letters(essay.text), "overdue": services.deadline_passed(essay.request),
        "max_characters": originality.MAX_CHARACTERS,
    }, status=200 if not form.errors else 400)


@login_required
def essay_detail(request: HttpRequest, pk: int) -> HttpResponse:
    essay = get_object_or_404(Essay.objects.restrict(request.user).select_related("request", "member", "org"), pk=pk)
    versions = list(essay.versions.select_related("reviewer").order_by("-number"))
    number = request.GET.get("v", "")
    version = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    shown = None
    pieces: list[tuple[str, int | None]] = []
    if version is not None and version.check_status == CheckStatus.DONE:
        shown = originality.describe(version.text, originality.from_json(version.result), request.user)
        pieces = originality.segments(version.text, shown["passages"])
    is_author = essay.member.user_id == request.user.pk
    may_review = (version is not None and version.number == essay.versions_count and not version.decision
                  and essay.status == EssayStatus.SUBMITTED and services.may_review(request.user, essay))
    return render(request, "essays/essay_detail.html", {
        "object": essay, "essay": essay, "versions": versions, "version": version, "shown": shown,
        "pieces": pieces, "is_author": is_author, "may_review": may_review,
        "review_form": forms.ReviewForm() if may_review else None,
        "may_revise": is_author and essay.status != EssayStatus.APPROVED,
        "may_file_problem": services.may_review(request.user, essay),
        "notice": (version.result or {}).get("notice") if version else None,
    })


@login_required
@require_POST
def essay_review(request: HttpRequest, pk: int) -> HttpResponseBase:
    version = get_object_or_404(EssayVersion.objects.restrict(request.user), pk=pk)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审阅结论"))
    else:
        try:
            services.review(version, acting_user=request.user, decision=form.cleaned_data["decision"],
                            comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            messages.error(request, sentences(generic.error_messages(exc)))
        except core.OutOfScope as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, _("审阅结果已保存"))
    return HttpResponseRedirect(reverse("essays:essay_detail", args=[version.essay_id]))


#
# An organization's essays
#


@login_required
def org_essays(request: HttpRequest, pk: int) -> HttpResponse:
    """The subtree's essays: the distribution of originality, by child organization, the list to review."""
    org = visible_org(request.user, pk)
    if org is None:
        raise Http404
    essays = Essay.objects.restrict(request.user).filter(org_path__subtree=org.path)
    request_id = request.GET.get("request", "")
    chosen = None
    if request_id.isdigit():
        chosen = EssayRequest.objects.restrict(request.user).filter(pk=request_id).first()
        if chosen is not None:
            essays = essays.filter(request=chosen)
    return render(request, "essays/org_essays.html", {
        "object": org, "summary": reports.summary(essays), "children": reports.by_child(essays, org),
        "chosen": chosen,
        "requests": EssayRequest.objects.restrict(request.user).filter(
            pk__in=essays.values("request_id")).order_by("-deadline")[:50],
        "to_review": essays.filter(status=EssayStatus.SUBMITTED).select_related("member", "org", "request")
        .order_by("originality", "submitted_at")[:30],
    })


#
# The corpus and the allow-list (administrators)
#


@login_required
def corpus(request: HttpRequest) -> HttpResponse:
    if not get_scope(request.user, Action.VIEW).everything:
        raise PermissionDenied
    form = forms.FormulationForm()
    if request.method == "POST":
        form = forms.FormulationForm(request.POST)
        if form.is_valid():
            try:
                services.add_formulation(form.instance, acting_user=request.user)
            except ValidationError as exc:
                for message in generic.error_messages(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("已加入规范表述"))
                return HttpResponseRedirect(reverse("essays:corpus"))
    from essays.store import store

    return render(request, "essays/corpus.html", {
        "form": form, "formulations": Formulation.objects.all(),
        "references": ReferenceDocument.objects.only("pk", "title", "source_url", "created").order_by("-pk")[:50],
        "reference_count": ReferenceDocument.objects.count(), "index": store().describe(),
        "is_admin": core.is_admin(request.user),
    })


@login_required
@require_POST
def formulation_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    formulation = get_object_or_404(Formulation, pk=pk)
    try:
        services.delete_formulation(formulation, acting_user=request.user)
    except core.OutOfScope as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("已删除"))
    return HttpResponseRedirect(reverse("essays:corpus"))
