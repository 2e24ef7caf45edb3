"""Writing paths of 办实事 projects (with before/after evidence), public feedback, and exemplars."""

from __future__ import annotations

import copy
import datetime
import hashlib
import hmac
import ipaddress
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import evidence as evidence_files
from campaigns.choices import EvidencePhase, ExemplarKind, ProjectStatus
from campaigns.models import Evidence, Exemplar, Feedback, Project
from core import services as core
from core.changelog import log_change, snapshot
from core.choices import Action, ChangeAction
from core.rules import rule_value
from core.scoping import can


def _check_project(project: Project, *, closing: bool = True) -> None:
    """``closing``: whether the project's completion is being set or changed (its status, result or start),
    when a done project must have its result and cannot be done before it began."""
    if project.owner is not None and not project.owner.org_path.startswith(project.org.path):
        raise ValidationError({"owner": _("责任人不在承办单位")})
    if project.campaign is not None and not project.org.path.startswith(project.campaign.org_path):
        raise ValidationError({"campaign": _("承办单位不在这次主题教育的范围内")})
    if project.status == ProjectStatus.DONE:
        if closing and not (project.result or "").strip():
            raise ValidationError({"result": _("办结时请填写办理结果")})
        if project.done_on is None:
            project.done_on = timezone.localdate()
        if closing and project.start and project.done_on < project.start:
            raise ValidationError({"status": _("办结日期（%(done)s）不能早于开始日期") % {"done": project.done_on}})
    else:
        project.done_on = None


@transaction.atomic
def create_project(project: Project, *, acting_user: Any, message: str = "") -> Project:
    _check_project(project)
    return core.create_object(project, acting_user=acting_user, message=message)


@transaction.atomic
def update_project(project: Project, *, acting_user: Any, changes: dict[str, Any], message: str = "") -> Project:
    probe = copy.copy(project)
    for name, value in changes.items():
        setattr(probe, name, value)
    _check_project(probe, closing=bool({"status", "result", "start"} & set(changes)))
    changes["done_on"] = probe.done_on
    return core.update_object(project, acting_user=acting_user, changes=changes, message=message)


@transaction.atomic
def delete_project(project: Project, *, acting_user: Any, message: str = "") -> None:
    if project.feedback.exists() or project.files.exists():
        raise ValidationError(_("已有群众评价或佐证材料，不能删除"))
    core.delete_object(project, acting_user=acting_user, message=message)


@transaction.atomic
def add_project_files(project: Project, *, acting_user: Any, phase: str, files: Sequence[Any]) -> list[Evidence]:
    checked = evidence_files.check_files(files)
    if not checked:
        raise ValidationError({"files": _("请选择要上传的文件")})
    if phase not in (EvidencePhase.BEFORE, EvidencePhase.AFTER):
        raise ValidationError({"phase": _("请选择办理前或办理后")})
    if not can(acting_user, Action.VIEW, project):
        raise Http404
    if not can(acting_user, Action.CHANGE, project) and getattr(project.owner, "user_id", None) != acting_user.pk:
        raise PermissionDenied(_("只有承办单位的管理人员或责任人可以上传"))
    stored = []
    with evidence_files.writing() as write:
        for item in checked:
            evidence = Evidence(project=project, phase=phase, org_path=project.org_path, name=item.name,
                                size=item.size, content_type=item.content_type, uploaded_by=acting_user)
            write(evidence, item)
            evidence.save()
            log_change(evidence, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(evidence),
                       parent=project)
            stored.append(evidence)
    return stored


# Public feedback ---------------------------------------------------------------------------------------

URL_RE = re.compile(r"(https?://|www\.)", re.IGNORECASE)


class FeedbackRefused(ValidationError):
    """Feedback not taken, with the reason to show; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def client_digest(address: str) -> str:
    """A keyed digest of the sender's address: enough to count their submissions, not to recover it. An IPv6
    sender is counted by its /64 network, which one subscriber usually holds whole."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if ip is not None and ip.version == 6:
        address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


