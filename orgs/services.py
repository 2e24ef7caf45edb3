"""Every mutation of organizations, members, transfers, positions and grants.

Each service takes the acting user keyword-only, runs in one transaction, re-checks the scope inside
it and writes the change log (through ``core.services``); views, the API, imports and commands call
these and nothing else.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import services as core
from core.changelog import log_change, snapshot
from core.choices import Action, ChangeAction, Role
from core.models import Notification, ObjectChange
from core.notify import managers_of, notify
from core.scoping import can, can_in_org, forget_scopes
from core.tree import repath
from orgs import rules
from orgs.choices import BRANCH_KINDS, LEAVING_STATUSES, OrgKind, Status, TransferStatus
from orgs.models import Member, Organization, Position, RoleGrant, StatusChange, Transfer

#
# Organizations
#


def _place(org: Organization) -> None:
    org.path = f"{org.parent.path}{org.pk}." if org.parent else f"{org.pk}."
    org.depth = org.path.count(".") - 1


@transaction.atomic
def create_organization(org: Organization, *, acting_user: Any, message: str = "") -> Organization:
    if org.parent is None:
        core.require_admin(acting_user)
    org.path = f"new-{uuid.uuid4().hex}"
    org.full_clean(exclude=["path"])
    org.save()
    _place(org)
    org.save(update_fields=["path", "depth"])
    return _log_created(org, acting_user, message)


def _log_created(obj: Any, acting_user: Any, message: str) -> Any:
    core.require(acting_user, Action.CHANGE, obj)
    log_change(obj, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(obj), message=message)
    return obj


@transaction.atomic
def update_organization(
    org: Organization, *, acting_user: Any, changes: dict[str, Any], message: str = ""
) -> Organization:
    """Change an organization; a new parent moves the whole subtree and everything its members own."""
    new_parent = changes.get("parent", org.parent)
    if new_parent != org.parent:
        if new_parent is None:
            core.require_admin(acting_user)
        elif new_parent.path.startswith(org.path):
            raise ValidationError({"parent": _("不能把组织移到它自己或其下级组织之下")})
        else:
            core.require(acting_user, Action.CHANGE, new_parent)
    moved = new_parent != org.parent
    old_path = org.path
    core.update_object(org, acting_user=acting_user, changes=changes, message=message)
    if moved:
        _place(org)
        repath(old_path, org.path)
        depth_shift = org.depth - (old_path.count(".") - 1)
        Organization.objects.filter(path__subtree=org.path).update(depth=F("depth") + depth_shift)
        org.refresh_from_db()
    return org


def delete_organization(org: Organization, *, acting_user: Any, message: str = "") -> None:
    core.require_visible_then_writable(acting_user, org)
    if Organization.objects.filter(parent=org).exists() or Member.objects.filter(org=org).exists():
        raise ValidationError(_("该组织下仍有下级组织或党员，不能删除"))
    core.delete_object(org, acting_user=acting_user, message=message)


#
# Members
#


def create_member(member: Member, *, acting_user: Any, message: str = "") -> Member:
    """Register a member; the status history records later changes (the milestone dates tell the past)."""
    return core.create_object(member, acting_user=acting_user, message=message)


@transaction.atomic
def update_member(
    member: Member, *, acting_user: Any, changes: dict[str, Any], message: str = "",
    status_date: datetime.date | None = None,
) -> Member:
    """Change a member record; a status change is recorded in the status history (dated ``status_date``),
    and a member who leaves or moves to another branch gives up the seats held where they were."""
    old_status, old_org = Member.objects.values_list("status", "org_id").get(pk=member.pk)
    new_status = changes.get("status", old_status)
    if new_status != old_status:
        check_status_change(old_status, new_status)
    core.update_object(member, acting_user=acting_user, changes=changes, message=message)
    day = status_date or timezone.localdate()
    if member.org_id != old_org:
        _status_history_follows(member)
        end_positions(member, day, acting_user=acting_user, reason=message)
    if member.status != old_status:
        StatusChange.objects.create(
            member=member, org=member.org, from_status=old_status, to_status=member.status,
            date=day, reason=message, created_by=_user_or_none(acting_user),
        )
        if member.status in LEAVING_STATUSES:
            end_positions(member, day, acting_user=acting_user, reason=message)
    return member


def check_status_change(old: str, new: str) -> None:
    """Status moves that the records must not take: out of 死亡, and 转出 without a transfer."""
    if old == Status.DECEASED:
        raise ValidationError({"status": _("已故党员的状态不能再变更")})
    if new == Status.TRANSFERRED_OUT:
        raise ValidationError({"status": _("转出须通过组织关系转接办理")})


def end_positions(member: Member, day: datetime.date, *, acting_user: Any, reason: str = "") -> None:
    """End the member's current seats (a member who leaves or moves cannot keep them), logged."""
    end_positions_of([member.pk], day, acting_user=acting_user, reason=reason)


