"""Writing paths of the problem ledger: a problem and its rectification, progress with evidence, the
request to close (销号), the review by the level above, and reopening at a later check (回头看).

Review is by the level above: a manager whose subtree holds the responsible organization *strictly*
(a branch cannot close its own problems), or an administrator. Two reviewers acting at once are
serialized on the problem row; the second is told what the first decided.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from campaigns import evidence as evidence_files
from campaigns import rules
from campaigns.choices import OPEN_STATUSES, ProblemSource, ProblemStatus, ProjectStatus, ReviewDecision
from campaigns.models import AnswerRow, Evidence, Milestone, Problem, ProgressUpdate, Review
from core import services as core
from core.changelog import log_change, snapshot
from core.choices import Action, ChangeAction, Role
from core.gaps import gaps_for
from core.notify import managers_of, notify
from core.scoping import can, get_scope
from core.text import listing, nested, parentheses, sentences
from orgs.models import Organization, RoleGrant

COMMENT_LENGTH = 2000


def may_review(user: Any, problem: Problem) -> bool:
    """A manager of a subtree strictly above the responsible organization, or an administrator."""
    scope = get_scope(user, Action.CHANGE)
    if scope.everything:
        return True
    return any(problem.org_path.startswith(p) and problem.org_path != p for p in scope.paths)


def may_set_deadline(user: Any, problem: Problem) -> bool:
    """Who may move a problem's deadline once it is set: the level above, which reviews the close-out (the
    organization doing the rectification would otherwise decide when it is overdue)."""
    return may_review(user, problem)


def may_work_on(user: Any, problem: Problem) -> bool:
    """The responsible organization's managers (and those above), and the responsible person."""
    if can(user, Action.CHANGE, problem):
        return True
    return is_owner(user, problem)


def may_submit(user: Any, problem: Problem) -> bool:
    """Who may request the close-out: those who work on it, but not the level above, which reviews the
    request (unless they are the responsible person themselves, or the responsible organization has nobody
    who could ask: no manager and no responsible person with an account)."""
    if not may_work_on(user, problem):
        return False
    return not may_review(user, problem) or is_owner(user, problem) or not has_own_submitter(problem)


def has_own_submitter(problem: Problem) -> bool:
    """Whether someone of the responsible organization can request the close-out: one of its own managers,
    or the responsible person with an active account."""
    owner = problem.owner
    if owner is not None and owner.user is not None and owner.user.is_active:
        return True
    return bool(managers_of(problem.org_path))


def is_owner(user: Any, problem: Problem) -> bool:
    """Whether ``user`` is the problem's responsible person."""
    return problem.owner is not None and problem.owner.user_id == getattr(user, "pk", None)


def _check(problem: Problem, acting_user: Any) -> None:
    """Everything a problem refers to must fit: dates, campaign, category, person, and the links it came from."""
    today = timezone.localdate()
    if problem.found_on and problem.found_on > today:
        raise ValidationError({"found_on": _("发现日期不能晚于今天")})
    if problem.deadline_workdays is not None and problem.deadline_workdays > rules.MAX_DEADLINE_WORKDAYS:
        raise ValidationError({"deadline_workdays": _("办结时限最多%(n)s个工作日")
                               % {"n": rules.MAX_DEADLINE_WORKDAYS}})
    if problem.found_on and problem.deadline_workdays is not None:
        problem.deadline = rules.deadline_from(problem.found_on, workdays_count=problem.deadline_workdays)
    if problem.found_on and problem.deadline and problem.deadline < problem.found_on:
        raise ValidationError({"deadline": _("办结时限（%(d)s）早于发现日期（%(f)s）")
                               % {"d": f"{problem.deadline:%Y-%m-%d}", "f": f"{problem.found_on:%Y-%m-%d}"}})
    org = problem.org
    campaign, category, owner = problem.campaign, problem.category, problem.owner
    if campaign is not None:
        if problem.found_on and problem.found_on < campaign.start:
            raise ValidationError({"found_on": _("发现日期（%(f)s）早于这次主题教育的开始日期（%(s)s）")
                                   % {"f": f"{problem.found_on:%Y-%m-%d}", "s": f"{campaign.start:%Y-%m-%d}"}})
        if not org.path.startswith(campaign.org_path):
            raise ValidationError({"campaign": _("责任单位不在这次主题教育的范围内")})
        if not can(acting_user, Action.VIEW, campaign):
            raise ValidationError({"campaign": _("找不到这次主题教育")})
    if category is not None and category.campaign_id != problem.campaign_id:
        raise ValidationError({"category": _("问题类别不属于所选的主题教育")})
    if owner is not None and not owner.org_path.startswith(org.path):
        raise ValidationError({"owner": _("责任人不在责任单位")})
    if problem.essay is not None and not can(acting_user, Action.VIEW, problem.essay):
        raise ValidationError({"essay": _("找不到这篇心得体会")})
    if problem.answer is not None and not can(acting_user, Action.VIEW, problem.answer.assignment):
        raise ValidationError({"answer": _("找不到这条检视结果")})


