"""Writing paths of campaigns, their categories and required activities, templates and checklists."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from campaigns import catalogue
from campaigns.choices import Answer, CategoryKind
from campaigns.models import AnswerRow, Assignment, Campaign, Category, Checklist, ChecklistItem, Requirement
from core import services as core
from core.changelog import build_change, log_bulk, log_change, snapshot
from core.choices import Action, ChangeAction
from core.notify import managers_of_each, notify
from core.scoping import can
from core.text import listing, nested
from orgs.models import Member, Organization


def parse_batches(value: Any, *, within: tuple[datetime.date, datetime.date] | None = None) -> list[dict[str, str]]:
    """Batches as stored (``[{"name", "start", "end"}]``), from that list or from lines "名称，开始，结束";
    ``within`` is the campaign's own period, which every batch must lie in."""
    rows: list[dict[str, Any]]
    if value is None:
        rows = []
    elif isinstance(value, str):
        rows = []
        for n, line in enumerate(value.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) != 3:
                raise ValidationError({"batches": _("第%(n)s行：请按“名称，开始日期，结束日期”填写") % {"n": n}})
            rows.append({"name": parts[0], "start": parts[1], "end": parts[2], "line": n})
    elif isinstance(value, list):
        rows = []
        for n, row in enumerate(value, start=1):
            if not isinstance(row, dict):
                raise ValidationError({"batches": _(
                    "第%(n)s批：应写成含名称（name）、开始日期（start）、结束日期（end）的对象") % {"n": n}})
            rows.append({**row, "line": n})
    else:
        raise ValidationError({"batches": _("批次应为列表，每批含名称（name）、开始日期（start）、结束日期（end）")})
    batches = []
    for row in rows:
        n = row.pop("line")
        try:
            start = datetime.date.fromisoformat(str(row.get("start", "")))
            end = datetime.date.fromisoformat(str(row.get("end", "")))
        except ValueError:
            raise ValidationError({"batches": _("第%(n)s批：日期应写成 YYYY-MM-DD") % {"n": n}}) from None
        name = str(row.get("name", "")).strip()
        if not name or len(name) > 50:
            raise ValidationError({"batches": _("第%(n)s批：名称应为1到50个字") % {"n": n}})
        if end < start:
            raise ValidationError({"batches": _("第%(n)s批：结束日期早于开始日期") % {"n": n}})
        if within is not None and None not in within and (start < within[0] or end > within[1]):
            raise ValidationError({"batches": _("第%(n)s批（%(s)s至%(e)s）不在主题教育的起止日期（%(cs)s至%(ce)s）之内")
                                   % {"n": n, "s": start.isoformat(), "e": end.isoformat(),
                                      "cs": within[0].isoformat(), "ce": within[1].isoformat()}})
        batches.append({"name": name, "start": start.isoformat(), "end": end.isoformat()})
    ordered = sorted(enumerate(batches, start=1), key=lambda b: b[1]["start"])
    for (n1, first), (n2, second) in zip(ordered, ordered[1:], strict=False):
        if second["start"] <= first["end"]:
            numbers = {"a": min(n1, n2), "b": max(n1, n2)}
            raise ValidationError({"batches": _("第%(a)s批与第%(b)s批的日期重叠") % numbers})
    return batches


def batch_lines(batches: list[dict[str, str]]) -> str:
    return "\n".join(f"{b['name']}，{b['start']}，{b['end']}" for b in batches)


def _sync_categories(campaign: Campaign, kind: str, names: Sequence[str] | None, acting_user: Any) -> None:
    if names is None:
        return
    names = [n.strip()[:300] for n in names if n.strip()]
    existing = {c.number: c for c in campaign.categories.filter(kind=kind)}
    for number, name in enumerate(names, start=1):
        category = existing.pop(number, None)
        if category is None:
            category = Category.objects.create(campaign=campaign, kind=kind, number=number, name=name)
            log_change(category, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(category),
                       parent=campaign, org_path=campaign.org_path)
        elif category.name != name:
            before = snapshot(category)
            category.name = name
            category.save(update_fields=["name", "updated"])
            log_change(category, ChangeAction.UPDATE, acting_user=acting_user, before=before,
                       after=snapshot(category), parent=campaign, org_path=campaign.org_path)
    for category in existing.values():
        if category.problems.exists():
            raise ValidationError(_("“%(name)s”下已有问题，不能删除；可以改名") % {"name": category})
        before, pk = snapshot(category), category.pk
        category.delete()
        category.pk = pk
        log_change(category, ChangeAction.DELETE, acting_user=acting_user, before=before, parent=campaign,
                   org_path=campaign.org_path)


