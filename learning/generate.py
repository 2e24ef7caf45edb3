"""Proposed questions from a text (a speech, a regulation): fill-in-the-blank and single-choice questions
on the text's key sentences and terms, for an organizer to edit and accept into the bank.

jieba segments the text and tags parts of speech; its TF-IDF keyword extraction weighs the terms. A blank
falls only on a content term — a noun, proper noun, noun-verb, idiom or set phrase of two or more Chinese
characters, not a number — so never on a particle, punctuation or a fragment of a figure. Distractors
for a single-choice question are other terms of the same text with the same part of speech and length.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

TERMS = Path(__file__).resolve().parent / "data" / "terms.txt"
ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇]+条\s*")
CONTENT_TAGS = frozenset({"n", "nr", "ns", "nt", "nz", "nw", "vn", "an", "l", "i"})
HAN = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
NUMERAL = re.compile(r"[0-9０-９一二三四五六七八九十百千万亿零两〇几第个]")
SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")
MIN_SENTENCE, MAX_SENTENCE = 12, 120
# Words too general to test anything, whatever their part of speech.
STOPWORDS = frozenset({
    "工作", "问题", "方面", "情况", "时候", "东西", "事情", "方式", "方法", "过程", "作用", "意义", "内容",
    "要求", "活动", "条件", "部分", "基础", "水平", "能力", "关系", "环境", "全体", "各级", "有关", "相关",
    "一切", "本条例", "本章程", "规定", "办法", "事项", "单位", "人员", "同志", "我们", "他们", "自己", "大家",
    "目标", "任务", "措施", "一般",
})


@dataclass
class Proposal:
    kind: str
    text: str
    answer: Any
    term: str
    sentence: str
    options: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba
    import jieba.analyse
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    # Party terms jieba's general dictionary splits ("主题" + "党日"): a blank must take the whole term.
    jieba.load_userdict(str(TERMS))
    return jieba


def sentences(text: str) -> list[str]:
    """Whole sentences (ending in 。！？；), without article numbers; headings and fragments are left out."""
    text = re.sub(r"[ \t\u3000]+", "", text or "")
    parts = [ARTICLE.sub("", s.strip()) for s in SENTENCE_END.split(text) if s and s.strip()]
    return [s for s in parts if MIN_SENTENCE <= len(s) <= MAX_SENTENCE and s[-1] in "。！？；!?;"]


def is_term(word: str, tag: str) -> bool:
    """A word a blank may fall on."""
    return (tag in CONTENT_TAGS and bool(HAN.match(word)) and not NUMERAL.search(word)
            and word not in STOPWORDS)


def propose(text: str, *, limit: int = 20, choice: bool = True, seed: int | None = None) -> list[Proposal]:
    """Up to ``limit`` fill-in-the-blank questions (and a single-choice one where three distractors of the
    same kind exist) on the text's most significant sentences."""
    jieba = _jieba()
    rng = random.Random(seed)
    weights = dict(jieba.analyse.extract_tags(text, topK=300, withWeight=True, allowPOS=tuple(CONTENT_TAGS)))
    found: dict[str, str] = {}  # every content term of the text → its part of speech
    scored: list[tuple[float, int, str, str, str]] = []
    for index, sentence in enumerate(sentences(text)):
        pairs = [(p.word, p.flag) for p in jieba.posseg.cut(sentence)]
        words = [w for w, _t in pairs]
        best: tuple[float, str, str] | None = None
        for word, tag in pairs:
            if not is_term(word, tag):
                continue
            found.setdefault(word, tag)
            weight = weights.get(word, 0.0)
            # One occurrence only, so the blank is unambiguous within its sentence.
            if weight and words.count(word) == 1 and sentence.count(word) == 1 and (best is None or weight > best[0]):
                best = (weight, word, tag)
        if best is not None:
            scored.append((best[0], index, sentence, best[1], best[2]))
    scored.sort(key=lambda item: (-item[0], item[1]))
    proposals: list[Proposal] = []
    used_terms: set[str] = set()
    for _weight, _index, sentence, term, tag in scored:
        if len(proposals) >= limit:
            break
        if term in used_terms:
            continue
        used_terms.add(term)
        proposals.append(Proposal("blank", sentence.replace(term, "____", 1), [[term]], term, sentence))
        if choice:
            distractors = [w for w, t in found.items()
                           if w != term and t == tag and abs(len(w) - len(term)) <= 1 and w not in sentence]
            if len(distractors) >= 3:
                options = [term, *rng.sample(sorted(distractors), 3)]
                rng.shuffle(options)
                proposals.append(Proposal("single", sentence.replace(term, "（  ）", 1), [options.index(term)],
                                          term, sentence, options))
    return proposals
