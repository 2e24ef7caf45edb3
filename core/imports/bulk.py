"""Bulk writes for large imports: prepared INSERT/UPDATE statements run with ``executemany``.

Django's ``bulk_create``/``bulk_update`` spend most of their time preparing each value of each object in
Python (and ``bulk_update`` builds a ``CASE`` per column); for 100,000 rows that alone takes longer than
the whole import may. These helpers prepare whole columns at once, and run one statement shape per batch.
Dates become ISO strings with one C call each (instead of Django's converter and then the driver's
registered adapter, two Python calls per value), and on SQLite JSON is encoded with one reusable encoder
(compact, not ASCII-escaped: the same document, smaller and quicker to write). They bypass ``save()`` and
signals, so callers must have validated the rows and write the change log themselves (the import engine
does both).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, cast

from django.db import connection, models

BATCH_SIZE = 5000

# ``json.dumps`` with arguments builds a new encoder on every call; one encoder serves them all.
encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a column's Python values become parameters; ``None`` where the driver takes them as they are."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        # ``YYYY-MM-DD`` is what Django's SQLite adapter writes, and PostgreSQL reads it as a date.
        return datetime.date.isoformat if connection.vendor in ("sqlite", "postgresql") else ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return json_converter(field)
    if isinstance(field, models.CharField | models.TextField | models.IntegerField | models.BooleanField
                  | models.ForeignKey):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def json_converter(field: models.JSONField) -> Callable[[Any], Any]:
    """A JSON column's parameter: text on SQLite (a TEXT column), the backend's adapter elsewhere."""
    encoder = field.encoder
    if connection.vendor == "sqlite" and encoder is None:
        return encode_json
    ops = connection.ops
    return lambda value: ops.adapt_json_value(value, encoder)


def _auto_now(field: models.Field, adding: bool) -> bool:
    return bool(getattr(field, "auto_now", False) or (adding and getattr(field, "auto_now_add", False)))


def prepare_rows(
    fields: Sequence[models.Field], rows: list[tuple[Any, ...]], now: datetime.datetime, adding: bool
) -> list[tuple[Any, ...]]:
    """Convert ``rows`` (tuples in ``fields`` order) column by column; auto-now columns get ``now``."""
    if not rows:
        return rows
    columns: list[Any] = list(zip(*rows, strict=True))
    changed = False
    for i, field in enumerate(fields):
        if _auto_now(field, adding):
            columns[i] = [connection.ops.adapt_datetimefield_value(now)] * len(rows)
            changed = True
            continue
        convert = _converter(field)
        if convert is not None:
            columns[i] = [None if v is None else convert(v) for v in columns[i]]
            changed = True
    return list(zip(*columns, strict=True)) if changed else rows


def insert_rows(
    model: type[models.Model], fields: Sequence[models.Field], rows: Sequence[tuple[Any, ...]],
    *, now: datetime.datetime, prepared: bool = False,
) -> None:
    """``INSERT INTO table (fields…) VALUES (…)`` for every tuple of ``rows`` (values in ``fields`` order);
    ``prepared`` rows are already parameters (``prepare_rows``)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = list(rows[start:start + BATCH_SIZE])
            cursor.executemany(sql, batch if prepared else prepare_rows(fields, batch, now, True))


def insert_fields(model: type[models.Model], *, with_pk: bool) -> list[models.Field]:
    """The columns ``insert_objects`` writes, in the order of its rows."""
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


def insert_objects(
    model: type[models.Model], objs: Sequence[models.Model], *, now: datetime.datetime, with_pk: bool
) -> list[tuple[Any, ...]]:
    """Insert unsaved instances; with ``with_pk`` their (already allocated) primary keys are written too.

    Returns the rows as written (``insert_fields`` order, prepared), which the change log reuses rather than
    reading and converting every value again.
    """
    fields = insert_fields(model, with_pk=with_pk)
    getter = attrgetter(*(f.attname for f in fields))
    rows = prepare_rows(fields, [getter(o) for o in objs], now, True)
    insert_rows(model, fields, rows, now=now, prepared=True)
    alias = connection.alias
    for obj in objs:
        state = obj._state
        state.adding = False
        state.db = alias
    return rows


def update_objects(
    model: type[models.Model], objs: Sequence[models.Model], field_names: Sequence[str], *, now: datetime.datetime
) -> None:
    """``UPDATE table SET f=%s, … WHERE pk=%s`` for every object (plus its auto-now fields)."""
    if not objs:
        return
    opts = model._meta
    fields = [model_field(model, name) for name in field_names]
    fields += [f for f in opts.concrete_fields if _auto_now(f, False) and f not in fields]
    pk = opts.pk
    assert pk is not None
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(opts.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields), quote(pk.column),
    )
    getter = attrgetter(*(f.attname for f in fields), pk.attname)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH_SIZE):
            rows = [getter(o) for o in objs[start:start + BATCH_SIZE]]
            cursor.executemany(sql, prepare_rows([*fields, pk], rows, now, False))


def model_field(model: type[models.Model], name: str) -> models.Field:
    """A concrete field by name (typed, for the places that need its column or attname)."""
    return cast(models.Field, model._meta.get_field(name))


def allocate_pks(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for rows about to be inserted with explicit keys.

    PostgreSQL draws them from the column's sequence (safe under concurrency). SQLite has one writer at a
    time and the import runs in a transaction that holds the write lock (``BEGIN IMMEDIATE``), so the next
    keys after the largest ever used are free; ``AUTOINCREMENT`` then continues after them.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    column = pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            seq = cursor.fetchone()
            start = max(top, seq[0] if seq else 0) + 1
            return list(range(start, start + count))
    raise NotImplementedError(f"explicit key allocation is not implemented for {connection.vendor}")


def fast_instance(model: type[models.Model], defaults: dict[str, Any], values: dict[str, Any]) -> Any:
    """An unsaved instance built without ``Model.__init__`` (which costs ~10 µs for a wide model).

    ``defaults`` maps every concrete attname to its default (see ``instance_defaults``); ``values`` maps
    attnames (and related-object caches as ``fields_cache``) to the row's values.
    """
    obj = model.__new__(model)
    state = models.base.ModelState()
    obj._state = state
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    return obj


def instance_defaults(model: type[models.Model]) -> dict[str, Any]:
    return {f.attname: f.get_default() for f in model._meta.concrete_fields}


__all__ = [
    "allocate_pks", "encode_json", "fast_instance", "insert_fields", "insert_objects", "insert_rows",
    "instance_defaults", "json_converter", "model_field", "prepare_rows", "update_objects",
]