def end_positions_of(member_ids: list[Any], day: datetime.date, *, acting_user: Any, reason: str = "") -> None:
    """``end_positions`` for many members at once (an import): a query per 5,000 members finds their seats,
    which are few."""
    seats = [position for start in range(0, len(member_ids), 5000)
             for position in Position.objects.filter(member_id__in=member_ids[start:start + 5000],
                                                     term_end__isnull=True).select_related("org")]
    for position in seats:
        before = snapshot(position)
        position.term_end = max(day, position.term_start + datetime.timedelta(days=1))
        position.save(update_fields=["term_end", "updated"])
        log_change(position, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=snapshot(position),
                   message=reason or _("党员离开本组织，任职终止"))


def change_status(
    member: Member, *, acting_user: Any, status: str, date: datetime.date, reason: str, **dates: Any
) -> Member:
    """Move a member to ``status`` on ``date``; the step's milestone date is set when not yet recorded
    (a date already on the record, such as the conversion date of a restored member, is history)."""
    if status == Member.objects.values_list("status", flat=True).get(pk=member.pk):
        # Nothing would be recorded, and the reason typed would be lost without a word.
        raise ValidationError({"status": _("党籍状态没有变化")})
    last = StatusChange.objects.filter(member=member).order_by("-date").values_list("date", flat=True).first()
    _check_date(member, date, label=_("日期"), previous=last, previous_label=_("上一次状态变更"))
    # Nor before the step the member's record already shows (停止党籍 in 2000 for someone admitted in 2011).
    reached = [(getattr(member, name), name) for name in rules.MILESTONES if getattr(member, name)]
    if reached and rules.STATUS_MILESTONE.get(status) is None:
        latest, name = max(reached)
        _check_date(member, date, label=_("日期"), previous=latest,
                    previous_label=_field_label(name))
    milestone = rules.STATUS_MILESTONE.get(status)
    changes: dict[str, Any] = {"status": status, **dates}
    if milestone and milestone not in changes and getattr(member, milestone) is None:
        changes[milestone] = date
    return update_member(member, acting_user=acting_user, changes=changes, message=reason, status_date=date)


def _field_label(name: str) -> str:
    return str(getattr(Member._meta.get_field(name), "verbose_name", name))


def _check_date(member: Member, date: datetime.date, *, label: str, previous: datetime.date | None,
                previous_label: str) -> None:
    """A step of a member's record (a change of status, a transfer) is dated today or before, not before the
    member was born, and not before the step of its kind before it. (The birth date is not quoted: the one
    who acts may see it only masked.)"""
    if date > timezone.localdate():
        raise ValidationError({"date": _("%(field)s不能晚于今天") % {"field": label}})
    if member.birth_date and date < member.birth_date:
        raise ValidationError({"date": _("%(field)s不能早于出生日期") % {"field": label}})
    if previous and date < previous:
        before = _("%(step)s（%(date)s）") % {"step": previous_label, "date": f"{previous:%Y-%m-%d}"}
        raise ValidationError({"date": _("%(field)s不能早于%(prev)s") % {"field": label, "prev": before}})


