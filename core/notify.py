"""Event notifications: a workflow step that now waits for someone tells them in their notification centre.

Services call ``notify`` inside their transaction, so a refused or rolled-back step notifies nobody. The
daily digests (``campaigns.digests``) are the other kind of notification; these are one per event.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from core.choices import Role
from core.models import Notification
from core.tree import ancestor_paths


def managers_of(org_path: str, *, above: bool = False, excluding: int | None = None) -> list[int]:
    """The active users granted the manager role on the organization at ``org_path``; with ``above``, on the
    nearest organization above it that has any (the level that reviews it) besides ``excluding``."""
    from orgs.models import RoleGrant

    paths = ancestor_paths(org_path)
    if above:
        paths = paths[:-1]
    grants = (RoleGrant.objects.filter(role=Role.MANAGER, org__path__in=paths, user__is_active=True)
              .values_list("org__path", "user_id"))
    by_path: dict[str, set[int]] = {}
    for path, user_id in grants:
        if user_id != excluding:
            by_path.setdefault(path, set()).add(user_id)
    for path in reversed(paths if above else paths[-1:]):
        if by_path.get(path):
            return sorted(by_path[path])
    return []


def managers_of_each(org_paths: Iterable[str]) -> list[int]:
    """The active users granted the manager role on any of these organizations (one query for them all)."""
    from orgs.models import RoleGrant

    paths = set(org_paths)
    if not paths:
        return []
    return sorted(set(RoleGrant.objects.filter(role=Role.MANAGER, org__path__in=paths, user__is_active=True)
                      .values_list("user_id", flat=True)))


def notify(user_ids: Iterable[int | None], *, kind: str, title: str, params: dict[str, Any] | None = None,
           url: str = "", exclude: Any = None) -> int:
    """One notification for each of ``user_ids`` (but ``exclude``, the person who acted), linking to ``url``.

    ``title`` is a message id (marked with ``gettext_noop``) filled with ``params``; it is translated into
    the site's language, as the digests are, not into the language of whoever acted.
    """
    from django.contrib.auth import get_user_model

    skip = getattr(exclude, "pk", exclude)
    wanted = {u for u in user_ids if u and u != skip}
    if not wanted:
        return 0
    ids = sorted(get_user_model().objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    if not ids:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        text = (gettext(title) % params if params else gettext(title))[:200]
    items = [{"title": text, "url": url}] if url else []
    Notification.objects.bulk_create([Notification(user_id=u, kind=kind, title=text, body="", items=items)
                                      for u in ids])
    return len(ids)
