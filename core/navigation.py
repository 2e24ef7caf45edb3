from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class OrgLink:
    """A page about one organization that an app adds to the organization page (``url_name`` takes its pk)."""

    label: Any
    url_name: str
    icon: str


_org_links: list[OrgLink] = []


def register_org_link(label: Any, url_name: str, icon: str = "bi-box-arrow-up-right") -> None:
    if all(link.url_name != url_name for link in _org_links):
        _org_links.append(OrgLink(label, url_name, icon))


def org_links() -> list[OrgLink]:
    return list(_org_links)
