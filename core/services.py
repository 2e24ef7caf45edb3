"""Generic write paths that every service builds on: scope checked inside the transaction, logged.

A domain service (``orgs.services.update_member`` …) prepares the object and calls one of these. Each
re-checks the acting user's scope on the row *as it is in the database* before writing, and on the
result after writing, so that an object can neither be changed from outside the scope nor moved out of it.
"""

from __future__ import annotations

from functools import partial
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import ProtectedError
from django.db.models.deletion import Collector
from django.http import Http404
from django.utils.translation import gettext as _

from core.changelog import build_change, log_bulk, log_change, snapshot
from core.choices import Action, ChangeAction
from core.models import ObjectChange
from core.scoping import can, get_scope
from core.text import listing

M = TypeVar("M", bound=models.Model)


class OutOfScope(PermissionDenied):
    """The acting user may not make this change (the target lies outside their grants)."""


def require(user: Any, action: str, obj: models.Model) -> None:
    if not can(user, action, obj):
        raise OutOfScope(_("不在您的管理范围内"))


def require_visible_then_writable(user: Any, obj: models.Model) -> None:
    """404 for what the user cannot see at all, 403 for what they may only read."""
    if not can(user, Action.VIEW, obj):
        raise Http404
    require(user, Action.CHANGE, obj)


def is_admin(user: Any) -> bool:
    """Whether ``user`` holds the administrator role (may change everything)."""
    return get_scope(user, Action.CHANGE).everything


def require_admin(user: Any) -> None:
    if not is_admin(user):
        raise OutOfScope(_("只有管理员可以进行此操作"))


def _locked(obj: M) -> M:
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


@transaction.atomic
def create_object(obj: M, *, acting_user: Any, message: str = "", clean: bool = True) -> M:
    if clean:
        obj.full_clean()
    obj.save()
    require(acting_user, Action.CHANGE, obj)
    log_change(obj, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(obj), message=message)
    return obj


@transaction.atomic
def update_object(obj: M, *, acting_user: Any, changes: dict[str, Any], message: str = "", clean: bool = True) -> M:
    """Apply ``changes`` (field → value) to ``obj``; log only when something actually changed."""
    current = _locked(obj)
    require_visible_then_writable(acting_user, current)
    before = snapshot(current)
    _rebase(obj, current, changes)
    for name, value in changes.items():
        setattr(obj, name, value)
    if clean:
        obj.full_clean()
    obj.save()
    require(acting_user, Action.CHANGE, obj)
    after = snapshot(obj)
    if after != before:
        log_change(obj, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=after, message=message)
    return obj


def _rebase(obj: models.Model, current: models.Model, changes: dict[str, Any]) -> None:
    """Give ``obj`` the stored values (``current``, read under lock) of every field it does not change.

    ``obj`` was read before the lock (when the request began, or earlier): a field someone else changed
    meanwhile would otherwise be written back with its old value.
    """
    state = obj._state
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in changes or f.attname in changes:
            continue
        fresh = getattr(current, f.attname)
        if getattr(obj, f.attname) != fresh:
            setattr(obj, f.attname, fresh)
            if f.is_relation:
                state.fields_cache.pop(f.name, None)


@transaction.atomic
def delete_object(obj: models.Model, *, acting_user: Any, message: str = "") -> None:
    """Delete ``obj`` and what cascades from it; each deleted record gets its own change-log row (the
    dependents' rows name ``obj`` as their parent, so its history shows what went with it)."""
    current = _locked(obj)
    require_visible_then_writable(acting_user, current)
    before = snapshot(current)
    pk = current.pk
    parent = current.changelog_parent() if hasattr(current, "changelog_parent") else None
    try:
        with transaction.atomic():
            # Django's own cascade collector (what ``Model.delete`` runs), read before it deletes.
            collector = Collector(using=router.db_for_write(type(current)), origin=current)
            collector.collect([current])
            dependents = _dependents(collector, current)
            path = getattr(current, getattr(current, "scope_path_field", "org_path"), "") or ""
            changes = [build_change(d, ChangeAction.DELETE, acting_user=acting_user, before=snapshot(d),
                                    parent=current, message=message,
                                    org_path=getattr(d, getattr(d, "scope_path_field", "org_path"), None) or path)
                       for d in dependents]
            collector.delete()
    except ProtectedError as exc:
        kinds = sorted({str(o._meta.verbose_name_plural) for o in exc.protected_objects})
        raise ValidationError(_("仍有关联的%(kinds)s，不能删除") % {"kinds": listing(kinds)}) from exc
    current.pk = pk
    log_change(current, ChangeAction.DELETE, acting_user=acting_user, before=before, parent=parent, message=message)
    log_bulk(changes)
    # Stored files (evidence, materials) of the deleted records go once the deletion is committed.
    for storage, name in _files_of([current, *dependents]):
        transaction.on_commit(partial(storage.delete, name))


def _dependents(collector: Collector, obj: models.Model) -> list[models.Model]:
    """The records the collector will delete with ``obj`` (many-to-many link rows and the change log left out)."""
    found: list[models.Model] = [o for instances in collector.data.values() for o in instances]
    for queryset in collector.fast_deletes:
        found.extend(queryset)
    return [d for d in found if not (d is obj or d._meta.auto_created or isinstance(d, ObjectChange)
                                     or (type(d) is type(obj) and d.pk == obj.pk))]


def _files_of(objs: list[models.Model]) -> list[tuple[Any, str]]:
    """(storage, name) of every stored file the records hold."""
    found = []
    for obj in objs:
        for f in obj._meta.concrete_fields:
            if isinstance(f, models.FileField):
                stored = getattr(obj, f.attname)
                if stored and stored.name:
                    found.append((stored.storage, stored.name))
    return found
