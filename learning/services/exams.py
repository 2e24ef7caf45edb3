"""The question bank, exams and attempts.

An attempt draws its questions when it starts (at random, by the exam's tag and type counts, from the
banks of the exam's organization and of those above it) and keeps their ids; the answers never leave the
server before the member submits. Submitting scores on the server, once: a second submission (a double
click, a second tab), a late one, or one naming a question that is not in the attempt is refused and
changes nothing. Passing credits the exam's hours to the ledger, once per exam.
"""

from __future__ import annotations

import datetime
import json
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import services as core
from core.changelog import log_change, snapshot
from core.choices import Action, ChangeAction
from core.rules import rule_value
from core.scoping import can_in_org
from core.text import listing
from learning import points, rules
from learning.choices import AttemptStatus, PointAction, QuestionKind, RecordSource, StudyKind
from learning.ledger import refresh_years
from learning.models import Attempt, Exam, Question, StudyRecord
from learning.models.activities import ancestor_paths
from orgs.models import Member

# A submission this long after the deadline is still taken (the page submits itself at the deadline).
GRACE = datetime.timedelta(seconds=30)


@transaction.atomic
def create_question(question: Question, *, acting_user: Any, message: str = "") -> Question:
    return core.create_object(question, acting_user=acting_user, message=message)


@transaction.atomic
def create_questions(questions: Sequence[Question], *, acting_user: Any, message: str = "") -> list[Question]:
    """Put several questions into banks together: all of them, or none if any is refused."""
    return [core.create_object(question, acting_user=acting_user, message=message) for question in questions]


@transaction.atomic
def update_question(question: Question, *, acting_user: Any, changes: dict[str, Any], message: str = "") -> Question:
    return core.update_object(question, acting_user=acting_user, changes=changes, message=message)


@transaction.atomic
def delete_question(question: Question, *, acting_user: Any, message: str = "") -> None:
    """Questions that were drawn stay (attempts refer to them): they are switched off instead."""
    if question.attempts.exists():
        raise ValidationError(_("这道题已被抽入答卷，不能删除；可以停用"))
    core.delete_object(question, acting_user=acting_user, message=message)


def bank(exam: Exam) -> QuerySet[Question]:
    """The active questions an exam may draw: its organization's bank and the banks above it."""
    path = exam.org.path if exam.org_id else exam.org_path
    return Question.objects.filter(active=True, org_path__in=ancestor_paths(path))


def matching(questions: QuerySet[Question], rule: dict[str, Any]) -> QuerySet[Question]:
    qs = questions.filter(kind=rule["kind"])
    tag = (rule.get("tag") or "").strip()
    if tag:
        qs = qs.filter(Q(tags=tag) | Q(tags__startswith=f"{tag},") | Q(tags__endswith=f",{tag}")
                       | Q(tags__contains=f",{tag},"))
    return qs


def draw(exam: Exam, rng: random.Random) -> list[int]:
    """A paper: for each rule, its count of questions at random, never two on the same statement while the
    bank allows (``rules.statement_key``: a fill-in would give away the choice question on its sentence)."""
    drawn: list[int] = []
    statements: set[str] = set()
    for rule in exam.draw:
        rows = {pk: rules.statement_key(kind, text, options, answer) for pk, kind, text, options, answer
                in matching(bank(exam), rule).values_list("pk", "kind", "text", "options", "answer")}
        ids = sorted(set(rows) - set(drawn))
        if len(ids) < rule["count"]:
            raise ValidationError(_("题库中的试题不足，请联系组织者"))
        rng.shuffle(ids)
        chosen: list[int] = []
        for pk in ids:
            if len(chosen) < rule["count"] and rows[pk] not in statements:
                chosen.append(pk)
                statements.add(rows[pk])
        # A bank too small to keep every statement apart still yields a paper.
        chosen += [pk for pk in ids if pk not in chosen][:rule["count"] - len(chosen)]
        drawn += chosen
    rng.shuffle(drawn)
    return drawn