@transaction.atomic
def submit_feedback(project: Project, *, rating: Any, comment: str, name: str, client: str, nonce: str | None = None,
                    now: datetime.datetime | None = None) -> Feedback:
    """A beneficiary's feedback, taken whole or refused with the reason: closed project, too many from one
    sender in an hour or for one project in a day, a link in the text, the same text twice."""
    now = now or timezone.now()
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not project.feedback_open:
        raise FeedbackRefused(_("这个项目已停止接收评价"), status=403)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise FeedbackRefused(_("请选择1到5的满意度"))
    comment, name = (comment or "").strip(), (name or "").strip()
    if len(comment) > 500:
        raise FeedbackRefused(_("意见建议最多500字（现有%(n)s字）") % {"n": len(comment)})
    if len(name) > 30:
        raise FeedbackRefused(_("称呼最多30字"))
    if URL_RE.search(comment) or URL_RE.search(name):
        raise FeedbackRefused(_("评价中不能包含网址链接"))
    per_hour = int(rule_value("campaigns.feedback_per_hour"))
    per_day = int(rule_value("campaigns.feedback_per_day"))
    recent = Feedback.objects.filter(client=client, created__gte=now - datetime.timedelta(hours=1))
    if recent.count() >= per_hour:
        raise FeedbackRefused(_("提交太频繁：同一来源每小时最多评价%(n)s次，请稍后再试") % {"n": per_hour}, status=429)
    if Feedback.objects.filter(project=project, created__gte=now - datetime.timedelta(days=1)).count() >= per_day:
        raise FeedbackRefused(_("这个项目今天收到的评价已达上限（%(n)s条），请明天再评价") % {"n": per_day}, status=429)
    if comment and Feedback.objects.filter(project=project, client=client, comment=comment).exists():
        raise FeedbackRefused(_("您已经提交过相同的评价"))
    if nonce and Feedback.objects.filter(nonce=nonce).exists():
        raise FeedbackRefused(_("这份表单已经提交过；如需再次评价，请刷新页面"))
    feedback = Feedback.objects.create(project=project, org_path=project.org_path, rating=rating, comment=comment,
                                       name=name, client=client, nonce=nonce or None)
    log_change(feedback, ChangeAction.CREATE, acting_user=None, after=snapshot(feedback), parent=project,
               message=_("群众评价"))
    return feedback


# Exemplars ---------------------------------------------------------------------------------------------

def _check_exemplar(exemplar: Exemplar) -> None:
    if exemplar.kind == ExemplarKind.PERSON:
        exemplar.subject = None
        if exemplar.member is None:
            raise ValidationError({"member": _("先进个人须选择党员")})
        if not exemplar.member.org_path.startswith(exemplar.org.path):
            raise ValidationError({"member": _("党员不在推荐单位的范围内")})
        exemplar.name = exemplar.name or exemplar.member.name
    else:
        exemplar.member = None
        if exemplar.subject is None:
            raise ValidationError({"subject": _("先进集体须选择组织")})
        if not exemplar.subject.path.startswith(exemplar.org.path):
            raise ValidationError({"subject": _("组织不在推荐单位的范围内")})
        exemplar.name = exemplar.name or exemplar.subject.name


@transaction.atomic
def create_exemplar(exemplar: Exemplar, *, acting_user: Any, message: str = "") -> Exemplar:
    _check_exemplar(exemplar)
    return core.create_object(exemplar, acting_user=acting_user, message=message)


@transaction.atomic
def update_exemplar(exemplar: Exemplar, *, acting_user: Any, changes: dict[str, Any], message: str = "") -> Exemplar:
    probe = copy.copy(exemplar)
    for name, value in changes.items():
        setattr(probe, name, value)
    _check_exemplar(probe)
    changes.update(member=probe.member, subject=probe.subject, name=probe.name)
    return core.update_object(exemplar, acting_user=acting_user, changes=changes, message=message)


def delete_exemplar(exemplar: Exemplar, *, acting_user: Any, message: str = "") -> None:
    core.delete_object(exemplar, acting_user=acting_user, message=message)