@transaction.atomic
def create_campaign(campaign: Campaign, *, acting_user: Any, goals: Sequence[str] = (),
                    specials: Sequence[str] = (), message: str = "") -> Campaign:
    campaign.batches = parse_batches(campaign.batches, within=(campaign.start, campaign.end))
    core.create_object(campaign, acting_user=acting_user, message=message)
    _sync_categories(campaign, CategoryKind.GOAL, goals, acting_user)
    _sync_categories(campaign, CategoryKind.SPECIAL, specials, acting_user)
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, *, acting_user: Any, changes: dict[str, Any],
                    goals: Sequence[str] | None = None, specials: Sequence[str] | None = None,
                    message: str = "") -> Campaign:
    if changes.keys() & {"batches", "start", "end"}:
        period = (changes.get("start", campaign.start), changes.get("end", campaign.end))
        changes["batches"] = parse_batches(changes.get("batches", campaign.batches), within=period)
        # What is already filed under the campaign keeps within it.
        earliest = campaign.problems.order_by("found_on").values_list("found_on", flat=True).first()
        if earliest is not None and earliest < period[0]:
            raise ValidationError({"start": _("已有问题的发现日期为%(d)s，开始日期不能晚于它")
                                   % {"d": f"{earliest:%Y-%m-%d}"}})
        outside = campaign.requirements.filter(due__isnull=False).exclude(due__range=period).first()
        if outside is not None:
            raise ValidationError({"end": _("规定动作“%(title)s”的完成时限（%(d)s）将不在主题教育期间")
                                   % {"title": nested(outside.title), "d": f"{outside.due:%Y-%m-%d}"}})
    if "org" in changes and changes["org"] != campaign.org and campaign.problems.exists():
        raise ValidationError({"org": _("已有问题列入这次主题教育，不能改变组织单位")})
    core.update_object(campaign, acting_user=acting_user, changes=changes, message=message)
    _sync_categories(campaign, CategoryKind.GOAL, goals, acting_user)
    _sync_categories(campaign, CategoryKind.SPECIAL, specials, acting_user)
    return campaign


@transaction.atomic
def delete_campaign(campaign: Campaign, *, acting_user: Any, message: str = "") -> None:
    if campaign.problems.exists() or campaign.projects.exists() or campaign.checklists.exists():
        raise ValidationError(_("这次主题教育已有问题、办实事项目或检视清单，不能删除"))
    core.delete_object(campaign, acting_user=acting_user, message=message)


def from_template(template: catalogue.Template, *, org: Organization, start: datetime.date,
                  name: str = "") -> Campaign:
    """An unsaved campaign of ``org`` with the template's texts, its batches moved to begin on ``start``."""
    shift = start - template.batches[0][1] if template.batches else datetime.timedelta()
    batches = [{"name": n, "start": (s + shift).isoformat(), "end": (e + shift).isoformat()}
               for n, s, e in template.batches]
    end = max((datetime.date.fromisoformat(b["end"]) for b in batches), default=start + datetime.timedelta(days=180))
    return Campaign(org=org, name=name or template.name, template=template.key, requirement=template.requirement,
                    aim=template.aim, measures="\n".join(template.measures), batches=batches, start=start, end=end)


@transaction.atomic
def launch_from_template(key: str, *, org: Organization, acting_user: Any, start: datetime.date | None = None,
                         name: str = "") -> Campaign:
    """A campaign of ``org`` copied from a shipped template, its batches moved to begin on ``start``; the
    committee then edits it like any other."""
    template = catalogue.TEMPLATES.get(key)
    if template is None:
        raise ValidationError({"template": _("没有这个模板")})
    campaign = from_template(template, org=org, start=start or timezone.localdate(), name=name)
    end = campaign.end
    create_campaign(campaign, acting_user=acting_user, goals=template.goals, specials=template.specials,
                    message=_("由模板“%(name)s”创建") % {"name": template.name})
    for kind, title, hours in template.requirements:
        add_requirement(Requirement(campaign=campaign, kind=kind, title=title, hours=hours, due=end),
                        acting_user=acting_user)
    if template.checklist:
        copy_checklist(campaign.org, acting_user=acting_user, campaign=campaign)
    return campaign


# Required activities -----------------------------------------------------------------------------------

@transaction.atomic
def add_requirement(requirement: Requirement, *, acting_user: Any, message: str = "") -> Requirement:
    campaign = requirement.campaign
    core.require_visible_then_writable(acting_user, campaign)
    for linked in (requirement.activity, requirement.essay_request):
        if linked is not None and not can(acting_user, Action.VIEW, linked):
            raise ValidationError(_("找不到关联的学习活动或心得体会布置"))
    requirement.full_clean()
    requirement.save()
    log_change(requirement, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(requirement),
               parent=campaign, org_path=campaign.org_path, message=message)
    return requirement


