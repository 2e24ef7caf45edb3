"""The persistent originality index: memory-mapped segments on disk and an in-memory tail.

The database holds every indexed text (submitted essay versions and reference documents); the index under
``CHUXIN_ORIGINALITY_DIR`` (default ``DATA_DIR/originality``) is derived from it, so SQLite and PostgreSQL
deployments work alike and ``chuxin essays reindex`` can always rebuild it.

- **Segments** are immutable ``.npy`` files (hashes, documents, positions, sorted by hash) that every server
  process memory-maps, so the operating system shares one copy of them. ``manifest.json`` lists them and
  the *marks*: the highest essay-version and reference-document ids they cover.
- **The tail**: documents above the marks are read from the database and fingerprinted in memory by each
  process (a cheap query of ids tells which are new), so a submission is searchable at once.
- **Merging**: when the tail holds ``MERGE_AT`` documents, they are written as a new segment (under a file
  lock, manifest replaced atomically); beyond ``MAX_SEGMENTS`` segments, all but the largest are compacted
  into one. Other processes see the manifest change and map the new files.

Document ids: an essay version is its primary key, a reference document its primary key negated.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import uuid
from collections.abc import Collection, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from essays import fingerprint as fp
from essays.index import Index, Segment

logger = logging.getLogger(__name__)

MERGE_AT = 1000  # tail documents that make a new segment
MAX_SEGMENTS = 8  # more are compacted into one
SETTLE = timedelta(seconds=60)  # a document is merged only once its transaction has surely committed
CHUNK = 2000


def directory() -> Path:
    configured = getattr(settings, "CHUXIN_ORIGINALITY_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "originality"


def essay_doc(pk: int) -> int:
    return pk


def reference_doc(pk: int) -> int:
    return -pk


def _sources(essay_above: int = 0, ref_above: int = 0) -> tuple[Any, Any]:
    from essays.models import EssayVersion, ReferenceDocument

    return (EssayVersion.objects.filter(pk__gt=essay_above), ReferenceDocument.objects.filter(pk__gt=ref_above))


def _texts(essay_ids: list[int], ref_ids: list[int]) -> Iterator[tuple[int, str]]:
    essays, refs = _sources()
    for start in range(0, len(essay_ids), CHUNK):
        for pk, text in essays.filter(pk__in=essay_ids[start:start + CHUNK]).values_list("pk", "text"):
            yield essay_doc(pk), text
    for start in range(0, len(ref_ids), CHUNK):
        for pk, text in refs.filter(pk__in=ref_ids[start:start + CHUNK]).values_list("pk", "text"):
            yield reference_doc(pk), text


def texts(ids: Collection[int]) -> dict[int, str]:
    """The texts of indexed documents by document id (to extend matched passages)."""
    essay_ids = [i for i in ids if i > 0]
    ref_ids = [-i for i in ids if i < 0]
    return dict(_texts(essay_ids, ref_ids))


def _matches_database(manifest: dict[str, Any]) -> bool:
    """Whether the index can belong to this database: nothing it covers lies beyond the highest ids (a
    database replaced by a new demo, or restored from an older backup, does not match)."""
    essays, refs = _sources()
    essay_top = essays.aggregate(top=Max("pk"))["top"] or 0
    ref_top = refs.aggregate(top=Max("pk"))["top"] or 0
    return manifest["essay_mark"] <= essay_top and manifest["reference_mark"] <= ref_top


def _postings(doc_id: int, text: str) -> tuple[int, np.ndarray, np.ndarray]:
    prints = fp.fingerprint(text)
    hashes, first = np.unique(prints.hashes, return_index=True)
    return doc_id, hashes, prints.positions[first]


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._manifest_key: tuple[int, int, int] | None = None
        self.manifest: dict[str, Any] = {"segments": [], "essay_mark": 0, "reference_mark": 0}
        self._segments: list[Segment] = []
        self._tail: dict[int, tuple[int, np.ndarray, np.ndarray]] = {}
        self._tail_segment = Segment.empty()

    # Reading -------------------------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def index(self) -> Index:
        """The whole index as of now: the segments and every document above their marks."""
        with self._lock:
            self._load()
            self._refresh_tail()
            return Index([*self._segments, self._tail_segment], texts)

    def _load(self) -> None:
        try:
            stat = self.manifest_path.stat()
        except FileNotFoundError:
            key = None
        else:
            key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if key == self._manifest_key and (key is not None or not self._segments):
            return
        manifest: dict[str, Any] = (json.loads(self.manifest_path.read_text()) if key else
                                    {"segments": [], "essay_mark": 0, "reference_mark": 0})
        if key and not _matches_database(manifest):
            logger.warning("the originality index in %s was built from another database; it is ignored until "
                           "`chuxin essays reindex` rebuilds it", self.path)
            manifest = {"segments": [], "essay_mark": 0, "reference_mark": 0, "stale": True}
        self._segments = [self._open(entry) for entry in manifest["segments"]]
        self.manifest, self._manifest_key = manifest, key
        self._tail, self._tail_segment = {}, Segment.empty()

    def _open(self, entry: dict[str, Any]) -> Segment:
        name = entry["name"]
        hashes, docs, positions = (np.load(self.path / f"{name}.{part}.npy", mmap_mode="r")
                                   for part in ("hashes", "docs", "positions"))
        return Segment(hashes, docs, positions, doc_count=entry["docs"])

    def _refresh_tail(self) -> None:
        essays, refs = _sources(self.manifest["essay_mark"], self.manifest["reference_mark"])
        essay_ids = list(essays.values_list("pk", flat=True))
        ref_ids = list(refs.values_list("pk", flat=True))
        wanted = {essay_doc(pk) for pk in essay_ids} | {reference_doc(pk) for pk in ref_ids}
        known = set(self._tail)
        if wanted == known:
            return
        for gone in known - wanted:  # a reference document deleted
            del self._tail[gone]
        new_essays = [pk for pk in essay_ids if essay_doc(pk) not in known]
        new_refs = [pk for pk in ref_ids if reference_doc(pk) not in known]
        for doc_id, text in _texts(new_essays, new_refs):
            self._tail[doc_id] = _postings(doc_id, text)
        self._tail_segment = Segment.from_postings(list(self._tail.values()))

    def tail_size(self) -> int:
        with self._lock:
            return len(self._tail)

    # Writing -------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / "lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write_segment(self, segment: Segment) -> dict[str, Any]:
        name = f"seg-{timezone.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
        for part, array in (("hashes", segment.hashes), ("docs", segment.docs), ("positions", segment.positions)):
            temporary = self.path / f".{name}.{part}.npy"
            with open(temporary, "wb") as handle:
                np.save(handle, np.ascontiguousarray(array))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path / f"{name}.{part}.npy")
        return {"name": name, "docs": segment.doc_count, "postings": int(len(segment.hashes))}

    def _write_manifest(self, manifest: dict[str, Any], retired: list[dict[str, Any]]) -> None:
        temporary = self.path / ".manifest.json"
        temporary.write_text(json.dumps(manifest, indent=1))
        os.replace(temporary, self.manifest_path)
        for entry in retired:  # processes that still map them keep their pages until they reload
            for part in ("hashes", "docs", "positions"):
                with contextlib.suppress(FileNotFoundError):
                    (self.path / f"{entry['name']}.{part}.npy").unlink()

    def _read_manifest(self) -> dict[str, Any]:
        if self.manifest_path.exists():
            return json.loads(self.manifest_path.read_text())
        return {"segments": [], "essay_mark": 0, "reference_mark": 0}

    def merge(self, *, force: bool = False, settle: timedelta = SETTLE) -> int:
        """Write the settled tail as a segment when it is large enough (or ``force``); the documents merged.
        ``settle``: only documents older than this, whose transactions have surely committed."""

        with self._exclusive():
            manifest = self._read_manifest()
            cutoff = timezone.now() - settle
            essays, refs = _sources(manifest["essay_mark"], manifest["reference_mark"])
            essay_top = essays.filter(created__lt=cutoff).aggregate(top=Max("pk"))["top"]
            ref_top = refs.filter(created__lt=cutoff).aggregate(top=Max("pk"))["top"]
            essay_ids = list(essays.filter(pk__lte=essay_top or 0).values_list("pk", flat=True))
            ref_ids = list(refs.filter(pk__lte=ref_top or 0).values_list("pk", flat=True))
            count = len(essay_ids) + len(ref_ids)
            if not count or (count < MERGE_AT and not force):
                return 0
            segment = Segment.from_postings([_postings(d, t) for d, t in _texts(essay_ids, ref_ids)])
            entries, retired = list(manifest["segments"]), []
            if len(entries) + 1 > MAX_SEGMENTS:
                # Compact the smaller segments with the new one and keep the largest (the last rebuild, at
                # province scale gigabytes): the memory a merge needs stays that of the recent documents.
                largest = max(entries, key=lambda e: e["postings"])
                retired = [e for e in entries if e is not largest]
                segment = Segment.merge([*(self._open(e) for e in retired), segment])
                entries = [largest]
            entries.append(self._write_segment(segment))
            self._write_manifest({
                "segments": entries,
                "essay_mark": max(manifest["essay_mark"], essay_top or 0),
                "reference_mark": max(manifest["reference_mark"], ref_top or 0),
                "updated": timezone.now().isoformat(),
                # Documents indexed (a count over the tables would cost a scan of a million rows per merge).
                "essays": manifest.get("essays", 0) + len(essay_ids),
                "references": manifest.get("references", 0) + len(ref_ids),
            }, retired)
            return count

    def rebuild(self, progress: Any = None) -> dict[str, Any]:
        """Index everything in the database afresh, as one segment."""
        with self._exclusive():
            old = self._read_manifest()
            essays, refs = _sources()
            essay_mark = essays.aggregate(top=Max("pk"))["top"] or 0
            ref_mark = refs.aggregate(top=Max("pk"))["top"] or 0
            total = essays.filter(pk__lte=essay_mark).count() + refs.filter(pk__lte=ref_mark).count()
            parts, done = [], 0
            for queryset, as_doc in ((essays.filter(pk__lte=essay_mark), essay_doc),
                                     (refs.filter(pk__lte=ref_mark), reference_doc)):
                for pk, text in queryset.order_by("pk").values_list("pk", "text").iterator(chunk_size=CHUNK):
                    parts.append(_postings(as_doc(pk), text))
                    done += 1
                    if progress and done % 10000 == 0:
                        progress(done, total)
            segment = Segment.from_postings(parts)
            del parts
            entry = self._write_segment(segment)
            manifest = {"segments": [entry], "essay_mark": essay_mark, "reference_mark": ref_mark,
                        "updated": timezone.now().isoformat(), "essays": essays.count(), "references": refs.count()}
            self._write_manifest(manifest, old["segments"])
            return manifest

    def describe(self) -> dict[str, Any]:
        manifest = self._read_manifest()
        files = [self.path / f"{e['name']}.{part}.npy" for e in manifest["segments"]
                 for part in ("hashes", "docs", "positions")]
        return {**manifest, "bytes": sum(f.stat().st_size for f in files if f.exists()), "path": str(self.path)}


_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def store() -> Store:
    """This process's store for the configured directory."""
    path = directory()
    with _stores_lock:
        if path not in _stores:
            _stores[path] = Store(path)
        return _stores[path]