def gap_exists(problem: Problem, on: datetime.date | None = None) -> bool:
    """Whether the gap a problem was made from is still there (the hours not yet made up, the meeting not
    yet held): the gap's rule is run again on the gap's organization."""
    if not problem.gap_rule or problem.gap_org is None:
        return False
    return any(gap.key == problem.gap_key for gap in gaps_for(problem.gap_org, on, rules=[problem.gap_rule]))


def filed_problem(problem: Problem) -> Problem | None:
    """A problem not yet closed that was filed for the same gap as ``problem``."""
    return (Problem.objects.filter(status__in=OPEN_STATUSES, gap_rule=problem.gap_rule, gap_org=problem.gap_org,
                                   gap_member=problem.gap_member, gap_ref=problem.gap_ref)
            .exclude(pk=problem.pk or 0).order_by("pk").first())


def already_filed(filed: Problem, user: Any, *, finding: bool = False) -> ValidationError:
    """The refusal of a second rectification of one gap (or, with ``finding``, of one self-inspection
    finding), naming the first only to those who may open it."""
    if can(user, Action.VIEW, filed):
        message = _("这条检视结果已列入问题清单（%(no)s），请在该问题中跟进") if finding \
            else _("这项差距已列入整改（%(no)s），请在该问题中跟进")
        return ValidationError(message % {"no": filed.ledger_no})
    return ValidationError(_("这条检视结果已由上级列入问题清单，请按上级的整改安排跟进") if finding
                           else _("这项差距已由上级列入整改，请按上级的整改安排跟进"))


@transaction.atomic
def create_problem(problem: Problem, *, acting_user: Any, message: str = "") -> Problem:
    _check(problem, acting_user)
    if problem.gap_rule:
        problem.source = ProblemSource.GAP
        if problem.gap_org is None or not can(acting_user, Action.VIEW, problem.gap_org):
            raise ValidationError(_("找不到这项差距"))
        # The gap's organization is locked so that two people filing the same gap at once make one problem.
        Organization.objects.select_for_update().filter(pk=problem.gap_org.pk).first()
        if not problem.gap_ref:
            # A client that names the check, organization and member but not the reference: the gap is
            # known when the check finds exactly one there.
            found = [g for g in gaps_for(problem.gap_org, rules=[problem.gap_rule])
                     if (g.org_id, g.member_id) == (problem.gap_org_id, problem.gap_member_id)]
            if len(found) == 1:
                problem.gap_ref = found[0].reference
        if not gap_exists(problem):
            raise ValidationError(_("这项差距已经不存在（可能已经补齐），无需整改"))
        filed = filed_problem(problem)
        if filed is not None:
            raise already_filed(filed, acting_user)
    if problem.answer is not None:
        # One rectification per self-inspection finding while it is open (the answer's row serializes two
        # people filing it at once); a Back button and a second save made copies.
        AnswerRow.objects.select_for_update().filter(pk=problem.answer.pk).first()
        filed = Problem.objects.filter(answer=problem.answer, status__in=OPEN_STATUSES).order_by("pk").first()
        if filed is not None:
            raise already_filed(filed, acting_user, finding=True)
    problem.status = ProblemStatus.OPEN
    created = core.create_object(problem, acting_user=acting_user, message=message)
    _tell_owner(created, acting_user)
    return created