def delete_member(member: Member, *, acting_user: Any, message: str = "") -> None:
    core.delete_object(member, acting_user=acting_user, message=message)


def reveal(member: Member, field: str, *, acting_user: Any) -> str:
    """The full ID number or phone of ``member``; allowed to managers, and logged every time."""
    if field not in ("id_number", "phone"):
        raise ValueError(field)
    if not can(acting_user, Action.VIEW, member):
        raise Http404
    core.require(acting_user, Action.REVEAL, member)
    label = getattr(Member._meta.get_field(field), "verbose_name", field)
    log_change(member, ChangeAction.REVEAL, acting_user=acting_user, message=_("查看完整%(field)s") % {"field": label})
    return getattr(member, field) or ""


#
# Transfers of 组织关系
#


@transaction.atomic
def start_transfer(transfer: Transfer, *, acting_user: Any, message: str = "") -> Transfer:
    """The sending side starts a transfer; to an organization outside Chuxin it completes at once."""
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    core.require_visible_then_writable(acting_user, member)
    transfer.from_org = member.org
    if transfer.to_org_id == member.org_id:
        raise ValidationError({"to_org": _("转入组织不能与当前所在组织相同")})
    if member.status in LEAVING_STATUSES:
        raise ValidationError({"member": _("该党员当前状态不能转接组织关系")})
    if transfer.to_org and transfer.to_org.kind not in BRANCH_KINDS:
        raise ValidationError({"to_org": _("组织关系应转入党支部")})
    if transfer.to_org and transfer.to_outside.strip():
        raise ValidationError({"to_outside": _("转入本系统内的党支部时不填转往单位；转出本系统时不填组织编码")})
    pending = Transfer.objects.filter(member=member, status=TransferStatus.PENDING).select_related("to_org").first()
    if pending is not None:
        # One transfer at a time: a second would leave the first waiting for a member who has gone.
        raise ValidationError({"to_org": _("该党员已有一份等待%(org)s接收的组织关系转接，请等待接收或先撤销")
                                          % {"org": pending.to_org.name if pending.to_org else ""}})
    if transfer.date is not None:
        last = (Transfer.objects.filter(member=member, status=TransferStatus.CONFIRMED)
                .order_by("-date").values_list("date", flat=True).first())
        _check_date(member, transfer.date, label=_("转出日期"), previous=last, previous_label=_("上一次组织关系转接"))
        if member.application_date:
            _check_date(member, transfer.date, label=_("转出日期"), previous=member.application_date,
                        previous_label=_field_label("application_date"))
    if transfer.to_org is None:
        transfer.status, transfer.confirmed_date = TransferStatus.CONFIRMED, transfer.date
    core.create_object(transfer, acting_user=acting_user, message=message)
    if transfer.to_org is not None:
        notify(managers_of(transfer.to_org.path), kind="orgs.transfer", exclude=acting_user,
               url=transfer.get_absolute_url(), title=gettext_noop("%(name)s的组织关系由%(src)s转来，请接收"),
               params={"name": member.name, "src": member.org.name})
    if transfer.to_org is None:
        # The one way into 转出: a confirmed transfer to an organization outside Chuxin.
        old_status = member.status
        core.update_object(member, acting_user=acting_user, changes={"status": Status.TRANSFERRED_OUT},
                           message=_("组织关系转出至%(to)s") % {"to": transfer.to_outside})
        StatusChange.objects.create(member=member, org=member.org, from_status=old_status,
                                    to_status=Status.TRANSFERRED_OUT, date=transfer.date, reason=transfer.reason,
                                    created_by=_user_or_none(acting_user))
        end_positions(member, transfer.date, acting_user=acting_user, reason=_("组织关系转出"))
    return transfer


