"""An inverted index of fingerprints, and the matching of a text against it.

An index is a list of segments; a segment is three parallel NumPy arrays sorted by hash — fingerprint,
document, position in the document's normalized text — with one posting per fingerprint and document (its
first place). Segments may be memory-mapped files (``essays.store``) or built in memory. Looking up an
essay's ~125 fingerprints is a binary search each per segment.

A hit is evidence only when its fingerprint is rare: fingerprints found in many documents are the
formulations everybody shares (slogans, quotations of the regulations) and are discounted, as are those of
the administrator's allow-list. Hits are grouped by source and merged along the essay into passages; the
union of the passages is the copied share.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

import numpy as np

from essays import fingerprint as fp

# Hits closer than this (in normalized characters) belong to one passage.
GAP = fp.K + fp.W
# A passage shorter than this (normalized characters) is not reported: one fingerprint alone is a phrase.
MIN_PASSAGE = 20
# A fingerprint found in more than this share of all documents (and more than COMMON_FLOOR) is common.
COMMON_SHARE = 0.02
COMMON_FLOOR = 5


@dataclass
class Passage:
    source: int
    start: int  # in the checked text (original characters)
    end: int
    source_start: int  # in the source's normalized text (map with its own offsets to show it)
    source_end: int
    hits: int


@dataclass
class Result:
    length: int  # normalized characters of the checked text
    copied: int  # normalized characters inside some passage
    passages: list[Passage] = field(default_factory=list)

    @property
    def originality(self) -> float:
        return round(100.0 * (1 - self.copied / self.length), 1) if self.length else 100.0


@dataclass
class Segment:
    """Postings sorted by hash: ``hashes`` (uint32), ``docs`` (int64), ``positions`` (int32)."""

    hashes: np.ndarray
    docs: np.ndarray
    positions: np.ndarray
    doc_count: int

    @classmethod
    def empty(cls) -> Segment:
        return cls(np.empty(0, np.uint32), np.empty(0, np.int64), np.empty(0, np.int32), 0)

    @classmethod
    def build(cls, documents: Iterable[tuple[int, str]]) -> Segment:
        """A segment of ``(id, text)`` documents."""
        parts: list[tuple[int, np.ndarray, np.ndarray]] = []
        for doc_id, text in documents:
            prints = fp.fingerprint(text)
            # One posting per fingerprint: its first place (positions are ascending, so unique's first index).
            hashes, first = np.unique(prints.hashes, return_index=True)
            parts.append((doc_id, hashes, prints.positions[first]))
        return cls.from_postings(parts)

    @classmethod
    def from_postings(cls, parts: list[tuple[int, np.ndarray, np.ndarray]]) -> Segment:
        if not parts:
            return cls.empty()
        hashes = np.concatenate([h for _d, h, _p in parts])
        docs = np.concatenate([np.full(len(h), d, dtype=np.int64) for d, h, _p in parts])
        positions = np.concatenate([p for _d, _h, p in parts]).astype(np.int32)
        order = np.argsort(hashes, kind="stable")
        return cls(hashes[order], docs[order], positions[order], len(parts))

    @classmethod
    def merge(cls, segments: list[Segment]) -> Segment:
        live = [s for s in segments if len(s.hashes)]
        if not live:
            return cls.empty()
        hashes = np.concatenate([s.hashes for s in live])
        order = np.argsort(hashes, kind="stable")
        return cls(hashes[order], np.concatenate([s.docs for s in live])[order],
                   np.concatenate([s.positions for s in live])[order], sum(s.doc_count for s in segments))


TextsFunc = Callable[[Collection[int]], dict[int, str]]


class Index:
    """Segments to search, and where to read the sources' texts (to extend passages to their true edges)."""

    def __init__(self, segments: list[Segment] | None = None, texts: TextsFunc | None = None) -> None:
        self.segments = segments or []
        self.texts = texts

    @classmethod
    def build(cls, documents: Iterable[tuple[int, str]]) -> Index:
        """An in-memory index of ``(id, text)`` documents."""
        kept = dict(documents)
        return cls([Segment.build(kept.items())], lambda ids: {i: kept[i] for i in ids if i in kept})

    @property
    def doc_count(self) -> int:
        return sum(s.doc_count for s in self.segments)

    @property
    def postings(self) -> int:
        return sum(len(s.hashes) for s in self.segments)

    def common_limit(self) -> int:
        """A fingerprint in more documents than this is a shared formulation, not evidence of copying."""
        return max(COMMON_FLOOR, int(self.doc_count * COMMON_SHARE))

    def check(self, text: str, *, exclude: Collection[int] | int | None = None,
              ignore: np.ndarray | None = None) -> Result:
        """Match ``text``; documents in ``exclude`` are not sources, hashes in ``ignore`` not evidence."""
        prints = fp.fingerprint(text)
        result = Result(length=prints.length, copied=0)
        qh, qp = prints.hashes, prints.positions
        if ignore is not None and len(ignore) and len(qh):
            keep = ~np.isin(qh, ignore)
            qh, qp = qh[keep], qp[keep]
        if not len(qh) or not self.postings:
            return result
        spans = []
        counts = np.zeros(len(qh), dtype=np.int64)
        for seg in self.segments:
            if not len(seg.hashes):
                continue
            lo = np.searchsorted(seg.hashes, qh, side="left")
            hi = np.searchsorted(seg.hashes, qh, side="right")
            counts += hi - lo
            spans.append((seg, lo, hi))
        rare = counts <= self.common_limit()
        docs_parts, q_parts, s_parts = [], [], []
        for seg, lo, hi in spans:
            sel = rare & (hi > lo)
            lens = (hi - lo)[sel]
            if not len(lens):
                continue
            total = int(lens.sum())
            # The posting indices lo..hi of every selected fingerprint, flattened without a Python loop.
            starts = np.repeat(lo[sel] - np.cumsum(lens) + lens, lens)
            idx = starts + np.arange(total)
            docs_parts.append(np.asarray(seg.docs[idx]))
            s_parts.append(np.asarray(seg.positions[idx]))
            q_parts.append(np.repeat(qp[sel], lens))
        if not docs_parts:
            return result
        docs, qpos, spos = np.concatenate(docs_parts), np.concatenate(q_parts), np.concatenate(s_parts)
        if exclude is not None:
            excluded = np.array([exclude] if isinstance(exclude, int) else list(exclude), dtype=np.int64)
            keep = ~np.isin(docs, excluded)
            docs, qpos, spos = docs[keep], qpos[keep], spos[keep]
        # A single shared fingerprint is never a passage (it covers K < MIN_PASSAGE characters).
        _u, inverse, count = np.unique(docs, return_inverse=True, return_counts=True)
        keep = count[inverse] >= 2
        docs, qpos, spos = docs[keep], qpos[keep], spos[keep]
        if not len(docs):
            return result
        order = np.lexsort((qpos, docs))
        docs, qpos, spos = docs[order], qpos[order], spos[order]
        breaks = np.flatnonzero((np.diff(docs) != 0) | (np.diff(qpos) > GAP)) + 1
        bounds = np.concatenate(([0], breaks, [len(docs)])).tolist()
        runs = [(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
                if min(int(qpos[b - 1]) + fp.K, prints.length) - int(qpos[a]) >= MIN_PASSAGE]
        sources = self._normalized_sources({int(docs[a]) for a, _b in runs})
        query = fp.normalized(text)[0] if sources else None
        covered = np.zeros(prints.length, dtype=bool)
        for a, b in runs:
            doc = int(docs[a])
            start, end = int(qpos[a]), min(int(qpos[b - 1]) + fp.K, prints.length)
            run = spos[a:b]
            source_start, source_end = int(run.min()), int(run.max()) + fp.K
            source = sources.get(doc)
            if source is not None and query is not None:
                start, end, source_start, source_end = _extend(query, source, start, end, int(spos[a]),
                                                               int(spos[b - 1]) + fp.K, source_start, source_end)
            covered[start:end] = True
            result.passages.append(Passage(
                source=doc, start=int(prints.offsets[start]), end=int(prints.offsets[end - 1]) + 1,
                source_start=source_start, source_end=source_end, hits=b - a))
        result.copied = int(covered.sum())
        result.passages.sort(key=lambda p: (p.start, p.source))
        return result

    def _normalized_sources(self, ids: set[int]) -> dict[int, np.ndarray]:
        if not ids or self.texts is None:
            return {}
        return {doc: fp.normalized(text)[0] for doc, text in self.texts(ids).items()}


def _extend(query: np.ndarray, source: np.ndarray, start: int, end: int, first: int, last: int,
            source_start: int, source_end: int) -> tuple[int, int, int, int]:
    """Grow a passage over the characters it shares exactly with its source beyond the first and last
    fingerprint (winnowing keeps one fingerprint in W, so a copy's edges lie outside them)."""
    q, s = start, first
    while q > 0 and s > 0 and query[q - 1] == source[s - 1]:
        q, s = q - 1, s - 1
    if q < start:
        start, source_start = q, min(source_start, s)
    q, s = end, last
    while q < len(query) and s < len(source) and query[q] == source[s]:
        q, s = q + 1, s + 1
    if q > end:
        end, source_end = q, max(source_end, s)
    return start, end, source_start, source_end