@transaction.atomic
def delete_requirement(requirement: Requirement, *, acting_user: Any, message: str = "") -> None:
    campaign = requirement.campaign
    core.require_visible_then_writable(acting_user, campaign)
    before, pk = snapshot(requirement), requirement.pk
    requirement.delete()
    requirement.pk = pk
    log_change(requirement, ChangeAction.DELETE, acting_user=acting_user, before=before, parent=campaign,
               org_path=campaign.org_path, message=message)


# Checklists --------------------------------------------------------------------------------------------

SECTION_LENGTH, ITEM_LENGTH, NOTE_LENGTH = 100, 500, 2000


def checked_items(items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The non-blank questions, each within its length (a longer one is refused by its number, not cut)."""
    kept = [(section.strip(), text.strip()) for section, text in items if text.strip()]
    if not kept:
        raise ValidationError({"items": _("检视清单至少要有一项检视事项")})
    for n, (section, text) in enumerate(kept, start=1):
        if len(text) > ITEM_LENGTH or len(section) > SECTION_LENGTH:
            raise ValidationError({"items": _("第%(n)s项太长：检视事项最多%(text)s字，对照内容最多%(section)s字")
                                   % {"n": n, "text": ITEM_LENGTH, "section": SECTION_LENGTH}})
    return kept


@transaction.atomic
def create_checklist(checklist: Checklist, *, acting_user: Any, items: Sequence[tuple[str, str]],
                     message: str = "") -> Checklist:
    items = checked_items(items)
    if checklist.campaign is not None and not checklist.org.path.startswith(checklist.campaign.org_path):
        raise ValidationError({"campaign": _("制定单位不在这次主题教育的范围内")})
    core.create_object(checklist, acting_user=acting_user, message=message)
    ChecklistItem.objects.bulk_create([ChecklistItem(checklist=checklist, number=n, section=s, text=t)
                                       for n, (s, t) in enumerate(items, start=1)])
    return checklist


def copy_checklist(org: Organization, *, acting_user: Any, campaign: Campaign | None = None) -> Checklist:
    """The 18-item template as ``org``'s own checklist, to edit."""
    return create_checklist(Checklist(org=org, campaign=campaign, title=catalogue.CHECKLIST_TITLE,
                                      instructions=catalogue.CHECKLIST_NOTE),
                            acting_user=acting_user, items=catalogue.CHECKLIST_18)


@transaction.atomic
def delete_checklist(checklist: Checklist, *, acting_user: Any, message: str = "") -> None:
    """A checklist nobody has begun to answer (checked on the locked row, so an answer cannot slip in)."""
    locked = Checklist.objects.select_for_update().get(pk=checklist.pk)
    if AnswerRow.objects.filter(assignment__checklist=locked).exists():
        raise ValidationError(_("已有人作答，不能删除"))
    for assignment in locked.assignments.all():
        core.delete_object(assignment, acting_user=acting_user, message=message)
    core.delete_object(checklist, acting_user=acting_user, message=message)


@transaction.atomic
def set_items(checklist: Checklist, *, acting_user: Any, items: Sequence[tuple[str, str]], message: str = "") -> None:
    """Replace the questions, while nobody has answered yet."""
    core.require_visible_then_writable(acting_user, checklist)
    if AnswerRow.objects.filter(assignment__checklist=checklist).exists():
        raise ValidationError(_("已有人开始作答，不能再修改检视事项"))
    items = checked_items(items)
    before = list(checklist.items.values_list("section", "text"))
    checklist.items.all().delete()
    ChecklistItem.objects.bulk_create([ChecklistItem(checklist=checklist, number=n, section=s, text=t)
                                       for n, (s, t) in enumerate(items, start=1)])
    log_change(checklist, ChangeAction.UPDATE, acting_user=acting_user, before={"items": before},
               after={"items": [list(i) for i in items]}, message=message or _("修改检视事项"))


@transaction.atomic
def assign_checklist(checklist: Checklist, *, acting_user: Any, members: Sequence[Member] = (),
                     orgs: Sequence[Organization] = ()) -> list[Assignment]:
    core.require_visible_then_writable(acting_user, checklist)
    if not members and not orgs:
        raise ValidationError(_("请选择检视对象（个人或组织）"))
    made = []
    given = Assignment.objects.filter(checklist=checklist)
    has_one = set(given.filter(member__in=members).values_list("member_id", flat=True)) if members else set()
    for member in members:
        if not member.org_path.startswith(checklist.org_path):
            raise ValidationError({"members": _("%(name)s不在制定单位的范围内") % {"name": member.name}})
        if member.pk not in has_one:
            has_one.add(member.pk)  # once, however often the member is named
            made.append(Assignment(checklist=checklist, member=member, org=member.org))
    has_one = set(given.filter(org__in=orgs, for_org=True).values_list("org_id", flat=True)) if orgs else set()
    for org in orgs:
        if not org.path.startswith(checklist.org_path):
            raise ValidationError({"orgs": _("%(name)s不在制定单位的范围内") % {"name": org.name}})
        if org.pk not in has_one:
            has_one.add(org.pk)
            made.append(Assignment(checklist=checklist, org=org, for_org=True))
    # Written together (a checklist may go to thousands): one insert, one change-log insert.
    for assignment in made:
        assignment.org_path = assignment.org.path  # what OrgOwnedModel.save sets, which bulk_create skips
        core.require(acting_user, Action.CHANGE, assignment)
    Assignment.objects.bulk_create(made)
    log_bulk([build_change(a, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(a)) for a in made])
    people: list[int | None] = [a.member.user_id for a in made if a.member is not None]
    people += managers_of_each(a.org_path for a in made if a.for_org)
    # The people given the checklist and the managers of the organizations given it are told at once (a
    # checklist may go to thousands), each linked to the checklists waiting for their answers.
    notify(people, kind="campaigns.assigned", exclude=acting_user,
           url=f"{reverse('campaigns:checklist_list')}?to_answer=true",
           title=gettext_noop("请填写检视清单“%(title)s”"), params={"title": nested(checklist.title)})
    return made


def may_answer(user: Any, assignment: Assignment) -> bool:
    """A person answers their own checklist; an organization's is answered by its managers."""
    if assignment.for_org:
        return can(user, Action.CHANGE, assignment)
    return assignment.member is not None and assignment.member.user_id == getattr(user, "pk", None)


@transaction.atomic
def answer_checklist(assignment: Assignment, *, acting_user: Any, answers: Mapping[int, tuple[str, str]],
                     submit: bool = False) -> Assignment:
    """Save the answers (item id → (answer, note)); submitting needs every item answered and a note for
    each "no" or "partly". The answers become read-only once submitted."""
    locked = (Assignment.objects.select_for_update(of=("self",)).select_related("member")
              .filter(pk=assignment.pk).first())
    if locked is None or not can(acting_user, Action.VIEW, locked):
        raise Http404
    if not may_answer(acting_user, locked):
        raise PermissionDenied(_("只有检视对象本人（或组织的管理人员）可以填写"))
    if locked.submitted_at:
        raise ValidationError(_("已经提交，不能再修改"))
    items = {i.pk: i for i in locked.checklist.items.all()}
    stored = {a.item_id: a for a in locked.answers.all()}
    for item_id, (value, note) in answers.items():
        item = items.get(item_id)
        if item is None:
            raise ValidationError(_("检视事项不属于这份清单"))
        if value not in Answer.values:
            raise ValidationError(_("第%(n)s项：请选择是、否或部分") % {"n": item.number})
        note = (note or "").strip()
        if len(note) > NOTE_LENGTH:
            raise ValidationError(_("第%(n)s项的具体情况太长（%(len)s字），最多%(max)s字")
                                  % {"n": item.number, "len": len(note), "max": NOTE_LENGTH})
        row = stored.get(item_id) or AnswerRow(assignment=locked, item=item)
        row.answer, row.note = value, note
        row.save()
        stored[item_id] = row
    if answers:  # also when saved and submitted at once: the submission's own row does not list the answers
        log_change(locked, ChangeAction.UPDATE, acting_user=acting_user,
                   after={"answers": {str(items[i].number): v[0] for i, v in answers.items()}},
                   message=_("保存检视结果"))
    if submit:
        # Every item left to do at once, not one per attempt.
        ordered = sorted(items.values(), key=lambda i: i.number)
        unanswered = [str(item.number) for item in ordered if item.pk not in stored]
        problems = [_("第%(n)s项还没有作答") % {"n": listing(unanswered)}] if unanswered else []
        problems += [_("第%(n)s项回答“%(a)s”，请写明具体情况") % {"n": item.number, "a": given.get_answer_display()}
                     for item in ordered if (given := stored.get(item.pk)) is not None
                     and given.answer != Answer.YES and not given.note]
        if problems:
            raise ValidationError(problems)
        before = snapshot(locked)
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["submitted_at", "updated"])
        log_change(locked, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=snapshot(locked),
                   message=_("提交检视结果：%(n)s项需整改") % {
                       "n": sum(1 for r in stored.values() if r.answer != Answer.YES)})
    return locked
