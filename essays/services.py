"""Writing paths of the essays app: requests, drafts, submissions, reviews and the originality check.

Requests are organization records (managers write them through ``core.services``). An essay is written
by its author only; a submission freezes the text as a new version and queues its originality check; a
review decides on the latest version, once — two reviewers acting at once are serialized on the essay
row and the second is told it was already reviewed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import services as core
from core.changelog import log_change, snapshot
from core.choices import Action, ChangeAction
from core.notify import notify
from core.scoping import can
from core.tasks import enqueue, register_task
from essays import audience, originality
from essays.choices import CheckStatus, Decision, EssayAudience, EssayStatus
from essays.models import Essay, EssayRequest, EssayVersion, Formulation
from essays.store import MERGE_AT, store
from orgs.models import Member

# Draft saves by the author less than this apart are one change-log row (see ``core.changelog.log_change``):
# the page saves a draft a few seconds after each pause in typing.
DRAFT_LOG_WINDOW = datetime.timedelta(minutes=10)


def _check_request(request: EssayRequest, members: Sequence[Member], acting_user: Any) -> None:
    if request.audience == EssayAudience.MEMBERS and not members:
        raise ValidationError({"audience": _("撰写对象为“指定党员”时，请填写指定的党员")})
    if request.audience == EssayAudience.ATTENDEES and request.activity is None:
        raise ValidationError({"activity": _("撰写对象为“学习活动的参加人员”时，请选择关联的学习活动")})
    path = request.org.path
    if any(not m.org_path.startswith(path) for m in members):
        raise ValidationError({"audience_members": _("指定党员必须在布置单位的管理范围内")})
    if request.activity is not None and not can(acting_user, Action.VIEW, request.activity):
        raise ValidationError({"activity": _("找不到这项学习活动")})


@transaction.atomic
def create_request(request: EssayRequest, *, acting_user: Any, members: Sequence[Member] = (),
                   message: str = "") -> EssayRequest:
    # A new request is for writing still to come; an old one keeps the deadline it had.
    if request.deadline and request.deadline < timezone.localdate():
        raise ValidationError({"deadline": _("截止日期不能早于今天")})
    if request.org_id:
        _check_request(request, members, acting_user)
    core.create_object(request, acting_user=acting_user, message=message)
    request.audience_members.set(members)
    return request


@transaction.atomic
def update_request(request: EssayRequest, *, acting_user: Any, changes: dict[str, Any],
                   members: Sequence[Member] | None = None, message: str = "") -> EssayRequest:
    old = EssayRequest.objects.select_related("org").get(pk=request.pk)
    if "org" in changes and changes["org"] != old.org and request.essays.exists():
        # The essays belong to the requesting organization too: moving them would show them to another one.
        raise ValidationError({"org": _("已有党员为这项布置写了心得体会，不能改变布置单位")})
    chosen = list(members if members is not None else old.audience_members.all())
    probe = EssayRequest(org=changes.get("org", old.org), activity=changes.get("activity", old.activity),
                         audience=changes.get("audience", old.audience))
    _check_request(probe, chosen, acting_user)
    before = sorted(old.audience_members.values_list("pk", flat=True))
    core.update_object(request, acting_user=acting_user, changes=changes, message=message)
    if members is not None:
        request.audience_members.set(members)
        after = sorted(m.pk for m in members)
        if after != before:
            log_change(request, ChangeAction.UPDATE, acting_user=acting_user, before={"audience_members": before},
                       after={"audience_members": after}, message=message or _("修改撰写对象"))
    if request.org_path != old.org_path:
        Essay.objects.filter(request=request).update(request_org_path=request.org_path)
        EssayVersion.objects.filter(essay__request=request).update(request_org_path=request.org_path)
    return request


@transaction.atomic
def delete_request(request: EssayRequest, *, acting_user: Any, message: str = "") -> None:
    if request.essays.exists():
        raise ValidationError(_("已有党员为这项布置写了心得体会，不能删除"))
    core.delete_object(request, acting_user=acting_user, message=message)


# The author -------------------------------------------------------------------------------------------

def own_member(user: Any) -> Member:
    member = Member.objects.select_related("org").filter(user=user).first() if user.is_authenticated else None
    if member is None:
        raise PermissionDenied(_("您的账号没有关联党员档案"))
    return member


def _author_only(essay: Essay, user: Any) -> Essay:
    """The essay locked for writing, if ``user`` wrote it (404 for anyone else, like a missing essay)."""
    # Lock the essay row only, not the request and member rows every author's autosave would queue on.
    locked = (Essay.objects.select_for_update(of=("self",)).select_related("request", "member")
              .filter(pk=essay.pk).first())
    if locked is None or locked.member.user_id != getattr(user, "pk", None):
        raise Http404
    return locked


@transaction.atomic
def start_essay(request: EssayRequest, *, acting_user: Any) -> Essay:
    """The member's essay for ``request``, created as an empty draft the first time."""
    member = own_member(acting_user)
    existing = Essay.objects.filter(request=request, member=member).first()
    if existing:
        return existing
    if not audience.includes(request, member):
        raise ValidationError(_("您不在这项心得体会的撰写对象中"))
    essay = Essay(request=request, member=member, org=member.org, org_path=member.org_path,
                  request_org_path=request.org_path, title=request.title[:200])
    try:
        with transaction.atomic():
            essay.save()
    except IntegrityError:  # a second tab started it at the same moment
        return Essay.objects.get(request=request, member=member)
    log_change(essay, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(essay), message=_("开始撰写"))
    return essay


