"""Every change to activities, attendance and the hours ledger: atomic, scope-checked, change-logged.

The ledger (``StudyRecord``) follows attendance: a member present at an activity, or who made it up,
has one record crediting the activity's hours; any other status has none. Each service refreshes the
touched members' yearly totals (``ledger.refresh_years``) in the same transaction.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import services as core
from core.changelog import build_change, log_bulk, log_change, snapshot
from core.choices import Action, ChangeAction
from core.models import ObjectChange
from core.rules import rule_value
from core.scoping import ScopedQuerySet, can, get_scope
from core.text import parentheses
from learning import audience as audiences
from learning import points, rules
from learning.choices import (
    CREDITED_ATTENDANCE,
    FORM_KIND,
    AttendanceMethod,
    AttendanceStatus,
    Audience,
    Frequency,
    PointAction,
    RecordSource,
)
from learning.ledger import refresh_years
from learning.models import Activity, ActivityMaterial, ActivitySeries, Attendance, SignInFailure, StudyRecord
from orgs.models import Member, Organization


def conversion(on: datetime.date) -> rules.Conversion:
    return rules.Conversion(*(Decimal(rule_value(f"learning.hours.{k}", on))
                              for k in ("full_day", "half_day", "full_day_min", "half_day_min")))


def fill_defaults(activity: Activity) -> None:
    """The credited kind from the form, the hours from the conversion rule and the make-up deadline."""
    if not activity.kind and activity.form:
        activity.kind = FORM_KIND[activity.form]  # type: ignore[index]
    if activity.start and activity.end:
        local_start = timezone.localtime(activity.start)
        if activity.hours is None:
            activity.hours = rules.credited_hours(local_start, timezone.localtime(activity.end),
                                                  conversion(local_start.date()))
        if activity.makeup_until is None:
            days = int(rule_value("learning.makeup.window_days", local_start.date()))
            activity.makeup_until = timezone.localtime(activity.end).date() + datetime.timedelta(days=days)


def _check_audience(activity: Activity, orgs: Iterable[Organization], members: Iterable[Member], *,
                    require_choice: bool = True) -> None:
    """Chosen organizations and members must lie in the organizing organization's subtree, and an audience
    of chosen ones must name some (``require_choice``: when the audience is being set)."""
    orgs, members = list(orgs), list(members)
    if require_choice and activity.audience == Audience.ORGS and not orgs:
        raise ValidationError({"audience_orgs": _("参加对象为指定组织时，请选择参加的组织")})
    if require_choice and activity.audience == Audience.MEMBERS and not members:
        raise ValidationError({"audience_members": _("参加对象为指定党员时，请填写参加的党员")})
    path = activity.org.path
    if any(not o.path.startswith(path) for o in orgs):
        raise ValidationError({"audience_orgs": _("指定组织必须是组织单位或其下级组织")})
    if any(not m.org_path.startswith(path) for m in members):
        raise ValidationError({"audience_members": _("指定党员必须在组织单位的管理范围内")})


@transaction.atomic
def create_activity(
    activity: Activity, *, acting_user: Any, message: str = "",
    audience_orgs: Sequence[Organization] = (), audience_members: Sequence[Member] = (),
) -> Activity:
    fill_defaults(activity)
    if activity.org_id:
        _check_audience(activity, audience_orgs, audience_members)
    core.create_object(activity, acting_user=acting_user, message=message)
    activity.audience_orgs.set(audience_orgs)
    activity.audience_members.set(audience_members)
    return activity


@transaction.atomic
def update_activity(activity: Activity, *, acting_user: Any, changes: dict[str, Any], message: str = "") -> Activity:
    """Change an activity: the audience is checked against the organization it will belong to; a change of
    audience is logged; a move carries its files and attendance along; changed hours, kind, title or date
    are carried into every ledger line it credited."""
    orgs = changes.pop("audience_orgs", None)
    members = changes.pop("audience_members", None)
    old = Activity.objects.select_related("org").get(pk=activity.pk)
    if "hours" in changes and changes["hours"] is None:
        start = timezone.localtime(changes.get("start", activity.start))
        end = timezone.localtime(changes.get("end", activity.end))
        changes["hours"] = rules.credited_hours(start, end, conversion(start.date()))
    # An empty choice is refused when the audience is being set, not on every later edit of an old activity.
    _check_audience(Activity(org=changes.get("org", old.org), audience=changes.get("audience", old.audience)),
                    orgs if orgs is not None else old.audience_orgs.all(),
                    members if members is not None else old.audience_members.all(),
                    require_choice="audience" in changes or orgs is not None or members is not None)
    if "end" in changes and "makeup_until" not in changes and old.makeup_until and changes["end"] and old.end:
        # A postponed activity keeps its make-up window: the deadline moves with the end.
        moved = timezone.localtime(changes["end"]).date() - timezone.localtime(old.end).date()
        changes["makeup_until"] = old.makeup_until + moved
    before = _audience(old)
    core.update_object(activity, acting_user=acting_user, changes=changes, message=message)
    if orgs is not None:
        activity.audience_orgs.set(orgs)
    if members is not None:
        activity.audience_members.set(members)
    after = _audience(activity)
    if after != before:
        log_change(activity, ChangeAction.UPDATE, acting_user=acting_user, before=before, after=after,
                   message=message or _("修改参加对象"))
    if activity.org_path != old.org_path:
        ActivityMaterial.objects.filter(activity=activity).update(org_path=activity.org_path)
        Attendance.objects.filter(activity=activity).update(activity_org_path=activity.org_path)
        SignInFailure.objects.filter(activity=activity).update(activity_org_path=activity.org_path)
    if (old.hours, old.kind, old.title, old.start) != (activity.hours, activity.kind, activity.title, activity.start):
        _recredit(activity, acting_user=acting_user, message=message)
    return activity


def _audience(activity: Activity) -> dict[str, Any]:
    return {"audience_orgs": sorted(activity.audience_orgs.values_list("pk", flat=True)),
            "audience_members": sorted(activity.audience_members.values_list("pk", flat=True))}


def _recredit(activity: Activity, *, acting_user: Any, message: str = "") -> None:
    """Credit every present or made-up attendance again with the activity as it now is (the ledger line is
    rebuilt, or dropped when the activity credits no hours); each attendance and line changed is logged."""
    day = timezone.localtime(activity.start).date()
    years = {day.year}
    member_ids = []
    made_up = dict(StudyRecord.objects.filter(attendance__activity=activity, source=RecordSource.MAKEUP)
                   .values_list("attendance_id", "date"))
    years |= set(StudyRecord.objects.filter(attendance__activity=activity).values_list("year", flat=True))
    changes: list[ObjectChange] = []
    for attendance in (Attendance.objects.filter(activity=activity, status__in=CREDITED_ATTENDANCE)
                       .select_related("member", "activity__org")):
        if attendance.hours != activity.hours:
            before = snapshot(attendance)
            attendance.hours = activity.hours
            attendance.save(update_fields=["hours", "updated"])
            changes.append(build_change(attendance, ChangeAction.UPDATE, acting_user=acting_user, before=before,
                                        after=snapshot(attendance), message=message))
        if attendance.status == AttendanceStatus.MAKEUP:
            credit_date = made_up.get(attendance.pk) or timezone.localdate()
            changes += _apply(attendance, credit_date, RecordSource.MAKEUP, acting_user=acting_user, message=message)
            years.add(credit_date.year)
        else:
            changes += _apply(attendance, day, RecordSource.ACTIVITY, acting_user=acting_user, message=message)
        member_ids.append(attendance.member_id)
    log_bulk(changes)
    refresh_years(member_ids, years)


@transaction.atomic
def delete_activity(activity: Activity, *, acting_user: Any, message: str = "") -> None:
    if Attendance.objects.filter(activity=activity).exists():
        raise ValidationError(_("该活动已有出勤记录，不能删除"))
    core.delete_object(activity, acting_user=acting_user, message=message)


@transaction.atomic
def add_material(material: ActivityMaterial, *, acting_user: Any, message: str = "") -> ActivityMaterial:
    material.org_path = material.activity.org_path
    return core.create_object(material, acting_user=acting_user, message=message)


@transaction.atomic
def delete_material(material: ActivityMaterial, *, acting_user: Any, message: str = "") -> None:
    core.delete_object(material, acting_user=acting_user, message=message)  # the file goes on commit


def series_dates(series: ActivitySeries) -> list[datetime.date]:
    """The dates a series' rule yields between its first and last date (inclusive)."""
    first, last = series.first_date, series.last_date
    if series.frequency == Frequency.WEEKLY:
        day = first + datetime.timedelta(days=(series.day - 1 - first.weekday()) % 7)
        return [day + datetime.timedelta(weeks=i) for i in range(((last - day).days // 7) + 1)] if day <= last else []
    dates = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        day = datetime.date(year, month, series.day)
        if first <= day <= last:
            dates.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


MAX_SERIES = 60


@transaction.atomic
def create_series(series: ActivitySeries, *, acting_user: Any, message: str = "") -> list[Activity]:
    """The rule and one activity per date it yields (at most ``MAX_SERIES``), each change-logged."""
    errors = {}
    if series.frequency == Frequency.MONTHLY and not 1 <= series.day <= 28:
        errors["day"] = _("每月的日期应为1–28")
    if series.frequency == Frequency.WEEKLY and not 1 <= series.day <= 7:
        errors["day"] = _("星期几应为1–7")
    if series.last_date < series.first_date:
        errors["last_date"] = _("末次日期不能早于首次日期")
    if series.end_time <= series.start_time:
        errors["end_time"] = _("结束时间必须晚于开始时间")
    if series.audience in (Audience.ORGS, Audience.MEMBERS):
        errors["audience"] = _("周期性活动的参加对象为组织的全体党员或班子成员；指定组织或党员请逐次设置")
    if errors:
        raise ValidationError(errors)
    dates = series_dates(series)
    if not dates:
        raise ValidationError({"last_date": _("这段时间内没有符合规则的日期")})
    if len(dates) > MAX_SERIES:
        raise ValidationError({"last_date": _("一次最多生成%(n)s次活动") % {"n": MAX_SERIES}})
    core.create_object(series, acting_user=acting_user, message=message)
    zone = timezone.get_current_timezone()
    made = []
    for day in dates:
        activity = Activity(
            org=series.org, title=f"{series.title}（{day:%Y-%m-%d}）", form=series.form, place=series.place,
            audience=series.audience, series=series,
            start=datetime.datetime.combine(day, series.start_time, tzinfo=zone),
            end=datetime.datetime.combine(day, series.end_time, tzinfo=zone),
        )
        made.append(create_activity(activity, acting_user=acting_user, message=message))
    return made


#
# Attendance
#


def _credit(attendance: Attendance, date: datetime.date, source: str) -> dict[str, Any]:
    """The values of the ledger line an attendance credits (``_apply`` creates it or brings it in step)."""
    activity = attendance.activity
    return {"member_id": attendance.member_id, "org_id": attendance.org_id, "org_path": attendance.org_path,
            "date": date, "year": date.year, "hours": activity.hours, "kind": activity.kind, "source": source,
            "title": activity.title, "provider": activity.org.name}


def _apply(attendance: Attendance, credit_date: datetime.date | None, source: str, *, acting_user: Any,
           message: str = "") -> list[ObjectChange]:
    """Keep the attendance's ledger line and points in step with its status (credited or not).

    Returns the unsaved change-log rows of what it wrote (the line created, changed or removed, the points
    awarded or taken back), for the caller to write together with its other rows (``log_bulk``).
    """
    changes: list[ObjectChange] = []
    current = StudyRecord.objects.filter(attendance=attendance).first()
    ref = f"attendance-{attendance.pk}"
    action = PointAction.MAKEUP if source == RecordSource.MAKEUP else PointAction.ATTEND
    if attendance.status not in CREDITED_ATTENDANCE:
        changes += [build_change(entry, ChangeAction.DELETE, acting_user=acting_user, before=snapshot(entry),
                                 message=message)
                    for entry in points.withdraw([ref], PointAction.ATTEND, PointAction.MAKEUP)]
    if attendance.status in CREDITED_ATTENDANCE and attendance.activity.hours > 0 and credit_date is not None:
        values = _credit(attendance, credit_date, source)
        if current is None:
            record = StudyRecord(**values, attendance=attendance)
            record.save()
            changes.append(build_change(record, ChangeAction.CREATE, acting_user=acting_user,
                                        after=snapshot(record), parent=attendance.member, message=message))
        else:
            before = snapshot(current)
            for name, value in values.items():
                setattr(current, name, value)
            if snapshot(current) != before:
                current.save()
                changes.append(build_change(current, ChangeAction.UPDATE, acting_user=acting_user, before=before,
                                            after=snapshot(current), parent=attendance.member, message=message))
        entry = points.award(attendance.member, action, ref, day=credit_date)
        if entry is not None:
            changes.append(build_change(entry, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(entry),
                                        message=message))
    elif current is not None:
        StudyRecord.objects.filter(pk=current.pk).delete()  # (the instance keeps its id for the log)
        changes.append(build_change(current, ChangeAction.DELETE, acting_user=acting_user, before=snapshot(current),
                                    parent=attendance.member, message=message))
    return changes


def open_window(activity: Activity) -> tuple[datetime.datetime, datetime.datetime]:
    minutes = int(rule_value("learning.sign_in.opens_minutes", timezone.localtime(activity.start).date()))
    return activity.start - datetime.timedelta(minutes=minutes), activity.end


def max_wrong_codes(activity: Activity) -> int:
    return max(1, int(rule_value("learning.sign_in.max_wrong_codes", timezone.localtime(activity.start).date())))


def wrong_codes(activity: Activity, member: Member) -> int:
    return SignInFailure.objects.filter(activity=activity, member=member).count()


def check_sign_in(
    activity: Activity, member: Member | None, *, now: datetime.datetime
) -> tuple[Member, int, int]:
    """Whether ``member`` may sign in to ``activity`` now, short of the code: raises the refusal (the sign-in
    page shows it instead of the form), else returns the member, the limit of wrong codes and how many of
    them were entered."""
    if member is None:
        raise PermissionDenied(_("您的账号没有关联党员档案，无法签到"))
    if not audiences.includes(activity, member):
        raise ValidationError(_("您不在这次活动的参加对象中"))
    opens, closes = open_window(activity)
    if now < opens:
        raise ValidationError(_("签到尚未开始，%(time)s起可以签到")
                              % {"time": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}"})
    if now > closes:
        raise ValidationError(_("活动已经结束，不能再签到；请联系组织补登或补学"))
    if Attendance.objects.filter(activity=activity, member=member).exists():
        raise ValidationError(_("您已经签到过了"))
    limit = max_wrong_codes(activity)
    wrong = wrong_codes(activity, member)
    if wrong >= limit:
        raise ValidationError({"code": _("签到码已输错%(n)s次，不能再自助签到；请联系活动组织者登记出勤")
                               % {"n": wrong}})
    return member, limit, wrong


def sign_in(
    activity: Activity, *, acting_user: Any, code: str = "", now: datetime.datetime | None = None
) -> Attendance:
    """A member signs in on their phone while the activity is open (with the code shown on site, if set).

    A wrong code is kept (``SignInFailure``) and, after ``learning.sign_in.max_wrong_codes`` of them, the
    member can no longer sign in to that activity: a four-digit code must not be guessable from afar; the
    organizer still records their attendance. The wrong code is written in the same transaction that locks
    the member's row and read the count, so parallel attempts cannot pass the limit, and that transaction
    commits before the refusal is raised, so the refusal does not roll the record back.
    """
    now = now or timezone.now()
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(user=acting_user).first() \
            if acting_user.is_authenticated else None
        activity = Activity.objects.select_related("org").get(pk=activity.pk)
        member, limit, wrong = check_sign_in(activity, member, now=now)
        # Typed on a phone: full-width digits (８４２１) and spaces are what the code says, not a wrong guess.
        typed = unicodedata.normalize("NFKC", code or "").replace(" ", "")
        if not activity.sign_in_code or typed == activity.sign_in_code:
            return _signed_in(activity, member, acting_user=acting_user, now=now)
        if not typed:
            raise ValidationError({"code": _("请输入签到码")})  # not a guess: nothing is counted
        failure = SignInFailure.objects.create(activity=activity, member=member, org_id=member.org_id,
                                               org_path=member.org_path, activity_org_path=activity.org_path)
        log_change(failure, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(failure),
                   message=_("签到码错误"))
    left = limit - wrong - 1
    if left:
        raise ValidationError({"code": _("签到码不正确，还可以再试%(n)s次") % {"n": left}})
    raise ValidationError({"code": _("签到码不正确；输错次数已达上限，请联系活动组织者登记出勤")})


def _signed_in(activity: Activity, member: Member, *, acting_user: Any, now: datetime.datetime) -> Attendance:
    attendance = Attendance(
        activity=activity, member=member, org_id=member.org_id, org_path=member.org_path,
        activity_org_path=activity.org_path, status=AttendanceStatus.PRESENT, method=AttendanceMethod.SIGN_IN,
        signed_in_at=now, hours=activity.hours,
    )
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError:  # the organizer recorded this member at the same moment
        raise ValidationError(_("您已经签到过了")) from None
    message = _("本人签到")
    changes = [build_change(attendance, ChangeAction.CREATE, acting_user=acting_user, after=snapshot(attendance),
                            message=message)]
    changes += _apply(attendance, timezone.localtime(activity.start).date(), RecordSource.ACTIVITY,
                      acting_user=acting_user, message=message)
    log_bulk(changes)
    refresh_years([member.pk], [timezone.localtime(activity.start).year])
    return attendance


@dataclass(frozen=True)
class Entry:
    member: Member
    status: str
    reason: str = ""


def may_record(user: Any, activity: Activity) -> bool:
    """The organizer records the attendance of the audience in their scope; the managers of an organization
    in the audience record their own members' (a branch secretary at the committee's lecture)."""
    return can(user, Action.CHANGE, activity) or not get_scope(user, Action.CHANGE).empty


def recordable_members(user: Any, activity: Activity) -> ScopedQuerySet[Member]:
    """The audience members whose attendance ``user`` may write: those in the user's change scope, even for
    the organizer (a member named in the audience who has since moved to another branch belongs to that
    branch's ledger, and is refused like a member who is not in the audience)."""
    return audiences.members(activity).restrict(user, Action.CHANGE)


def _require_recorder(user: Any, activity: Activity) -> None:
    if not Activity.objects.restrict(user).filter(pk=activity.pk).exists():
        raise Http404
    if not may_record(user, activity):
        raise core.OutOfScope(_("您只有查看权限"))


@transaction.atomic
def record_attendance(activity: Activity, entries: Iterable[Entry], *, acting_user: Any,
                      message: str = "") -> list[Attendance]:
    """Record (or correct) attendance in bulk, for the audience members in the acting user's change scope
    (``recordable_members``); every change logged, nothing written if any entry is refused."""
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    _require_recorder(acting_user, activity)
    entries = list(entries)
    allowed = set(recordable_members(acting_user, activity).filter(pk__in=[e.member.pk for e in entries])
                  .values_list("pk", flat=True))
    # Namesakes (two 刘秀梅 in one branch) are told apart by the last digits of their ID numbers.
    names = Counter(e.member.name for e in entries)
    left, right = parentheses()

    def who(member: Member) -> str:
        if names[member.name] < 2 or not member.id_number:
            return member.name
        tail = _("身份证号尾号%(tail)s") % {"tail": member.id_number[-4:]}
        return f"{member.name}{left}{tail}{right}"

    errors = [_("%(name)s不在这次活动的参加对象中，或不在您的管理范围内") % {"name": who(e.member)} for e in entries
              if e.member.pk not in allowed]
    errors += [_("%(name)s：缺席或请假请注明原因") % {"name": who(e.member)} for e in entries
               if e.status in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED) and not e.reason.strip()]
    errors += [_("%(name)s：补学请通过“补学”登记") % {"name": who(e.member)} for e in entries
               if e.status == AttendanceStatus.MAKEUP]
    if errors:
        raise ValidationError(errors)
    existing = {a.member_id: a for a in Attendance.objects.select_for_update().filter(
        activity=activity, member__in=[e.member for e in entries])}
    day = timezone.localtime(activity.start).date()
    changes, saved = [], []
    for entry in entries:
        current = existing.get(entry.member.pk)
        before = snapshot(current) if current is not None else None
        attendance = current or Attendance(
            activity=activity, member=entry.member, org_id=entry.member.org_id, org_path=entry.member.org_path,
            activity_org_path=activity.org_path, method=AttendanceMethod.RECORDED)
        if current is not None and (current.status, current.reason) == (entry.status, entry.reason.strip()):
            continue
        if current is not None and current.status == AttendanceStatus.MAKEUP:
            raise ValidationError(_("%(name)s已经补学，不能再修改出勤情况") % {"name": entry.member.name})
        attendance.status = entry.status
        attendance.reason = entry.reason.strip() if entry.status != AttendanceStatus.PRESENT else ""
        attendance.hours = activity.hours if entry.status == AttendanceStatus.PRESENT else Decimal(0)
        if current is not None:
            attendance.method = AttendanceMethod.RECORDED
        attendance.save()
        changes.append(build_change(attendance, ChangeAction.UPDATE if current else ChangeAction.CREATE,
                                    acting_user=acting_user, before=before, after=snapshot(attendance),
                                    message=message))
        changes += _apply(attendance, day, RecordSource.ACTIVITY, acting_user=acting_user, message=message)
        saved.append(attendance)
    log_bulk(changes)
    refresh_years([a.member_id for a in saved], [day.year])
    return saved


@transaction.atomic
def record_makeup(attendance: Attendance, *, acting_user: Any, date: datetime.date, message: str = "") -> Attendance:
    """补学: an absent or excused member made the study up within the window; credited on the make-up date."""
    attendance = Attendance.objects.select_for_update().select_related("activity__org", "member").get(
        pk=attendance.pk)
    activity = attendance.activity
    _require_recorder(acting_user, activity)
    if not recordable_members(acting_user, activity).filter(pk=attendance.member_id).exists():
        raise core.OutOfScope(_("%(name)s不在您的管理范围内") % {"name": attendance.member.name})
    if attendance.status not in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
        raise ValidationError(_("只有缺席或请假的党员可以登记补学"))
    if date < timezone.localtime(activity.start).date():
        raise ValidationError({"date": _("补学日期不能早于活动日期")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("补学日期不能晚于今天")})
    if activity.makeup_until and date > activity.makeup_until:
        raise ValidationError({"date": _("已超过补学期限（%(date)s）") % {"date": f"{activity.makeup_until:%Y-%m-%d}"}})
    before = snapshot(attendance)
    attendance.status, attendance.method, attendance.hours = (
        AttendanceStatus.MAKEUP, AttendanceMethod.MAKEUP, activity.hours)
    attendance.save()
    message = message or _("补学")
    changes = [build_change(attendance, ChangeAction.UPDATE, acting_user=acting_user, before=before,
                            after=snapshot(attendance), message=message)]
    changes += _apply(attendance, date, RecordSource.MAKEUP, acting_user=acting_user, message=message)
    log_bulk(changes)
    refresh_years([attendance.member_id], [date.year])
    return attendance


#
# The ledger
#


def _check_record(record: StudyRecord) -> None:
    # The line is kept by the member's branch. (Its date is checked by ``StudyRecord.clean``, which the
    # generic write paths run.)
    if record.member_id and (not record.org_id or record.org_id != record.member.org_id):
        record.org = record.member.org


@transaction.atomic
def create_record(record: StudyRecord, *, acting_user: Any, message: str = "") -> StudyRecord:
    _check_record(record)
    record.source = record.source or RecordSource.EXTERNAL
    core.create_object(record, acting_user=acting_user, message=message)
    refresh_years([record.member_id], [record.year])
    return record


def _require_manual(record: StudyRecord) -> None:
    """Lines derived from attendance or an exam change only there (the import refuses them alike)."""
    if record.attendance_id or record.source == RecordSource.EXAM:
        raise ValidationError(_("这条学时来自活动出勤或考试，不能在台账中修改"))


@transaction.atomic
def update_record(record: StudyRecord, *, acting_user: Any, changes: dict[str, Any], message: str = "") -> StudyRecord:
    stored = StudyRecord.objects.get(pk=record.pk)
    _require_manual(stored)
    for name, value in changes.items():
        setattr(record, name, value)
    _check_record(record)
    changes.setdefault("org", record.org)
    core.update_object(record, acting_user=acting_user, changes=changes, message=message)
    # The line may have moved to another member or year: both members' both years are recomputed.
    refresh_years({stored.member_id, record.member_id}, {stored.year, record.year})
    return record


@transaction.atomic
def delete_record(record: StudyRecord, *, acting_user: Any, message: str = "") -> None:
    _require_manual(record)
    core.delete_object(record, acting_user=acting_user, message=message)
    refresh_years([record.member_id], [record.year])


def visible_activity(user: Any, pk: Any) -> Activity:
    activity = Activity.objects.restrict(user).filter(pk=pk).select_related("org").first()
    if activity is None:
        raise Http404
    return activity



def audience_queryset(activity: Activity) -> ScopedQuerySet[Member]:
    return audiences.members(activity)
