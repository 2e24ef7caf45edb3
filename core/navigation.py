from __future__ import annotations

from typing import Any

from core.scoping import get_scope


def home_orgs(user: Any) -> list[Any]:
    """The top organizations of the user's scope (cached on the user for the request)."""
    cached = getattr(user, "_chuxin_home_orgs", None)
    if cached is not None:
        return cached
    from orgs.models import Organization

    scope = get_scope(user, "view")
    if scope.everything:
        orgs = list(Organization.objects.filter(parent__isnull=True))
    else:
        orgs = list(Organization.objects.filter(path__in=scope.paths))
        if scope.own and hasattr(user, "member") and not orgs:
            orgs = [user.member.org]
    user._chuxin_home_orgs = orgs
    return orgs