def _tell_owner(problem: Problem, acting_user: Any) -> None:
    """The responsible person learns that the rectification is theirs, and by when."""
    if problem.owner is None or problem.owner.user_id is None:
        return
    notify([problem.owner.user_id], kind="campaigns.owner", exclude=acting_user, url=problem.get_absolute_url(),
           title=gettext_noop("您是%(no)s“%(title)s”的整改责任人，办结时限%(deadline)s"),
           params={"no": problem.ledger_no, "title": nested(problem.title), "deadline": f"{problem.deadline:%Y-%m-%d}"})


@transaction.atomic
def update_problem(problem: Problem, *, acting_user: Any, changes: dict[str, Any], message: str = "") -> Problem:
    current = Problem.objects.select_for_update(of=("self",)).get(pk=problem.pk)
    if current.status == ProblemStatus.CLOSED:
        raise ValidationError(_("问题已销号，不能修改；如需重新整改，请由上级“回头看”重新打开"))
    if current.status == ProblemStatus.SUBMITTED:
        # The level above reviews what was asked; a standard weakened meanwhile would be closed unseen.
        raise ValidationError(_("问题已申请销号，审核期间不能修改；如需修改，请由上级退回整改"))
    if "deadline" in changes and "deadline_workdays" not in changes:
        changes["deadline_workdays"] = None  # a date typed in replaces a count of working days
    probe = copy.copy(current)
    for name, value in changes.items():
        setattr(probe, name, value)
    _check(probe, acting_user)
    # Moving the deadline is the level above's; one counted in the same working days may follow the calendar.
    follows_calendar = probe.deadline_workdays is not None and probe.deadline_workdays == current.deadline_workdays
    if probe.deadline != current.deadline and not follows_calendar and not may_set_deadline(acting_user, current):
        raise ValidationError({"deadline": _("办结时限由上级党组织确定；需要延期的，请向上级党组织说明情况")})
    changes["deadline"] = probe.deadline
    new_owner = "owner" in changes and getattr(changes["owner"], "pk", None) != current.owner_id
    # Applied to the row as it is now: a close-out decided meanwhile must not be undone by a stale form.
    updated = core.update_object(current, acting_user=acting_user, changes=changes, message=message)
    if new_owner:
        _tell_owner(updated, acting_user)
    return updated


@transaction.atomic
def delete_problem(problem: Problem, *, acting_user: Any, message: str = "") -> None:
    if problem.updates.exists() or problem.reviews.exists():
        raise ValidationError(_("已有整改进展或审核记录，不能删除"))
    core.delete_object(problem, acting_user=acting_user, message=message)


def _comment(comment: str | None) -> str:
    """A reviewer's text, refused (not cut) when longer than it may be."""
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LENGTH:
        raise ValidationError({"comment": _("审核意见太长（%(len)s字），最多%(max)s字")
                               % {"len": len(comment), "max": COMMENT_LENGTH}})
    return comment


def _locked(problem: Problem, acting_user: Any) -> Problem:
    locked = (Problem.objects.select_for_update(of=("self",)).select_related("owner", "campaign", "org")
              .filter(pk=problem.pk).first())
    if locked is None or not can(acting_user, Action.VIEW, locked):
        raise Http404
    return locked


def _set_status(problem: Problem, acting_user: Any, message: str, **fields: Any) -> None:
    before = snapshot(problem)
    for name, value in fields.items():
        setattr(problem, name, value)
    problem.save(update_fields=[*fields, "updated"])
    log_change(problem, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=snapshot(problem),
               message=message)


