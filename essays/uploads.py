"""The text of an uploaded essay (.txt or .docx), or a clear reason why there is none.

A .docx is a zip archive: before python-docx opens it, the archive is checked — a valid zip, the parts a
Word document has, and the sizes its entries claim bounded (a zip bomb claims, or inflates to, far more than
any essay). Reading the XML is bounded again by the parser python-docx configures (no entity expansion).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from essays.corpus import CorpusError, decode

MAX_UPLOAD = 5 * 1024 * 1024  # bytes of the uploaded file
MAX_UNPACKED = 20 * 1024 * 1024  # bytes of all entries of a .docx, as the archive declares them
MAX_RATIO = 100  # declared size over compressed size of one entry; Word's XML compresses ~10:1


def text_of(upload: Any) -> str:
    name = (getattr(upload, "name", "") or "").lower()
    if upload.size > MAX_UPLOAD:
        raise ValidationError(_("文件超过5 MB"), code="too_large")
    raw = upload.read(MAX_UPLOAD + 1)
    if name.endswith(".txt"):
        try:
            return decode(raw)
        except CorpusError as exc:
            raise ValidationError(str(exc), code="encoding") from None
    if name.endswith(".docx"):
        return _docx(raw)
    if name.endswith(".doc"):
        raise ValidationError(_("不支持旧版 Word（.doc）文件，请在 Word 中另存为 .docx 后上传"), code="doc")
    raise ValidationError(_("只能上传 .docx 或 .txt 文件"), code="type")


def _docx(raw: bytes) -> str:
    not_word = ValidationError(_("这个文件不是有效的 Word 文档（.docx），可能是改了扩展名的其他文件"), code="not_docx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise not_word from None
    with archive:
        entries = archive.infolist()
        names = {e.filename for e in entries}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise not_word
        declared = sum(e.file_size for e in entries)
        if declared > MAX_UNPACKED or any(
                e.compress_size and e.file_size / e.compress_size > MAX_RATIO and e.file_size > 1024 * 1024
                for e in entries):
            raise ValidationError(_("这个 Word 文档解压后过大（可能是压缩炸弹），已拒收"), code="bomb")
        with archive.open("word/document.xml") as handle:
            if len(handle.read(MAX_UNPACKED + 1)) > MAX_UNPACKED:  # the sizes in the header can lie
                raise ValidationError(_("这个 Word 文档解压后过大（可能是压缩炸弹），已拒收"), code="bomb")
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception:  # python-docx raises several kinds for a damaged package
        raise not_word from None
    return "\n".join(paragraph.text for paragraph in document.paragraphs).strip()
