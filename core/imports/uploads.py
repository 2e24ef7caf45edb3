"""Uploaded import files, kept between the dry run and the confirmation, and the work done on them.

An upload lives in ``MEDIA_ROOT/imports/<uuid>/`` (the file and a small ``meta.json`` naming its owner),
so the confirm step and a background task refer to it by token instead of asking for the file again.
Only its owner can use it; it is deleted once imported or refused, and forgotten uploads are purged after
a day.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.imports.engine import Progress, get_resource, import_file
from core.imports.files import READ_FORMATS, ZIP_MAGIC, FileError, format_for, size_error

IMPORT_TASK = "imports.run"
STALE_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
DIMENSION_RE = re.compile(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')


class UploadMissing(LookupError):
    """No such upload for this user (never existed, someone else's, already imported or purged)."""


@dataclass
class Upload:
    token: str
    resource: str
    filename: str
    size: int
    user_id: int
    created: float

    @property
    def folder(self) -> Path:
        return uploads_root() / self.token

    @property
    def path(self) -> Path:
        return self.folder / ("upload" + Path(self.filename).suffix.lower())


def uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def task_rows() -> int:
    return int(getattr(settings, "CHUXIN_IMPORT_TASK_ROWS", 5000))


def task_bytes() -> int:
    return int(getattr(settings, "CHUXIN_IMPORT_TASK_BYTES", 2 * 1024 * 1024))


def save_upload(uploaded: Any, *, user: Any, resource: str) -> Upload:
    """Keep an uploaded file (a Django ``UploadedFile``) for ``user``; refuses wrong types and oversize files."""
    name = Path(uploaded.name or "").name or "upload"
    format_for(name)
    problem = size_error(uploaded.size or 0)
    if problem:
        raise FileError(problem)
    purge_stale()
    upload = Upload(uuid.uuid4().hex, resource, name, int(uploaded.size or 0), user.pk, time.time())
    upload.folder.mkdir(parents=True, exist_ok=True)
    with upload.path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    (upload.folder / "meta.json").write_text(json.dumps(asdict(upload), ensure_ascii=False))
    return upload


def load_upload(token: str, *, user: Any) -> Upload:
    if not TOKEN_RE.match(token or ""):
        raise UploadMissing(token)
    try:
        meta = json.loads((uploads_root() / token / "meta.json").read_text())
        upload = Upload(**meta)
    except (OSError, ValueError, TypeError):
        raise UploadMissing(token) from None
    if upload.user_id != user.pk or not upload.path.exists():
        raise UploadMissing(token)
    return upload


def discard(upload: Upload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def purge_stale(now: float | None = None, root: Path | None = None) -> None:
    """Delete the folders under ``root`` (the uploads by default) older than a day."""
    root = root or uploads_root()
    if not root.is_dir():
        return
    limit = (now or time.time()) - STALE_SECONDS
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def estimate_rows(path: Path) -> int:
    """A cheap upper estimate of the data rows, to decide whether the work goes to a background task:
    line count of a csv; for an xlsx the sheet's declared dimension, or its unpacked size."""
    fmt = READ_FORMATS.get(path.suffix.lower())
    try:
        if fmt == "csv":
            with path.open("rb") as handle:
                return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
        with path.open("rb") as handle:
            if handle.read(4) != ZIP_MAGIC:
                return 0
        with zipfile.ZipFile(path) as archive:
            sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
            if not sheets:
                return 0
            with archive.open(sheets[0]) as sheet:
                match = DIMENSION_RE.search(sheet.read(4096))
            if match:
                return int(match.group(1)) - 1
            return archive.getinfo(sheets[0]).file_size // 400
    except (OSError, zipfile.BadZipFile, ValueError):
        return 0


def runs_in_background(upload: Upload) -> bool:
    return upload.size > task_bytes() or estimate_rows(upload.path) > task_rows()


def run_upload(upload: Upload, *, user: Any, dry_run: bool, progress: Progress | None = None) -> dict[str, Any]:
    """Check or import a kept upload as ``user``; the result (a dict) names the upload for the next step."""
    resource = get_resource(upload.resource)(user)
    result = import_file(resource, upload.path, filename=upload.filename, dry_run=dry_run, progress=progress)
    data = result.as_dict()
    data["token"] = upload.token
    if result.written or not result.ok:
        discard(upload)  # imported, or refused (a new upload is needed anyway): keep no personal data around
    return data


def run_import_task(ctx: Any) -> dict[str, Any]:
    """The background task (registered by ``orgs.tasks``): params ``token`` and ``dry_run``."""
    try:
        upload = load_upload(ctx.params["token"], user=ctx.user)
    except UploadMissing:
        return {"kind": "import", "ok": False, "errors": [[None, "", _("上传的文件已失效，请重新上传")]],
                "error_count": 1, "counts": {}, "samples": {}, "dry_run": bool(ctx.params.get("dry_run"))}
    return run_upload(upload, user=ctx.user, dry_run=bool(ctx.params.get("dry_run")), progress=ctx.progress)


__all__ = [
    "IMPORT_TASK", "Upload", "UploadMissing", "discard", "load_upload", "run_import_task", "run_upload",
    "runs_in_background", "save_upload",
]
