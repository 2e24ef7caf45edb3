"""Loading the reference corpus and checking a text against it."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from core.changelog import log_change, snapshot
from core.choices import ChangeAction
from essays.index import Result
from essays.models import ReferenceDocument

MAX_BYTES = 5 * 1024 * 1024  # one document
MAX_ZIP_MEMBERS = 20000
MIN_CHARACTERS = 50


class CorpusError(ValueError):
    pass


@dataclass
class Loaded:
    added: int
    skipped: int  # already in the corpus (same text)
    refused: list[str]


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorpusError(_("无法识别文本编码，请另存为 UTF-8"))


def documents(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the .txt files in a file, a folder or a .zip (sizes bounded, so no zip bomb)."""
    if path.is_dir():
        for item in sorted(path.rglob("*.txt")):
            if item.stat().st_size <= MAX_BYTES:
                yield str(item.relative_to(path)), item.read_bytes()
            else:
                yield str(item), b""
    elif path.suffix.lower() == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise CorpusError(_("%(name)s 不是有效的 zip 文件") % {"name": path.name}) from None
        with archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".txt")]
            if len(members) > MAX_ZIP_MEMBERS:
                raise CorpusError(_("压缩包中的文件太多（最多%(n)s个）") % {"n": MAX_ZIP_MEMBERS})
            for member in members:
                if member.file_size > MAX_BYTES:
                    yield member.filename, b""
                    continue
                with archive.open(member) as handle:
                    data = handle.read(MAX_BYTES + 1)  # bounded whatever the header claims (zip bombs)
                yield member.filename, data if len(data) <= MAX_BYTES else b""
    else:
        yield path.name, path.read_bytes() if path.stat().st_size <= MAX_BYTES else b""


def add(paths: list[Path], *, acting_user: Any, source_url: str = "") -> Loaded:
    """Each document's first line is its title; a line ``来源：URL`` or ``Source: URL`` near the top sets its
    source (``source_url`` otherwise). ``acting_user`` (an administrator) loads them, and is logged as doing so;
    anyone else is refused (``OutOfScope``) before anything is written."""
    loaded = Loaded(0, 0, [])
    for path in paths:
        for name, raw in documents(path):
            if not raw:
                loaded.refused.append(_("%(name)s：文件为空或超过5 MB") % {"name": name})
                continue
            try:
                text = decode(raw)
            except CorpusError as exc:
                loaded.refused.append(f"{name}：{exc}")
                continue
            lines = [line.strip() for line in text.splitlines()]
            title = next((line for line in lines if line), name)[:300]
            url = source_url
            for line in lines[:5]:
                for prefix in ("来源：", "来源:", "Source:", "source:"):
                    if line.startswith(prefix):
                        url = line[len(prefix):].strip()
            try:
                _doc, created = save_document(title, url, text, acting_user=acting_user)
            except CorpusError as exc:
                loaded.refused.append(f"{name}：{exc}")
                continue
            if created:
                loaded.added += 1
            else:
                loaded.skipped += 1
    return loaded


@transaction.atomic
def save_document(title: str, url: str, text: str, *, acting_user: Any) -> tuple[ReferenceDocument, bool]:
    """Add one document (the same text twice is kept once), logged; refused with the reason when it is not
    a document. Administrators only (the command line acts as a named account or the first superuser)."""
    from core import services as core

    core.require_admin(acting_user)
    body = (text or "").strip()
    if sum(1 for c in body if "\u4e00" <= c <= "\u9fff") < MIN_CHARACTERS:
        raise CorpusError(_("正文少于%(n)s个汉字") % {"n": MIN_CHARACTERS})
    if len(body.encode()) > MAX_BYTES:
        raise CorpusError(_("正文超过5 MB"))
    title = (title or "").strip()[:300] or body.splitlines()[0][:300]
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        url = ""  # shown as a link to every reviewer: nothing but a web address
    digest = hashlib.sha256(body.encode()).hexdigest()
    doc, created = ReferenceDocument.objects.get_or_create(
        digest=digest, defaults={"title": title, "source_url": (url or "")[:500], "text": body})
    if created:
        log_change(doc, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(doc),
                   message=_("载入参考文献"))
    return doc, created


@transaction.atomic
def delete_document(doc: ReferenceDocument, *, acting_user: Any) -> None:
    """Remove a document from the corpus (administrators); the index drops it at its next rebuild, and
    until then a passage matched to it shows as a deleted document."""
    from core import services as core

    core.require_admin(acting_user)
    log_change(doc, ChangeAction.DELETE, acting_user=acting_user, before=snapshot(doc))
    doc.delete()


def check(text: str) -> Result:
    """Check ``text`` against the installation's essays and corpus, saving nothing."""
    from essays import originality

    originality.validate(text)
    return originality.check_text(text)


def describe(text: str, result: Result) -> dict[str, Any]:
    """The result as the command prints it: the percentage and each passage with its source."""
    from essays import originality

    return originality.describe(text, result)
