"""Checking evidence files before anything is written: type by extension *and* content, size by the rule
table, a name that is safe to show. Every file of an upload is checked first, so a bad file leaves nothing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from campaigns.rules import EVIDENCE_TYPES
from core.rules import rule_value
from core.text import listing

MAX_FILES = 10


@dataclass(frozen=True)
class CheckedFile:
    upload: Any
    name: str
    size: int
    content_type: str


@contextmanager
def writing() -> Iterator[Callable[[Any, CheckedFile], None]]:
    """``write(evidence, checked)`` puts a checked upload in an unsaved ``Evidence``'s file field; if anything
    in the block fails afterwards (a later check, a database error), the files written are deleted as the
    transaction rolls their rows back, so no personal file is left behind without its record. Services run
    the rest of their writes inside the block."""
    written: list[Any] = []

    def write(evidence: Any, item: CheckedFile) -> None:
        evidence.file.save(item.name, item.upload, save=False)
        written.append(evidence.file)

    try:
        yield write
    except BaseException:
        for stored in written:
            stored.storage.delete(stored.name)
        raise


def _safe_name(name: str) -> str:
    """The file's own name (no folders, nothing unprintable), shortened to 200 characters before its extension."""
    base = PurePath(name.replace("\\", "/")).name.strip() or "file"
    base = "".join(ch for ch in base if ch.isprintable())
    if len(base) <= 200:
        return base
    suffix = PurePath(base).suffix[:20]
    return base[:200 - len(suffix)] + suffix


def check_files(files: Sequence[Any]) -> list[CheckedFile]:
    """The uploads, checked; a ``ValidationError`` naming the file and the rule for the first bad one."""
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("一次最多上传%(n)s个文件") % {"n": MAX_FILES}})
    limit_mb = int(rule_value("campaigns.evidence_max_mb"))
    allowed = listing(sorted({ext.lstrip(".") for ext in EVIDENCE_TYPES}))
    checked = []
    for upload in files:
        name = _safe_name(getattr(upload, "name", "") or "")
        suffix = PurePath(name).suffix.lower()
        if suffix not in EVIDENCE_TYPES:
            raise ValidationError({"files": _("“%(name)s”的类型不允许上传；佐证材料只能是 %(allowed)s 文件")
                                   % {"name": name, "allowed": allowed}})
        if upload.size > limit_mb * 1024 * 1024:
            raise ValidationError({"files": _("“%(name)s”有%(size).1f MB，超过上限%(limit)s MB")
                                   % {"name": name, "size": upload.size / 1024 / 1024, "limit": limit_mb}})
        if upload.size == 0:
            raise ValidationError({"files": _("“%(name)s”是空文件") % {"name": name}})
        content_type, magics = EVIDENCE_TYPES[suffix]
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(m) for m in magics) or (suffix in (".docx", ".xlsx") and not _office(upload)):
            raise ValidationError({"files": _("“%(name)s”的内容与扩展名不符（可能是改了扩展名的其他文件）")
                                   % {"name": name}})
        checked.append(CheckedFile(upload, name, upload.size, content_type))
    return checked


def _office(upload: Any) -> bool:
    """A real Office document: a readable zip with a content-types part."""
    try:
        data = upload.read()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)
