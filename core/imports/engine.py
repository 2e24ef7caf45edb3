"""The import/export engine: a ``Resource`` declares a model's template; ``import_file`` and ``export`` use it.

Import is parse → validate every row → write everything in one transaction, or nothing:

1. the file is read whole (``files.read_table``) and each column is parsed at once (``Column.parse_many``);
2. everything the rows refer to is loaded set-wise, never one query per row: the existing objects by natural
   key (in chunks), the referenced organizations by code, the candidates for masked keys;
3. each row is checked with the model's own rules (the resource's ``clean_row``, which calls the app's
   ``rules`` functions) and against the importing user's scope, and compared with what is stored;
4. with any error, nothing is written and every error is reported as (row, column, reason); otherwise new
   rows are inserted and changed rows updated with prepared statements (``bulk``), and each gets a
   change-log row (``core.changelog``) naming the file.

A dry run stops after step 3 and reports what would be created, updated, left unchanged and refused.
The run itself is ``importer.Importer``; the prepared statements are in ``bulk``, the change-log rows in
``changes``, reading and writing files in ``files``, cell types in ``columns``.
"""

from __future__ import annotations

import datetime
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, ClassVar, cast

from django.db import connection, models
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changelog import build_change, log_bulk
from core.choices import Action, ChangeAction
from core.imports import bulk
from core.imports.columns import Column, ForeignKeyColumn
from core.imports.files import CONTENT_TYPES, FORMATS, FileError, format_for, write_csv, write_xlsx
from core.imports.importer import (
    CREATE,
    KEY_CHUNK,
    REFUSED,
    UNCHANGED,
    UPDATE,
    Importer,
    ImportResult,
    Pending,
    Progress,
    Row,
    Stored,
    error_line,
)
from core.scoping import get_scope
from core.text import listing

SPOOL_BYTES = 8 * 1024 * 1024

_registry: dict[str, type[Resource]] = {}


def register(resource: type[Resource]) -> type[Resource]:
    """Make a resource available to the import pages, the task and the commands under its ``slug``."""
    _registry[resource.slug] = resource
    return resource


def get_resource(slug: str) -> type[Resource]:
    return _registry[slug]


def resources() -> dict[str, type[Resource]]:
    return dict(_registry)


