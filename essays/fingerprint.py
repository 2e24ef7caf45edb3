"""Text fingerprints for originality checking: normalization that sees through disguises, and winnowing.

A text becomes a stream of normalized characters: traditional characters mapped to simplified (OpenCC's
character table), full-width forms to ASCII, letters to lower case; whitespace, punctuation and the filler
particles people insert or remove to disguise a copy (的, 了, 地 …) dropped. Every run of ``K`` characters
of that stream is hashed, and winnowing keeps the smallest hash of each window of ``W`` consecutive hashes:
two texts sharing a normalized run of at least ``K + W - 1`` characters share a fingerprint, and a text of
1,200 characters keeps about 180 of them.

All of it runs on NumPy arrays of code points, one table lookup per character, so a typical essay costs
well under 100 µs (a Python loop over its characters alone would cost more).
"""

from __future__ import annotations

import functools
import os
import unicodedata
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

K = 7  # characters per hashed run: a changed character breaks only the K runs that contain it
W = 12  # hashes per winnowing window: a shared run of K + W - 1 = 18 characters is always detected
GUARANTEE = K + W - 1
BMP = 0x10000
DROP = 0
# Particles and fillers that change nothing of substance when inserted or removed.
FILLERS = "的地得了着也都就而并呢吧啊嘛之其"
BASE = np.uint64(1000003)
POWERS = np.array([pow(int(BASE), K - 1 - i, 2**64) for i in range(K)], dtype=np.uint64)


def _opencc_characters() -> dict[str, str]:
    """Traditional → simplified, one character to its first simplified form (OpenCC's TSCharacters)."""
    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            source, _tab, targets = line.rstrip("\n").partition("\t")
            target = targets.split(" ")[0]
            if len(source) == 1 and len(target) == 1:
                table[source] = target
    return table


def _opencc_variants() -> dict[str, list[str]]:
    """Simplified → its traditional forms, one character each (OpenCC's STCharacters)."""
    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "STCharacters.txt")
    variants: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            source, _tab, targets = line.rstrip("\n").partition("\t")
            if len(source) == 1:
                variants[source] = [t for t in targets.split(" ") if len(t) == 1]
    return variants


@functools.lru_cache(maxsize=1)
def table() -> np.ndarray:
    """Code point → normalized code point (``DROP`` for what matching ignores), for the whole BMP."""
    out = np.zeros(BMP, dtype=np.uint32)
    for code in range(BMP):
        char = chr(code)
        category = unicodedata.category(char)
        if category[0] in "LN":  # letters (CJK included) and digits; everything else is dropped
            folded = unicodedata.normalize("NFKC", char).lower()
            out[code] = ord(folded) if len(folded) == 1 else code
    to_simplified = _opencc_characters()
    for source, target in to_simplified.items():
        if ord(source) < BMP:
            out[ord(source)] = ord(target)
    # Traditional variants OpenCC writes for a simplified character but does not map back (瞭→了, 彷→仿 …).
    for source, targets in _opencc_variants().items():
        for target in targets:
            if target != source and to_simplified.get(target, target) == target and max(ord(source), ord(target)) < BMP:
                out[ord(target)] = out[ord(source)]
    # Fillers, and whatever maps to one (並 → 并).
    out[np.isin(out, np.array([ord(c) for c in FILLERS], dtype=np.uint32))] = DROP
    return out


@dataclass(frozen=True)
class Fingerprints:
    """The winnowed hashes of a text and where they start, in normalized and in original characters."""

    hashes: np.ndarray  # uint32
    positions: np.ndarray  # index into the normalized stream
    offsets: np.ndarray  # index into the original text of each normalized character
    length: int  # normalized characters


def normalized(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The normalized code points of ``text`` and, for each, its index in ``text``."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    mapped = table()[np.minimum(points, BMP - 1)]
    mapped[points >= BMP] = DROP  # outside the BMP: emoji and rare ideographs, ignored
    keep = np.flatnonzero(mapped)
    return mapped[keep], keep


def hashes(points: np.ndarray) -> np.ndarray:
    """One 32-bit hash per run of ``K`` normalized characters."""
    if len(points) < K:
        return np.empty(0, dtype=np.uint32)
    h = sliding_window_view(points.astype(np.uint64), K) @ POWERS
    return (h ^ (h >> np.uint64(31))).astype(np.uint32)


def winnow(h: np.ndarray) -> np.ndarray:
    """Positions of the smallest hash of every window of ``W`` (the rightmost on ties), each once."""
    if len(h) == 0:
        return np.empty(0, dtype=np.intp)
    if len(h) < W:
        return np.array([int(np.argmin(h))], dtype=np.intp)
    windows = sliding_window_view(h[::-1], W)
    # argmin on the reversed array finds the rightmost minimum of each window, as winnowing prescribes.
    rightmost = len(h) - 1 - (windows.argmin(axis=1) + np.arange(len(windows)))
    return np.unique(rightmost)


def fingerprint(text: str) -> Fingerprints:
    points, offsets = normalized(text)
    h = hashes(points)
    positions = winnow(h)
    return Fingerprints(h[positions], positions, offsets, len(points))


def index_hashes(text: str) -> np.ndarray:
    """The fingerprints alone, for indexing (no offsets kept)."""
    h = hashes(normalized(text)[0])
    return np.unique(h[winnow(h)])
