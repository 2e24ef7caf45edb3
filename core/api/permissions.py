"""API permissions: reads are already scoped by the queryset; writes need the object's write action.

A viewset's queryset is ``restrict(user, "view")``, so an object outside the reading scope never reaches
``has_object_permission`` (``get_object`` answers 404, exactly as for a missing row). What is left to
decide here is whether a visible object may be written: an inspector sees a branch but gets 403.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from core.choices import Action
from core.scoping import can


class ScopedObjectPermission(IsAuthenticated):
    """Authenticated users only; unsafe methods need the view's write action (``change`` by default)."""

    message = _("您的授权对此对象只读，不能进行此操作")

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        required = view.required_action() if hasattr(view, "required_action") else Action.CHANGE
        return can(request.user, required, obj)
