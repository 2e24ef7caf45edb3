"""Writing the change log. Services call ``log_change``; nothing writes ``ObjectChange`` otherwise."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from core.choices import ChangeAction
from core.context import current_request
from core.models import ObjectChange

SKIPPED_FIELDS = {"created", "updated", "org_path", "path", "password"}


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        # One zone for every moment, so that a value read back from the database (UTC) and the same moment
        # from a form (local time) are recorded alike and never show as a change.
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def logged_fields(model: type[models.Model] | models.Model) -> list[models.Field]:
    """The fields a change-log snapshot records: the concrete ones but the key, timestamps and tree paths."""
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS and not f.primary_key]


def serialize(obj: models.Model) -> dict[str, Any]:
    """Concrete field values by attribute name (foreign keys as ids), JSON-safe."""
    return {f.name: jsonable(getattr(obj, f.attname)) for f in logged_fields(obj)}


def snapshot(obj: models.Model) -> dict[str, Any]:
    return obj.changelog_data() if hasattr(obj, "changelog_data") else serialize(obj)


def build_change(
    obj: models.Model,
    action: str,
    *,
    acting_user: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
    parent: models.Model | None = None,
    org_path: str | None = None,
) -> ObjectChange:
    """An unsaved change record; bulk writers collect these and ``bulk_create`` them."""
    request = current_request()
    if parent is None and hasattr(obj, "changelog_parent"):
        parent = obj.changelog_parent()
    fields: tuple[str, ...] = getattr(obj, "scope_path_fields", None) or (getattr(obj, "scope_path_field", "org_path"),)
    if org_path is None:
        org_path = getattr(obj, fields[0], "") or ""
    related_org_path = (getattr(obj, fields[1], "") or "") if len(fields) > 1 else ""
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    return ObjectChange(
        user=user,
        user_name=user.get_username() if user else "",
        request_id=request.request_id if request else None,
        request_repr=request.description if request else "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        related_content_type=ContentType.objects.get_for_model(parent) if parent is not None else None,
        related_object_id=parent.pk if parent is not None else None,
        org_path=org_path,
        related_org_path=related_org_path,
        prechange_data=before,
        postchange_data=after,
        message=message[:500],
    )


def log_change(
    obj: models.Model, action: str, *, acting_user: Any, coalesce: datetime.timedelta | None = None, **kwargs: Any
) -> ObjectChange:
    """Record a change of ``obj``.

    With ``coalesce``, a change that continues the object's latest change-log row (same user, action and
    message, and that row at most ``coalesce`` old) extends that row instead of adding one: it keeps the
    state before the first of the run and takes the new state and time. Repeated saves of one thing by one
    person (a draft saved every few seconds while it is written) thus read as one change from where they
    started to where they stopped, instead of hundreds of rows.
    """
    change = build_change(obj, action, acting_user=acting_user, **kwargs)
    if coalesce is not None and change.user_id is not None:
        now = timezone.now()
        last = (ObjectChange.objects.filter(content_type=change.content_type, object_id=change.object_id)
                .order_by("-time", "-pk").first())
        if (last is not None and last.user_id == change.user_id and last.action == change.action
                and last.message == change.message and last.time >= now - coalesce):
            last.postchange_data = change.postchange_data
            last.object_repr = change.object_repr
            last.request_id, last.request_repr = change.request_id, change.request_repr
            last.time = now
            last.save(update_fields=["postchange_data", "object_repr", "request_id", "request_repr", "time"])
            return last
    change.save()
    return change


def log_bulk(changes: Iterable[ObjectChange]) -> None:
    ObjectChange.objects.bulk_create(list(changes), batch_size=2000)


def history_for(obj: models.Model, user: Any) -> models.QuerySet[ObjectChange]:
    """The changes of ``obj`` and of its children, as far as ``user`` may see them."""
    ct = ContentType.objects.get_for_model(obj)
    own = models.Q(content_type=ct, object_id=obj.pk)
    children = models.Q(related_content_type=ct, related_object_id=obj.pk)
    qs = ObjectChange.objects.restrict(user, "view").filter(own | children)
    return qs.select_related("content_type")


__all__ = ["ChangeAction", "build_change", "history_for", "log_bulk", "log_change", "serialize", "snapshot"]