def check_draw(exam: Exam) -> None:
    """Every rule must find enough questions in the bank (counted without overlap between rules)."""
    problem = rules.draw_error(exam.draw)
    if problem:
        raise ValidationError({"draw": problem})
    labels = dict(QuestionKind.choices)
    taken: set[int] = set()
    for rule in exam.draw:
        ids = set(matching(bank(exam), rule).values_list("pk", flat=True)) - taken
        if len(ids) < rule["count"]:
            raise ValidationError({"draw": _("题库中“%(tag)s”%(kind)s只有%(have)s道，抽题规则要%(want)s道") % {
                "tag": rule.get("tag") or _("全部"), "kind": labels[rule["kind"]], "have": len(ids),
                "want": rule["count"]}})
        taken |= set(sorted(ids)[: rule["count"]])


@transaction.atomic
def create_exam(exam: Exam, *, acting_user: Any, message: str = "") -> Exam:
    # The permission first: the draw check counts the questions of the banks the exam may draw from.
    if exam.org_id is not None and not can_in_org(acting_user, Action.CHANGE, exam.org.path):
        raise core.OutOfScope(_("不在您的管理范围内"))
    check_draw(exam)
    return core.create_object(exam, acting_user=acting_user, message=message)


@transaction.atomic
def update_exam(exam: Exam, *, acting_user: Any, changes: dict[str, Any], message: str = "") -> Exam:
    stored = Exam.objects.select_for_update().get(pk=exam.pk)
    core.require_visible_then_writable(acting_user, stored)  # before the draw check counts any bank
    if "org" in changes and changes["org"] is not None \
            and not can_in_org(acting_user, Action.CHANGE, changes["org"].path):
        raise core.OutOfScope(_("不在您的管理范围内"))
    old_path = stored.org_path
    for name, value in changes.items():
        setattr(exam, name, value)
    if "draw" in changes or "org" in changes:
        check_draw(exam)
    core.update_object(exam, acting_user=acting_user, changes=changes, message=message)
    if exam.org_path != old_path:
        Attempt.objects.filter(exam=exam).update(exam_org_path=exam.org_path)
    return exam


@transaction.atomic
def delete_exam(exam: Exam, *, acting_user: Any, message: str = "") -> None:
    if Attempt.objects.filter(exam=exam).exists():
        raise ValidationError(_("已有人作答，不能删除这场考试"))
    core.delete_object(exam, acting_user=acting_user, message=message)


def _own_member(user: Any, *, lock: bool = False) -> Member:
    qs = Member.objects.filter(user=user) if user.is_authenticated else Member.objects.none()
    member = (qs.select_for_update() if lock else qs).first()
    if member is None:
        raise PermissionDenied(_("您的账号没有关联党员档案，不能参加考试"))
    return member


def expire(attempts: QuerySet[Attempt], now: datetime.datetime) -> int:
    """Open attempts past their deadline (and the grace) are closed without a score, each with a change-log
    row (the system closed it, not a person)."""
    closed = 0
    for attempt in attempts.filter(status=AttemptStatus.OPEN, deadline__lt=now - GRACE):
        # One row at a time, and only if still open: two requests expiring the same attempt log it once.
        with transaction.atomic():
            if not Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.OPEN).update(
                    status=AttemptStatus.EXPIRED, score=Decimal(0)):
                continue
            before = _logged(attempt)
            attempt.status, attempt.score = AttemptStatus.EXPIRED, Decimal(0)
            log_change(attempt, ChangeAction.UPDATE, acting_user=None, before=before, after=_logged(attempt),
                       message=_("答题时间已到，系统自动收卷"))
        closed += 1
    return closed


