"""Column types of an import/export template: how one cell is parsed on import and formatted on export.

A column parses a whole column of raw cells at once (``parse_many``), because a per-cell method call
is the dominant cost of a 100,000-row import; the per-cell ``parse`` is the slow, exact path it falls
back to for anything unusual. Blank cells never reach ``parse``: they become the column's blank value,
``UNSET`` (when the model field has a default: the default for a new row, unchanged for an existing
one) or a "required" error.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from core.text import listing


class CellError(ValueError):
    """A cell whose content cannot be read; the message is shown to the user as the reason."""


class _Unset:
    """A blank cell in a column whose field has a default: default on create, unchanged on update."""

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


MASKED_DATE_RE = re.compile(r"^\d{4}-\d{2}$")


class Masked(str):
    """A masked personal value (``110101********1234``) read from a file: it means "unchanged"."""


_REQUIRED: Any = object()


class _Slow(Exception):
    """A fast path met a cell it does not handle; the exact path takes over."""


def _fail() -> Any:
    raise _Slow


FILE_LANGUAGE = "zh-hans"
EXCEL_EPOCH = datetime.date(1899, 12, 30)
SCIENTIFIC_RE = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
DATE_SEPARATORS = re.compile(r"[/.年月]")
FORMULA_PREFIXES = ("=", "+", "-", "@")
_PAREN_TABLE = str.maketrans({"(": "（", ")": "）", " ": "", "\u3000": ""})


def normalize_label(text: str) -> str:
    """Header and choice-label matching ignores spaces and whether parentheses are full- or half-width."""
    return text.translate(_PAREN_TABLE)


def is_blank(raw: Any) -> bool:
    return raw is None or (type(raw) is str and not raw.strip())


def unescape_text(text: str) -> str:
    """Undo the ``'`` that exports put before text Excel would otherwise run as a formula."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def number_text(raw: int | float) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


class Column:
    """One column: Chinese ``header``, model ``field``, whether it is ``required``, a ``hint`` for the template.

    ``default`` (when given) makes a blank cell ``UNSET`` instead of the blank value.
    """

    kind = "text"
    blank_value: Any = ""
    # How the value is shown in an export to someone outside its reveal scope (None: shown as it is).
    mask: Callable[[Any], Any] | None = None

    def __init__(
        self, header: str, field: str, *, required: bool = False, default: Any = UNSET, hint: Any = "",
        example: Any = "",
    ) -> None:
        self.header = header
        self.field = field
        self.required = required
        self.default = default
        self.hint = hint
        self.example = example

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.header}>"

    @property
    def export_path(self) -> str:
        """The ``values_list`` path that reads this column for export."""
        return self.field

    def parse(self, raw: Any) -> Any:
        raise NotImplementedError

    def parse_many(self, raws: Sequence[Any]) -> tuple[list[Any], dict[int, str]]:
        """Parse a whole column; returns the values and ``{index: reason}`` for the cells that failed.

        The fast path (``_fast``) handles the regular cells of a column in one comprehension and gives up
        (raising) at the first irregular one; the exact path then parses cell by cell.
        """
        blank = self._blank()
        try:
            values = self._fast(raws, blank)
        except (_Slow, ValueError, KeyError, TypeError):
            pass
        else:
            if blank is not _REQUIRED or not any(v is _REQUIRED for v in values):
                return values, {}
        return self._exact(raws, blank)

    def _fast(self, raws: Sequence[Any], blank: Any) -> list[Any]:
        raise _Slow

    def _exact(self, raws: Sequence[Any], blank: Any) -> tuple[list[Any], dict[int, str]]:
        values: list[Any] = []
        errors: dict[int, str] = {}
        parse = self.parse
        append = values.append
        for i, raw in enumerate(raws):
            if is_blank(raw):
                if blank is _REQUIRED:
                    errors[i] = _("不能为空")
                    append(None)
                else:
                    append(blank)
                continue
            try:
                append(parse(raw))
            except CellError as exc:
                errors[i] = str(exc)
                append(None)
        return values, errors

    def _blank(self) -> Any:
        if self.required:
            return _REQUIRED
        if self.default is not UNSET:
            return UNSET
        return self.blank_value

    def format(self, value: Any) -> Any:
        """The cell written on export (``None`` for an empty cell)."""
        return None if value in (None, "") else value

    def describe(self) -> str:
        """What the cell should contain, for the template's notes."""
        return str(self.hint)


