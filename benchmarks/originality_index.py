"""Indexing speed of the originality fingerprints, against datasketch MinHash on the same essays.

Generates ``--essays`` essays of about 1,200 characters (sentences drawn at random from the bundled
regulation texts, shuffled, with slogans and connective phrases, the way reflection essays are written),
then, on one core and in the same run:

  (a) ``essays.fingerprint.index_hashes`` for every essay (normalize, hash the 10-character runs, winnow);
  (b) datasketch MinHash signatures (128 permutations over 5-character shingles of the text without
      whitespace and punctuation), the usual Python route, for the first ``--minhash`` essays.

It prints essays per second of each and the ratio. Goal (issue: reflection essays): (a) ≥ 5,000 essays/s.

    .venv/bin/python benchmarks/originality_index.py
    .venv/bin/python benchmarks/originality_index.py --essays 50000 --minhash 2000
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONNECTIVES = ["通过这次学习，我深刻认识到", "作为一名共产党员，", "在今后的工作中，我将", "回顾自身，我发现",
               "不忘初心、牢记使命，", "守初心、担使命，找差距、抓落实，", "理论学习有收获、思想政治受洗礼，"]


def make_essays(count: int, seed: int = 1) -> list[str]:
    text = (ROOT / "learning" / "data" / "regulations.txt").read_text(encoding="utf-8")
    sentences = [s for s in re.split(r"(?<=[。；])", text.replace("\n", "")) if len(s) > 12]
    rng = random.Random(seed)
    essays = []
    for _n in range(count):
        parts: list[str] = []
        while sum(map(len, parts)) < 1200:
            parts.append(rng.choice(CONNECTIVES) + rng.choice(sentences))
        essays.append("".join(parts)[:1250])
    return essays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=20000)
    parser.add_argument("--minhash", type=int, default=1000)
    args = parser.parse_args()
    from datasketch import MinHash

    from essays import fingerprint as fp

    essays = make_essays(args.essays)
    mean = sum(map(len, essays)) / len(essays)
    fp.table()  # built once per process (the normalization table), not per essay
    start = time.perf_counter()
    prints = 0
    for essay in essays:
        prints += len(fp.index_hashes(essay))
    ours = len(essays) / (time.perf_counter() - start)
    drop = re.compile(r"[\s\W]+")
    sample = essays[: args.minhash]
    start = time.perf_counter()
    for essay in sample:
        text = drop.sub("", essay)
        signature = MinHash(num_perm=128)
        signature.update_batch([text[i:i + 5].encode() for i in range(len(text) - 4)])
    theirs = len(sample) / (time.perf_counter() - start)
    print(f"{len(essays):,} essays of {mean:,.0f} characters on average; {prints / len(essays):.0f} fingerprints each")
    print(f"  Chuxin fingerprints : {ours:10,.0f} essays/s   (goal ≥ 5,000)")
    print(f"  datasketch MinHash  : {theirs:10,.0f} essays/s   ({len(sample):,} essays)")
    print(f"  ratio               : {ours / theirs:10.1f}×")
    raise SystemExit(0 if ours >= 5000 else 1)


if __name__ == "__main__":
    main()
