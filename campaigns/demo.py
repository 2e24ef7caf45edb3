"""Demo data of the campaigns app, and the generator the province-size benchmark uses.

The top committee runs the 2019 theme education (copied from its template, started five months ago).
Every branch has a few problems in its ledger — found by itself, raised by the people, pointed out by the
level above — in every state: closed on time or late, submitted for 销号, returned, in progress, overdue.
Some grassroots committees run 办实事 projects with the beneficiaries' ratings; exemplars are registered;
the 18-item checklist goes to the committees' secretaries; and today's digests are sent.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from campaigns import catalogue, digests, services
from campaigns.choices import Answer, CategoryKind, ProblemSeverity, ProblemSource, ProblemStatus, RectificationKind
from campaigns.models import (
    AnswerRow,
    Assignment,
    Campaign,
    Category,
    Checklist,
    ChecklistItem,
    Exemplar,
    Feedback,
    Problem,
    ProgressUpdate,
    Project,
    Requirement,
    Review,
)
from orgs.choices import BRANCH_KINDS, OrgKind, PositionTitle
from orgs.demo.builder import _Writer, register_demo_step
from orgs.models import Member, Organization, Position

MAX_DEMO_PROBLEMS = 3000
PROBLEMS = [  # (problem, description, measures)
    ("理论学习流于形式",
     "集中学习以读文件为主，研讨发言准备不足，联系实际不够。",
     "制定学习计划，每次确定研讨题目，党员轮流领学发言。"),
    ("“三会一课”记录不规范",
     "部分支委会记录缺少议题和表决情况，党课记录只有题目。",
     "统一记录本格式，支部书记每月检查签字。"),
    ("党费收缴不及时",
     "个别党员连续两个月未按时交纳党费。",
     "逐一谈话提醒，落实按月交纳，建立缴费台账。"),
    ("联系服务群众不够",
     "走访群众次数少，群众反映的问题回应不及时。",
     "建立党员联系户制度，每月走访，问题建立清单限时办结。"),
    ("为基层减负落实不到位",
     "填报表格多、重复留痕，占用基层工作时间。",
     "清理合并报表，取消不必要的留痕要求。"),
    ("发展党员程序不严格",
     "个别积极分子培养考察材料不完整。",
     "对照25个步骤逐项补齐材料，支委会集体审核。"),
    ("组织生活会批评不深入",
     "批评意见避重就轻，自我批评多谈客观原因。",
     "会前开展谈心谈话，会上点名道姓指出问题。"),
    ("窗口服务态度生硬",
     "群众反映办事窗口解释不耐心，一次性告知不到位。",
     "制定服务规范，开展服务评议，实行首问负责。"),
    ("干部担当作为不够",
     "遇到难题推诿，等靠思想较重。",
     "建立责任清单，重点任务挂图作战，定期通报。"),
    ("廉洁风险防控薄弱",
     "物资采购流程不规范，监督环节缺失。",
     "修订采购制度，实行集体决策和公开公示。"),
]
SOURCES = ([ProblemSource.SELF] * 5 + [ProblemSource.MASSES] * 2 + [ProblemSource.SUPERIOR] * 2
           + [ProblemSource.MUTUAL])
KINDS = [RectificationKind.IMMEDIATE, RectificationKind.DEADLINE, RectificationKind.DEADLINE,
         RectificationKind.LONG_TERM]
PROBLEM_COLUMNS = ("id", "org_id", "org_path", "campaign_id", "category_id", "title", "description", "source",
                   "severity",
                   "found_on", "owner_id", "leader", "kind", "standard", "measures", "deadline", "status",
                   "closed_on", "reopened", "gap_rule", "gap_ref", "gap_title")


def problem_row(rng: random.Random, today: datetime.date, start: datetime.date, org: tuple[int, str],
                campaign_id: int | None, categories: Sequence[int], owners: Sequence[int]) -> tuple[Any, ...]:
    """One ledger line of a branch, in a state that fits its dates: older problems are more often closed."""
    title, description, measures = rng.choice(PROBLEMS)
    span = max((today - start).days, 1)
    found = start + datetime.timedelta(days=rng.randrange(span))
    deadline = found + datetime.timedelta(days=rng.choice((7, 15, 30, 30, 60, 90)))
    age = (today - found).days / span
    roll = rng.random()
    closed_on = None
    if roll < 0.25 + 0.6 * age:
        status = ProblemStatus.CLOSED
        latest = min(today, deadline + datetime.timedelta(days=20))
        closed_on = found + datetime.timedelta(days=rng.randint(1, max((latest - found).days, 1)))
    elif roll < 0.25 + 0.6 * age + 0.08:
        status = ProblemStatus.SUBMITTED
    elif roll < 0.25 + 0.6 * age + 0.12:
        status = ProblemStatus.RETURNED
    elif roll < 0.25 + 0.6 * age + 0.2:
        status = ProblemStatus.OPEN
    else:
        status = ProblemStatus.IN_PROGRESS
    owner = rng.choice(owners) if owners and rng.random() < 0.7 else None
    return (org[0], org[1], campaign_id, rng.choice(categories) if categories else None, title, description,
            rng.choice(SOURCES), rng.choice((ProblemSeverity.GENERAL,) * 6 + (ProblemSeverity.SERIOUS,) * 3
                                            + (ProblemSeverity.GRAVE,)),
            found, owner, "", rng.choice(KINDS), "问题见底清零，群众认可", measures, deadline, status, closed_on,
            1 if status != ProblemStatus.CLOSED and rng.random() < 0.02 else 0, "", "", "")


def write_problems(rng: random.Random, today: datetime.date, now: Any, *, start: datetime.date,
                   campaign_id: int | None, categories: Sequence[int], orgs: Sequence[tuple[int, str]],
                   count: int, owners: dict[int, list[int]] | None = None, progress: Any = None) -> int:
    """Write ``count`` problems spread over ``orgs`` in bulk (the benchmark's province writes a million)."""
    writer = _Writer(Problem, PROBLEM_COLUMNS, now)
    owners = owners or {}
    first = (Problem.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    for n in range(count):
        org = orgs[n % len(orgs)] if n < len(orgs) else rng.choice(orgs)
        writer.add((first + n, *problem_row(rng, today, start, org, campaign_id, categories, owners.get(org[0], ()))))
        if progress is not None and n % 50000 == 0:
            progress(n, count)
    writer.flush()
    reset_sequences(Problem)
    return writer.count


def reset_sequences(*models: Any) -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def build(rng: random.Random, today: datetime.date, now: Any) -> None:
    admin = get_user_model().objects.get(username="admin")
    top = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    if top is None:
        return
    start = today - datetime.timedelta(days=150)
    campaign = _campaign(top, start)
    categories = list(campaign.categories.values_list("pk", flat=True))
    branches = list(Organization.objects.filter(kind__in=BRANCH_KINDS).order_by("path").values_list("pk", "path"))
    owners: dict[int, list[int]] = {}
    for org_id, member_id in Member.objects.filter(org_id__in=[b[0] for b in branches[:MAX_DEMO_PROBLEMS]],
                                                   user__isnull=False).values_list("org_id", "pk"):
        owners.setdefault(org_id, []).append(member_id)
    for org_id, member_id in (Position.objects.filter(title=PositionTitle.SECRETARY, term_end__isnull=True)
                              .values_list("org_id", "member_id")):
        owners.setdefault(org_id, []).append(member_id)
    count = min(len(branches) * 3, MAX_DEMO_PROBLEMS)
    write_problems(rng, today, now, start=start, campaign_id=campaign.pk, categories=categories,
                   orgs=branches[: count // 2 or 1], count=count, owners=owners)
    _reviews(rng, campaign.pk, admin, now)
    _projects(rng, today, now, campaign.pk)
    _exemplars(rng, top, campaign.pk, today.year)
    _checklist(rng, campaign, admin, now)
    digests.send(today)


UPDATES = ["已召开支委会研究整改措施，明确责任人和时限。", "已对照整改措施逐项落实，相关制度已修订。",
           "已开展专项检查，问题已整改到位，群众反映良好。"]


def _campaign(top: Organization, start: datetime.date) -> Campaign:
    """The 2019 template as the top committee's campaign, written directly (the demo logs one change only).
    The demo's progress notes carry no files, so closing does not require evidence here."""
    template = catalogue.TEMPLATES["2019"]
    campaign = services.from_template(template, org=top, start=start)
    campaign.requires_evidence = False
    campaign.save()
    Category.objects.bulk_create(
        [Category(campaign=campaign, kind=CategoryKind.GOAL, number=n, name=g) for n, g in enumerate(template.goals, 1)]
        + [Category(campaign=campaign, kind=CategoryKind.SPECIAL, number=n, name=s)
           for n, s in enumerate(template.specials, 1)])
    Requirement.objects.bulk_create([Requirement(campaign=campaign, kind=kind, title=title, hours=hours,
                                                 due=campaign.end) for kind, title, hours in template.requirements])
    checklist = Checklist.objects.create(org=top, campaign=campaign, title=catalogue.CHECKLIST_TITLE,
                                         instructions=catalogue.CHECKLIST_NOTE)
    ChecklistItem.objects.bulk_create([ChecklistItem(checklist=checklist, number=n, section=sec, text=text)
                                       for n, (sec, text) in enumerate(catalogue.CHECKLIST_18, 1)])
    return campaign


def _reviews(rng: random.Random, campaign_id: int, admin: Any, now: Any) -> None:
    """The progress notes of problems worked on, and the decisions of the level above on them."""
    notes = _Writer(ProgressUpdate, ("id", "problem_id", "org_path", "text", "author_id"), now)
    first_note = (ProgressUpdate.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    worked = Problem.objects.filter(campaign_id=campaign_id).exclude(status=ProblemStatus.OPEN)
    for n, (pk, path, status) in enumerate(worked.values_list("pk", "org_path", "status")):
        done = 3 if status in (ProblemStatus.CLOSED, ProblemStatus.SUBMITTED) else rng.randint(1, 2)
        notes.add((first_note + n, pk, path, " ".join(UPDATES[:done]), None))
    notes.flush()
    reset_sequences(ProgressUpdate)
    writer = _Writer(Review, ("id", "problem_id", "org_path", "decision", "comment", "reviewer_id"), now)
    first = (Review.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    decided = Problem.objects.filter(campaign_id=campaign_id).values_list("pk", "org_path", "status")
    for n, (pk, path, status) in enumerate(decided):
        if status == ProblemStatus.CLOSED:
            writer.add((first + n, pk, path, "close", "", admin.pk))
        elif status == ProblemStatus.RETURNED:
            reason = rng.choice(("佐证材料不能说明问题已解决", "整改措施未落实到位"))
            writer.add((first + n, pk, path, "return", reason, admin.pk))
    writer.flush()
    reset_sequences(Review)


PROJECTS = [
    ("老旧小区加装电梯", "小区居民", "协调资金和施工，为3栋老旧住宅加装电梯。"),
    ("村道路灯亮化", "村民", "在主要村道安装太阳能路灯60盏。"),
    ("社区食堂助老餐", "辖区老年人", "开办社区食堂，为70岁以上老人提供优惠午餐。"),
    ("企业用工对接会", "求职群众和企业", "每月举办用工对接会，帮助群众就近就业。"),
    ("学校周边交通整治", "学生和家长", "增设护学岗，规范接送车辆停放。"),
]


def _projects(rng: random.Random, today: datetime.date, now: Any, campaign_id: int) -> None:
    committees = list(Organization.objects.filter(kind__in=(OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH))
                      .exclude(parent__isnull=True).order_by("path")[:40])
    projects = []
    for org in committees:
        title, beneficiaries, description = rng.choice(PROJECTS)
        begun = today - datetime.timedelta(days=rng.randint(20, 140))
        done = rng.random() < 0.5
        projects.append(Project(org=org, org_path=org.path, campaign_id=campaign_id, title=title,
                                beneficiaries=beneficiaries, description=description, start=begun,
                                deadline=begun + datetime.timedelta(days=rng.choice((60, 90, 120))),
                                budget=rng.choice((None, 50000, 120000, 300000)),
                                status="done" if done else "in_progress",
                                done_on=today - datetime.timedelta(days=rng.randint(1, 15)) if done else None,
                                result="已完成，群众反映良好。" if done else ""))
    Project.objects.bulk_create(projects)
    feedback = []
    for project in projects:
        for _n in range(rng.randint(0, 8)):
            feedback.append(Feedback(project=project, org_path=project.org_path, rating=rng.choice((5, 5, 5, 4, 4, 3)),
                                     comment=rng.choice(("办得好，谢谢！", "希望继续做下去", "", "速度可以再快一些")),
                                     client=f"demo{rng.randrange(10**6)}"))
    Feedback.objects.bulk_create(feedback)


def _exemplars(rng: random.Random, top: Organization, campaign_id: int, year: int) -> None:
    closed: dict[str, tuple[int, int]] = {}
    for path, status in Problem.objects.filter(campaign_id=campaign_id).values_list("org_path", "status"):
        found, done = closed.get(path, (0, 0))
        closed[path] = (found + 1, done + (status == ProblemStatus.CLOSED))
    best = sorted(closed.items(), key=lambda kv: (-kv[1][1] / kv[1][0], kv[0]))[:2]
    exemplars = []
    for path, _figures in best:
        org = Organization.objects.get(path=path)
        exemplars.append(Exemplar(org=top, org_path=top.path, kind="org", subject=org, name=org.name, year=year,
                                  honours=f"{year - 1}年度先进基层党组织", story="问题整改清仓见底，群众满意度高。"))
    for member in Member.objects.filter(status="full").order_by("pk")[:2]:
        exemplars.append(Exemplar(org=top, org_path=top.path, kind="person", member=member, name=member.name,
                                  year=year, honours=f"{year - 1}年度优秀共产党员",
                                  story="扎根基层二十年，带头办实事。"))
    Exemplar.objects.bulk_create(exemplars)


def _checklist(rng: random.Random, campaign: Any, admin: Any, now: Any) -> None:
    checklist = campaign.checklists.first()
    if checklist is None:
        return
    secretaries = list(Position.objects.filter(title=PositionTitle.SECRETARY, term_end__isnull=True,
                                               org__depth__lte=2).select_related("member")[:20])
    items = list(checklist.items.all())
    for seat in secretaries:
        assignment = Assignment.objects.create(checklist=checklist, member=seat.member, org_id=seat.member.org_id,
                                               org_path=seat.member.org_path)
        if rng.random() < 0.6:
            rows = []
            for item in items:
                answer = rng.choice((Answer.YES,) * 5 + (Answer.PARTLY, Answer.NO))
                rows.append(AnswerRow(assignment=assignment, item=item, answer=answer,
                                      note="" if answer == Answer.YES else "存在差距，需对照整改"))
            AnswerRow.objects.bulk_create(rows)
            assignment.submitted_at = timezone.now()
            assignment.save(update_fields=["submitted_at"])


register_demo_step(build)
