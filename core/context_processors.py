from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The organizations a signed-in user can start from (the roots of their grants), for the menu, and whether
    they oversee any."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from core.navigation import home_orgs
    from core.scoping import get_scope

    scope = get_scope(user, "view")
    # Whether the user is granted some organization (manager, inspector, administrator), not only their own
    # records: the menu offers the rosters, ledgers and review pages to them alone.
    return {"nav_home_orgs": home_orgs(user), "nav_oversees": scope.oversees}