@transaction.atomic
def add_progress(problem: Problem, *, acting_user: Any, text: str, files: Sequence[Any] = (),
                 milestone: Milestone | None = None) -> ProgressUpdate:
    """A progress note with evidence (checked before anything is written), optionally reaching a milestone."""
    checked = evidence_files.check_files(files)
    problem = _locked(problem, acting_user)
    if not may_work_on(acting_user, problem):
        raise PermissionDenied(_("只有责任单位的管理人员或责任人可以填报整改进展"))
    if problem.status in (ProblemStatus.CLOSED, ProblemStatus.SUBMITTED):
        raise ValidationError(_("问题%(status)s，不能再填报进展") % {"status": problem.get_status_display()})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写整改进展")})
    if len(text) > 5000:
        raise ValidationError({"text": _("整改进展最多5000字")})
    if milestone is not None and milestone.problem_id != problem.pk:
        raise ValidationError(_("时间节点不属于这个问题"))
    update = ProgressUpdate.objects.create(problem=problem, org_path=problem.org_path, text=text, author=acting_user)
    log_change(update, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(update))
    with evidence_files.writing() as write:
        for item in checked:
            stored = Evidence(update=update, org_path=problem.org_path, name=item.name, size=item.size,
                              content_type=item.content_type, uploaded_by=acting_user)
            write(stored, item)
            stored.save()
            log_change(stored, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(stored), parent=problem)
        if milestone is not None and milestone.done_on is None:
            before = snapshot(milestone)
            milestone.done_on = timezone.localdate()
            milestone.save(update_fields=["done_on", "updated"])
            log_change(milestone, ChangeAction.UPDATE, acting_user=acting_user, before=before,
                       after=snapshot(milestone), parent=problem, org_path=problem.org_path)
        if problem.status in (ProblemStatus.OPEN, ProblemStatus.RETURNED):
            _set_status(problem, acting_user, _("填报整改进展"), status=ProblemStatus.IN_PROGRESS)
    return update


@transaction.atomic
def add_milestone(milestone: Milestone, *, acting_user: Any) -> Milestone:
    if milestone.problem is not None:
        milestone.problem = _locked(milestone.problem, acting_user)
    owner = milestone.problem or milestone.project
    if owner is None or not can(acting_user, Action.CHANGE, owner):
        raise PermissionDenied(_("不在您的管理范围内"))
    if milestone.problem is not None and milestone.problem.status == ProblemStatus.CLOSED:
        raise ValidationError(_("问题已销号，不能再添加时间节点"))
    if milestone.problem is not None and milestone.problem.status == ProblemStatus.SUBMITTED:
        raise ValidationError(_("问题已申请销号，审核期间不能修改；如需修改，请由上级退回整改"))
    milestone.full_clean()
    milestone.save()
    log_change(milestone, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(milestone), parent=owner,
               org_path=owner.org_path)
    return milestone


@transaction.atomic
def delete_milestone(milestone: Milestone, *, acting_user: Any, message: str = "") -> None:
    """A step added by mistake: on the day it was added, while it is not reached and what it belongs to is
    still being worked on. A step planned earlier stays; one overtaken by events is explained in the
    close-out request instead (``submit_for_close`` asks for it)."""
    owner: Any = _locked(milestone.problem, acting_user) if milestone.problem is not None else milestone.project
    if owner is None or not can(acting_user, Action.CHANGE, owner):
        raise PermissionDenied(_("不在您的管理范围内"))
    # Read again under the problem's lock: progress saved meanwhile may have reached it.
    current = Milestone.objects.filter(pk=milestone.pk).first()
    if current is None:
        return
    if current.done_on is not None:
        raise ValidationError(_("时间节点已经完成，不能删除"))
    if milestone.problem is not None and owner.status in (ProblemStatus.CLOSED, ProblemStatus.SUBMITTED):
        raise ValidationError(_("问题已销号或正在审核，不能再修改时间节点"))
    if milestone.project is not None and owner.status == ProjectStatus.DONE:
        raise ValidationError(_("项目已办结，不能再修改时间节点"))
    if not current.added_today:
        raise ValidationError(_("只能删除当天添加的时间节点；计划有变的，请在申请销号时写明原因"))
    before, pk = snapshot(current), current.pk
    current.delete()
    current.pk = pk
    log_change(current, ChangeAction.DELETE, acting_user=acting_user, before=before, parent=owner,
               org_path=owner.org_path, message=message)


def has_evidence(problem: Problem) -> bool:
    return Evidence.objects.filter(update__problem=problem).exists()


def open_milestones(problem: Problem) -> list[Milestone]:
    """The steps of the rectification not yet reached, in date order."""
    return list(problem.milestones.filter(done_on__isnull=True))


