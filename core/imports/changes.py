"""Change-log rows for bulk writes, built fast and checked against ``core.changelog``.

``core.changelog.build_change`` costs ~50 µs a row and serializing a member for it as much again; for
100,000 imported rows that would be most of the import. ``FastChangeLog`` computes the same columns with
precomputed getters. The importer builds the first row both ways and uses the fast path only when the two
agree on every column, so a change to the change log's rules shows up as a (logged) fallback to
``build_change``, never as different records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.changelog import SKIPPED_FIELDS, build_change, snapshot
from core.choices import ChangeAction
from core.models import ObjectChange

if TYPE_CHECKING:
    from core.imports.engine import Resource

logger = logging.getLogger(__name__)


class FastChangeLog:
    """What ``build_change`` and ``snapshot`` produce for an object, computed with precomputed getters."""

    def __init__(self, resource: Resource, sample: Any, *, user: Any, message: str) -> None:
        model = resource.model
        self.resource = resource
        self.fields = [f for f in ObjectChange._meta.concrete_fields if not f.primary_key]
        self.names = [f.attname for f in self.fields]
        proto = build_change(sample, ChangeAction.CREATE, acting_user=user, message=message)
        self.base = {name: getattr(proto, name) for name in self.names}
        self.paths: tuple[str, ...] = tuple(
            getattr(model, "scope_path_fields", None) or (getattr(model, "scope_path_field", "org_path"),))
        self.ct_ids: dict[type, int] = {}
        serialized = [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS and not f.primary_key]
        self.keys = [f.name for f in serialized]
        self.getter = attrgetter(*(f.attname for f in serialized))
        self.convert: list[tuple[int, Callable[[Any], Any]]] = [
            (i, convert) for i, f in enumerate(serialized) if (convert := _json_converter(f)) is not None
        ]
        self.template = [self.base[name] for name in self.names]
        self.slots = {name: i for i, name in enumerate(self.names)}

    def snapshot(self, obj: Any) -> dict[str, Any]:
        values = list(self.getter(obj))
        for i, convert in self.convert:
            if values[i] is not None:
                values[i] = convert(values[i])
        return self.resource.snapshot(obj, dict(zip(self.keys, values, strict=True)))

    def verified_snapshot(self, sample: list[Any]) -> Callable[[Any], dict[str, Any]]:
        if all(self.snapshot(obj) == snapshot(obj) for obj in sample):
            return self.snapshot
        logger.warning("import change log: fast snapshot disagrees with snapshot(); using snapshot()")
        return snapshot

    def values(self, obj: Any, action: str, before: Any, after: Any) -> tuple[Any, ...]:
        slots = self.slots
        row = self.template.copy()
        parent = obj.changelog_parent()
        row[slots["action"]] = action
        row[slots["object_id"]] = obj.pk
        row[slots["object_repr"]] = str(obj)[:200]
        if parent is not None:
            ct = self.ct_ids.get(type(parent))
            if ct is None:
                ct = self.ct_ids[type(parent)] = ContentType.objects.get_for_model(parent).pk
            row[slots["related_content_type_id"]], row[slots["related_object_id"]] = ct, parent.pk
        else:
            row[slots["related_content_type_id"]] = row[slots["related_object_id"]] = None
        row[slots["org_path"]] = getattr(obj, self.paths[0], "") or ""
        if "related_org_path" in slots:
            row[slots["related_org_path"]] = (getattr(obj, self.paths[1], "") or "") if len(self.paths) > 1 else ""
        row[slots["prechange_data"]], row[slots["postchange_data"]] = before, after
        return tuple(row)

    def agrees(self, reference: ObjectChange, candidate: tuple[Any, ...]) -> bool:
        return all(getattr(reference, name) == value
                   for name, value in zip(self.names, candidate, strict=True) if name != "time")


def _json_converter(field: models.Field) -> Callable[[Any], Any] | None:
    """What ``core.changelog.jsonable`` does to this field's values (the engine checks they agree)."""
    if isinstance(field, models.DateField):
        return _isoformat
    if isinstance(field, models.DecimalField | models.UUIDField):
        return str
    return None


def _isoformat(value: Any) -> str:
    return value.isoformat()
