"""Import pages (upload → preview → confirm), template downloads and exports, for every registered resource.

Small files are checked and imported within the request; large ones (see ``uploads.runs_in_background``)
become a background task whose page (``task_detail``) shows progress and then the same result.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.choices import Action
from core.imports.engine import SPOOL_BYTES, Resource, export_response, get_resource, resources
from core.imports.files import CONTENT_TYPES, FORMATS, FileError, human_size, max_import_bytes
from core.imports.uploads import (
    IMPORT_TASK,
    UploadMissing,
    load_upload,
    run_upload,
    runs_in_background,
    save_upload,
)
from core.scoping import get_scope
from core.tasks import enqueue, tasks_for


def may_import(user: Any) -> bool:
    """Importing needs the change action somewhere; every row is then checked against that scope."""
    scope = get_scope(user, Action.CHANGE)
    return scope.oversees


def _resource_class(slug: str) -> type[Resource]:
    try:
        return get_resource(slug)
    except KeyError:
        raise Http404 from None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not may_import(request.user):
        raise PermissionDenied
    choices = [(slug, resource.title) for slug, resource in sorted(resources().items())]
    return render(request, "imports/index.html", {"resources": choices})


@login_required
def upload(request: HttpRequest, resource: str) -> HttpResponse:
    resource_class = _resource_class(resource)
    if not may_import(request.user):
        raise PermissionDenied
    # An instance, not the class: templates call what is callable.
    context: dict[str, Any] = {"resource": resource_class(request.user), "slug": resource,
                               "max_size": human_size(max_import_bytes())}
    if request.method != "POST":
        return render(request, "imports/upload.html", context)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        context["error"] = _("请选择要导入的文件")
        return render(request, "imports/upload.html", context, status=400)
    try:
        kept = save_upload(uploaded, user=request.user, resource=resource)
    except FileError as exc:
        context["error"] = str(exc)
        return render(request, "imports/upload.html", context, status=400)
    if runs_in_background(kept):
        task = enqueue(IMPORT_TASK, user=request.user, params={"token": kept.token, "dry_run": True},
                       title=_("检查导入文件“%(name)s”") % {"name": kept.filename})
        return redirect("task_detail", pk=task.pk)
    result = run_upload(kept, user=request.user, dry_run=True)
    return render(request, "imports/preview.html", {**context, "result": result})


@login_required
@require_POST
def confirm(request: HttpRequest, resource: str) -> HttpResponse:
    resource_class = _resource_class(resource)
    if not may_import(request.user):
        raise PermissionDenied
    try:
        kept = load_upload(request.POST.get("token", ""), user=request.user)
    except UploadMissing:
        messages.warning(request, _("上传的文件已失效（可能已经导入），请重新上传"))
        return redirect("imports:upload", resource=resource)
    if kept.resource != resource:
        raise Http404
    if runs_in_background(kept):
        task = enqueue(IMPORT_TASK, user=request.user, params={"token": kept.token, "dry_run": False},
                       title=_("导入文件“%(name)s”") % {"name": kept.filename})
        return redirect("task_detail", pk=task.pk)
    result = run_upload(kept, user=request.user, dry_run=False)
    context = {"resource": resource_class(request.user), "slug": resource, "result": result}
    return render(request, "imports/preview.html", context)


@login_required
@require_GET
def template(request: HttpRequest, resource: str, fmt: str) -> HttpResponseBase:
    resource_class = _resource_class(resource)
    if fmt not in FORMATS:
        raise Http404
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (FileResponse closes it)
    resource_class(request.user).write_template(fmt, out)
    out.seek(0)
    name = _("%(title)s导入模板.%(fmt)s") % {"title": resource_class.title, "fmt": fmt}
    return FileResponse(out, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])


@login_required
@require_GET
def export(request: HttpRequest, resource: str, fmt: str) -> HttpResponseBase:
    """The rows the user sees on the list page with the same filters (the resource's FilterSet)."""
    resource_class = _resource_class(resource)
    instance = resource_class(request.user)
    queryset = instance.export_queryset()
    filterset_class = getattr(resource_class, "filterset_class", None)
    if filterset_class is not None:
        filterset = filterset_class(request.GET, queryset=queryset, request=request)
        if filterset.is_valid():
            queryset = filterset.qs
    return export_response(instance, queryset, fmt)


@login_required
@require_GET
def task_errors(request: HttpRequest, pk: str) -> HttpResponseBase:
    """Every error of a background import, as a csv (the page shows only the first ones)."""
    from core.imports.files import write_csv

    task = get_object_or_404(tasks_for(request.user), pk=pk)
    result = task.result or {}
    if result.get("kind") != "import":
        raise Http404
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (FileResponse closes it)
    write_csv(out, header=[_("行"), _("列"), _("原因")],
              rows=([row or "", column, message] for row, column, message in result.get("errors", [])))
    out.seek(0)
    name = _("导入错误_%(date)s.csv") % {"date": f"{timezone.localdate():%Y%m%d}"}
    return FileResponse(out, as_attachment=True, filename=name, content_type=CONTENT_TYPES["csv"])


__all__ = ["export_response", "may_import"]
