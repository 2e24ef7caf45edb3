from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.navigation import home_orgs
from core.tasks import live_progress, tasks_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Start where the user's grants start: their organization, or their own record."""
    orgs = home_orgs(request.user)
    if len(orgs) == 1 and not hasattr(request.user, "member"):
        return redirect(orgs[0])
    member = getattr(request.user, "member", None)
    return render(request, "core/home.html", {"orgs": orgs, "member": member})


@login_required
def task_detail(request: HttpRequest, pk: str) -> HttpResponse:
    task = live_progress(get_object_or_404(tasks_for(request.user), pk=pk))
    template = "core/task_progress.html" if request.htmx else "core/task_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"task": task})