class TextColumn(Column):
    """Free text; numbers typed into a general-format cell are read back as the digits the user sees.

    ``numeric_error`` refuses numbers outright (an 18-digit ID number stored as a number has already lost
    its last digits in Excel); ``normalize`` canonicalizes (upper-case X in ID numbers); ``mask`` marks a
    column whose exported value may be masked, and a masked value on import means "unchanged".
    """

    def __init__(
        self, header: str, field: str, *, max_length: int | None = None, numeric_error: Any = None,
        normalize: Callable[[str], str] | None = None, mask: Callable[[str | None], str] | None = None,
        digits_as_text: bool = False, **kwargs: Any,
    ) -> None:
        super().__init__(header, field, **kwargs)
        self.max_length = max_length
        self.numeric_error = numeric_error
        self.normalize = normalize
        self.mask = mask
        self.digits_as_text = digits_as_text

    def parse(self, raw: Any) -> Any:
        if type(raw) is str:
            text = unescape_text(raw.strip())
            if self.numeric_error is not None and SCIENTIFIC_RE.match(text):
                raise CellError(str(self.numeric_error))
        elif isinstance(raw, bool):
            text = "是" if raw else "否"
        elif isinstance(raw, int | float):
            if self.numeric_error is not None:
                raise CellError(str(self.numeric_error))
            text = number_text(raw)
        elif isinstance(raw, datetime.datetime | datetime.date):
            text = raw.strftime("%Y-%m-%d")
        else:
            text = str(raw).strip()
        if self.mask is not None and "*" in text:
            return Masked(text)
        if self.normalize is not None:
            text = self.normalize(text)
        if self.max_length is not None and len(text) > self.max_length:
            raise CellError(_("不能超过%(n)s个字符") % {"n": self.max_length})
        return text

    def _fast(self, raws: Sequence[Any], blank: Any) -> list[Any]:
        # The common case: strings within the length limit, not masked (no ``*``), not numbers in
        # scientific notation (no ``+``), not escaped (no leading ``'``); anything else goes the exact way.
        limit = self.max_length or 1 << 30
        normalize = self.normalize or str.strip
        return [
            (normalize(raw) or blank)
            if type(raw) is str and len(raw) <= limit and raw[:1] != "'" and "*" not in raw and "+" not in raw
            else blank if raw is None else _fail()
            for raw in raws
        ]

    def format(self, value: Any) -> Any:
        return None if value in (None, "") else value


def parse_date(raw: Any) -> datetime.date:
    if type(raw) is datetime.date:
        return raw
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, bool):
        raise CellError(_("日期格式应为YYYY-MM-DD"))
    if isinstance(raw, int | float):
        number = int(raw)
        if 19000101 <= number <= 29991231:
            return parse_date(str(number))
        # A serial (days since 1899-12-30) from a cell that lost its date format; four digits are a year.
        if 10000 <= number <= 2958465 and float(raw).is_integer():
            return EXCEL_EPOCH + datetime.timedelta(days=number)
        raise CellError(_("日期格式应为YYYY-MM-DD"))
    text = str(raw).strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    parts = DATE_SEPARATORS.sub("-", text.rstrip("日")).split("-")
    if len(parts) == 1 and len(text) == 8 and text.isdigit():
        parts = [text[:4], text[4:6], text[6:]]
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        try:
            return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            raise CellError(_("日期“%(value)s”不存在") % {"value": text}) from None
    raise CellError(_("日期格式应为YYYY-MM-DD"))


