"""The machinery of one import run: rows, the stored objects they match, validation, writing, the change log.

``engine.import_file`` is the entry point; a ``Resource`` (in ``engine``) supplies the model's template
and rules. See ``engine`` for the steps.
"""

from __future__ import annotations

import datetime
import gc
import itertools
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.changelog import build_change, jsonable, snapshot
from core.choices import ChangeAction
from core.imports import bulk
from core.imports.changes import DatabaseChangeLog, FastChangeLog
from core.imports.columns import UNSET, ChoiceColumn, ForeignKeyColumn, Masked, TextColumn, is_blank, normalize_label
from core.imports.files import FileError, Table, read_table
from core.models import ObjectChange
from core.text import listing

if TYPE_CHECKING:
    from core.imports.engine import Resource

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
KEY_CHUNK = 5000
SAMPLE_SIZE = 100
SAMPLE_CHECKS = 3  # rows of a fast change-log path compared with build_change before it is used
CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"


class Pending:
    """A reference to an object that a new row of the same file creates (a new branch's new parent)."""

    pk = None
    path = None

    def __init__(self, key: str) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"<Pending {self.key}>"


class Stored:
    """A stored object as the checks need it: its field values by attribute name (``org_id`` …) and the
    natural keys of the objects it refers to (``codes["org"]``). Loading these with ``values_list`` costs a
    fraction of building model instances; only the objects an import actually changes become instances,
    just before they are written."""

    def __init__(self, values: dict[str, Any], codes: dict[str, Any]) -> None:
        self.__dict__.update(values)
        self.codes = codes

    def __repr__(self) -> str:
        return f"<Stored {self.__dict__.get('pk')}>"


