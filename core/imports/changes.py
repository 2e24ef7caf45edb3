"""Change-log rows for bulk writes, built fast and checked against ``core.changelog``.

``core.changelog.build_change`` costs ~50 µs a row and serializing a member for it as much again; for
100,000 imported rows that would be most of the import. ``FastChangeLog`` computes the same columns with
precomputed getters. The importer builds the first row both ways and uses the fast path only when the two
agree on every column, so a change to the change log's rules shows up as a (logged) fallback to
``build_change``, never as different records.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.changelog import SKIPPED_FIELDS, build_change, snapshot
from core.choices import ChangeAction
from core.imports.bulk import insert_fields, json_converter, prepare_rows
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
        inserted = insert_fields(model, with_pk=True)
        # Where each serialized field sits in the rows ``bulk.insert_objects`` wrote (see ``created_snapshot``).
        positions = [inserted.index(f) for f in serialized]
        self.row_getter: Callable[[tuple[Any, ...]], tuple[Any, ...]] = (
            itemgetter(*positions) if len(positions) > 1 else lambda row: (row[positions[0]],))
        self.template = [self.base[name] for name in self.names]
        self.slots = {name: i for i, name in enumerate(self.names)}

    def snapshot(self, obj: Any) -> dict[str, Any]:
        values = list(self.getter(obj))
        for i, convert in self.convert:
            if values[i] is not None:
                values[i] = convert(values[i])
        return self.resource.snapshot(obj, dict(zip(self.keys, values, strict=True)))

    def created_snapshot(self, obj: Any, row: tuple[Any, ...]) -> dict[str, Any]:
        """The snapshot of a new object from the row just inserted for it (dates there are already ISO
        strings), leaving out empty values: a new object had none before, so they say nothing. The
        importer checks the first one against ``snapshot()``."""
        data = {key: value for key, value in zip(self.keys, self.row_getter(row), strict=True)
                if value is not None and value != ""}
        return self.resource.snapshot(obj, data)

    def verified_snapshot(self, sample: list[Any]) -> Callable[[Any], dict[str, Any]]:
        if all(self.snapshot(obj) == snapshot(obj) for obj in sample):
            return self.snapshot
        logger.warning("import change log: fast snapshot disagrees with snapshot(); using snapshot()")
        return snapshot

    def values(self, obj: Any, action: str, before: Any, after: Any) -> tuple[Any, ...]:
        """The change-log row of ``obj`` as Python values (``ObjectChange`` attribute order)."""
        return self._rows([(action, obj, before, after)], self.template, None, None)[0]

    def prepared_rows(
        self, entries: Iterable[tuple[str, Any, Any, Any]], now: datetime.datetime
    ) -> list[tuple[Any, ...]]:
        """``values()`` of every (action, obj, before, after), as insert parameters: the constant columns
        (user, request, time …) are prepared once, and per row only the two JSON documents are encoded."""
        fields, slots = self.fields, self.slots
        template = list(prepare_rows(fields, [tuple(self.template)], now, True)[0])
        encode = [json_converter(cast(models.JSONField, fields[slots[name]]))
                  for name in ("prechange_data", "postchange_data")]
        return self._rows(entries, template, *encode)

    def _rows(
        self, entries: Iterable[tuple[str, Any, Any, Any]], template: list[Any],
        encode_before: Callable[[Any], Any] | None, encode_after: Callable[[Any], Any] | None,
    ) -> list[tuple[Any, ...]]:
        """One loop for both ``values`` and ``prepared_rows`` (a function call per row is a measurable cost)."""
        slots, ct_ids = self.slots, self.ct_ids
        s_action, s_id, s_repr = slots["action"], slots["object_id"], slots["object_repr"]
        s_ct, s_parent = slots["related_content_type_id"], slots["related_object_id"]
        s_path, s_related_path = slots["org_path"], slots.get("related_org_path")
        s_before, s_after = slots["prechange_data"], slots["postchange_data"]
        path, related_path = self.paths[0], (self.paths[1] if len(self.paths) > 1 else None)
        rows: list[tuple[Any, ...]] = []
        append = rows.append
        for action, obj, before, after in entries:
            row = template.copy()
            parent = obj.changelog_parent()
            row[s_action] = action
            row[s_id] = obj.pk
            row[s_repr] = str(obj)[:200]
            if parent is not None:
                ct = ct_ids.get(type(parent))
                if ct is None:
                    ct = ct_ids[type(parent)] = ContentType.objects.get_for_model(parent).pk
                row[s_ct], row[s_parent] = ct, parent.pk
            else:
                row[s_ct] = row[s_parent] = None
            row[s_path] = getattr(obj, path, "") or ""
            if s_related_path is not None:
                row[s_related_path] = (getattr(obj, related_path, "") or "") if related_path else ""
            if before is not None and encode_before is not None:
                before = encode_before(before)
            if after is not None and encode_after is not None:
                after = encode_after(after)
            row[s_before], row[s_after] = before, after
            append(tuple(row))
        return rows

    def agrees(self, reference: ObjectChange, candidate: tuple[Any, ...]) -> bool:
        """``candidate`` (``values()``) says what ``reference`` (``build_change``) says; a new object's
        snapshot may leave out the empty values (``created_snapshot``)."""
        for name, value in zip(self.names, candidate, strict=True):
            expected = getattr(reference, name)
            if name == "postchange_data" and reference.action == ChangeAction.CREATE and isinstance(expected, dict):
                expected = {k: v for k, v in expected.items() if k in (value or {}) or v not in (None, "")}
            if name != "time" and expected != value:
                return False
        return True


def _json_converter(field: models.Field) -> Callable[[Any], Any] | None:
    """What ``core.changelog.jsonable`` does to this field's values (the engine checks they agree)."""
    if isinstance(field, models.DateField | models.TimeField):
        return _isoformat
    if isinstance(field, models.DecimalField | models.UUIDField):
        return str
    return None


def _isoformat(value: Any) -> str:
    from core.changelog import jsonable

    return str(jsonable(value))