class DateColumn(Column):
    """A date: a date cell, ``YYYY-MM-DD`` (also ``/``, ``.``, ``年月日``, ``YYYYMMDD``) or an Excel serial."""

    kind = "date"
    blank_value = None

    def __init__(self, header: str, field: str, *, mask: Callable[[Any], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(header, field, **kwargs)
        self.mask = mask

    def parse(self, raw: Any) -> Any:
        if self.mask is not None and isinstance(raw, str) and MASKED_DATE_RE.match(raw.strip()):
            return Masked(raw.strip())  # what an export shows outside the reveal scope: "unchanged"
        return parse_date(raw)

    def _fast(self, raws: Sequence[Any], blank: Any) -> list[Any]:
        date, fromiso = datetime.date, datetime.date.fromisoformat
        return [
            raw if type(raw) is date else fromiso(raw) if type(raw) is str and len(raw) == 10
            else blank if raw == "" or raw is None else _fail()
            for raw in raws
        ]

    def format(self, value: Any) -> Any:
        return value

    def describe(self) -> str:
        return str(self.hint or _("日期，格式YYYY-MM-DD"))


class IntegerColumn(Column):
    """A whole number (a record's number in an export)."""

    kind = "int"
    blank_value = None

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, bool):
            raise CellError(_("应填写整数"))
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, int):
            return raw
        text = str(raw).strip()
        if not text.isdigit():
            raise CellError(_("应填写整数"))
        return int(text)

    def describe(self) -> str:
        return str(self.hint or _("整数"))


class DateTimeColumn(Column):
    """A moment: a date-time cell or ``YYYY-MM-DD HH:MM``, read in the installation's time zone."""

    kind = "datetime"
    blank_value = None

    def parse(self, raw: Any) -> Any:
        from django.utils import timezone

        if isinstance(raw, datetime.datetime):
            value = raw
        elif isinstance(raw, str):
            try:
                value = datetime.datetime.fromisoformat(raw.strip().replace("/", "-"))
            except ValueError:
                raise CellError(_("时间格式应为YYYY-MM-DD HH:MM")) from None
        else:
            raise CellError(_("时间格式应为YYYY-MM-DD HH:MM"))
        return value if timezone.is_aware(value) else timezone.make_aware(value)

    def format(self, value: Any) -> Any:
        from django.utils import timezone

        return None if value is None else f"{timezone.localtime(value):%Y-%m-%d %H:%M}"

    def describe(self) -> str:
        return str(self.hint or _("时间，格式YYYY-MM-DD HH:MM"))


