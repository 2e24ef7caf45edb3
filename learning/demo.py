"""Demo data of the learning app: this year's activities, attendance and hours for the demo organization.

Registered as a step of ``chuxin demo`` (``orgs.demo.builder.register_demo_step``) and written in bulk like
the organization itself. Every branch holds the monthly 主题党日 (from a series) and a 专题党课 each
quarter; each district runs a three-day party-school course for secretaries and committee members;
members sign in or are recorded present, absent or excused with a reason, some make the study up, and
most add a few hours of online study. Large demos get this for their first ``MAX_MEMBERS`` members
(and always for the demo accounts' branches), so that a million-member demo stays quick to build.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from learning.choices import (
    ActivityForm,
    AttendanceMethod,
    AttendanceStatus,
    Audience,
    Frequency,
    RecordSource,
    StudyKind,
)
from learning.ledger import LEADER_TITLES, refresh_years
from learning.models import Activity, ActivitySeries, Attendance, StudyRecord
from orgs.choices import BRANCH_KINDS, MEMBER_STATUSES
from orgs.demo.builder import _Writer, register_demo_step
from orgs.models import Member, Organization, Position

MAX_MEMBERS = 20_000
ABSENT_REASONS = ["出差", "值班", "外出培训", "家中有事", "临时加班"]
EXCUSED_REASONS = ["病假", "产假", "事假", "公务外出"]
ONLINE_COURSES = ["学习贯彻党的二十大精神网络专题", "《中国共产党纪律处分条例》解读",
                  "习近平新时代中国特色社会主义思想学习纲要", "党史学习教育网络课程", "基层党建工作实务",
                  "学习强国·每日学习"]
THEMES = ["学习党章党规", "重温入党誓词", "学习贯彻全会精神", "党纪学习教育专题", "志愿服务", "参观红色教育基地"]


class _Demo:
    def __init__(self, rng: random.Random, today: datetime.date, now: Any) -> None:
        self.rng = rng
        self.today = today
        self.zone = timezone.get_current_timezone()
        ops = connection.ops
        self.dt = lambda value: ops.adapt_datetimefield_value(value)
        self.dec = lambda value: ops.adapt_decimalfield_value(value, 5, 1)
        self.date = lambda value: ops.adapt_datefield_value(value)
        self.series = _Writer(ActivitySeries, [
            "id", "org_id", "org_path", "title", "form", "frequency", "day", "first_date", "last_date", "start_time",
            "end_time", "place", "audience"], now)
        self.activities = _Writer(Activity, [
            "id", "org_id", "org_path", "title", "form", "kind", "start", "end", "place", "link", "materials", "hours",
            "audience", "sign_in_code", "makeup_until", "series_id"], now)
        self.attendance = _Writer(Attendance, [
            "id", "activity_id", "member_id", "org_id", "org_path", "activity_org_path", "status", "method", "reason",
            "signed_in_at", "hours"], now)
        self.records = _Writer(StudyRecord, [
            "id", "org_id", "org_path", "member_id", "date", "year", "hours", "kind", "source", "title", "provider",
            "reference", "attendance_id"], now)
        self.ids: defaultdict[str, int] = defaultdict(int)

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.zone)

    def activity(self, org: tuple[int, str, str], title: str, form: str, kind: str, start: datetime.datetime,
                 end: datetime.datetime, hours: Decimal, audience: str, series: int | None = None,
                 place: str = "党员活动室") -> int:
        pk = self.next_id("activity")
        makeup = (end + datetime.timedelta(days=30)).date()
        self.activities.add((pk, org[0], org[1], title, form, kind, self.dt(start), self.dt(end), place, "", "",
                             self.dec(hours), audience, "", self.date(makeup), series))
        return pk

    def attend(self, activity: int, activity_path: str, day: datetime.date, start: datetime.datetime,
               member: tuple[int, int, str], hours: Decimal, title: str, provider: str, kind: str) -> None:
        rng = self.rng
        pk = self.next_id("attendance")
        roll = rng.random()
        if roll < 0.82:
            signed = rng.random() < 0.6
            self.attendance.add((pk, activity, member[0], member[1], member[2], activity_path, AttendanceStatus.PRESENT,
                                 AttendanceMethod.SIGN_IN if signed else AttendanceMethod.RECORDED, "",
                                 self.dt(start + datetime.timedelta(minutes=rng.randint(-20, 10))) if signed else None,
                                 self.dec(hours)))
            self.record(member, day, hours, kind, RecordSource.ACTIVITY, title, provider, pk)
            return
        status = AttendanceStatus.ABSENT if roll < 0.9 else AttendanceStatus.EXCUSED
        reason = rng.choice(ABSENT_REASONS if status == AttendanceStatus.ABSENT else EXCUSED_REASONS)
        made_up = day + datetime.timedelta(days=rng.randint(3, 25))
        if rng.random() < 0.45 and made_up <= self.today:
            self.attendance.add((pk, activity, member[0], member[1], member[2], activity_path, AttendanceStatus.MAKEUP,
                                 AttendanceMethod.MAKEUP, reason, None, self.dec(hours)))
            self.record(member, made_up, hours, kind, RecordSource.MAKEUP, title, provider, pk)
        else:
            self.attendance.add((pk, activity, member[0], member[1], member[2], activity_path, status,
                                 AttendanceMethod.RECORDED, reason, None, self.dec(Decimal(0))))

    def record(self, member: tuple[int, int, str], day: datetime.date, hours: Decimal, kind: str, source: str,
               title: str, provider: str, attendance: int | None, reference: str = "") -> None:
        self.records.add((self.next_id("record"), member[1], member[2], member[0], self.date(day), day.year,
                          self.dec(hours), kind, source, title, provider, reference, attendance))

    def flush(self) -> None:
        for writer in (self.series, self.activities, self.attendance, self.records):
            writer.flush()


def build(rng: random.Random, today: datetime.date, now: Any) -> None:
    demo = _Demo(rng, today, now)
    orgs = {pk: (pk, path, name) for pk, path, name in Organization.objects.values_list("pk", "path", "name")}
    accounts = set(Member.objects.filter(user__isnull=False).values_list("org_id", flat=True))
    party: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for pk, org_id, path in (Member.objects.filter(status__in=MEMBER_STATUSES).order_by("org_path", "pk")
                             .values_list("pk", "org_id", "org_path").iterator(chunk_size=5000)):
        party[org_id].append((pk, org_id, path))
    chosen, count = [], 0
    for org_id in Organization.objects.filter(kind__in=BRANCH_KINDS).order_by("path").values_list("pk", flat=True):
        if party[org_id] and (count < MAX_MEMBERS or org_id in accounts):
            chosen.append(org_id)
            count += len(party[org_id])
    first = datetime.date(today.year, 1, 1)
    months = [m for m in range(1, 13) if datetime.date(today.year, m, 15) < today]
    for org_id in chosen:
        org, members = orgs[org_id], party[org_id]
        series = demo.next_id("series")
        demo.series.add((series, org[0], org[1], "主题党日", ActivityForm.THEME_DAY, Frequency.MONTHLY, 15,
                         demo.date(first), demo.date(datetime.date(today.year, 12, 31)), "14:30:00", "17:00:00",
                         "党员活动室", Audience.SUBTREE))
        for month in months:
            day = datetime.date(today.year, month, 15)
            title = f"主题党日：{rng.choice(THEMES)}（{day:%Y-%m-%d}）"
            start, end = demo.at(day, 14, 30), demo.at(day, 17)
            activity = demo.activity(org, title, ActivityForm.THEME_DAY, StudyKind.COLLECTIVE, start, end,
                                     Decimal("2.5"), Audience.SUBTREE, series)
            for member in members:
                demo.attend(activity, org[1], day, start, member, Decimal("2.5"), title, org[2], StudyKind.COLLECTIVE)
        for quarter in range(4):
            day = datetime.date(today.year, quarter * 3 + 2, 20)
            if day >= today:
                break
            title = f"专题党课（第{quarter + 1}季度）"
            start, end = demo.at(day, 9), demo.at(day, 12)
            activity = demo.activity(org, title, ActivityForm.LECTURE, StudyKind.COLLECTIVE, start, end, Decimal(4),
                                     Audience.SUBTREE, place="会议室")
            for member in members:
                demo.attend(activity, org[1], day, start, member, Decimal(4), title, org[2], StudyKind.COLLECTIVE)
        for member in members:
            for _n in range(rng.choice((0, 1, 2, 2, 3, 4))):
                day = first + datetime.timedelta(days=rng.randint(0, max((today - first).days - 1, 0)))
                demo.record(member, day, Decimal(rng.choice((1, 2, 2, 3, 4))), rng.choice((StudyKind.ONLINE,
                            StudyKind.ONLINE, StudyKind.SELF)), RecordSource.EXTERNAL, rng.choice(ONLINE_COURSES),
                            "中国干部网络学院", None)
    _leader_training(demo, orgs, set(chosen), today)
    demo.flush()
    _points(today)
    _bank_and_exam(today)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [ActivitySeries, Activity, Attendance, StudyRecord]):
            cursor.execute(sql)
    member_ids = [m[0] for org_id in chosen for m in party[org_id]]
    refresh_years(member_ids, [today.year], today=today)


def _leader_training(demo: _Demo, orgs: dict[int, tuple[int, str, str]], chosen: set[int],
                     today: datetime.date) -> None:
    """Each district's three-day party-school course in April for the secretaries and committee members below."""
    day = datetime.date(today.year, 4, 8)
    if day + datetime.timedelta(days=2) >= today:
        return
    leaders: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    seats = (Position.objects.filter(title__in=LEADER_TITLES, term_end__isnull=True, org_id__in=chosen)
             .values_list("member_id", "member__org_id", "member__org_path", "org_path").distinct())
    districts = {o[1]: o for o in orgs.values() if o[1].count(".") == 2}
    for member_id, org_id, member_path, seat_path in seats:
        district = districts.get(".".join(seat_path.split(".")[:2]) + ".")
        if district is not None:
            leaders[district[0]].append((member_id, org_id, member_path))
    for district_id, members in leaders.items():
        district = orgs[district_id]
        title = f"{district[2]}基层党组织书记和班子成员轮训班"
        start, end = demo.at(day, 9), demo.at(day + datetime.timedelta(days=2), 17)
        activity = demo.activity(district, title, ActivityForm.PARTY_SCHOOL, StudyKind.TRAINING, start, end,
                                 Decimal(24), Audience.LEADERS, place=f"{district[2]}党校")
        seen: set[int] = set()
        for member in members:
            if member[0] not in seen and demo.rng.random() < 0.75:
                seen.add(member[0])
                demo.attend(activity, district[1], day, start, member, Decimal(24), title, f"{district[2]}党校",
                            StudyKind.TRAINING)