@transaction.atomic
def start_attempt(exam: Exam, *, acting_user: Any, now: datetime.datetime | None = None,
                  rng: random.Random | None = None) -> Attempt:
    """Start (or resume) the member's attempt: draws the questions and sets the deadline."""
    now = now or timezone.now()
    member = _own_member(acting_user, lock=True)  # the lock serializes a member's concurrent starts
    if not Exam.objects.restrict(acting_user).filter(pk=exam.pk).exists():
        raise Http404
    exam = Exam.objects.get(pk=exam.pk)
    mine = Attempt.objects.filter(exam=exam, member=member)
    expire(mine, now)
    current = mine.filter(status=AttemptStatus.OPEN).first()
    if current is not None:
        return current
    if now < exam.opens:
        opens = timezone.localtime(exam.opens)
        raise ValidationError(_("考试尚未开放，%(time)s开始") % {"time": f"{opens:%Y-%m-%d %H:%M}"})
    if now > exam.closes:
        raise ValidationError(_("考试已经截止"))
    used = mine.count()
    if used >= exam.attempts_allowed:
        raise ValidationError(_("您已作答%(n)s次，达到这场考试的次数上限") % {"n": used})
    drawn = draw(exam, rng or random.SystemRandom())
    deadline = min(now + datetime.timedelta(minutes=exam.time_limit), exam.closes)
    attempt = Attempt(exam=exam, member=member, org_id=member.org_id, org_path=member.org_path,
                      exam_org_path=exam.org_path, number=used + 1, started=now, deadline=deadline, questions=drawn)
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        return Attempt.objects.get(exam=exam, member=member, status=AttemptStatus.OPEN)
    attempt.drawn.set(drawn)
    log_change(attempt, ChangeAction.CREATE, acting_user=acting_user, after=_logged(attempt), message=_("开始答题"))
    return attempt


def _logged(attempt: Attempt) -> dict[str, Any]:
    data = snapshot(attempt)
    data.pop("answers", None)
    data.pop("results", None)
    return data


def clean_answers(attempt: Attempt, answers: Any, questions: dict[int, Question]) -> dict[str, Any]:
    """The submitted answers, checked against the attempt's own questions; anything else is refused."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("答案格式无效")})
    cleaned: dict[str, Any] = {}
    for key, given in answers.items():
        try:
            qid = int(key)
        except (TypeError, ValueError):
            raise ValidationError({"answers": _("试题编号无效：%(id)s") % {"id": key}}) from None
        question = questions.get(qid)
        if question is None:
            raise ValidationError({"answers": _("第%(id)s号试题不在这份答卷中") % {"id": key}})
        if given in (None, "", []):
            continue
        if question.is_choice:
            if not isinstance(given, list) or not all(isinstance(i, int) and 0 <= i < len(question.options)
                                                      for i in given) or len(set(given)) != len(given):
                raise ValidationError({"answers": _("第%(id)s号试题的选项无效") % {"id": key}})
            if question.kind == QuestionKind.SINGLE and len(given) > 1:
                raise ValidationError({"answers": _("第%(id)s号试题是单选题") % {"id": key}})
        elif question.kind == QuestionKind.TRUE_FALSE:
            if not isinstance(given, bool):
                raise ValidationError({"answers": _("第%(id)s号试题应回答对或错") % {"id": key}})
        elif not isinstance(given, list) or not all(isinstance(s, str) and len(s) <= 200 for s in given) \
                or len(given) != len(question.answer):
            raise ValidationError({"answers": _("第%(id)s号试题应填写%(n)s个空")
                                   % {"id": key, "n": len(question.answer)}})
        cleaned[str(qid)] = given
    return cleaned


@transaction.atomic
def submit_attempt(attempt: Attempt, answers: Any, *, acting_user: Any,
                   now: datetime.datetime | None = None) -> Attempt:
    """Score the attempt on the server, once; passing credits the exam's hours (first pass only)."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update().select_related("exam", "member").get(pk=attempt.pk)
    if attempt.member.user_id != getattr(acting_user, "pk", None):
        raise Http404
    if attempt.status == AttemptStatus.SUBMITTED:
        raise ValidationError(_("这份答卷已经交过了，成绩以第一次交卷为准"), code="submitted")
    if attempt.status == AttemptStatus.EXPIRED or now > attempt.deadline + GRACE:
        raise ValidationError(_("已超过答题时限，不能再交卷"), code="late")
    questions = Question.objects.in_bulk(attempt.questions)
    cleaned = clean_answers(attempt, answers, questions)
    results = {str(qid): rules.is_correct(questions[qid].kind, questions[qid].answer, cleaned.get(str(qid)))
               for qid in attempt.questions if qid in questions}
    exam = attempt.exam
    already_passed = Attempt.objects.filter(exam=exam, member=attempt.member, passed=True).exists()
    attempt.answers, attempt.results = cleaned, results
    attempt.score = rules.percent(sum(results.values()), len(attempt.questions))
    attempt.passed = attempt.score >= exam.pass_mark
    attempt.status, attempt.submitted = AttemptStatus.SUBMITTED, now
    before = _logged(Attempt.objects.get(pk=attempt.pk))
    attempt.save()
    log_change(attempt, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=_logged(attempt),
               message=_("交卷"))
    day = timezone.localtime(now).date()
    points.award(attempt.member, PointAction.EXAM_CORRECT, f"attempt-{attempt.pk}", day=day,
                 count=sum(results.values()))
    if attempt.passed and not already_passed:
        points.award(attempt.member, PointAction.EXAM_PASS, f"exam-{exam.pk}", day=day)
    if attempt.passed and not already_passed and exam.hours_on_pass > 0:
        record = StudyRecord.objects.create(
            member=attempt.member, org_id=attempt.member.org_id, date=day, hours=exam.hours_on_pass,
            kind=StudyKind.ONLINE, source=RecordSource.EXAM, title=exam.title, provider=str(exam.org),
            reference=f"exam-{exam.pk}")
        log_change(record, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(record),
                   message=_("考试及格计入学时"))
        refresh_years([attempt.member_id], [day.year])
    return attempt


