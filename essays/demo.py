"""Demo data of the essays app: two requests of the top committee, a few hundred essays, some copied.

Essays are put together from short phrases in slots (what was studied, what the member does, what they
found lacking, what they will do), so that they read like reflection essays and two members rarely share
a run long enough to count as a copy. Some members copy: a passage of the regulations (a reference
document of the corpus) or of an essay another member handed in earlier, now and then from another
branch. Each version is checked as it would have been on submission (against what was handed in before
it), then the index is rebuilt, since the demo replaces the database the old index was made from.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import re
from pathlib import Path
from typing import Any

from django.utils import timezone

from essays import originality
from essays.choices import CheckStatus, Decision, EssayAudience, EssayStatus
from essays.index import Index
from essays.models import Essay, EssayRequest, EssayVersion, Formulation, ReferenceDocument
from essays.store import Store, directory, essay_doc, reference_doc
from orgs.choices import BRANCH_KINDS, MEMBER_STATUSES
from orgs.demo.builder import register_demo_step
from orgs.models import Member, Organization

MAX_ESSAYS = 2500
FORMULATIONS = [
    ("不忘初心、牢记使命", "2019年主题教育主题"),
    ("守初心、担使命，找差距、抓落实", "2019年主题教育总要求"),
    ("理论学习有收获、思想政治受洗礼、干事创业敢担当、为民服务解难题、清正廉洁作表率", "2019年主题教育目标"),
    ("学思想、强党性、重实践、建新功", "2023年主题教育总要求"),
]
# A sentence is a sequence of slots, each a short choice: two members share a run of 21 characters or more
# (what the checker can notice) only when several choices in a row coincide.
GRAMMAR = [
    [
        ["通过", "参加", "围绕", "结合"],
        ["这次", "本次", "近期的", "这一阶段的"],
        ["学习党章党规", "专题党课", "主题党日", "集中学习", "党纪学习教育", "读书班"],
        ["，", "以后，", "中，"],
        ["我", "我个人", "自己"],
        ["深刻", "进一步", "更加清楚地", "切实"],
        ["认识到", "体会到", "明白了", "感受到"],
        ["党员", "共产党员", "基层党员"],
        ["身份", "责任", "标准", "初心"],
        ["，入党#年来", "，工作#年来", "，这#天里"],
        ["意味着什么", "重在行动", "不能只挂在嘴上"],
    ],
    [
        ["我", "我和", "我同"],
        ["支部", "科室", "党小组", "车间", "社区"],
        ["的同志", "的老党员", "的年轻人", "的工友"],
        ["一起", "先后", "反复"],
        ["学了", "讨论了", "重读了", "交流了"],
        ["党章总纲", "支部工作条例", "纪律处分条例", "入党誓词", "准则的有关条款"],
        ["，", "；", "，还"],
        ["记了", "写了", "整理了"],
        ["#"],
        ["页", "条", "段"],
        ["笔记", "心得", "体会"],
    ],
    [
        ["我在", "平时我在", "这些年我在"],
        ["街道办", "中学", "卫生院", "供电所", "村委会", "税务分局", "物业中心", "图书馆"],
        ["工作了#年，", "干了#年，", "已经#年，"],
        ["负责", "承担", "分管", "从事"],
        ["群众接待", "教学管理", "档案整理", "设备巡检", "项目审批", "安全检查", "财务报销"],
        ["，", "工作，"],
        ["每天", "每周", "经常"],
        ["要", "需要", "得"],
        ["接触", "面对", "服务"],
        ["不少", "很多", "各种各样的"],
        ["群众", "居民", "学生", "企业", "病人"],
    ],
    [
        ["回头看，", "对照检查，", "静下心来想，", "说实话，"],
        ["我在", "自己在"],
        ["联系群众", "业务学习", "按时交党费", "组织生活", "工作作风", "学用结合"],
        ["上", "方面"],
        ["还有", "存在", "仍有"],
        ["差距", "不足", "短板"],
        ["，今年有#次", "，有#回", "，算下来#次"],
        ["有时", "偶尔", "过去"],
        ["怕麻烦", "图省事", "应付了事", "把难题往上推", "办完就算"],
    ],
    [
        ["下一步", "今后", "接下来", "明年"],
        ["我打算", "我要", "我准备", "我会"],
        ["每月", "每周", "每季度"],
        ["至少", "坚持", "固定"],
        ["走访", "联系", "看望", "回访"],
        ["#"],
        ["户", "位", "家"],
        ["群众", "困难户", "老党员", "居民"],
        ["，", "，并且", "，同时"],
        ["把", "将"],
        ["反映的问题", "提出的意见", "身边的难事"],
        ["记在台账上", "逐一销号", "落实到人"],
    ],
]


def _essay(rng: random.Random, min_length: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < min_length + 60:
        # Figures and dates of one's own (how many years, visits, pages; the day something happened).
        sentence = "".join(rng.choice(slot).replace("#", str(rng.randint(2, 40)))
                           for slot in rng.choice(GRAMMAR[1:] if parts else GRAMMAR[:1]))
        if parts:
            sentence = f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日，" + sentence
        parts.append(sentence + rng.choice(["。", "。", "；"]))
    return "".join(parts)


def _references() -> list[ReferenceDocument]:
    text = (Path(__file__).resolve().parent.parent / "learning" / "data" / "regulations.txt").read_text("utf-8")
    docs = []
    for chunk in re.split(r"\n(?=中国共产党)", text):
        lines = [line for line in chunk.strip().splitlines() if line.strip()]
        if len(lines) < 2:
            continue
        body = "\n".join(lines)
        docs.append(ReferenceDocument(title=lines[0], source_url="", text=body,
                                      digest=hashlib.sha256(body.encode()).hexdigest()))
    # The corpus belongs to the installation and outlives a new demo: documents already there are kept.
    ReferenceDocument.objects.bulk_create(docs, ignore_conflicts=True)
    return list(ReferenceDocument.objects.filter(digest__in=[d.digest for d in docs]))


def build(rng: random.Random, today: datetime.date, _now: Any) -> None:
    now = timezone.now()
    top = Organization.objects.get(parent__isnull=True)
    refs = _references()
    Formulation.objects.bulk_create([Formulation(text=t, note=n) for t, n in FORMULATIONS], ignore_conflicts=True)
    closed = EssayRequest.objects.create(
        org=top, title="学习党章党规心得体会", deadline=today - datetime.timedelta(days=10), min_length=300,
        audience=EssayAudience.SUBTREE, instructions="结合本职工作，谈学习党章党规的收获和差距，不少于300字。")
    open_ = EssayRequest.objects.create(
        org=top, title="主题党日学习心得", deadline=today + datetime.timedelta(days=14), min_length=300,
        audience=EssayAudience.SUBTREE, instructions="围绕本月主题党日的学习内容，联系实际写出体会。")
    accounts = set(Member.objects.filter(user__isnull=False).values_list("org_id", flat=True))
    branches = list(Organization.objects.filter(kind__in=BRANCH_KINDS).order_by("path").values_list("pk", flat=True))
    chosen = [b for b in branches if b in accounts] + [b for b in branches if b not in accounts]
    party = Member.objects.filter(status__in=MEMBER_STATUSES)
    members = list(party.filter(org_id__in=chosen).order_by("org_path", "pk")[:MAX_ESSAYS])
    if party.count() > len(members):
        # A large demo asks the members it writes essays for, so the rest do not all show as overdue.
        for request in (closed, open_):
            request.audience = EssayAudience.MEMBERS
            request.save(update_fields=["audience"])
            request.audience_members.set(members)
    sentences = [s for s in re.split(r"(?<=[。；])", "".join(r.text for r in refs)) if len(s) > 40]
    versions: list[EssayVersion] = []
    essays: list[tuple[Essay, list[str]]] = []
    start = timezone.make_aware(datetime.datetime.combine(closed.deadline - datetime.timedelta(days=20),
                                                          datetime.time(9)))
    for member in members:
        for request in (closed, open_):
            roll = rng.random()
            if (request is closed and roll > 0.85) or (request is open_ and roll > 0.35 and member.user_id is None):
                continue  # not handed in (the closed request's gap), or not yet started
            text = _essay(rng, request.min_length)
            copy = rng.random()
            if copy < 0.08 and sentences:
                text = text[:120] + "".join(rng.sample(sentences, 3)) + text[120:]
            elif copy < 0.14 and essays:
                source = rng.choice(essays[-40:])[1][0]
                text = text[:80] + source[20:260] + text[80:]
            draft = request is open_ and rng.random() < 0.3
            essay = Essay(request=request, member=member, org_id=member.org_id, org_path=member.org_path,
                          request_org_path=request.org_path, title=request.title, text=text,
                          status=EssayStatus.DRAFT if draft else EssayStatus.SUBMITTED)
            essays.append((essay, [text]))
    Essay.objects.bulk_create([e for e, _t in essays])
    for n, (essay, (text,)) in enumerate(essays):
        if essay.status == EssayStatus.DRAFT:
            continue
        submitted = start + datetime.timedelta(minutes=37 * n)
        if essay.request_id == open_.pk:
            submitted = now - datetime.timedelta(days=3) + datetime.timedelta(minutes=5 * n)
        versions.append(EssayVersion(essay=essay, member_id=essay.member_id, org_id=essay.org_id,
                                     org_path=essay.org_path, request_org_path=essay.request_org_path, number=1,
                                     title=essay.title, text=text, submitted_at=submitted))
    EssayVersion.objects.bulk_create(versions)
    _check(versions, refs, now)
    _review(rng, versions, closed, now)
    Store(directory()).rebuild()


def _check(versions: list[EssayVersion], refs: list[ReferenceDocument], now: Any) -> None:
    """Each version against the corpus and the versions handed in before it, as on submission."""
    documents = [(reference_doc(r.pk), r.text) for r in refs] + [(essay_doc(v.pk), v.text) for v in versions]
    index = Index.build(documents)
    ignore = originality.ignored_hashes()
    order = sorted(versions, key=lambda v: v.submitted_at)
    later = {v.pk for v in order}
    for version in order:
        later.discard(version.pk)
        result = index.check(version.text, exclude=later | {version.pk}, ignore=ignore)
        version.check_status, version.originality = CheckStatus.DONE, result.originality
        version.result, version.checked_at = originality.as_json(result), now
    EssayVersion.objects.bulk_update(versions, ["check_status", "originality", "result", "checked_at"], batch_size=500)
    for version in versions:
        essay = version.essay
        essay.originality = version.originality
        essay.submitted_at = version.submitted_at
        essay.versions_count = 1
        essay.late_days = max(0, (timezone.localtime(version.submitted_at).date() - essay.request.deadline).days)
    Essay.objects.bulk_update([v.essay for v in versions],
                              ["originality", "submitted_at", "versions_count", "late_days"], batch_size=500)


def _review(rng: random.Random, versions: list[EssayVersion], closed: EssayRequest, now: Any) -> None:
    """Most essays of the closed request are reviewed: approved, or returned when copied."""
    reviewed = []
    for version in versions:
        essay = version.essay
        if essay.request_id != closed.pk or rng.random() < 0.25:
            continue
        copied = version.originality is not None and version.originality < 70
        version.decision = Decision.RETURNED if copied else Decision.APPROVED
        version.comment = "与其他文章雷同较多，请结合自己的实际重写。" if copied else ""
        version.reviewed_at = now - datetime.timedelta(days=rng.randint(1, 9))
        essay.status = EssayStatus.RETURNED if copied else EssayStatus.APPROVED
        reviewed.append(version)
    EssayVersion.objects.bulk_update(reviewed, ["decision", "comment", "reviewed_at"], batch_size=500)
    Essay.objects.bulk_update([v.essay for v in reviewed], ["status"], batch_size=500)


register_demo_step(build)