register_demo_step(build)


def _points(today: datetime.date) -> None:
    """Points for the attendance just written (5 an activity, 3 a make-up; at most 10 a day each)."""
    from django.db.models import F

    from learning.models import PointEntry

    rows = (Attendance.objects.filter(status__in=(AttendanceStatus.PRESENT, AttendanceStatus.MAKEUP))
            .annotate(day=F("record__date")).values_list("pk", "member_id", "org_id", "org_path", "status", "day"))
    entries = [PointEntry(member_id=member, org_id=org, org_path=path, date=day, points=5 if status == "present" else 3,
                          action="attend" if status == "present" else "makeup", ref=f"attendance-{pk}")
               for pk, member, org, path, status, day in rows.iterator(chunk_size=5000) if day is not None]
    PointEntry.objects.bulk_create(entries, batch_size=5000)


def _bank_and_exam(today: datetime.date) -> None:
    """A question bank at the top committee proposed from the bundled regulation texts, and an exam open
    this month that draws from it."""
    from learning import generate
    from learning.models import Exam, Question

    top = Organization.objects.get(parent__isnull=True)
    text = (Path(__file__).resolve().parent / "data" / "regulations.txt").read_text(encoding="utf-8")
    source = "《中国共产党章程》《中国共产党支部工作条例（试行）》"
    questions = [Question(org=top, org_path=top.path, kind=p.kind, text=p.text, options=p.options, answer=p.answer,
                          explanation=p.sentence, tags="党章党规", source=source)
                 for p in generate.propose(text, limit=40, seed=7)]
    Question.objects.bulk_create(questions)
    blanks = sum(q.kind == "blank" for q in questions)
    singles = len(questions) - blanks
    now = timezone.now()
    Exam.objects.create(
        org=top, org_path=top.path, title="党章党规知识测试",
        description="本月内完成，限时20分钟，可作答2次，及格计1学时。",
        opens=now - datetime.timedelta(days=3), closes=now + datetime.timedelta(days=27), time_limit=20,
        attempts_allowed=2, pass_mark=60, hours_on_pass=Decimal(1),
        draw=[{"kind": "single", "tag": "党章党规", "count": min(5, singles)},
              {"kind": "blank", "tag": "党章党规", "count": min(5, blanks)}])
