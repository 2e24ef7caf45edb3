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
# Hits spanning fewer normalized characters than this are not a passage: one fingerprint alone is a phrase.
MIN_PASSAGE = 20
# A passage (extended, merged) is reported when it has at least this many characters outside the
# fingerprints common to many documents: chance matches of stock phrases and two formulations written side
# by side stay below it, a copied passage of 50 characters or more is well above it (the evaluation's
# recall does not change between 20 and 45; its formulation-only essays are flagged at 20, never from 25).
MIN_EVIDENCE = 35
# A fingerprint found in more than this share of all documents (and more than COMMON_FLOOR) is common.
COMMON_SHARE = 0.02
COMMON_FLOOR = 5
# Document ids in the postings: 4 bytes (ids up to 2,147,483,647) make the largest array half the size.
DOC_TYPE = np.int32


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
    """Postings sorted by hash: ``hashes`` (uint32), ``docs`` (int32: an essay version's id, or a reference
    document's negated), ``positions`` (int32)."""

    hashes: np.ndarray
    docs: np.ndarray
    positions: np.ndarray
    doc_count: int

    @classmethod
    def empty(cls) -> Segment:
        return cls(np.empty(0, np.uint32), np.empty(0, DOC_TYPE), np.empty(0, np.int32), 0)

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
        docs = np.concatenate([np.full(len(h), d, dtype=DOC_TYPE) for d, h, _p in parts])
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
        # Characters under fingerprints common to many documents: a passage must have enough besides them
        # (two slogans written side by side are not a copy, though the junction between them is rare).
        common = np.zeros(prints.length + fp.K, dtype=bool)
        for q in qp[counts > self.common_limit()].tolist():
            common[q:q + fp.K] = True
        # The allow-list's formulations are never copied text, even inside a passage extended across them.
        allowed = np.zeros(prints.length + fp.K, dtype=bool)
        if ignore is not None and len(ignore):
            for i in np.flatnonzero(np.isin(fp.hashes(fp.normalized(text)[0]), ignore)).tolist():
                allowed[i:i + fp.K] = True
        common |= allowed
        found: list[list[int]] = []  # [doc, start, end, source_start, source_end, hits], normalized positions
        for a, b in runs:
            doc = int(docs[a])
            start, end = int(qpos[a]), min(int(qpos[b - 1]) + fp.K, prints.length)
            run = spos[a:b]
            source = sources.get(doc)
            if source is not None and query is not None:
                # The postings keep a fingerprint's first place in a document only, so in a source that repeats
                # itself the hits may point at different repetitions: follow the diagonal most of them agree on.
                shift = int(np.median(run.astype(np.int64) - qpos[a:b]))
                source_start, source_end = max(start + shift, 0), min(end + shift, len(source))
                start, end, source_start, source_end = _extend(query, source, start, end, source_start, source_end)
            else:
                source_start, source_end = int(run.min()), int(run.max()) + fp.K
            if found and found[-1][0] == doc and start <= found[-1][2]:  # overlapping pieces of one copy
                last = found[-1]
                last[1], last[2] = min(last[1], start), max(last[2], end)
                last[3], last[4] = min(last[3], source_start), max(last[4], source_end)
                last[5] += b - a
            else:
                found.append([doc, start, end, source_start, source_end, b - a])
        covered = np.zeros(prints.length, dtype=bool)
        for doc, start, end, source_start, source_end, hits in found:
            if end - start - int(common[start:end].sum()) < MIN_EVIDENCE:
                continue
            covered[start:end] = True
            result.passages.append(Passage(
                source=doc, start=int(prints.offsets[start]), end=int(prints.offsets[end - 1]) + 1,
                source_start=source_start, source_end=source_end, hits=hits))
        covered &= ~allowed[:prints.length]
        result.copied = int(covered.sum())
        result.passages.sort(key=lambda p: (p.start, p.source))
        return result

    def _normalized_sources(self, ids: set[int]) -> dict[int, np.ndarray]:
        if not ids or self.texts is None:
            return {}
        return {doc: fp.normalized(text)[0] for doc, text in self.texts(ids).items()}


# Extending a passage: +1 for a character shared with the source, -2 for one that differs; the walk stops
# when the score falls this far below its best, and the passage ends at the best-scoring character.
XDROP = 10


def _extend(query: np.ndarray, source: np.ndarray, start: int, end: int, source_start: int,
            source_end: int) -> tuple[int, int, int, int]:
    """Grow a passage beyond its first and last fingerprint along its diagonal (winnowing keeps one
    fingerprint in W, so a copy's edges lie outside them), across the odd changed character (X-drop, as in
    sequence alignment): inside a copy the matches outweigh a substitution, in own text nearly every
    character differs and the walk stops within a few characters."""
    q, s = _walk(query, source, start, source_start, -1)
    if q < start:
        start, source_start = q, s
    q, s = _walk(query, source, end, source_end, 1)
    if q > end:
        end, source_end = q, s
    return start, end, source_start, source_end


def _walk(query: np.ndarray, source: np.ndarray, q: int, s: int, step: int) -> tuple[int, int]:
    """From the edge (q, s), walk outward; the edge just past the best-scoring match."""
    score = best = 0
    best_q, best_s = q, s
    if step < 0:
        while q > 0 and s > 0:
            q, s = q - 1, s - 1
            score += 1 if query[q] == source[s] else -2
            if score > best:
                best, best_q, best_s = score, q, s
            elif score < best - XDROP:
                break
        return best_q, best_s
    while q < len(query) and s < len(source):
        score += 1 if query[q] == source[s] else -2
        q, s = q + 1, s + 1
        if score > best:
            best, best_q, best_s = score, q, s
        elif score < best - XDROP:
            break
    return best_q, best_s
