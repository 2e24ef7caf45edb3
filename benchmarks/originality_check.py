"""Checking one essay against a million: speed and memory of the persistent originality index.

Goal (issue: reflection essays): checking one essay against an index of 1,000,000 essays plus 100,000
reference documents takes ≤ 50 ms (median), the index takes ≤ 4 GB of memory, and it survives a restart.

1. **Texts.** Essays of about 1,200 characters and reference documents of about 3,000, generated with
   NumPy: words of jieba's dictionary (≈ 350,000 words of 汉字) drawn with its frequencies, now and then one
   of a few stock formulations (which become the common fingerprints the checker discounts), and
   punctuation. Seeded; about a minute for 1.1 million texts.
2. **Build, as a deployment has it.** A temporary SQLite database (``migrate``) receives every text — the
   essays as versions 1..N of one essay, the reference documents with ids 1..R, written with
   ``executemany`` (no services, no change log) — because the checker reads its sources' texts and the
   tail from the database. The index is built with the production code: ``Segment.build`` on chunks of
   ``(document id, text)`` (essay version ``pk``, reference ``-pk``), each chunk written with
   ``Store._write_segment``; then the chunks are compacted as ``Store.merge`` does (``Segment.merge`` of the
   memory-mapped chunk segments) into one segment and the manifest written with marks at N and R, so the
   tail is empty. It prints the time of each part, the postings, the files' size and the peak RSS.
3. **Restart.** The check runs in a fresh process (this script again, ``--reuse DIR``): Django set up on
   the same database and index folder, ``essays.store.store()`` opens the memory-mapped files, and every
   query goes through ``essays.originality.check_text`` — the tail query, the allow-list, the binary
   searches in the mapped arrays, the sources' texts from the database and the matching.
4. **Queries.** Half copy a passage of 100–400 characters from an indexed essay or reference document,
   disguised (punctuation changed, filler particles added, a few characters replaced), inside an
   otherwise new essay; half are new essays. A few warm-up queries first, then the wall time of each:
   median, p95 and max, the share of copies whose source was found (a sanity check, not an evaluation of
   accuracy), the share of new essays with any passage, and the RSS after opening and after the queries.
5. **Incremental update.** One new essay is added to the database: the next check finds a copy of it
   through the tail; ``Store.merge(force=True)`` writes it as a segment of its own and a fresh store finds
   it there. The row and the segment are then removed again, so ``--reuse`` measures the same index.

It exits non-zero if the median exceeds 50 ms, the index (files mapped) or the checking process's RSS
exceeds 4 GB, or the incremental update is not found. The page cache is warm (the files were just
written, as on a running server); ``--cold`` evicts the index and database files from it first
(``posix_fadvise``), as after a reboot.

    .venv/bin/python benchmarks/originality_check.py              # 1,000,000 + 100,000: ~6 min, 12 GB RAM, 12 GB disk
    .venv/bin/python benchmarks/originality_check.py --essays 100000 --references 10000 --keep /tmp/oc
    .venv/bin/python benchmarks/originality_check.py --reuse /tmp/oc --cold --profile 25   # the check only
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import hashlib
import json
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_MS = 50.0
GOAL_BYTES = 4 * 10**9
ESSAY_LENGTH = (1200, 200)  # mean and standard deviation, characters
REFERENCE_LENGTH = (3000, 500)
# Stock formulations: each essay carries two or three, so their fingerprints are common (or allow-listed).
PHRASES = [
    "不忘初心、牢记使命", "守初心、担使命，找差距、抓落实", "学思想、强党性、重实践、建新功",
    "理论学习有收获、思想政治受洗礼、干事创业敢担当、为民服务解难题、清正廉洁作表率",
    "全心全意为人民服务", "坚持以人民为中心的发展思想", "全面从严治党永远在路上",
    "通过这次学习，我深刻认识到", "作为一名共产党员，", "在今后的工作中，我将", "回顾自身，我发现",
    "把学习成果转化为推动工作的实际成效", "始终同党中央保持高度一致", "对照党章党规找差距",
    "发挥党员先锋模范作用", "以钉钉子精神抓好落实", "增强“四个意识”、坚定“四个自信”、做到“两个维护”",
    "学党史、悟思想、办实事、开新局", "时刻牢记自己是一名共产党员", "立足本职岗位，",
]
ALLOWED = PHRASES[:4]  # the administrator's allow-list
PHRASE_SHARE = 0.004  # of the tokens: 2–3 formulations in an essay of ~700 words
PUNCTUATION = {"，": 0.10, "。": 0.035, "、": 0.012, "；": 0.005, "：": 0.003, "！": 0.002, "？": 0.002}
MARKS = set(PUNCTUATION) | set("“”（）")
FILLERS = "的了地着"


def status(field: str) -> int:
    """A memory figure of this process from /proc/self/status, in bytes (VmRSS, VmHWM, RssAnon, RssFile)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def mb(n: float) -> str:
    return f"{n / 10**6:,.0f} MB"