class Resource:
    """A model's import/export template: its columns, natural key and place in the organization tree.

    ``key`` names the natural-key column (members by ID number, organizations by code); ``scope_column``
    the foreign-key column whose organization places a row in the tree (``org`` for members, ``parent``
    for organizations): a new row, or a row that moves, must land inside the importing user's scope, and an
    existing row must already be there. Subclasses add the model's own rules in ``clean_row``.
    """

    slug: ClassVar[str]
    title: ClassVar[Any]
    model: ClassVar[type[models.Model]]
    columns: ClassVar[tuple[Column, ...]]
    key: ClassVar[str]
    scope_column: ClassVar[str]
    label_field: ClassVar[str] = "name"
    masked_match: ClassVar[tuple[str, ...]] = ()
    blank_key_match: ClassVar[tuple[str, ...]] = ()
    # Whether a row needs its key: when not, a blank key that matches nothing by ``blank_key_match`` is new.
    key_required: ClassVar[bool] = True
    extra_update_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, user: Any, *, today: datetime.date | None = None) -> None:
        self.user = user
        self.today = today or timezone.localdate()
        self.change_scope = get_scope(user, Action.CHANGE)
        self.reveal_scope = get_scope(user, Action.REVEAL)

    # Columns

    @classmethod
    def column(cls, field_name: str) -> Column:
        for column in cls.columns:
            if column.field == field_name:
                return column
        raise KeyError(field_name)

    @classmethod
    def headers(cls) -> list[str]:
        return [c.header for c in cls.columns]

    @classmethod
    def header_of(cls, field_name: str) -> str:
        try:
            return cls.column(field_name).header
        except KeyError:
            return ""

    # Export

    def export_queryset(self, queryset: models.QuerySet[Any] | None = None) -> models.QuerySet[Any]:
        """``queryset`` (all rows by default) as far as the user may see it; restricting twice is harmless."""
        base = queryset if queryset is not None else self.model._default_manager.all()
        return cast(Any, base).restrict(self.user, Action.VIEW)

    def export_rows(self, queryset: models.QuerySet[Any], revealed: Counter[Any] | None = None) -> Iterator[list[Any]]:
        """The cells of each row in template order; personal values masked outside the reveal scope."""
        columns = self.columns
        path_field = self.model.scope_path_field  # type: ignore[attr-defined]
        scope_attname = bulk.model_field(self.model, self.scope_column).attname
        masked = [i for i, c in enumerate(columns) if c.mask]
        formats = [c.format for c in columns]
        reveal = self.reveal_scope
        n = len(columns)
        qs = queryset.values_list(*(c.export_path for c in columns), path_field, scope_attname)
        for values in qs.iterator(chunk_size=2000):
            row = [fmt(v) for fmt, v in zip(formats, values[:n], strict=True)]
            if masked:
                if reveal.covers_path(values[n]):
                    if revealed is not None and any(row[i] for i in masked):
                        revealed[values[n + 1]] += 1
                else:
                    for i in masked:
                        row[i] = columns[i].mask(row[i]) or None  # type: ignore[misc]
            yield row

    def export(
        self, fmt: str, out: IO[bytes] | Path, queryset: models.QuerySet[Any] | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Write ``queryset`` (restricted to what the user may see) to ``out`` as ``xlsx`` or ``csv``."""
        qs = self.export_queryset(queryset)
        revealed: Counter[Any] = Counter()
        count = 0

        def counted() -> Iterator[list[Any]]:
            nonlocal count
            for row in self.export_rows(qs, revealed):
                count += 1
                if progress is not None and count % 10000 == 0:
                    progress(count, 0, _("已导出%(n)s行") % {"n": count})
                yield row

        if fmt == "xlsx":
            write_xlsx(out, title=str(self.title), header=self.headers(), rows=counted(), widths=self.widths())
        elif fmt == "csv":
            if isinstance(out, Path):
                with out.open("wb") as handle:
                    write_csv(handle, header=self.headers(), rows=counted(), digits_as_text=self.digit_flags())
            else:
                write_csv(out, header=self.headers(), rows=counted(), digits_as_text=self.digit_flags())
        else:
            raise ValueError(fmt)
        if revealed:
            self.log_reveal(revealed)
        return count

    def log_reveal(self, revealed: Counter[Any]) -> None:
        """Full personal values left in an export: one reveal record per organization, naming the count."""
        parent_model = self.model._meta.get_field(self.scope_column).related_model
        labels = listing(c.header for c in self.columns if c.mask)
        changes = [
            build_change(parent, ChangeAction.REVEAL, acting_user=self.user,
                         message=_("导出%(title)s%(n)s条，含完整%(fields)s")
                         % {"n": revealed[parent.pk], "title": self.title, "fields": labels})
            for parent in parent_model._default_manager.filter(pk__in=list(revealed))  # type: ignore[union-attr]
        ]
        log_bulk(changes)

    def widths(self) -> list[int]:
        return [max(10, min(40, len(c.header) * 2 + 4)) for c in self.columns]

    def digit_flags(self) -> list[bool]:
        return [bool(getattr(c, "digits_as_text", False)) or isinstance(c, ForeignKeyColumn) for c in self.columns]

    def write_template(self, fmt: str, out: IO[bytes] | Path) -> None:
        """An empty template: the headers, each with a note (xlsx), and a sheet of instructions with an example;
        the csv template carries one example row, which must be replaced before importing."""
        example = [c.example for c in self.columns]
        if fmt == "xlsx":
            notes = [[_("列名"), _("是否必填"), _("填写说明"), _("示例")]]
            notes += [[c.header, _("必填") if c.required else _("选填"), c.describe(), c.example] for c in self.columns]
            notes += [[], [self.template_notes()]]
            comments = [(_("必填。") if c.required else "") + c.describe() for c in self.columns]
            write_xlsx(out, title=str(self.title), header=self.headers(), rows=[], comments=comments, notes=notes,
                       widths=self.widths())
        elif fmt == "csv":
            if isinstance(out, Path):
                with out.open("wb") as handle:
                    write_csv(handle, header=self.headers(), rows=[example], digits_as_text=self.digit_flags())
            else:
                write_csv(out, header=self.headers(), rows=[example], digits_as_text=self.digit_flags())
        else:
            raise ValueError(fmt)

    def template_notes(self) -> str:
        return _("第1行为列名，请勿修改；数据从第2行开始，空行会被跳过。导入时先校验全部数据，有任何错误则不写入。")

    # Import hooks

    def existing(self, keys: list[Any], *, lock: bool) -> dict[Any, Stored]:
        """The stored objects with these natural keys (unrestricted: the engine checks the scope itself).

        A bare SQL probe finds which keys exist (building a 5,000-item ``IN`` through the ORM costs more
        than running it); only those rows are then loaded.
        """
        opts = self.model._meta
        quote = connection.ops.quote_name
        column = quote(bulk.model_field(self.model, self.key).column)
        present: list[Any] = []
        with connection.cursor() as cursor:
            for start in range(0, len(keys), KEY_CHUNK):
                chunk = keys[start:start + KEY_CHUNK]
                cursor.execute(f"SELECT {column} FROM {quote(opts.db_table)} WHERE {column} IN "
                               f"({', '.join(['%s'] * len(chunk))})", chunk)
                present.extend(row[0] for row in cursor.fetchall())
        found: dict[Any, Stored] = {}
        manager = self.model._base_manager
        for start in range(0, len(present), KEY_CHUNK):
            qs = manager.filter(**{f"{self.key}__in": present[start:start + KEY_CHUNK]})
            for stored in self.load_stored(qs, lock=lock):
                found[getattr(stored, self.key)] = stored
        return found

    def load_stored(self, queryset: models.QuerySet[Any], *, lock: bool) -> Iterator[Stored]:
        """``queryset``'s rows as ``Stored`` records (locked for the transaction when ``lock``)."""
        model = self.model
        names = ["pk"]
        for name in (*(c.field for c in self.columns), model.scope_path_field,  # type: ignore[attr-defined]
                     self.scope_column, *self.extra_update_fields):
            attname = bulk.model_field(model, name).attname
            if attname not in names:
                names.append(attname)
        fks = [c for c in self.columns if isinstance(c, ForeignKeyColumn)]
        paths = [*names, *(c.export_path for c in fks)]
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        n = len(names)
        for values in queryset.values_list(*paths):
            yield Stored(dict(zip(names, values[:n], strict=True)),
                         {c.field: code for c, code in zip(fks, values[n:], strict=True)})

    def instances(self, pks: list[Any]) -> dict[Any, Any]:
        """Model instances (with their references) of the objects an import is about to change."""
        related = [c.field for c in self.columns if isinstance(c, ForeignKeyColumn)]
        found: dict[Any, Any] = {}
        for start in range(0, len(pks), KEY_CHUNK):
            qs = self.model._base_manager.filter(pk__in=pks[start:start + KEY_CHUNK]).select_related(*related)
            found.update((obj.pk, obj) for obj in qs)
        return found

    def lookup(self, column: ForeignKeyColumn, codes: set[str]) -> dict[str, Any]:
        """The objects a foreign-key column refers to, by natural key."""
        manager = column.model._base_manager
        found: dict[str, Any] = {}
        codes_list = sorted(codes)
        for start in range(0, len(codes_list), KEY_CHUNK):
            for obj in manager.filter(**{f"{column.key}__in": codes_list[start:start + KEY_CHUNK]}):
                found[getattr(obj, column.key)] = obj
        return found

    def missing_message(self, column: ForeignKeyColumn, code: str) -> str:
        return _("编码 %(code)s 不存在或不在您的管理范围内") % {"code": code}

    def out_of_scope_message(self, row: Row) -> str:
        return _("该记录不在您的管理范围内")

    def root_message(self) -> str:
        return _("只有管理员可以导入最上级的记录")

    def clean_row(self, row: Row) -> None:
        """Add ``row.error(header, message)`` for every rule the row breaks; ``row.values`` holds the final
        values (related objects resolved, blank defaults filled). Fields in ``row.failed`` did not parse."""

    def clean_rows(self, rows: list[Row]) -> None:
        """Rules across rows (cycles among new organizations …), after every row was checked."""

    def prepare(self, obj: Any, row: Row) -> None:
        """Fill derived fields (``org_path`` …) of an object about to be inserted or updated."""

    def before_insert(self, rows: list[Row]) -> None:
        """After primary keys are allocated and before the insert (tree paths of new organizations)."""

    def after_write(self, created: list[Row], updated: list[Row], *, message: str, now: datetime.datetime) -> None:
        """Dependent records (status history …), in the same transaction."""

    def label(self, row: Row) -> str:
        return str(row.values.get(self.label_field) or "")


def import_file(
    resource: Resource, path: Path | str, *, filename: str | None = None, dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import (or with ``dry_run`` only check) ``path`` as ``resource``'s template, as ``resource.user``.

    Returns the result whatever happened; nothing is written unless every row is valid.
    """
    path = Path(path)
    name = filename or path.name
    importer = Importer(resource, filename=name, dry_run=dry_run, progress=progress)
    try:
        fmt = format_for(name)
    except FileError as exc:
        importer.result.add_error(None, "", str(exc))
        return importer.result
    return importer.run(path, fmt)


def export(
    resource: Resource, queryset: models.QuerySet[Any] | None, fmt: str, out: IO[bytes] | Path,
) -> int:
    """Write the rows of ``queryset`` that ``resource.user`` may see, in the template's columns; returns the count."""
    return resource.export(fmt, out, queryset)


def export_response(
    resource: type[Resource] | Resource, queryset: models.QuerySet[Any] | None, fmt: str, *, user: Any = None,
    filename: str | None = None,
) -> FileResponse:
    """A download of ``queryset`` (restricted again to what the user may see) in the template's columns.

    List pages pass their filtered queryset: ``export_response(MemberResource, rows, "xlsx", user=request.user)``;
    ``resource`` may also be an instance (then ``user`` is its own).
    """
    if fmt not in FORMATS:
        raise Http404
    instance = resource if isinstance(resource, Resource) else resource(user)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (FileResponse closes it)
    instance.export(fmt, out, queryset)
    out.seek(0)
    name = filename or f"{instance.title}_{timezone.localdate():%Y%m%d}.{fmt}"
    return FileResponse(out, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])


def rows_response(
    fmt: str, *, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str
) -> FileResponse:
    """A download of plain rows (a computed list such as the gaps) in the same formats as the exports."""
    if fmt not in FORMATS:
        raise Http404
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (FileResponse closes it)
    if fmt == "xlsx":
        write_xlsx(out, title=title, header=header, rows=rows)
    else:
        write_csv(out, header=header, rows=rows)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"{filename}.{fmt}", content_type=CONTENT_TYPES[fmt])


__all__ = [
    "CREATE", "REFUSED", "UNCHANGED", "UPDATE", "ImportResult", "Pending", "Resource", "Row", "Stored", "error_line",
    "export", "export_response", "get_resource", "import_file", "register", "resources", "rows_response",
]