@transaction.atomic
def save_draft(essay: Essay, *, acting_user: Any, title: str, text: str) -> Essay:
    essay = _author_only(essay, acting_user)
    if essay.status == EssayStatus.APPROVED:
        raise ValidationError(_("心得体会已经审阅通过，不能再修改"))
    title = (title or "").strip() or essay.request.title
    if len(title) > 200:
        raise ValidationError({"title": _("标题最多200字")})
    if len(text) > originality.MAX_CHARACTERS:
        raise ValidationError({"text": _("正文共%(n)s字，超过上限%(max)s字；请只提交心得体会本身")
                               % {"n": len(text), "max": originality.MAX_CHARACTERS}})
    before = snapshot(essay)
    essay.title, essay.text = title, text
    essay.save(update_fields=["title", "text", "updated"])
    after = snapshot(essay)
    if after != before:
        log_change(essay, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=after,
                   message=_("保存草稿"), coalesce=DRAFT_LOG_WINDOW)
    return essay


def deadline_passed(request: EssayRequest, now: datetime.datetime | None = None) -> bool:
    return timezone.localtime(now or timezone.now()).date() > request.deadline


@transaction.atomic
def submit(essay: Essay, *, acting_user: Any, title: str | None = None, text: str | None = None,
           now: datetime.datetime | None = None) -> EssayVersion:
    """Freeze the essay's text as a new version and queue its originality check. Refused, with the reason,
    when the text is not an essay, is too short, or has not changed since the last submission."""
    now = now or timezone.now()
    if title is not None or text is not None:
        save_draft(essay, acting_user=acting_user, title=title if title is not None else essay.title,
                   text=text if text is not None else essay.text)
    essay = _author_only(essay, acting_user)
    if essay.status == EssayStatus.APPROVED:
        raise ValidationError(_("心得体会已经审阅通过，不能再次提交"))
    try:
        originality.validate(essay.text)
    except ValidationError as exc:
        raise ValidationError({"text": exc.messages}) from None
    count, minimum = originality.letters(essay.text), essay.request.min_length
    if count < minimum:
        raise ValidationError({"text": _("正文%(n)s字，少于要求的%(min)s字（不计标点和空格）")
                               % {"n": count, "min": minimum}})
    last = essay.versions.order_by("-number").first()
    if last is not None and last.text == essay.text and last.title == essay.title:
        if last.decision == Decision.RETURNED:
            raise ValidationError({"text": _("内容与退回修改的那一稿相同，请按审阅意见修改后再提交")})
        if not last.decision:
            raise ValidationError(_("内容与上次提交相同，不需要重复提交"))
    version = EssayVersion(essay=essay, member=essay.member, org_id=essay.org_id, org_path=essay.org_path,
                           request_org_path=essay.request_org_path, number=(last.number if last else 0) + 1,
                           title=essay.title, text=essay.text, submitted_at=now)
    version.save()
    log_change(version, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(version))
    before = snapshot(essay)
    essay.status, essay.submitted_at, essay.versions_count = EssayStatus.SUBMITTED, now, version.number
    essay.originality = None
    if essay.late_days is None:  # the first submission is the one that counts for the deadline
        essay.late_days = max(0, (timezone.localtime(now).date() - essay.request.deadline).days)
    essay.save(update_fields=["status", "submitted_at", "versions_count", "originality", "late_days", "updated"])
    log_change(essay, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=snapshot(essay),
               message=_("提交第%(n)s稿") % {"n": version.number})
    enqueue("essays.check", user=acting_user, title=_("原创度检查：%(title)s") % {"title": essay.title},
            params={"version": version.pk})
    return version


# The reviewer -----------------------------------------------------------------------------------------

def may_review(user: Any, essay: Essay) -> bool:
    """The managers of the author's branch or of the requesting organization, but never the author."""
    return can(user, Action.CHANGE, essay) and essay.member.user_id != getattr(user, "pk", None)


