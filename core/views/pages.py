from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from core.navigation import home_orgs
from core.scoping import can_in_org
from core.tasks import live_progress, tasks_for
from core.todos import todos_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Start where the user's grants start: their organization, or their own record."""
    orgs = home_orgs(request.user)
    todos = todos_for(request.user)
    if len(orgs) == 1 and not hasattr(request.user, "member") and not todos:
        return redirect(orgs[0])
    member = getattr(request.user, "member", None)
    oversees = {org.pk for org in orgs if can_in_org(request.user, "view", org.path)}
    return render(request, "core/home.html", {"orgs": orgs, "member": member, "todos": todos, "oversees": oversees})


@login_required
def task_detail(request: HttpRequest, pk: str) -> HttpResponse:
    task = live_progress(get_object_or_404(tasks_for(request.user), pk=pk))
    template = "core/task_progress.html" if request.htmx else "core/task_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"task": task})


@login_required
def task_download(request: HttpRequest, pk: str) -> HttpResponseBase:
    """The file of a finished export task, for the person who asked for it only (it holds what their scope
    shows, and only their own export is logged as revealing full values)."""
    from core.imports.exports import exported_file, exports_root
    from core.imports.files import CONTENT_TYPES
    from core.imports.uploads import purge_stale
    from core.models import Task

    purge_stale(root=exports_root())
    task = get_object_or_404(Task.objects.filter(user=cast(Any, request.user)), pk=pk)
    path = exported_file(task)
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name,
                        content_type=CONTENT_TYPES.get(path.suffix.lstrip("."), "application/octet-stream"))


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The notification centre: the user's digests and messages, newest first; opening the page reads them."""
    from django.core.paginator import Paginator
    from django.utils import timezone

    from core.models import Notification

    mine = Notification.objects.filter(user=cast(Any, request.user))
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    page = Paginator(mine, 20).get_page(request.GET.get("page"))
    unread = {n.pk for n in page.object_list if n.read_at is None}
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "core/notifications.html", {"page": page, "unread": unread})


@login_required
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The unread count beside the bell, fetched by the page after it loads (not on every render)."""
    from core.models import Notification

    count = Notification.objects.filter(user=cast(Any, request.user), read_at__isnull=True).count()
    return render(request, "core/includes/notification_badge.html", {"count": count})
