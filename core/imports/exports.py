"""Large list exports as background tasks.

A list page exports in the request while the filtered rows are few; beyond ``CHUXIN_EXPORT_TASK_ROWS``
(20,000 by default; 100,000 members take about 17 s as xlsx) the export becomes a task: the page moves to
the task's page, which shows the progress and then a download link. The task runs the list view's own
filter again with the same query string and as the same user, so the file holds exactly the rows the page
would have exported. The file is kept in ``MEDIA_ROOT/exports/<task>/``, downloadable only by the person who
asked for it, and purged after a day (at the next export or download) like forgotten uploads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.imports.uploads import purge_stale
from core.models import Task
from core.tasks import enqueue, register_task

EXPORT_TASK = "exports.run"


def task_rows() -> int:
    return int(getattr(settings, "CHUXIN_EXPORT_TASK_ROWS", 20_000))


def exports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def start_export(view: Any, fmt: str, count: int) -> Task:
    """Queue the export of ``view``'s filtered rows (the query string of its request) as ``fmt``."""
    request = view.request
    query = request.GET.copy()
    for name in ("export", "page", "per_page"):
        query.pop(name, None)
    title = view.title or view.model._meta.verbose_name_plural
    return enqueue(EXPORT_TASK, user=request.user, title=_("导出%(title)s（%(n)s行）") % {"title": title, "n": count},
                   params={"view": f"{type(view).__module__}.{type(view).__qualname__}", "query": query.urlencode(),
                           "kwargs": {k: str(v) for k, v in (view.kwargs or {}).items()},
                           "fmt": fmt, "count": count, "path": request.path})


@register_task(EXPORT_TASK)
def run_export_task(ctx: Any) -> dict[str, Any]:
    params = ctx.params
    purge_stale(root=exports_root())
    request = HttpRequest()
    request.method, request.path = "GET", params.get("path", "/")
    request.GET = QueryDict(params.get("query", ""))
    request.user = ctx.user
    view = import_string(params["view"])()
    view.setup(request, **params.get("kwargs", {}))
    total = int(params.get("count") or 0)

    def progress(done: int, _total: int, message: str) -> None:
        ctx.progress(done, total, message)

    # In the language of whoever asked (the task runs in it): the sheet's title and headers follow it.
    _filterset, rows = view.filtered(request)
    resource = view.resource()(ctx.user)
    folder = exports_root() / ctx.task.pk.hex
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"{resource.title}_{timezone.localdate():%Y%m%d}.{params['fmt']}"
    count = resource.export(params["fmt"], folder / filename, rows, progress=progress)
    ctx.progress(count, count, _("已导出%(n)s行") % {"n": count})
    return {"kind": "export", "rows": count, "filename": filename,
            "url": reverse("task_download", args=[ctx.task.pk])}


def exported_file(task: Task) -> Path | None:
    """The file a finished export task wrote, while it is kept."""
    result = task.result if isinstance(task.result, dict) else {}
    if task.kind != EXPORT_TASK or result.get("kind") != "export":
        return None
    path = exports_root() / task.pk.hex / Path(str(result.get("filename", ""))).name
    return path if path.is_file() else None


__all__ = ["EXPORT_TASK", "exported_file", "exports_root", "run_export_task", "start_export", "task_rows"]