@transaction.atomic
def review(version: EssayVersion, *, acting_user: Any, decision: str, comment: str = "") -> EssayVersion:
    essay = Essay.objects.select_for_update(of=("self",)).select_related("member").filter(pk=version.essay_id).first()
    if essay is None or not can(acting_user, Action.VIEW, essay):
        raise Http404
    if not may_review(acting_user, essay):
        raise core.OutOfScope(_("只有作者所在党支部或布置单位的管理人员可以审阅，且不能审阅自己的心得体会"))
    version = EssayVersion.objects.select_for_update().get(pk=version.pk)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("请选择通过或退回修改")})
    if version.decision:
        raise ValidationError(_("这一稿已经由他人审阅（%(decision)s），请刷新页面")
                              % {"decision": version.get_decision_display()})
    if version.number != essay.versions_count or essay.status != EssayStatus.SUBMITTED:
        raise ValidationError(_("作者已经提交了新的一稿，请审阅最新一稿"))
    comment = (comment or "").strip()
    if decision == Decision.RETURNED and not comment:
        raise ValidationError({"comment": _("退回修改时请写明意见")})
    if len(comment) > 2000:
        raise ValidationError({"comment": _("审阅意见最多2000字")})
    before_version, before_essay = snapshot(version), snapshot(essay)
    version.decision, version.comment = decision, comment
    version.reviewer, version.reviewed_at = acting_user, timezone.now()
    version.save(update_fields=["decision", "comment", "reviewer", "reviewed_at", "updated"])
    essay.status = EssayStatus.APPROVED if decision == Decision.APPROVED else EssayStatus.RETURNED
    essay.save(update_fields=["status", "updated"])
    log_change(version, ChangeAction.UPDATE, acting_user=acting_user, before=before_version,
               after=snapshot(version), message=comment)
    log_change(essay, ChangeAction.UPDATE, acting_user=acting_user, before=before_essay, after=snapshot(essay),
               message=version.get_decision_display())
    notify([essay.member.user_id], kind="essays.reviewed", exclude=acting_user, url=essay.get_absolute_url(),
           title=gettext_noop("心得体会《%(title)s》已审阅通过") if decision == Decision.APPROVED
           else gettext_noop("心得体会《%(title)s》被退回修改：%(comment)s"),
           params={"title": essay.title, "comment": comment})
    return version


# The originality check --------------------------------------------------------------------------------

def run_check(version: EssayVersion) -> EssayVersion:
    """Check one version against everything else indexed (other essays' versions, the corpus) and record it."""
    own = set(EssayVersion.objects.filter(essay_id=version.essay_id).values_list("pk", flat=True))
    try:
        result = originality.check_text(version.text, exclude=own)
    except Exception:
        before = snapshot(version)
        version.check_status, version.checked_at = CheckStatus.FAILED, timezone.now()
        EssayVersion.objects.filter(pk=version.pk).update(check_status=version.check_status,
                                                          checked_at=version.checked_at)
        log_change(version, ChangeAction.UPDATE, acting_user=None, before=before, after=snapshot(version),
                   message=_("原创度检查失败，可用 chuxin essays recheck 重新检查"))
        raise
    data = originality.as_json(result)
    if originality.foreign_script(version.text):
        data["notice"] = "foreign_script"
    before = snapshot(version)
    version.check_status, version.originality, version.result = CheckStatus.DONE, result.originality, data
    version.checked_at = timezone.now()
    version.save(update_fields=["check_status", "originality", "result", "checked_at", "updated"])
    # The system's own write: no person acted (the matched passages stay out of the log, see changelog_data).
    log_change(version, ChangeAction.UPDATE, acting_user=None, before=before, after=snapshot(version),
               message=_("原创度检查完成：%(p)s%%") % {"p": result.originality})
    Essay.objects.filter(pk=version.essay_id, versions_count=version.number).update(originality=result.originality)
    return version


@register_task("essays.check")
def check_task(ctx: Any) -> dict[str, Any]:
    version = EssayVersion.objects.get(pk=ctx.params["version"])
    run_check(version)
    if store().tail_size() >= MERGE_AT:
        store().merge()
    return {"version": version.pk, "originality": float(version.originality or 0)}


# The allow-list (administrators) ----------------------------------------------------------------------

@transaction.atomic
def add_formulation(formulation: Formulation, *, acting_user: Any, message: str = "") -> Formulation:
    core.require_admin(acting_user)
    formulation.text = formulation.text.strip()
    formulation.full_clean()
    formulation.save()
    log_change(formulation, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(formulation), message=message)
    return formulation


@transaction.atomic
def delete_formulation(formulation: Formulation, *, acting_user: Any, message: str = "") -> None:
    core.require_admin(acting_user)
    before = snapshot(formulation)
    log_change(formulation, ChangeAction.DELETE, acting_user=acting_user, before=before, message=message)
    formulation.delete()