def alias_table(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias method: draw ``i`` uniformly, keep it with ``keep[i]``, else take ``alias[i]`` — a
    sample of ``weights`` in O(1) (a binary search of the cumulative weights per word is 10× slower)."""
    n = len(weights)
    scaled = (weights * (n / weights.sum())).tolist()
    keep, alias = [1.0] * n, list(range(n))
    small = [i for i, w in enumerate(scaled) if w < 1.0]
    large = [i for i, w in enumerate(scaled) if w >= 1.0]
    while small and large:
        s, big = small.pop(), large[-1]
        keep[s], alias[s] = scaled[s], big
        scaled[big] -= 1.0 - scaled[s]
        if scaled[big] < 1.0:
            small.append(large.pop())
    return np.array(keep), np.array(alias, dtype=np.int32)


class Corpus:
    """Random Chinese text: words of jieba's dictionary by frequency, stock formulations, punctuation."""

    BATCH = 12_000_000  # characters generated at once

    def __init__(self) -> None:
        import jieba

        words, freqs = [], []
        han = re.compile(r"^[\u4e00-\u9fff]+$")
        with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as handle:
            for line in handle:
                word, freq, *_rest = line.split(" ")
                if han.match(word):
                    words.append(word)
                    freqs.append(int(freq))
        weights = np.array(freqs, dtype=np.float64)
        weights *= (1 - PHRASE_SHARE) / weights.sum()
        weights = np.concatenate([weights, np.full(len(PHRASES), PHRASE_SHARE / len(PHRASES))])
        self.keep, self.alias = alias_table(weights)
        # Token table: the words and formulations, then the punctuation marks, then the empty token.
        tokens = words + PHRASES + list(PUNCTUATION) + [""]
        self.vocabulary = len(words) + len(PHRASES)
        marks = np.array(list(PUNCTUATION.values()))
        self.mark_cdf = np.cumsum(np.append(marks, 1 - marks.sum()))  # the last: no mark after the word
        self.lengths = np.array([len(t) for t in tokens], dtype=np.int32)
        self.starts = np.concatenate(([0], np.cumsum(self.lengths)[:-1])).astype(np.int32)
        self.points = np.frombuffer("".join(tokens).encode("utf-32-le"), dtype=np.uint32)
        self.characters = "".join(words[:5000])  # 汉字 to replace characters of a copy with
        mean_word = float((weights * self.lengths[: self.vocabulary]).sum())
        self.per_token = mean_word + float(marks.sum())

    def stream(self, rng: np.random.Generator, characters: int) -> str:
        """At least ``characters`` characters of running text."""
        parts: list[np.ndarray] = []
        have = 0
        while have < characters:
            n = int((characters - have) / self.per_token * 1.02) + 64
            words = rng.integers(0, self.vocabulary, n, dtype=np.int32)
            words = np.where(rng.random(n) < self.keep[words], words, self.alias[words])
            marks = np.searchsorted(self.mark_cdf, rng.random(n), side="right").astype(np.int32)
            tokens = np.empty(2 * n, dtype=np.int32)
            tokens[0::2] = words
            tokens[1::2] = self.vocabulary + np.minimum(marks, len(PUNCTUATION))
            lengths = self.lengths[tokens]
            ends = np.cumsum(lengths, dtype=np.int32)
            # Every token's code points, gathered without a Python loop.
            index = np.repeat(self.starts[tokens] - ends + lengths, lengths)
            index += np.arange(int(ends[-1]), dtype=np.int32)
            parts.append(self.points[index])
            have += int(ends[-1])
        return np.concatenate(parts).tobytes().decode("utf-32-le")

    def texts(self, rng: np.random.Generator, count: int, length: tuple[int, int]) -> list[str]:
        mean, sd = length
        sizes = np.clip(rng.normal(mean, sd, count), mean // 2, mean * 2).astype(np.int64)
        out: list[str] = []
        step = max(1, self.BATCH // mean)
        for first in range(0, count, step):
            batch = sizes[first:first + step]
            text = self.stream(rng, int(batch.sum()))
            bounds = np.concatenate(([0], np.cumsum(batch))).tolist()
            out += [text[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        return out


def disguise(rng: random.Random, passage: str, characters: str) -> str:
    """A copied passage as a copier hands it in: other punctuation, some fillers, a few characters changed."""
    chars = list(passage)
    for i, c in enumerate(chars):
        if c in MARKS:
            chars[i] = "" if rng.random() < 0.3 else rng.choice("，、；。 ")
    for _n in range(1 + len(passage) // 150):
        chars[rng.randrange(len(chars))] = rng.choice(characters)
    for _n in range(2):
        chars.insert(rng.randrange(len(chars)), rng.choice(FILLERS))
        chars.insert(rng.randrange(len(chars)), "，")
    return "".join(chars)


# The build ------------------------------------------------------------------------------------------------


def setup_django(work: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'chuxin.sqlite3'}"
    os.environ["CHUXIN_DATA_DIR"] = str(work)
    os.environ["CHUXIN_ORIGINALITY_DIR"] = str(work / "originality")
    os.environ["CHUXIN_TASKS"] = "sync"
    os.environ.setdefault("CHUXIN_SECRET_KEY", "benchmark-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "chuxin.settings"
    import django

    django.setup()
    from django.conf import settings

    settings.CHUXIN_ORIGINALITY_DIR = work / "originality"  # before the first essays.store.store()


class Rows:
    """Raw ``executemany`` INSERTs of one model: a template row with some columns varying."""

    def __init__(self, model: Any, template: Any, varying: list[str]) -> None:
        from django.db import connection

        fields = model._meta.concrete_fields
        self.base = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
        self.slots = [[f.attname for f in fields].index(name) for name in varying]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"

    def insert(self, values: list[tuple[Any, ...]]) -> None:
        from django.db import connection, transaction

        rows = []
        for vary in values:
            row = list(self.base)
            for slot, value in zip(self.slots, vary, strict=True):
                row[slot] = value
            rows.append(row)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)


def scaffold() -> tuple[Rows, Rows]:
    """Migrate, a small organization tree, the allow-list, one request and one essay; the row writers."""
    from django.core.management import call_command
    from django.utils import timezone

    from core.testing.personas import build_personas
    from essays.choices import CheckStatus, EssayStatus
    from essays.models import Essay, EssayRequest, EssayVersion, Formulation, ReferenceDocument

    call_command("migrate", verbosity=0)
    p = build_personas()
    member = p.member
    Formulation.objects.bulk_create([Formulation(text=t, note="基准测试") for t in ALLOWED])
    request = EssayRequest.objects.create(org=p.committee, title="学习党章党规心得体会", min_length=800,
                                          deadline=datetime.date.today() + datetime.timedelta(days=14))
    essay = Essay.objects.create(request=request, member=member, org=member.org, org_path=member.org_path,
                                 request_org_path=request.org_path, title=request.title,
                                 status=EssayStatus.SUBMITTED, submitted_at=timezone.now())
    version = EssayVersion(essay=essay, member=member, org=member.org, org_path=member.org_path,
                           request_org_path=request.org_path, number=0, title=essay.title, text="",
                           submitted_at=timezone.now() - datetime.timedelta(days=1), check_status=CheckStatus.DONE)
    reference = ReferenceDocument(title="", source_url="", text="", digest="")
    return (Rows(EssayVersion, version, ["id", "number", "text"]),
            Rows(ReferenceDocument, reference, ["id", "title", "text", "digest"]))


def build(work: Path, args: argparse.Namespace) -> None:
    setup_django(work)
    from essays import fingerprint as fp
    from essays.index import Segment
    from essays.store import Store, essay_doc, reference_doc

    print(f"fingerprints: runs of K = {fp.K} characters, winnowing window W = {fp.W}", flush=True)

    timings = dict.fromkeys(("generate", "database", "fingerprint", "write", "merge"), 0.0)
    started = time.perf_counter()
    essay_rows, reference_rows = scaffold()
    corpus = Corpus()
    timings["generate"] += time.perf_counter() - started
    store = Store(work / "originality")
    store.path.mkdir(parents=True, exist_ok=True)
    pick = random.Random(args.seed)
    copied = args.queries // 2
    # The documents the copied queries take a passage from: half essays, half reference documents.
    sources = {essay_doc(pk) for pk in pick.sample(range(1, args.essays + 1), (copied + 1) // 2)}
    sources |= {reference_doc(pk) for pk in pick.sample(range(1, args.references + 1), copied // 2)}
    kept: dict[int, str] = {}
    chunks: list[dict[str, Any]] = []
    postings = 0
    for kind, total, length in (("essays", args.essays, ESSAY_LENGTH), ("references", args.references,
                                                                           REFERENCE_LENGTH)):
        for first in range(1, total + 1, args.chunk):
            count = min(args.chunk, total - first + 1)
            t = time.perf_counter()
            rng = np.random.default_rng([args.seed, kind == "essays", first])
            texts = corpus.texts(rng, count, length)
            pks = range(first, first + count)
            rows: list[tuple[Any, ...]]
            if kind == "essays":
                ids = [essay_doc(pk) for pk in pks]
                rows = [(pk, pk, text) for pk, text in zip(pks, texts, strict=True)]
            else:
                ids = [reference_doc(pk) for pk in pks]
                rows = [(pk, f"参考文献{pk}", text, hashlib.sha256(text.encode()).hexdigest())
                        for pk, text in zip(pks, texts, strict=True)]
            kept.update((d, s) for d, s in zip(ids, texts, strict=True) if d in sources)
            timings["generate"] += time.perf_counter() - t
            t = time.perf_counter()
            (essay_rows if kind == "essays" else reference_rows).insert(rows)
            del rows
            timings["database"] += time.perf_counter() - t
            t = time.perf_counter()
            segment = Segment.build(zip(ids, texts, strict=True))
            timings["fingerprint"] += time.perf_counter() - t
            t = time.perf_counter()
            chunks.append(store._write_segment(segment))
            postings += len(segment.hashes)
            timings["write"] += time.perf_counter() - t
            del segment, texts
            done = sum(c["docs"] for c in chunks)
            print(f"  {done:>9,} / {args.essays + args.references:,} documents  "
                  f"{time.perf_counter() - started:6.0f} s  RSS {mb(status('VmRSS'))}", flush=True)
    # Compaction as Store.merge does it: the memory-mapped chunks merged into one segment.
    t = time.perf_counter()
    merged = Segment.merge([store._open(entry) for entry in chunks])
    entry = store._write_segment(merged)
    del merged
    hashes = store._open(entry).hashes  # sorted: a new fingerprint wherever the hash changes
    fingerprints = int(np.count_nonzero(hashes[1:] != hashes[:-1])) + 1 if len(hashes) else 0
    del hashes
    store._write_manifest({"segments": [entry], "essay_mark": args.essays, "reference_mark": args.references,
                           "updated": datetime.datetime.now(datetime.UTC).isoformat(),
                           "essays": args.essays, "references": args.references}, chunks)
    timings["merge"] = time.perf_counter() - t
    elapsed = time.perf_counter() - started
    files = sorted(store.path.glob(f"{entry['name']}.*.npy"))
    size = sum(f.stat().st_size for f in files)
    database = work / "chuxin.sqlite3"

    # The queries, kept in the folder for the checking process.
    rng = np.random.default_rng([args.seed, 7])
    fresh = corpus.texts(rng, args.queries + args.warmup + 1, ESSAY_LENGTH)
    queries = []
    for n, source in enumerate(sorted(sources)):
        text, original = fresh[n], kept[source]
        size_copied = pick.randint(100, 400)
        at = pick.randrange(len(original) - size_copied)
        passage = disguise(pick, original[at:at + size_copied], corpus.characters)
        put = pick.randrange(max(1, len(text) - size_copied))
        text = text[:put] + passage + text[put + size_copied:]
        queries.append({"source": source, "copied": size_copied, "text": text})
    queries += [{"source": None, "copied": 0, "text": t} for t in fresh[len(sources):args.queries]]
    pick.shuffle(queries)
    (work / "queries.json").write_text(json.dumps({
        "queries": queries, "warmup": fresh[args.queries:args.queries + args.warmup], "incremental": fresh[-1],
    }, ensure_ascii=False))

    print(f"built in {elapsed:,.0f} s: " + ", ".join(f"{k} {v:,.0f} s" for k, v in timings.items()))
    print(f"  documents            : {args.essays:,} essays + {args.references:,} reference documents, "
          f"{len(chunks)} chunk segments merged into one")
    print(f"  postings             : {postings:,} ({postings / (args.essays + args.references):,.0f} per document), "
          f"{fingerprints:,} distinct fingerprints")
    parts = ", ".join(f"{f.name.split('.')[-2]} {mb(f.stat().st_size)}" for f in files)
    print(f"  index files          : {mb(size)} ({parts})")
    print(f"  database             : {mb(database.stat().st_size)} (SQLite, every text)")
    print(f"  build peak RSS       : {mb(status('VmHWM'))}", flush=True)


# The check, in a fresh process --------------------------------------------------------------------------


def evict(paths: list[Path]) -> None:
    """Drop the files' pages from the page cache (clean pages; no privileges needed)."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def check(work: Path, args: argparse.Namespace) -> int:
    setup_django(work)
    from django.db.models import Max

    from essays import originality
    from essays.models import EssayVersion
    from essays.store import Store, store

    data = json.loads((work / "queries.json").read_text())
    queries = data["queries"]
    folder = work / "originality"
    if args.cold:
        evict([*folder.glob("*.npy"), *work.glob("chuxin.sqlite3*")])
    rss_start = status("VmRSS")
    t = time.perf_counter()
    index = store().index()  # the restart: manifest, memory maps, the tail from the database
    opened = time.perf_counter() - t
    mapped = sum(a.nbytes for s in index.segments for a in (s.hashes, s.docs, s.positions))
    tail = store().tail_size()
    rss_loaded = status("VmRSS")
    print(f"restart: {len(index.segments) - 1} segment(s) mapped, {index.doc_count:,} documents, "
          f"{index.postings:,} postings, tail {tail} in {opened * 1000:,.0f} ms"
          f"{' (page cache evicted first)' if args.cold else ''}")
    print(f"  RSS after opening    : {mb(rss_loaded)} (before: {mb(rss_start)}; "
          f"anonymous {mb(status('RssAnon'))}, file-backed {mb(status('RssFile'))})")

    t = time.perf_counter()
    for text in data["warmup"]:
        originality.check_text(text)
    warm = time.perf_counter() - t
    times, found, flagged, copies, fresh = [], 0, 0, 0, 0
    for q in queries:
        t = time.perf_counter()
        result = originality.check_text(q["text"])
        times.append((time.perf_counter() - t) * 1000)
        sources = {p.source for p in result.passages}
        if q["source"] is None:
            fresh += 1
            flagged += bool(sources)
        else:
            copies += 1
            found += q["source"] in sources
    rss_after = status("VmRSS")
    times.sort()
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"{len(times)} queries (after {len(data['warmup'])} warm-up, {warm * 1000:,.0f} ms) "
          f"through essays.originality.check_text:")
    print(f"  median {median:8.1f} ms   p95 {p95:8.1f} ms   max {times[-1]:8.1f} ms   "
          f"mean {statistics.fmean(times):8.1f} ms")
    print(f"  copies whose source was found : {found}/{copies} ({100 * found / max(copies, 1):.0f} %)")
    print(f"  new essays with any passage   : {flagged}/{fresh}")
    print(f"  RSS after the queries : {mb(rss_after)} (anonymous {mb(status('RssAnon'))}, "
          f"file-backed {mb(status('RssFile'))})")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for q in queries:
            originality.check_text(q["text"])
        profiler.disable()
        print(f"profile of the {len(queries)} queries again (cProfile adds its own overhead):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(args.profile)

    # Incremental update: a new essay is found through the tail, then in a segment of its own.
    new_pk = (EssayVersion.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    manifest_before = store()._read_manifest()
    text = data["incremental"]
    copy = "前言。" + text[300:700] + "。结语。"
    version = EssayVersion.objects.get(pk=new_pk - 1)  # the same row as the others, one above the mark
    version.pk, version.number, version.text = new_pk, version.number + 1, text
    version.save(force_insert=True)
    t = time.perf_counter()
    in_tail = new_pk in {p.source for p in originality.check_text(copy).passages}
    tail_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    merged = store().merge(force=True, settle=datetime.timedelta(0))
    merge_ms = (time.perf_counter() - t) * 1000
    again = Store(folder)  # another process starting: the new segment, nothing in the tail
    index = again.index()
    in_segment = new_pk in {p.source for p in index.check(copy, ignore=originality.ignored_hashes()).passages}
    print(f"incremental: essay {new_pk:,} added — found through the tail: {'yes' if in_tail else 'NO'} "
          f"({tail_ms:,.0f} ms, first check after it); merged {merged} document(s) in {merge_ms:,.0f} ms; "
          f"after a restart {len(index.segments) - 1} segments, tail {again.tail_size()}, found: "
          f"{'yes' if in_segment else 'NO'}")
    added = [e for e in again.manifest["segments"] if e["name"] not in {s["name"] for s in manifest_before["segments"]}]
    EssayVersion.objects.filter(pk=new_pk).delete()
    store()._write_manifest(manifest_before, added)  # the index as built, for the next --reuse

    ok_time = median <= GOAL_MS
    ok_memory = mapped <= GOAL_BYTES and max(rss_loaded, rss_after) <= GOAL_BYTES
    print(f"goal: median {median:.1f} ms ≤ {GOAL_MS:.0f} ms: {'met' if ok_time else 'MISSED'}; "
          f"index memory {mb(mapped)} mapped (the whole of it may become resident, shared by every process), "
          f"RSS {mb(max(rss_loaded, rss_after))} ≤ {GOAL_BYTES / 10**9:.0f} GB: {'met' if ok_memory else 'MISSED'}")
    return 0 if ok_time and ok_memory and in_tail and in_segment else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=1_000_000)
    parser.add_argument("--references", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=100_000, help="documents per segment before the merge")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="build in this (new) folder and keep it")
    parser.add_argument("--reuse", type=Path, help="check against the index already built in this folder")
    parser.add_argument("--cold", action="store_true", help="evict the files from the page cache first")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile the queries; top N functions")
    args = parser.parse_args()
    if args.reuse:
        raise SystemExit(check(args.reuse.resolve(), args))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="chuxin-originality-"))
    try:
        build(work, args)
        command = [sys.executable, str(Path(__file__).resolve()), "--reuse", str(work), "--warmup", str(args.warmup)]
        command += ["--cold"] * args.cold + ["--profile", str(args.profile)]
        code = subprocess.run(command, check=False).returncode
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    raise SystemExit(code)


if __name__ == "__main__":
    main()
