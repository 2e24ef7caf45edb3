"""Checking a text against the installation's index, and showing the result to a given reader.

``check_text`` matches against every submitted essay and the reference corpus (``essays.store``),
discounting the administrator's allow-list of formulations besides the fingerprints common to many
documents. ``describe`` turns a result into what a reader may see: the copied passages, and for each its
source — a reference document with title, link and the matching passage; an essay in the reader's scope
with its author, organization and passage; any other essay only as "an essay of another organization"
and its date.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Action
from core.scoping import can, get_scope
from essays import fingerprint as fp
from essays.index import Passage, Result
from essays.models import EssayVersion, Formulation, ReferenceDocument
from essays.store import store

MAX_CHARACTERS = 30000  # of an essay: well above any reflection essay, far below a pasted book

_allow_lock = threading.Lock()
_allow_cache: tuple[Any, np.ndarray] | None = None


def formulation_hashes(text: str) -> np.ndarray:
    """Every run hash of a formulation (not only the winnowed ones), so none of its runs is evidence."""
    return np.unique(fp.hashes(fp.normalized(text)[0]))


def ignored_hashes() -> np.ndarray:
    """The hashes of the allow-list, recomputed when it changes."""
    global _allow_cache
    stamp = tuple(Formulation.objects.aggregate(n=Count("pk"), last=Max("updated")).values())
    with _allow_lock:
        if _allow_cache is None or _allow_cache[0] != stamp:
            parts = [formulation_hashes(t) for t in Formulation.objects.values_list("text", flat=True)]
            _allow_cache = (stamp, np.unique(np.concatenate(parts)) if parts else np.empty(0, np.uint32))
        return _allow_cache[1]


def letters(text: str) -> int:
    """Characters that count towards an essay's length: letters (汉字 included) and digits."""
    return sum(1 for c in text if c.isalnum())


def validate(text: str) -> None:
    """Refuse what is not an essay, with the reason: nothing, only punctuation, too long, one phrase
    repeated over and over."""
    if not text or not text.strip():
        raise ValidationError(_("正文为空"), code="empty")
    if len(text) > MAX_CHARACTERS:
        raise ValidationError(_("正文共%(n)s字，超过上限%(max)s字；请只提交心得体会本身")
                              % {"n": len(text), "max": MAX_CHARACTERS}, code="too_long")
    points = fp.normalized(text)[0]
    if not len(points):
        raise ValidationError(_("正文只有标点符号或空白，没有文字"), code="no_letters")
    runs = fp.hashes(points)
    if len(runs) >= 200 and len(np.unique(runs)) < 0.25 * len(runs):
        raise ValidationError(_("正文大部分是同一段文字的重复，请写出自己的体会"), code="repetitive")


def foreign_script(text: str) -> bool:
    """Mostly letters other than 汉字: checked all the same, but the reviewer is told."""
    points = fp.normalized(text)[0]
    han = int(((points >= 0x4E00) & (points <= 0x9FFF)).sum())
    return len(points) > 0 and han < 0.5 * len(points)


def check_text(text: str, *, exclude: set[int] | None = None) -> Result:
    return store().index().check(text, exclude=exclude, ignore=ignored_hashes())


def as_json(result: Result) -> dict[str, Any]:
    return {"length": result.length, "copied": result.copied, "originality": result.originality,
            "passages": [vars(p) for p in result.passages]}


def from_json(data: dict[str, Any]) -> Result:
    return Result(length=data.get("length", 0), copied=data.get("copied", 0),
                  passages=[Passage(**p) for p in data.get("passages", [])])


def source_range(text: str, start: int, end: int) -> tuple[int, int]:
    """Normalized positions ``start..end`` of ``text`` as original character offsets."""
    offsets = fp.normalized(text)[1]
    if not len(offsets):
        return 0, 0
    first = int(offsets[min(start, len(offsets) - 1)])
    last = int(offsets[max(0, min(end, len(offsets)) - 1)])
    return first, last + 1


def describe(text: str, result: Result, user: Any = None) -> dict[str, Any]:
    """The result as ``user`` may see it (``None``: the operator at the command line, who sees sources but
    no authors). Passages come with their text, their source and the source's matching passage."""
    ref_ids = {-p.source for p in result.passages if p.source < 0}
    essay_ids = {p.source for p in result.passages if p.source > 0}
    refs = ReferenceDocument.objects.in_bulk(ref_ids)
    versions = EssayVersion.objects.select_related("org", "member").in_bulk(essay_ids)
    passages = []
    for p in result.passages:
        source: dict[str, Any]
        source_text, span = "", [p.source_start, p.source_end]
        shown_span: list[int | None]
        if p.source < 0:
            doc = refs.get(-p.source)
            source = {"kind": "reference", "id": -p.source, "title": doc.title if doc else _("（已删除的文献）"),
                      "url": doc.source_url if doc else ""}
            if doc is not None:
                span = list(source_range(doc.text, p.source_start, p.source_end))
                source_text = doc.text[span[0]:span[1]]
        else:
            version = versions.get(p.source)
            if version is None:
                source = {"kind": "essay", "visible": False, "label": _("（已删除的心得体会）")}
            else:
                date = f"{timezone.localtime(version.submitted_at):%Y-%m-%d}"
                visible = user is not None and can(user, Action.VIEW, version)
                if visible:
                    source = {"kind": "essay", "visible": True, "id": version.essay_id, "version": version.number,
                              "title": version.title, "author": version.member.name, "org": version.org.name,
                              "date": date, "label": _("%(org)s %(name)s的心得体会（%(date)s）")
                              % {"org": version.org.name, "name": version.member.name, "date": date}}
                elif user is None:
                    source = {"kind": "essay", "visible": False, "id": version.essay_id, "org": version.org.name,
                              "date": date, "label": _("%(org)s的一篇心得体会（%(date)s）")
                              % {"org": version.org.name, "date": date}}
                else:
                    # Managers see everything of their own organizations, so a hidden source is another
                    # organization's; a member sees only their own essays, so it is simply someone else's.
                    label = (_("其他组织的一篇心得体会（%(date)s）") if get_scope(user, Action.VIEW).paths
                             else _("他人的一篇心得体会（%(date)s）"))
                    source = {"kind": "essay", "visible": False, "date": date, "label": label % {"date": date}}
                if visible or user is None:
                    span = list(source_range(version.text, p.source_start, p.source_end))
                    source_text = version.text[span[0]:span[1]]
        shown_span = [span[0], span[1]] if source_text else [None, None]
        passages.append({"start": p.start, "end": p.end, "text": text[p.start:p.end], "source": source,
                         "source_start": shown_span[0], "source_end": shown_span[1], "source_text": source_text})
    return {"originality": result.originality, "copied_characters": result.copied,
            "characters": result.length, "passages": passages}


def segments(text: str, passages: list[dict[str, Any]]) -> list[tuple[str, int | None]]:
    """``text`` cut into pieces for highlighting: (piece, index of the passage covering it or None)."""
    marks: list[int | None] = [None] * len(text)
    for number, p in enumerate(passages):
        for i in range(max(0, p["start"]), min(len(text), p["end"])):
            if marks[i] is None:
                marks[i] = number
    pieces: list[tuple[str, int | None]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marks[i] != marks[start]:
            pieces.append((text[start:i], marks[start]))
            start = i
    return pieces