def open_milestones_text(milestones: Sequence[Milestone]) -> str:
    """“节点（计划2026-12-01）、…” in the active language."""
    left, right = parentheses()
    return listing(f"“{nested(m.title)}”{left}{m.due:%Y-%m-%d}{right}" for m in milestones)


@transaction.atomic
def submit_for_close(problem: Problem, *, acting_user: Any, note: str = "") -> Problem:
    problem = _locked(problem, acting_user)
    if not may_work_on(acting_user, problem):
        raise PermissionDenied(_("只有责任单位的管理人员或责任人可以申请销号"))
    if not may_submit(acting_user, problem):
        # Who reviews the request must not be the one who filed it.
        raise PermissionDenied(_("销号申请由责任单位提出、上级组织审核，上级组织不代为申请"))
    if problem.status == ProblemStatus.SUBMITTED:
        raise ValidationError(_("已经申请销号，等待上级审核"))
    if problem.status == ProblemStatus.CLOSED:
        raise ValidationError(_("问题已经销号"))
    if problem.campaign is not None and problem.campaign.requires_evidence and not has_evidence(problem):
        raise ValidationError(_("“%(c)s”要求销号须有佐证材料，请先在整改进展中上传")
                              % {"c": problem.campaign.name})
    if problem.reopened:
        # Reopened at a later check: what was reported before did not hold, so the request needs new progress.
        reopened_at = problem.reviews.filter(decision=ReviewDecision.REOPEN).order_by("-created").values_list(
            "created", flat=True).first()
        since = problem.updates.filter(created__gt=reopened_at) if reopened_at is not None else None
        if since is not None and not since.exists():
            raise ValidationError(_("问题在回头看中重新打开，请先填报新的整改进展，再申请销号"))
        if since is not None and problem.campaign is not None and problem.campaign.requires_evidence \
                and not Evidence.objects.filter(update__in=since).exists():
            raise ValidationError(_("问题在回头看中重新打开，请在新的整改进展中上传佐证材料，再申请销号"))
    unreached = open_milestones(problem)
    if unreached and not note.strip():
        # The plan said these steps come before the end; asking to close without them is possible (a step
        # overtaken by events) but the reviewers must be told why.
        raise ValidationError({"note": _("尚有时间节点未完成：%(steps)s。如仍申请销号，请在申请说明中写明原因")
                                       % {"steps": open_milestones_text(unreached)}})
    if may_review(acting_user, problem) and not is_owner(acting_user, problem):
        on_behalf = _("责任单位没有管理人员或有账号的责任人，由上级组织代为申请销号")
        note = sentences([on_behalf, note.strip()]) if note.strip() else on_behalf
    _set_status(problem, acting_user, note or _("申请销号"), status=ProblemStatus.SUBMITTED,
                submitted_at=timezone.now(), submitted_by=acting_user)
    notify(reviewers(problem, excluding=acting_user.pk), kind="campaigns.submitted", exclude=acting_user,
           url=problem.get_absolute_url(), title=gettext_noop("%(no)s“%(title)s”申请销号，请审核"),
           params={"no": problem.ledger_no, "title": nested(problem.title)})
    return problem


def reviewers(problem: Problem, *, excluding: int | None) -> list[int]:
    """Who reviews a request: the managers of the nearest organization above the responsible one that has
    any besides the one who asked (who may be a manager there, asking for a branch with nobody who can),
    else the administrators."""
    found = managers_of(problem.org_path, above=True, excluding=excluding)
    if found:
        return found
    # Nobody above but the one who asked: the administrators.
    admins = RoleGrant.objects.filter(role=Role.ADMIN, user__is_active=True).values_list("user_id", flat=True)
    return sorted({u for u in admins if u != excluding})


def filed_by(user: Any, problem: Problem) -> bool:
    return problem.submitted_by_id is not None and problem.submitted_by_id == getattr(user, "pk", None)


