"""Declarative tables for list pages: columns with labels, accessors, sort keys and links."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import format_html

from core.text import is_chinese

SHORT = 21  # characters: a text column this narrow (an 18-digit ID number, a phone number) does not wrap


@dataclass(frozen=True)
class Column:
    name: str
    label: Any = ""
    accessor: str | Callable[[Any, Any], Any] | None = None  # a dotted path, or a function of (row, table)
    sort: str | None = None
    link: bool = False
    css: str = ""
    phone: bool = True  # shown on a phone-sized screen

    def value(self, obj: Any, table: Any = None) -> Any:
        accessor = self.accessor or self.name
        if callable(accessor):
            return accessor(obj, table)
        target = obj
        for part in accessor.split("."):
            display = getattr(target, f"get_{part}_display", None)
            target = display() if display is not None else getattr(target, part, None)
            if target is None:
                return ""
        return target


class Table:
    """Subclasses set ``model`` and ``columns``; the first linked column links to the object's page."""

    model: type[models.Model]
    columns: Sequence[Column] = ()
    select_related: Sequence[str] = ()
    default_sort: tuple[str, ...] = ("pk",)

    def __init__(self, rows: Iterable[Any], sort: str = "", user: Any = None) -> None:
        self.rows = rows
        self.sort = sort
        self.user = user

    @classmethod
    def label(cls, column: Column) -> Any:
        if column.label:
            return column.label
        try:
            return getattr(cls.model._meta.get_field(column.name), "verbose_name", column.name)
        except FieldDoesNotExist:
            return column.name

    @classmethod
    def css(cls, column: Column) -> str:
        """The column's classes; a column of dates or short codes (an ID number, a phone number) does not
        wrap, so that "2026-11-17" never breaks in the middle, nor in Chinese a choice such as "已退回" (an
        English label wraps between its words)."""
        if "wrap" in column.css:
            return column.css
        try:
            field = cls.model._meta.get_field(column.name)
        except FieldDoesNotExist:
            return column.css
        if isinstance(field, models.CharField) and field.choices:
            short = is_chinese()
        else:
            short = isinstance(field, models.DateField) or (
                isinstance(field, models.CharField) and (field.max_length or SHORT) < SHORT)
        return f"{column.css} text-nowrap".strip() if short else column.css

    def headers(self) -> list[dict[str, Any]]:
        return [{"column": c, "label": self.label(c), "sort": c.sort} for c in self.columns]

    def sortable(self) -> bool:
        return any(c.sort for c in self.columns)

    def cells(self) -> Iterable[tuple[Any, list[tuple[Any, Any, str]]]]:
        """Each row's object and its cells: (value, the column's label for a phone's stacked rows, classes);
        labels and classes are worked out once per column, not per cell."""
        columns = [(c, self.label(c), self.css(c) + ("" if c.phone else " cx-wide-only")) for c in self.columns]
        for obj in self.rows:
            yield obj, [(self.render(c, obj), label, css) for c, label, css in columns]

    def render(self, column: Column, obj: Any) -> Any:
        value = column.value(obj, self)
        if column.link and hasattr(obj, "get_absolute_url"):
            return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), value)
        if value is True:
            return "✓"
        if value is False:
            return ""
        return value