def suspicious(attempts: QuerySet[Attempt], exam: Exam) -> list[dict[str, Any]]:
    """Attempts to look at: finished faster than their questions can be read, or with the same duration
    (to the second) and the same answers as another member's."""
    minimum = float(rule_value("learning.exam.min_seconds_per_question", timezone.localdate()))
    found: list[dict[str, Any]] = []
    groups: dict[tuple[int, str], list[Attempt]] = defaultdict(list)
    for attempt in attempts.filter(status=AttemptStatus.SUBMITTED).select_related("member"):
        seconds = (attempt.submitted - attempt.started).total_seconds() if attempt.submitted else 0
        if seconds < minimum * len(attempt.questions):
            found.append({"attempt": attempt, "reason": _("用时%(s)d秒，少于阅读%(n)s道题所需的时间")
                          % {"s": seconds, "n": len(attempt.questions)}})
        if attempt.answers:
            groups[(round(seconds), json.dumps(attempt.answers, sort_keys=True))].append(attempt)
    for group in groups.values():
        if len({a.member_id for a in group}) > 1:
            names = listing(a.member.name for a in group)
            found += [{"attempt": a, "reason": _("与%(names)s的用时和答案完全相同") % {"names": names}} for a in group]
    return found


def answers_may_be_shown(attempt: Attempt, now: datetime.datetime | None = None) -> bool:
    """The right answers and explanations are shown to a member once they cannot sit the exam again: all
    attempts used, or the exam closed; and never while an attempt of theirs can still be handed in (the last
    one counts as used from its start, and may have drawn the same questions)."""
    now = now or timezone.now()
    exam = attempt.exam
    sittings = Attempt.objects.filter(exam=exam, member_id=attempt.member_id)
    if sittings.filter(status=AttemptStatus.OPEN, deadline__gte=now - GRACE).exists():
        return False
    return now > exam.closes or sittings.count() >= exam.attempts_allowed