class ChoiceColumn(Column):
    """One of a fixed set: the Chinese label as shown in the application; the stored value is accepted too.

    Labels are read in Chinese whatever the user's language, so that a file means the same to everyone.
    """

    kind = "choice"

    def __init__(self, header: str, field: str, choices: Iterable[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(header, field, **kwargs)
        self._source = list(choices)
        self._built: tuple[list[tuple[str, str]], dict[str, str], dict[str, str]] | None = None

    def _build(self) -> tuple[list[tuple[str, str]], dict[str, str], dict[str, str]]:
        if self._built is None:
            with translation.override(FILE_LANGUAGE):
                choices = [(value, str(label)) for value, label in self._source]
            lookup: dict[str, str] = {}
            for value, label in choices:
                lookup[normalize_label(label)] = value
                lookup.setdefault(value, value)
                lookup.setdefault(value.lower(), value)
            self._built = (choices, dict(choices), lookup)
        return self._built

    @property
    def choices(self) -> list[tuple[str, str]]:
        return self._build()[0]

    @property
    def labels(self) -> dict[str, str]:
        return self._build()[1]

    @property
    def lookup(self) -> dict[str, str]:
        return self._build()[2]

    def parse(self, raw: Any) -> Any:
        text = number_text(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else str(raw).strip()
        value = self.lookup.get(text) or self.lookup.get(normalize_label(text)) or self.lookup.get(text.lower())
        if value is None:
            shown = listing(label for _value, label in self.choices[:12])
            more = "…" if len(self.choices) > 12 else ""
            raise CellError(_("“%(value)s”不是有效的选项，可选：%(choices)s%(more)s")
                            % {"value": text, "choices": shown, "more": more})
        return value

    def _fast(self, raws: Sequence[Any], blank: Any) -> list[Any]:
        lookup = self.lookup
        return [lookup[raw] if raw else blank if raw == "" or raw is None else _fail() for raw in raws]

    def format(self, value: Any) -> Any:
        return self.labels.get(value, value) if value not in (None, "") else None

    def describe(self) -> str:
        return str(self.hint or _("可选：%(choices)s") % {"choices": listing(label for _v, label in self.choices)})


class BooleanColumn(Column):
    kind = "bool"
    TRUE = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
    FALSE = frozenset({"否", "n", "no", "false", "0", "×", "✗", "无"})

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, bool):
            return raw
        text = number_text(raw) if isinstance(raw, int | float) else str(raw).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise CellError(_("应填写“是”或“否”"))

    def format(self, value: Any) -> Any:
        return "是" if value else "否"

    def describe(self) -> str:
        return str(self.hint or _("填写“是”或“否”"))


class DecimalColumn(Column):
    """A number kept to ``places`` decimals, between ``minimum`` and ``maximum``."""

    kind = "decimal"
    blank_value = None

    def __init__(self, header: str, field: str, *, places: int = 1, minimum: Any = None, maximum: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(header, field, **kwargs)
        self.places = places
        self.minimum = None if minimum is None else decimal.Decimal(str(minimum))
        self.maximum = None if maximum is None else decimal.Decimal(str(maximum))

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, bool):
            raise CellError(_("应填写数字"))
        text = number_text(raw) if isinstance(raw, int | float) else str(raw).strip()
        try:
            value = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise CellError(_("应填写数字")) from None
        if not value.is_finite():
            raise CellError(_("应填写数字"))
        step = decimal.Decimal(1).scaleb(-self.places)
        if value != value.quantize(step):
            raise CellError(_("最多保留%(n)s位小数") % {"n": self.places})
        if self.minimum is not None and value < self.minimum:
            raise CellError(_("不能小于%(n)s") % {"n": self.minimum})
        if self.maximum is not None and value > self.maximum:
            raise CellError(_("不能大于%(n)s") % {"n": self.maximum})
        return value.quantize(step)

    def format(self, value: Any) -> Any:
        return None if value is None else float(value)

    def describe(self) -> str:
        bounds = ""
        if self.minimum is not None and self.maximum is not None:
            bounds = _("，%(lo)s–%(hi)s") % {"lo": self.minimum, "hi": self.maximum}
        return str(self.hint or (_("数字，最多%(n)s位小数") % {"n": self.places} + bounds))


class ForeignKeyColumn(Column):
    """A reference by natural key (an organization by its code); the engine resolves all of them at once."""

    kind = "fk"
    blank_value = None

    def __init__(self, header: str, field: str, *, model: Any, key: str = "code",
                 mask: Callable[[Any], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(header, field, **kwargs)
        self.model = model
        self.key = key
        if mask is not None:
            self.mask = mask  # a personal key (a member's ID number), masked in exports like the member's own

    @property
    def export_path(self) -> str:
        return f"{self.field}__{self.key}"

    def parse(self, raw: Any) -> Any:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return number_text(raw)
        return unescape_text(str(raw).strip())

    def _fast(self, raws: Sequence[Any], blank: Any) -> list[Any]:
        # Codes typed as text (not escaped with a leading ``'``); numbers and the rest go the exact way.
        return [
            (raw.strip() or blank) if type(raw) is str and raw[:1] != "'" else blank if raw is None else _fail()
            for raw in raws
        ]

    def format(self, value: Any) -> Any:
        return None if value in (None, "") else value


__all__ = [
    "UNSET", "BooleanColumn", "CellError", "ChoiceColumn", "Column", "DateColumn", "DateTimeColumn", "DecimalColumn",
    "ForeignKeyColumn", "IntegerColumn", "Masked", "TextColumn", "is_blank", "normalize_label", "parse_date",
]
