"""The one scoping mechanism: every read of organization data is ``Model.objects.restrict(user, action)``.

A user's grants are "role R on the organization subtree S". Managers and inspectors see the union of
their subtrees (a prefix condition on the model's tree-path column); administrators see everything;
the member role sees what the model declares as the member's own (``Model.self_scope_q``). An object
outside the scope is simply absent from the queryset, so views answer 404 exactly as for a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q

from core.choices import ROLE_ACTIONS, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Scope:
    """What one user may reach for one action: everything, a set of subtrees, and/or their own records."""

    everything: bool
    paths: tuple[str, ...]
    own: bool

    @property
    def empty(self) -> bool:
        return not (self.everything or self.paths or self.own)

    @property
    def oversees(self) -> bool:
        """Whether the scope reaches organizations (a subtree or everything), not only one's own records."""
        return self.everything or bool(self.paths)

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.paths)


NO_SCOPE = Scope(everything=False, paths=(), own=False)


def _minimal_paths(paths: set[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another granted path; the rest are disjoint subtrees."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def get_scope(user: User | None, action: str) -> Scope:
    """The scope of ``user`` for ``action``; the grants are read once per user object and cached on it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    if getattr(user, "is_superuser", False):
        return Scope(everything=True, paths=(), own=False)
    grants: list[tuple[str, str | None]] | None = getattr(user, "_chuxin_grants", None)
    if grants is None:
        from orgs.models import RoleGrant

        grants = list(RoleGrant.objects.filter(user_id=user.pk).order_by().values_list("role", "org__path"))
        user._chuxin_grants = grants  # type: ignore[union-attr,attr-defined]
    return _scope_from_grants(grants, action)


def _scope_from_grants(grants: list[tuple[str, str | None]], action: str) -> Scope:
    everything, own = False, False
    paths: set[str] = set()
    for role, path in grants:
        if action not in ROLE_ACTIONS[role]:
            continue
        if role == Role.ADMIN:
            everything = True
        elif role == Role.MEMBER:
            own = True
        elif path:
            paths.add(path)
    if everything:
        return Scope(everything=True, paths=(), own=False)
    return Scope(everything=False, paths=_minimal_paths(paths), own=own)


def forget_scopes(user: Any) -> None:
    """Drop the cached scopes after the user's grants changed."""
    if hasattr(user, "_chuxin_grants"):
        del user._chuxin_grants


def scope_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The tree-path columns of ``model``; a row is in scope when any of them lies in a granted subtree."""
    fields = getattr(model, "scope_path_fields", None)
    return tuple(fields) if fields else (model.scope_path_field,)  # type: ignore[attr-defined]


def scope_q(model: type[models.Model], user: User | None, action: str) -> Q | None:
    """The filter for ``model`` under ``user``'s scope; ``None`` means "nothing" and ``Q()`` "everything"."""
    scope = get_scope(user, action)
    if scope.everything:
        return Q()
    q: Q | None = None
    for field in scope_fields(model):
        for path in scope.paths:
            part = Q(**{f"{field}__subtree": path})
            q = part if q is None else q | part
    reaching = getattr(model, "reaching_q", None)
    if reaching is not None and action == "view":
        for path in scope.paths:
            part = reaching(path)
            if part is not None:
                q = part if q is None else q | part
    if scope.own:
        own_q = model.self_scope_q(user)  # type: ignore[attr-defined]
        if own_q is not None:
            q = own_q if q is None else q | own_q
    return q


class ScopedQuerySet(models.QuerySet[M]):
    def restrict(self, user: User | None, action: str = "view") -> ScopedQuerySet[M]:
        q = scope_q(self.model, user, action)
        if q is None:
            return self.none()
        return self.filter(q) if q else self

    def in_subtree(self, path: str) -> ScopedQuerySet[M]:
        return self.filter(**{f"{self.model.scope_path_field}__subtree": path})  # type: ignore[attr-defined]


def can(user: User | None, action: str, obj: models.Model) -> bool:
    """Whether ``obj`` (already saved) lies in ``user``'s scope for ``action``; one indexed query at most."""
    scope = get_scope(user, action)
    if scope.everything:
        return True
    for field in scope_fields(type(obj)):
        path = getattr(obj, field, "")
        if path and scope.covers_path(path):
            return True
    reaches = action == "view" and scope.paths and hasattr(type(obj), "reaching_q")
    if not scope.own and not reaches:
        return False
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()  # type: ignore[attr-defined]


def can_in_org(user: User | None, action: str, org_path: str) -> bool:
    """Whether ``user`` may perform ``action`` on records of the organization with ``org_path``."""
    return get_scope(user, action).covers_path(org_path)