class Row:
    """One data row of the file while it is validated: parsed values, errors, what it will do.

    ``errors``, ``failed`` and ``changes`` start as shared empty tuples and become lists/sets on first use,
    which keeps building 100,000 rows cheap.
    """

    errors: Any = ()
    failed: Any = frozenset()
    changes: Any = ()
    existing: Any = None
    obj: Any = None
    before: dict[str, Any] | None = None
    action = CREATE

    def __init__(self, number: int, values: dict[str, Any]) -> None:
        self.number = number
        self.values = values

    def error(self, column: str, message: str) -> None:
        if not self.errors:
            self.errors = []
        self.errors.append((column, str(message)))

    def fail(self, field_name: str) -> None:
        """Mark a field whose value could not be read, so that later checks leave it alone."""
        if not self.failed:
            self.failed = set()
        self.failed.add(field_name)

    def change(self, header: str, old: Any, new: Any) -> None:
        if not self.changes:
            self.changes = []
        self.changes.append((header, old, new))


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do); ``as_dict`` is what pages and tasks keep."""

    resource: str
    title: str
    filename: str
    dry_run: bool
    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    errors: list[tuple[int | None, str, str]] = field(default_factory=list)
    written: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append((row, column, str(message)))

    def sample(self, action: str, item: dict[str, Any]) -> None:
        if len(self.samples[action]) < SAMPLE_SIZE:
            self.samples[action].append(item)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "import", "resource": self.resource, "title": self.title, "filename": self.filename,
            "dry_run": self.dry_run, "written": self.written, "ok": self.ok, "total": self.total,
            "counts": {a: self.counts.get(a, 0) for a in (CREATE, UPDATE, UNCHANGED, REFUSED)},
            "samples": {a: self.samples.get(a, []) for a in (CREATE, UPDATE, UNCHANGED, REFUSED)},
            "errors": [list(e) for e in self.errors], "error_count": len(self.errors),
            "seconds": round(self.seconds, 3),
        }


def error_line(row: int | None, column: str, message: str) -> str:
    """``第N行 [列] 原因`` as the command prints it (file-level errors have no row or column)."""
    if row is None:
        return str(message)
    where = _("第%(row)s行") % {"row": row}
    return f"{where} [{column}] {message}" if column else f"{where} {message}"


class Importer:
    """One run of ``resource`` over one file; use ``import_file``."""

    def __init__(
        self, resource: Resource, *, filename: str, dry_run: bool, progress: Progress | None = None,
    ) -> None:
        self.resource = resource
        self.filename = filename
        self.dry_run = dry_run
        self.progress = progress or (lambda done, total, message: None)
        self.result = ImportResult(resource.slug, str(resource.title), filename, dry_run)
        self.key_column = resource.column(resource.key)
        self.fk_columns = [c for c in resource.columns if isinstance(c, ForeignKeyColumn)]
        self.masked_columns = [c for c in resource.columns if c.mask and c.field != resource.key]
        self.default_columns = [c for c in resource.columns if c.default is not UNSET]
        self.fk_attnames = {c.field: bulk.model_field(resource.model, c.field).attname for c in self.fk_columns}
        self.message = _("导入文件“%(name)s”") % {"name": filename}

    # Reading

    def read(self, path: Path, fmt: str) -> list[Row] | None:
        self.progress(0, 0, _("正在读取文件"))
        try:
            table = read_table(path, fmt)
        except FileError as exc:
            self.result.add_error(None, "", str(exc))
            return None
        header = self.read_header(table)
        if header is None:
            return None
        return self.parse(table, header)

    def read_header(self, table: Table) -> dict[str, int] | None:
        result = self.result
        rows = table.rows
        if not rows or all(is_blank(c) for c in rows[0]):
            if len(rows) <= 1 or all(all(is_blank(c) for c in r) for r in rows):
                result.add_error(None, "", _("文件是空的"))
            else:
                result.add_error(1, "", _("第1行应为列名"))
            return None
        for (r0, c0), (r1, c1) in table.merged:
            top_left = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else ""
            header = str(rows[0][c0]).strip() if c0 < len(rows[0]) else ""
            result.add_error(
                r0 + 1, header or _cell_name(0, c0),
                _("%(range)s是合并单元格（内容“%(value)s”），请取消合并并逐行填写后再导入")
                % {"range": f"{_cell_name(r0, c0)}:{_cell_name(r1, c1)}", "value": top_left},
            )
        if table.merged:
            return None
        wanted = {normalize_label(c.header): c for c in self.resource.columns}
        positions: dict[str, int] = {}
        unknown: list[str] = []
        for i, cell in enumerate(rows[0]):
            if is_blank(cell):
                continue
            text = str(cell).strip()
            column = wanted.get(normalize_label(text))
            if column is None:
                unknown.append(text)
            elif column.field in positions:
                result.add_error(1, column.header, _("列名重复"))
            else:
                positions[column.field] = i
        missing = [c.header for c in self.resource.columns if c.field not in positions]
        if not positions:
            # Not one column of the template: another file, or a header that is not on the first row.
            result.add_error(1, "", _("第1行不是“%(title)s”导入模板的列名，请下载导入模板，按模板的列填写")
                             % {"title": self.resource.title})
            return None
        for text in unknown:
            result.add_error(1, text, _("无法识别的列名“%(name)s”，请使用导入模板的列名") % {"name": text})
        if missing:
            result.add_error(1, listing(missing), _("缺少列：%(names)s") % {"names": listing(missing)})
        return None if result.errors else positions

    def parse(self, table: Table, positions: dict[str, int]) -> list[Row] | None:
        width = max(positions.values()) + 1
        numbers: list[int] = []
        kept: list[list[Any]] = []
        for number, cells in enumerate(table.rows[1:], start=2):
            # A row is blank when every cell is; the first cell, usually filled, settles most rows at once.
            first = cells[0] if cells else None
            if (first is None or (type(first) is str and not first.strip())) and all(is_blank(c) for c in cells):
                continue
            if len(cells) < width:
                cells = [*cells, *([""] * (width - len(cells)))]
            numbers.append(number)
            kept.append(cells)
        table.rows = []
        self.result.total = len(kept)
        if not kept:
            self.result.add_error(None, "", _("文件中没有数据行（第1行为列名，数据从第2行开始）"))
            return None
        fields = list(positions)
        columns = [self.resource.column(f) for f in fields]
        # One transposition (in C) instead of a comprehension per column; rows may be longer than ``width``
        # and ragged beyond it (csv), so the columns end with the shortest row, which reaches ``width``.
        cells_by_column = list(zip(*kept, strict=False))
        del kept
        parsed: list[list[Any]] = []
        cell_errors: list[tuple[int, str, str]] = []
        for column in columns:
            values, errors = column.parse_many(cells_by_column[positions[column.field]])
            parsed.append(values)
            for i, message in errors.items():
                cell_errors.append((i, column.field, message))
        del cells_by_column
        rows = [Row(number, dict(zip(fields, values, strict=True)))
                for number, values in zip(numbers, zip(*parsed, strict=True), strict=True)]
        for i, field_name, message in cell_errors:
            row = rows[i]
            row.error(self.resource.header_of(field_name), message)
            row.fail(field_name)
        return rows

    # Validating

    def validate(self, rows: list[Row], *, lock: bool) -> None:
        total = len(rows)
        self.progress(0, total, _("正在校验"))
        self.resolve_references(rows)
        self.match_existing(rows, lock=lock)
        self.check_duplicates(rows)
        resource = self.resource
        steps = (self.check_row,)
        retry: list[tuple[Row, int, Any]] = []
        # Messages are looked up only for rows that turn out to have errors: the rules build their
        # messages eagerly, and Django's gettext would otherwise be the largest cost of validating.
        with translation.override(None):
            for i, row in enumerate(rows):
                if i % 5000 == 0 and i:
                    self.progress(i, total, _("正在校验第%(n)s行") % {"n": i})
                count, failed = len(row.errors), (set(row.failed) if row.failed else frozenset())
                for step in steps:
                    step(row)
                if len(row.errors) > count:
                    retry.append((row, count, failed))
                elif not row.errors:
                    self.compare(row)
        for row, count, failed in retry:
            row.errors = row.errors[:count]
            row.failed = failed
            for step in steps:
                step(row)
        resource.clean_rows(rows)
        self.progress(total, total, _("校验完成"))

    def resolve_references(self, rows: list[Row]) -> None:
        """Replace every natural key in a foreign-key column by its object (one query per column model)."""
        resource = self.resource
        wanted: dict[tuple[Any, str], set[str]] = defaultdict(set)
        for column in self.fk_columns:
            for row in rows:
                code = row.values[column.field]
                if code:
                    wanted[column.model, column.key].add(code)
        found: dict[tuple[Any, str], dict[str, Any]] = {}
        for column in self.fk_columns:
            group = (column.model, column.key)
            if group not in found:
                found[group] = resource.lookup(column, wanted[group]) if wanted[group] else {}
        self_refs = [c for c in self.fk_columns if c.model is resource.model and c.key == resource.key]
        new_keys: set[Any] = set()
        if self_refs:
            keys = {row.values[resource.key] for row in rows}
            new_keys = keys - set(found[self_refs[0].model, self_refs[0].key])
        for column in self.fk_columns:
            table = found[column.model, column.key]
            name = column.field
            for row in rows:
                code = row.values[name]
                if not code:
                    row.values[name] = None
                    continue
                target = table.get(code)
                if target is None:
                    if column in self_refs and code in new_keys:
                        target = Pending(code)
                    else:
                        row.values[name] = None
                        row.fail(name)
                        row.error(column.header, resource.missing_message(column, code))
                        continue
                row.values[name] = target

    def match_existing(self, rows: list[Row], *, lock: bool) -> None:
        resource = self.resource
        key = resource.key
        plain = [row.values[key] for row in rows if row.values[key] and type(row.values[key]) is not Masked]
        existing = resource.existing(plain, lock=lock)
        masked, blank = [], []
        for row in rows:
            value = row.values[key]
            if type(value) is Masked:
                masked.append(row)
            elif value:
                row.existing = existing.get(value)
            elif key not in row.failed:
                blank.append(row)
        header = self.key_column.header
        mask = getattr(self.key_column, "mask", None)
        if masked:
            message = _("%(field)s是遮挡后的值，无法确定对应的记录；新建记录请填写完整的%(field)s") % {"field": header}
            self.match_among(masked, resource.masked_match, lock=lock,
                             stored_key=lambda value: mask(value) if mask else value, message=message)
        if blank:
            self.match_among(blank, resource.blank_key_match, lock=lock, stored_key=lambda value: value or "",
                             message=_("不能为空"), only_blank_keys=True, unmatched_creates=not resource.key_required)

    def match_among(
        self, rows: list[Row], fields: tuple[str, ...], *, lock: bool, stored_key: Callable[[Any], Any],
        message: str, only_blank_keys: bool = False, unmatched_creates: bool = False,
    ) -> None:
        """Rows whose key cannot be looked up directly (masked in an export, or blank for a record stored
        without one) identify a stored object by ``fields`` among the objects of the organizations they
        name; a row that matches none (unless ``unmatched_creates``: then it is new) or several gets ``message``
        on the key column."""
        resource = self.resource
        key = resource.key
        targets = {row.values[resource.scope_column] for row in rows}
        # Only among the organizations the user may change: whether a person exists elsewhere is not told by
        # a row that names another organization (that row is refused for its organization either way).
        scope = resource.change_scope
        targets = {t for t in targets if t is not None and not isinstance(t, Pending)
                   and scope.covers_path(getattr(t, type(t).scope_path_field))}
        candidates: dict[tuple[Any, ...], Any] = {}
        scope_attname = bulk.model_field(resource.model, resource.scope_column).attname
        # A key that is the primary key is never blank in the database: a row without one is matched among
        # all the stored objects by ``fields`` alone.
        key_field = bulk.model_field(resource.model, key)
        by_fields_only = only_blank_keys and key_field.primary_key
        if fields and targets:
            qs = resource.model._base_manager.filter(**{f"{resource.scope_column}__in": list(targets)})
            if only_blank_keys and not by_fields_only:
                blank_q = models.Q(**{f"{key}__isnull": True})
                if isinstance(key_field, models.CharField | models.TextField):
                    blank_q |= models.Q(**{key: ""})
                qs = qs.filter(blank_q)
            for obj in resource.load_stored(qs, lock=lock):
                own_key = () if by_fields_only else (stored_key(getattr(obj, key)),)
                ident = (*own_key, getattr(obj, scope_attname), *(getattr(obj, f) for f in fields))
                candidates[ident] = None if ident in candidates else obj
        for row in rows:
            target = row.values[resource.scope_column]
            row_key = () if by_fields_only else (row.values[key] or "",)
            ident = (*row_key, getattr(target, "pk", None), *(row.values.get(f) for f in fields))
            if unmatched_creates and ident not in candidates:
                continue  # new (several stored matches stay an error: the row cannot say which it means)
            match = candidates.get(ident)
            if match is None:
                row.fail(key)
                row.error(self.key_column.header, message)
            else:
                row.existing = match
                row.values[key] = getattr(match, key)

    def check_duplicates(self, rows: list[Row]) -> None:
        key = self.resource.key
        header = self.key_column.header
        first: dict[Any, Row] = {}
        groups: dict[Any, list[Row]] = {}
        for row in rows:
            # Rows matched without a key (a member stored without an ID number) are told apart by the object.
            value = row.values[key] or (("pk", row.existing.pk) if row.existing is not None else None)
            if value:
                seen = first.setdefault(value, row)
                if seen is not row:
                    groups.setdefault(value, [seen]).append(row)
        for group in groups.values():
            for row in group:
                others = listing(r.number for r in group if r is not row)
                row.error(header, _("%(field)s与第%(rows)s行重复") % {"field": header, "rows": others})

    def complete(self, row: Row) -> None:
        """Masked values and blank defaulted cells mean "as stored" for an existing row."""
        values, existing = row.values, row.existing
        for column in self.masked_columns:
            value = values[column.field]
            if type(value) is not Masked:
                continue
            if existing is None:
                row.fail(column.field)
                row.error(column.header, _("新建记录时请填写完整的%(field)s") % {"field": column.header})
                continue
            stored = getattr(existing, column.field)
            if column.mask(stored) == value:  # type: ignore[misc]
                values[column.field] = stored
            else:
                row.fail(column.field)
                row.error(column.header, _("%(field)s是遮挡后的值，且与现有记录不一致，请填写完整的%(field)s")
                          % {"field": column.header})
        for defaulted in self.default_columns:
            if values[defaulted.field] is UNSET:
                values[defaulted.field] = (getattr(existing, defaulted.field) if existing is not None
                                           else defaulted.default)

    def check_row(self, row: Row) -> None:
        """Every check of one row. A stored record outside the user's scope is refused for that alone: nothing
        else is said about it, not even whether a masked value in the row matches it."""
        resource = self.resource
        existing = row.existing
        if existing is not None and not resource.change_scope.covers_path(
                getattr(existing, resource.model.scope_path_field)):  # type: ignore[attr-defined]
            row.error(self.key_column.header, resource.out_of_scope_message(row))
            return
        self.complete(row)
        resource.clean_row(row)
        self.check_scope(row)

    def check_scope(self, row: Row) -> None:
        """Where the row places its record (a new one, or one that moves) must lie within the user's scope."""
        resource = self.resource
        scope = resource.change_scope
        existing = row.existing
        name = resource.scope_column
        if name in row.failed:
            return
        target = row.values[name]
        if existing is not None and getattr(existing, bulk.model_field(resource.model, name).attname) == getattr(
            target, "pk", None
        ):
            return
        if isinstance(target, Pending):
            return
        if target is None:
            if not scope.everything:
                row.error(resource.header_of(name), resource.root_message())
        elif not scope.covers_path(getattr(target, type(target).scope_path_field)):
            fk_column = cast(ForeignKeyColumn, resource.column(name))
            row.error(fk_column.header, resource.missing_message(fk_column, getattr(target, fk_column.key)))

    def compare(self, row: Row) -> None:
        existing = row.existing
        if existing is None:
            row.action = CREATE
            return
        values = row.values
        fk_attnames = self.fk_attnames
        for column in self.resource.columns:
            new = values[column.field]
            if isinstance(column, ForeignKeyColumn):
                old_id = getattr(existing, fk_attnames[column.field])
                if old_id != getattr(new, "pk", None) or isinstance(new, Pending):
                    row.change(column.header, existing.codes.get(column.field), getattr(new, column.key, None))
            else:
                old = getattr(existing, column.field)
                if old != new and not (old in (None, "") and new in (None, "")):
                    row.change(column.header, old, new)
        row.action = UPDATE if row.changes else UNCHANGED

    # Reporting

    def report(self, rows: list[Row]) -> None:
        result = self.result
        mask = {c.header: c.mask for c in self.resource.columns if isinstance(c, TextColumn) and c.mask}
        # A choice is shown as the file writes it (正式党员), not as stored (full).
        labels = {c.header: c.labels for c in self.resource.columns if isinstance(c, ChoiceColumn)}
        key_mask = getattr(self.key_column, "mask", None)
        for row in rows:
            action = REFUSED if row.errors else row.action
            result.counts[action] += 1
            for column, message in row.errors:
                result.add_error(row.number, column, message)
            if len(result.samples[action]) >= SAMPLE_SIZE:
                continue
            key = row.values.get(self.resource.key) or ""
            if key_mask and key and type(key) is not Masked:
                key = key_mask(key)
            item: dict[str, Any] = {"row": row.number, "key": str(key), "label": self.resource.label(row)}
            if action == UPDATE:
                item["changes"] = [
                    [header, _shown(labels.get(header, {}).get(old, old), mask.get(header)),
                     _shown(labels.get(header, {}).get(new, new), mask.get(header))]
                    for header, old, new in row.changes
                ]
            result.sample(action, item)
        result.errors.sort(key=lambda e: (e[0] or 0))

    # Writing

    def write(self, rows: list[Row]) -> None:
        resource = self.resource
        model = resource.model
        now = timezone.now()
        creates = [r for r in rows if r.action == CREATE]
        updates = [r for r in rows if r.action == UPDATE]
        total = len(creates) + len(updates)
        self.progress(0, total, _("正在写入"))
        defaults = bulk.instance_defaults(model)
        fk_fields = {c.field: bulk.model_field(model, c.field).attname for c in self.fk_columns}
        plain_fields = [c.field for c in resource.columns if c.field not in fk_fields]
        plain_values = itemgetter(*plain_fields) if len(plain_fields) > 1 else lambda v: (v[plain_fields[0]],)
        for row, pk in zip(creates, bulk.allocate_pks(model, len(creates)), strict=True):
            values = row.values
            attrs = dict(zip(plain_fields, plain_values(values), strict=True))
            cache = {}
            for name, attname in fk_fields.items():
                target = values[name]
                attrs[attname] = target.pk if target is not None else None
                if target is not None:
                    cache[name] = target
            attrs[model._meta.pk.attname] = pk
            obj = bulk.fast_instance(model, defaults, attrs)
            obj._state.fields_cache = cache
            row.obj = obj
            resource.prepare(obj, row)
        resource.before_insert(creates)
        objects = resource.instances([row.existing.pk for row in updates])
        for row in updates:
            row.existing = objects[row.existing.pk]
        if updates:
            snap = FastChangeLog(resource, updates[0].existing, user=resource.user, message=self.message
                                 ).verified_snapshot([r.existing for r in updates[:3]])
        for row in updates:
            obj = row.existing
            row.before = snap(obj)
            for column in resource.columns:
                setattr(obj, column.field, row.values[column.field])
            resource.prepare(obj, row)
            row.obj = obj
        inserted = bulk.insert_objects(model, [r.obj for r in creates], now=now, with_pk=True)
        self.progress(len(creates), total, _("正在写入"))
        update_fields = [c.field for c in resource.columns] + list(resource.extra_update_fields)
        bulk.update_objects(model, [r.obj for r in updates], update_fields, now=now)
        resource.after_write(creates, updates, message=self.message, now=now)
        self.log(creates, inserted, updates, now=now)
        self.progress(total, total, _("写入完成"))
        self.result.written = True

    def log(
        self, creates: list[Row], inserted: list[tuple[Any, ...]], updates: list[Row], *, now: datetime.datetime
    ) -> None:
        """One change-log row per written object.

        ``core.changelog.build_change`` costs ~50 µs a row, and serializing a member for it as much again;
        at 100,000 rows that is most of the import. The rows of new objects are built by the database from
        the rows just stored (``DatabaseChangeLog``), other rows by ``FastChangeLog`` in Python; either is
        used only if the first rows it builds agree with ``build_change`` on every column, and otherwise
        every row goes through ``build_change``. ``FastChangeLog`` takes a new object's snapshot from the
        row just inserted for it (``inserted``, in ``creates`` order), where every value is already converted.
        """
        if not creates and not updates:
            return
        user, message = self.resource.user, self.message
        first = creates[0] if creates else updates[0]
        fast = FastChangeLog(self.resource, first.obj, user=user, message=message)
        if creates and DatabaseChangeLog.for_model(self.resource.model):
            database = DatabaseChangeLog(fast, now)
            if database.agrees([r.obj for r in creates[:SAMPLE_CHECKS]], user=user, message=message):
                database.insert([r.obj for r in creates])
                creates, inserted = [], []
                if not updates:
                    return
                first = updates[0]
            else:
                logger.warning("import change log: the database's rows disagree with build_change; not using them")
        action = ChangeAction.CREATE if creates else ChangeAction.UPDATE
        reference = build_change(first.obj, action, acting_user=user, before=first.before,
                                 after=snapshot(first.obj), message=message)
        after = fast.created_snapshot(first.obj, inserted[0]) if creates else fast.snapshot(first.obj)
        if fast.agrees(reference, fast.values(first.obj, action, first.before, after)):
            created = fast.created_snapshot
            snap = fast.snapshot
            entries: Iterator[tuple[str, Any, Any, Any]] = itertools.chain(
                ((ChangeAction.CREATE, r.obj, None, created(r.obj, values))
                 for r, values in zip(creates, inserted, strict=True)),
                ((ChangeAction.UPDATE, r.obj, r.before, snap(r.obj)) for r in updates),
            )
            bulk.insert_rows(ObjectChange, fast.fields, fast.prepared_rows(entries, now), now=now, prepared=True)
            return
        logger.warning("import change log: fast path disagrees with build_change; using build_change")
        getter = attrgetter(*(f.attname for f in fast.fields))
        rows = [getter(build_change(row.obj, action, acting_user=user, before=row.before,
                                    after=snapshot(row.obj), message=message))
                for action, row in [(ChangeAction.CREATE, r) for r in creates]
                + [(ChangeAction.UPDATE, r) for r in updates]]
        bulk.insert_rows(ObjectChange, fast.fields, rows, now=now)

    # Running

    def run(self, path: Path, fmt: str) -> ImportResult:
        started = time.monotonic()
        try:
            with paused_gc():
                rows = self.read(path, fmt)
                if rows is not None:
                    if self.dry_run:
                        self.validate(rows, lock=False)
                        self.report(rows)
                    else:
                        with transaction.atomic():
                            self.validate(rows, lock=True)
                            self.report(rows)
                            if self.result.ok:
                                self.write(rows)
                # Freed while the collector is still off: re-enabled over millions of live objects, its first
                # full collection would walk them all once more.
                del rows
        finally:
            self.result.seconds = time.monotonic() - started
        return self.result


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector, off for the run.

    An import holds a few million small objects (cells, rows, values) that live until it ends; every full
    collection walks all of them, and allocating them triggers many: about 2 s of a 100,000-row import.
    They hold no reference cycles that need collecting meanwhile (reference counting frees the rest), and
    whatever cycles there are are collected as usual once the collector is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cell_name(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col + 1)}{row + 1}"


def _shown(value: Any, mask: Callable[[Any], str] | None) -> Any:
    if value is None or value == "":
        return ""
    if mask is not None:
        return mask(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return jsonable(value)
