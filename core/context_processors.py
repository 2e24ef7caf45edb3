from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The organizations a signed-in user can start from (the roots of their grants), for the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from core.navigation import home_orgs

    return {"nav_home_orgs": home_orgs(user)}