@transaction.atomic
def review_problem(problem: Problem, *, acting_user: Any, decision: str, comment: str = "") -> Review:
    """The level above closes the problem (销号) or returns it with its reasons; never the one who asked."""
    problem = _locked(problem, acting_user)
    if not may_review(acting_user, problem):
        raise core.OutOfScope(_("销号审核须由责任单位的上级组织进行"))
    if problem.status == ProblemStatus.SUBMITTED and filed_by(acting_user, problem):
        raise PermissionDenied(_("销号申请是您提出的，须由其他上级管理人员审核"))
    comment = _comment(comment)
    if decision not in (ReviewDecision.CLOSE, ReviewDecision.RETURN):
        raise ValidationError({"decision": _("请选择同意销号或退回整改")})
    if problem.status != ProblemStatus.SUBMITTED:
        last = problem.reviews.select_related("reviewer").first()
        if last is not None and problem.status in (ProblemStatus.CLOSED, ProblemStatus.RETURNED):
            raise ValidationError(_("这个问题刚由%(who)s审核（%(d)s），请刷新页面")
                                  % {"who": last.reviewer or "", "d": last.get_decision_display()})
        raise ValidationError(_("问题尚未申请销号（当前：%(s)s）") % {"s": problem.get_status_display()})
    if decision == ReviewDecision.RETURN and not comment:
        raise ValidationError({"comment": _("退回整改时请写明理由")})
    if decision == ReviewDecision.CLOSE and problem.campaign is not None and problem.campaign.requires_evidence \
            and not has_evidence(problem):
        raise ValidationError(_("没有佐证材料，不能销号"))
    if decision == ReviewDecision.CLOSE and not comment and gap_exists(problem):
        # The standard of a problem filed from a gap is that the gap is gone; closing it while the gap is
        # still there is the reviewer's call (a measure that takes time), but one they must explain.
        raise ValidationError({"comment": _("这项差距目前仍然存在；如仍同意销号，请在审核意见中写明理由")})
    review = Review.objects.create(problem=problem, org_path=problem.org_path, decision=decision, comment=comment,
                                   reviewer=acting_user)
    log_change(review, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(review), message=comment)
    if decision == ReviewDecision.CLOSE:
        _set_status(problem, acting_user, _("同意销号"), status=ProblemStatus.CLOSED, closed_on=timezone.localdate())
    else:
        _set_status(problem, acting_user, comment, status=ProblemStatus.RETURNED)
    owner = [problem.owner.user_id] if problem.owner is not None else []
    notify([*owner, *managers_of(problem.org_path)], kind="campaigns.reviewed", exclude=acting_user,
           url=problem.get_absolute_url(),
           title=gettext_noop("%(no)s“%(title)s”已同意销号") if decision == ReviewDecision.CLOSE
           else gettext_noop("%(no)s“%(title)s”被退回整改：%(comment)s"),
           params={"no": problem.ledger_no, "title": nested(problem.title), "comment": comment})
    return review


@transaction.atomic
def reopen_problem(problem: Problem, *, acting_user: Any, comment: str,
                   deadline: datetime.date | None = None) -> Review:
    """A closed problem found not really solved at a later check (回头看) goes back to rectification."""
    problem = _locked(problem, acting_user)
    if not may_review(acting_user, problem):
        raise core.OutOfScope(_("回头看须由责任单位的上级组织进行"))
    if problem.status != ProblemStatus.CLOSED:
        raise ValidationError(_("只有已销号的问题可以重新打开"))
    if problem.gap_rule:
        filed = filed_problem(problem)
        if filed is not None:  # the gap came back and was filed again meanwhile: one problem per gap
            raise already_filed(filed, acting_user)
    comment = _comment(comment)
    if not comment:
        raise ValidationError({"comment": _("请写明回头看发现的情况")})
    today = timezone.localdate()
    if deadline is not None and deadline < today:
        raise ValidationError({"deadline": _("新的办结时限不能早于今天")})
    if deadline is None and problem.deadline < today:
        raise ValidationError({"deadline": _("原办结时限已过，请给出新的办结时限")})
    review = Review.objects.create(problem=problem, org_path=problem.org_path, decision=ReviewDecision.REOPEN,
                                   comment=comment, reviewer=acting_user)
    log_change(review, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(review), message=comment)
    _set_status(problem, acting_user, comment, status=ProblemStatus.IN_PROGRESS, closed_on=None,
                reopened=problem.reopened + 1, deadline=deadline or problem.deadline)
    return review
