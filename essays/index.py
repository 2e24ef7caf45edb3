"""An inverted index of fingerprints, and the matching of a text against it.

The index is three parallel NumPy arrays sorted by hash — fingerprint, document, position in the
document's normalized text — so looking up an essay's ~125 fingerprints is a binary search each. A hit is
evidence only when its fingerprint is rare: fingerprints found in many documents are the formulations
everybody shares (slogans, quotations of the regulations) and are discounted. Hits are grouped by source
and merged along the essay into passages; the union of the passages is the copied share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from essays import fingerprint as fp

# Hits closer than this (in normalized characters) belong to one passage.
GAP = fp.K + fp.W
# A passage shorter than this (normalized characters) is not reported: one fingerprint alone is a phrase.
MIN_PASSAGE = 20


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


class Index:
    def __init__(self) -> None:
        self.hashes = np.empty(0, dtype=np.uint32)
        self.docs = np.empty(0, dtype=np.int64)
        self.positions = np.empty(0, dtype=np.int32)
        self.doc_count = 0

    @classmethod
    def build(cls, documents: Iterable[tuple[int, str]]) -> Index:
        """An index of ``(id, text)`` documents."""
        parts_h, parts_d, parts_p = [], [], []
        count = 0
        for doc_id, text in documents:
            prints = fp.fingerprint(text)
            parts_h.append(prints.hashes)
            parts_d.append(np.full(len(prints.hashes), doc_id, dtype=np.int64))
            parts_p.append(prints.positions.astype(np.int32))
            count += 1
        index = cls()
        if parts_h:
            hashes = np.concatenate(parts_h)
            order = np.argsort(hashes, kind="stable")
            index.hashes, index.docs, index.positions = (
                hashes[order], np.concatenate(parts_d)[order], np.concatenate(parts_p)[order])
        index.doc_count = count
        return index

    def common_limit(self) -> int:
        """A fingerprint in more documents than this is a shared formulation, not evidence of copying."""
        return max(5, int(self.doc_count * 0.02))

    def check(self, text: str, *, exclude: int | None = None) -> Result:
        prints = fp.fingerprint(text)
        result = Result(length=prints.length, copied=0)
        if not len(prints.hashes) or not len(self.hashes):
            return result
        left = np.searchsorted(self.hashes, prints.hashes, side="left")
        right = np.searchsorted(self.hashes, prints.hashes, side="right")
        limit = self.common_limit()
        by_source: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for qpos, lo, hi in zip(prints.positions.tolist(), left.tolist(), right.tolist(), strict=True):
            if hi == lo:
                continue
            docs = self.docs[lo:hi]
            if len(np.unique(docs)) > limit:
                continue
            for doc, spos in zip(docs.tolist(), self.positions[lo:hi].tolist(), strict=True):
                if doc != exclude:
                    by_source[doc].append((qpos, spos))
        covered = np.zeros(prints.length, dtype=bool)
        for doc, hits in by_source.items():
            hits.sort()
            run = [hits[0]]
            for hit in hits[1:]:
                if hit[0] - run[-1][0] <= GAP:
                    run.append(hit)
                    continue
                self._passage(result, covered, prints, doc, run)
                run = [hit]
            self._passage(result, covered, prints, doc, run)
        result.copied = int(covered.sum())
        result.passages.sort(key=lambda p: (p.start, p.source))
        return result

    @staticmethod
    def _passage(result: Result, covered: np.ndarray, prints: fp.Fingerprints, doc: int,
                 run: list[tuple[int, int]]) -> None:
        start = run[0][0]
        end = min(run[-1][0] + fp.K, prints.length)
        if end - start < MIN_PASSAGE:
            return
        covered[start:end] = True
        spos = [s for _q, s in run]
        result.passages.append(Passage(
            source=doc, start=int(prints.offsets[start]), end=int(prints.offsets[end - 1]) + 1,
            source_start=min(spos), source_end=max(spos) + fp.K, hits=len(run)))