@transaction.atomic
def confirm_transfer(transfer: Transfer, *, acting_user: Any, reply: str = "") -> Transfer:
    """The receiving side confirms: the member's record moves to the receiving branch."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    _require_receiver(transfer, acting_user)
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    if member.org_id != transfer.from_org_id or member.status in LEAVING_STATUSES:
        raise ValidationError(_("该党员的组织关系或状态已变化，这条转接不能再接收，请转出方撤销后重新发起"))
    before = snapshot(transfer)
    transfer.status, transfer.confirmed_date, transfer.reply = TransferStatus.CONFIRMED, timezone.localdate(), reply
    transfer.save()
    log_change(transfer, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=snapshot(transfer),
               message=reply)
    _move_member(member, transfer, acting_user)
    _tell_sender(transfer, acting_user, gettext_noop("%(name)s的组织关系已由%(dst)s接收"))
    return transfer


def _tell_sender(transfer: Transfer, acting_user: Any, title: str) -> None:
    """The sending branch hears how its transfer ended."""
    notify(managers_of(transfer.from_org_path), kind="orgs.transfer_reply", exclude=acting_user,
           url=transfer.get_absolute_url(), title=title,
           params={"name": transfer.member.name, "dst": transfer.to_org.name if transfer.to_org else "",
                   "reply": transfer.reply})


def _move_member(member: Member, transfer: Transfer, acting_user: Any) -> None:
    # The receiver cannot write the member before the move (it is still outside their scope): the
    # confirmed transfer is the authority, so the move is logged directly rather than via update_object.
    assert transfer.to_org is not None
    before = snapshot(member)
    member.org, member.group = transfer.to_org, None
    member.save()
    _status_history_follows(member)
    end_positions(member, timezone.localdate(), acting_user=acting_user, reason=_("组织关系转出"))
    log_change(member, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=snapshot(member),
               message=_("组织关系由%(src)s转入") % {"src": transfer.from_org})


def _status_history_follows(member: Member) -> None:
    records_follow([member.pk], member.org)


_member_records: list[type[models.Model]] = [StatusChange]


def register_member_records(*record_models: type[models.Model]) -> None:
    """Other apps' per-member records (hours ledgers …) with ``member``, ``org`` and ``org_path`` fields,
    which follow the member to a new branch like the status history does."""
    for model in record_models:
        if model not in _member_records:
            _member_records.append(model)


def records_follow(member_ids: list[int], org: Organization) -> None:
    """The record follows the member: status history, the records other apps keep per member and the
    members' change log move to ``org``, so the new branch sees the past and the old one no longer sees
    personal data of people who left it."""
    for model in _member_records:
        records = model._default_manager.filter(member_id__in=member_ids)
        # The records' own change log (an essay's drafts, a ledger line's corrections) goes along with them.
        ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                    object_id__in=records.values("pk")).update(org_path=org.path)
        records.update(org=org, org_path=org.path)
    member_type = ContentType.objects.get_for_model(Member)
    ObjectChange.objects.filter(content_type=member_type, object_id__in=member_ids).update(
        org_path=org.path, related_object_id=org.pk)


def _require_receiver(transfer: Transfer, acting_user: Any) -> None:
    if not can(acting_user, Action.VIEW, transfer):
        raise Http404
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(_("这条转接已经处理过了"))
    if not transfer.to_org or not can_in_org(acting_user, Action.CHANGE, transfer.to_org.path):
        raise core.OutOfScope(_("只有接收方组织可以处理这条转接"))


@transaction.atomic
def reject_transfer(transfer: Transfer, *, acting_user: Any, reply: str) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    _require_receiver(transfer, acting_user)
    if not reply.strip():
        raise ValidationError({"reply": _("退回时请说明原因")})
    before = snapshot(transfer)
    transfer.status, transfer.reply = TransferStatus.REJECTED, reply
    transfer.save()
    log_change(transfer, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=snapshot(transfer),
               message=reply)
    _tell_sender(transfer, acting_user, gettext_noop("%(name)s的组织关系转接被%(dst)s退回：%(reply)s"))
    return transfer


@transaction.atomic
def cancel_transfer(transfer: Transfer, *, acting_user: Any, message: str = "") -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if not can(acting_user, Action.VIEW, transfer):
        raise Http404
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(_("这条转接已经处理过了"))
    if not can_in_org(acting_user, Action.CHANGE, transfer.from_org_path):
        raise core.OutOfScope(_("只有转出方组织可以撤销这条转接"))
    before = snapshot(transfer)
    # The sender's reason stands where the receiver's answer would have (the page names it by the status).
    transfer.status, transfer.reply = TransferStatus.CANCELLED, message[:300]
    transfer.save()
    log_change(transfer, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=snapshot(transfer),
               message=message)
    if transfer.to_org is not None:
        # The request to receive is void: its notification is settled, and the receiving side is told.
        url = transfer.get_absolute_url()
        Notification.objects.filter(kind="orgs.transfer", read_at__isnull=True, items__0__url=url).update(
            read_at=timezone.now())
        notify(managers_of(transfer.to_org.path), kind="orgs.transfer_cancel", exclude=acting_user, url=url,
               title=gettext_noop("%(name)s的组织关系转接已由%(src)s撤销"),
               params={"name": transfer.member.name, "src": transfer.from_org.name if transfer.from_org else ""})
    return transfer


#
# Leadership positions
#


def add_position(position: Position, *, acting_user: Any, message: str = "") -> Position:
    if position.member_id and position.member.org_id != position.org_id and position.org.kind in BRANCH_KINDS:
        raise ValidationError({"member": _("支部班子成员应为本支部党员")})
    if position.member_id and position.member.status != Status.FULL:
        # 党章 第七条: a probationary member can neither elect nor be elected.
        raise ValidationError({"member": _("班子成员应为正式党员")})
    return core.create_object(position, acting_user=acting_user, message=message)


def update_position(position: Position, *, acting_user: Any, changes: dict[str, Any], message: str = "") -> Position:
    return core.update_object(position, acting_user=acting_user, changes=changes, message=message)


def delete_position(position: Position, *, acting_user: Any, message: str = "") -> None:
    core.delete_object(position, acting_user=acting_user, message=message)


#
# Accounts and role grants
#


@transaction.atomic
def grant_role(grant: RoleGrant, *, acting_user: Any, message: str = "") -> RoleGrant:
    """Give ``grant.user`` role R on subtree S; only administrators create administrators."""
    if grant.role == Role.ADMIN:
        core.require_admin(acting_user)
    grant = core.create_object(grant, acting_user=acting_user, message=message)
    forget_scopes(grant.user)
    return grant


def revoke_grant(grant: RoleGrant, *, acting_user: Any, message: str = "") -> None:
    if grant.role == Role.ADMIN:
        core.require_admin(acting_user)
    core.delete_object(grant, acting_user=acting_user, message=message)
    forget_scopes(grant.user)


@transaction.atomic
def create_account(
    member: Member, *, acting_user: Any, username: str, password: str, role: str = Role.MEMBER,
    org: Organization | None = None,
) -> Any:
    """Create a login for ``member`` with the member role (self-service) and optionally one more grant."""
    core.require_visible_then_writable(acting_user, member)
    if member.user_id:
        raise ValidationError(_("该党员已有登录账号"))
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名已被使用")})
    user = User(username=username, first_name=member.name)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    before = snapshot(member)
    member.user = user
    member.save(update_fields=["user"])
    log_change(member, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=snapshot(member),
               message=_("创建登录账号 %(username)s") % {"username": username})
    grant_role(RoleGrant(user=user, role=Role.MEMBER, org=member.org), acting_user=acting_user)
    if role != Role.MEMBER:
        scope = org if org is not None else member.org
        grant_role(RoleGrant(user=user, role=role, org=scope), acting_user=acting_user)
    return user


def _user_or_none(user: Any) -> Any:
    return user if user is not None and user.is_authenticated else None


__all__ = [
    "OrgKind", "add_position", "cancel_transfer", "change_status", "confirm_transfer", "create_account",
    "create_member", "create_organization", "delete_member", "delete_organization", "delete_position",
    "grant_role", "reject_transfer", "reveal", "revoke_grant", "start_transfer", "update_member",
    "update_organization", "update_position",
]
