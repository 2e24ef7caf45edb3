"""Change-log rows for bulk writes, built fast and checked against ``core.changelog``.

``core.changelog.build_change`` costs ~50 µs a row and serializing a member for it as much again; for
100,000 imported rows that would be most of the import. Two faster ways give the same rows:

- ``DatabaseChangeLog``: for objects just inserted, the database builds each snapshot from the row it has
  just stored (``INSERT … SELECT`` with ``json_object``/``jsonb_build_object``); Python passes only what the
  row does not hold (label, parent, tree paths, masked values). Used where every logged column has the same
  JSON form in the database as in ``core.changelog.jsonable`` and the model's snapshot is its columns plus
  ``changelog_masks``.
- ``FastChangeLog``: the same columns computed in Python with precomputed getters (updated objects, and
  models the database path does not cover).

The importer builds the first rows both ways and uses a fast path only when it agrees with ``build_change``
on every column, so a change to the change log's rules shows up as a (logged) fallback, never as different
records.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable, Iterable
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from core.changelog import build_change, logged_fields, snapshot
from core.choices import ChangeAction
from core.imports.bulk import insert_fields, json_converter, prepare_rows
from core.models import ObjectChange, ScopedModel

if TYPE_CHECKING:
    from core.imports.engine import Resource

logger = logging.getLogger(__name__)

# ``FastChangeLog.identity`` in ``ObjectChange`` attribute names.
IDENTITY_COLUMNS = ("object_id", "object_repr", "related_content_type_id", "related_object_id", "org_path",
                    "related_org_path")


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
        serialized = logged_fields(model)
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
        self.masks: dict[str, Callable[[Any], Any]] = dict(getattr(model, "changelog_masks", {}))

    def masked(self, obj: Any, data: dict[str, Any]) -> dict[str, Any]:
        for name, mask in self.masks.items():
            data[name] = mask(getattr(obj, name))
        return data

    def snapshot(self, obj: Any) -> dict[str, Any]:
        values = list(self.getter(obj))
        for i, convert in self.convert:
            if values[i] is not None:
                values[i] = convert(values[i])
        return self.masked(obj, dict(zip(self.keys, values, strict=True)))

    def created_snapshot(self, obj: Any, row: tuple[Any, ...]) -> dict[str, Any]:
        """The snapshot of a new object from the row just inserted for it (dates there are already ISO
        strings), leaving out empty values: a new object had none before, so they say nothing. The
        importer checks the first one against ``snapshot()``."""
        data = {key: value for key, value in zip(self.keys, self.row_getter(row), strict=True)
                if value is not None and value != ""}
        return self.masked(obj, data)

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

    def identity(self, obj: Any) -> tuple[Any, str, int | None, Any, str, str]:
        """The columns of ``obj``'s change-log row that are not its data: its primary key and label, its
        parent (content type and key) and its tree paths."""
        parent = obj.changelog_parent()
        if parent is None:
            ct = parent_pk = None
        else:
            ct = self.ct_ids.get(type(parent))
            if ct is None:
                ct = self.ct_ids[type(parent)] = ContentType.objects.get_for_model(parent).pk
            parent_pk = parent.pk
        path, related = self.paths[0], (self.paths[1] if len(self.paths) > 1 else None)
        return (obj.pk, str(obj)[:200], ct, parent_pk, getattr(obj, path, "") or "",
                (getattr(obj, related, "") or "") if related else "")

    def _rows(
        self, entries: Iterable[tuple[str, Any, Any, Any]], template: list[Any],
        encode_before: Callable[[Any], Any] | None, encode_after: Callable[[Any], Any] | None,
    ) -> list[tuple[Any, ...]]:
        """One loop for both ``values`` and ``prepared_rows``."""
        slots = self.slots
        s_action = slots["action"]
        s_identity = [slots[name] for name in IDENTITY_COLUMNS]
        s_before, s_after = slots["prechange_data"], slots["postchange_data"]
        rows: list[tuple[Any, ...]] = []
        append = rows.append
        identity = self.identity
        for action, obj, before, after in entries:
            row = template.copy()
            row[s_action] = action
            for slot, value in zip(s_identity, identity(obj), strict=True):
                row[slot] = value
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


class DatabaseChangeLog:
    """The ``create`` rows of objects just inserted, built by the database from the rows it stored.

    One ``INSERT INTO core_objectchange … SELECT … FROM (VALUES …) JOIN <table>`` per batch: the snapshot is
    ``json_object(…)`` (SQLite) or ``jsonb_build_object(…)`` (PostgreSQL) of the stored columns, the masked
    fields and the other columns come from Python (``FastChangeLog.identity``), the constant columns are
    bound once per batch. ``for_model`` says whether a model qualifies; ``agrees`` checks a sample against
    ``build_change`` before the importer relies on it.
    """

    BATCH = 1000
    MAX_FIELDS = 50  # SQLite functions take at most 127 arguments, PostgreSQL's 100

    def __init__(self, fast: FastChangeLog, now: datetime.datetime) -> None:
        model = fast.resource.model
        self.fast, self.model = fast, model
        self.serialized = logged_fields(model)
        self.masks = list(fast.masks.items())
        constant = [f for f in fast.fields if f.attname not in (*IDENTITY_COLUMNS, "postchange_data")]
        row = prepare_rows(fast.fields, [tuple(fast.template)], now, True)[0]
        self.constant_fields = constant
        self.constants = [row[fast.fields.index(f)] for f in constant]
        self.identity_fields = [fast.fields[fast.slots[name]] for name in IDENTITY_COLUMNS]

    @classmethod
    def for_model(cls, model: type[models.Model]) -> bool:
        """Whether the database writes the same snapshot as ``core.changelog.snapshot`` for ``model``."""
        if connection.vendor not in ("sqlite", "postgresql"):
            return False
        data_method = getattr(model, "changelog_data", None)
        if data_method is not None and data_method is not ScopedModel.changelog_data:
            return False
        fields = logged_fields(model)
        return len(fields) <= cls.MAX_FIELDS and all(_database_json(f) for f in fields)

    def _select(self, count: int) -> str:
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        pk = self.model._meta.pk
        assert pk is not None
        masked = {name: i for i, (name, _mask) in enumerate(self.masks)}
        width = len(IDENTITY_COLUMNS) + len(self.masks)
        pairs = []
        for f in self.serialized:
            if f.name in masked:
                value = f"v.column{len(IDENTITY_COLUMNS) + masked[f.name] + 1}"
            else:
                value = f"m.{quote(f.column)}"
                if isinstance(f, models.BooleanField) and connection.vendor == "sqlite":
                    value = f"json(CASE {value} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)"
            pairs.append(f"'{f.name}', {value}")
        build = "json_object" if connection.vendor == "sqlite" else "jsonb_build_object"
        constants = [_typed("%s", f) for f in self.constant_fields]
        # The object's key is the stored row's; the rest of its identity comes from Python.
        identity = [f"m.{quote(pk.column)}"] + [
            _typed(f"v.column{i + 1}", f) for i, f in enumerate(self.identity_fields) if i > 0]
        values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * count)
        return (f"SELECT {', '.join(constants)}, {', '.join(identity)}, {build}({', '.join(pairs)}) "
                f"FROM (VALUES {values}) v JOIN {table} m ON m.{quote(pk.column)} = v.column1")

    def _columns(self) -> str:
        quote = connection.ops.quote_name
        names = [f.column for f in self.constant_fields] + [f.column for f in self.identity_fields]
        return ", ".join(quote(name) for name in [*names, "postchange_data"])

    def _params(self, objs: list[Any]) -> list[Any]:
        identity, masks = self.fast.identity, self.masks
        params = list(self.constants)
        for obj in objs:
            params.extend(identity(obj))
            params.extend(mask(getattr(obj, name)) for name, mask in masks)
        return params

    def insert(self, objs: list[Any]) -> None:
        """The ``create`` rows of ``objs`` (inserted in this transaction), in ``objs`` order."""
        head = f"INSERT INTO {connection.ops.quote_name(ObjectChange._meta.db_table)} ({self._columns()}) "
        statements: dict[int, str] = {}  # one statement per batch size: every batch but the last is full
        with connection.cursor() as cursor:
            for start in range(0, len(objs), self.BATCH):
                batch = objs[start:start + self.BATCH]
                sql = statements.get(len(batch)) or statements.setdefault(len(batch), head + self._select(len(batch)))
                cursor.execute(sql, self._params(batch))

    def agrees(self, sample: list[Any], *, user: Any, message: str) -> bool:
        """The rows the database would write for ``sample`` say what ``build_change`` says."""
        with connection.cursor() as cursor:
            cursor.execute(self._select(len(sample)), self._params(sample))
            built = cursor.fetchall()
        skip = len(self.constants)
        by_pk = {row[skip]: row for row in built}
        for obj in sample:
            row = by_pk.get(obj.pk)
            if row is None:
                return False
            reference = build_change(obj, ChangeAction.CREATE, acting_user=user, after=snapshot(obj),
                                     message=message)
            after = json.loads(row[-1]) if isinstance(row[-1], str) else row[-1]
            expected = [getattr(reference, name) for name in IDENTITY_COLUMNS]
            if after != reference.postchange_data or list(row[skip:-1]) != expected:
                return False
            # The constant columns too, read back as the model reads them (the moment is the run's own).
            for f, value in zip(self.constant_fields, row[:skip], strict=True):
                if f.attname != "time" and f.to_python(value) != getattr(reference, f.attname):
                    return False
        return True


def _database_json(field: models.Field) -> bool:
    """Whether the database's JSON of this column's stored value is what ``core.changelog.jsonable`` gives:
    text, whole numbers, booleans, dates (ISO text on SQLite) and keys; not moments, decimals, files, JSON."""
    if isinstance(field, models.DateTimeField | models.DecimalField | models.FloatField | models.JSONField):
        return False
    return isinstance(field, models.CharField | models.TextField | models.IntegerField | models.BooleanField
                      | models.DateField | models.ForeignKey)


def _typed(expression: str, field: models.Field) -> str:
    """``expression`` cast to ``field``'s column type on PostgreSQL, where a literal or a ``VALUES`` column
    would otherwise be text; SQLite takes values as they are (a cast there would convert them)."""
    if connection.vendor != "postgresql":
        return expression
    return f"CAST({expression} AS {field.cast_db_type(connection)})"  # type: ignore[attr-defined]


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
