"""Study-hour regulations (rules.md §3) as pure functions and rule-table defaults."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.choices import Severity
from core.rules import DefaultRule, register_defaults
from learning.choices import Standing

PLAN_2019 = "《2019—2023年全国党员教育培训工作规划》（中办，2019）"
PLAN_2019_URL = "https://wodeyuanxiao.com/Educationandtraining/vxwvowpkge.html"
CONVERSION_SOURCE = "学时折算惯例：脱产培训1天折算8学时，半天4学时，其余按实际小时计；学时按自然年度计算"
CONVERSION_URL = "http://www.pulmonologynews.net/2018/1019/c2418a121914/page.html"
LOCAL = "本单位设定（全国规定未明确，可由管理员调整）"
START = datetime.date(2019, 11, 1)


def _rule(key: str, name: str, value: object, unit: str, source: str, url: str = "",
          severity: str = Severity.WARNING, note: str = "") -> DefaultRule:
    return DefaultRule(key=key, name=name, value=value, unit=unit, severity=severity, effective_from=START,
                       source=source, source_url=url, note=note)


register_defaults(
    _rule("learning.hours.member_annual", "党员每年学习培训学时", 32, "学时",
          PLAN_2019 + "：党员每年集中学习培训时间一般不少于32学时", PLAN_2019_URL),
    _rule("learning.hours.leader_annual", "基层党组织书记和班子成员每年学习培训学时", 56, "学时",
          PLAN_2019 + "：基层党组织书记和班子成员每年集中学习培训时间不少于56学时", PLAN_2019_URL),
    _rule("learning.training.leader_min", "书记和班子成员每年至少参加集中培训次数", 1, "次",
          PLAN_2019 + "：基层党组织书记和班子成员每年至少参加1次集中培训", PLAN_2019_URL),
    _rule("learning.training.new_secretary_months", "新任书记应接受培训的期限", 6, "月",
          PLAN_2019 + "：新任基层党组织书记6个月内完成任职培训", PLAN_2019_URL),
    _rule("learning.training.converted_within_days", "转正不满此天数的党员应参加集中培训", 365, "天",
          PLAN_2019 + "：预备党员和转正不满1年的党员参加1次上级党组织举办的集中培训", PLAN_2019_URL),
    _rule("learning.online.cap_hours", "网络学习和个人自学每年计入学时上限", 16, "学时", LOCAL,
          note="各地常把学习强国、共产党员网等网络课程按上限折算，未找到全国统一上限"),
    _rule("learning.hours.full_day", "全天折算学时", 8, "学时", CONVERSION_SOURCE, CONVERSION_URL),
    _rule("learning.hours.half_day", "半天折算学时", 4, "学时", CONVERSION_SOURCE, CONVERSION_URL),
    _rule("learning.hours.full_day_min", "当天学习满此小时数按全天计", 6, "小时", CONVERSION_SOURCE, CONVERSION_URL),
    _rule("learning.hours.half_day_min", "当天学习满此小时数按半天计", 3, "小时", CONVERSION_SOURCE, CONVERSION_URL),
    _rule("learning.pace.tolerance_hours", "季度末落后于应完成进度的学时数（超过即提醒）", 8, "学时", LOCAL),
    _rule("learning.pace.max_hours_per_week", "每周最多可安排的学习学时（判断全年能否完成）", 8, "学时", LOCAL),
    _rule("learning.training.leader_check_month", "从每年此月起提醒尚未参加集中培训的书记和班子成员", 7, "月", LOCAL),
    _rule("learning.training.probationary_due_months", "入党满此月数仍未参加集中培训的予以提醒", 12, "月", LOCAL),
    _rule("learning.makeup.window_days", "缺席后可补学的天数", 30, "天", LOCAL),
    _rule("learning.sign_in.opens_minutes", "活动开始前可提前签到的分钟数", 30, "分钟", LOCAL),
)

HALF = Decimal("0.5")
MAX_HOURS_PER_DAY = 24


def round_half(value: Decimal | float) -> Decimal:
    """Hours are kept to half an hour."""
    return (Decimal(str(value)) / HALF).quantize(Decimal(1), rounding=ROUND_HALF_UP) * HALF


@dataclass(frozen=True)
class Conversion:
    full_day: Decimal
    half_day: Decimal
    full_day_min: Decimal
    half_day_min: Decimal


def day_hours(actual: Decimal, conv: Conversion) -> Decimal:
    """One day's credited hours: a full day, half a day, or the actual hours (to half an hour)."""
    if actual >= conv.full_day_min:
        return conv.full_day
    if actual >= conv.half_day_min:
        return max(conv.half_day, round_half(actual))
    return round_half(actual)


def credited_hours(start: datetime.datetime, end: datetime.datetime, conv: Conversion) -> Decimal:
    """The hours an activity from ``start`` to ``end`` credits, day by day (a three-day course is 3 × 8)."""
    if end <= start:
        return Decimal(0)
    total = Decimal(0)
    day = start.date()
    while day <= end.date():
        begin = max(start, datetime.datetime.combine(day, datetime.time.min, tzinfo=start.tzinfo))
        finish = min(end, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min,
                                                    tzinfo=start.tzinfo))
        seconds = Decimal((finish - begin).total_seconds())
        if seconds > 0:
            total += day_hours(seconds / 3600, conv)
        day += datetime.timedelta(days=1)
    return total


def max_hours(start: datetime.datetime, end: datetime.datetime) -> Decimal:
    """No activity credits more than 24 hours for any day it spans."""
    days = (end.date() - start.date()).days + 1
    return Decimal(MAX_HOURS_PER_DAY * max(days, 1))


def counted_hours(total: Decimal, capped: Decimal, cap: Decimal) -> Decimal:
    """All hours, with online and self-study hours counted up to ``cap``."""
    return total - max(Decimal(0), capped - cap)


def year_fraction(on: datetime.date) -> Decimal:
    """The share of ``on``'s year elapsed at the end of that day."""
    days = 366 if calendar.isleap(on.year) else 365
    return Decimal(on.timetuple().tm_yday) / Decimal(days)


def last_quarter_end(on: datetime.date) -> datetime.date | None:
    """The last quarter end on or before ``on`` in the same year (``None`` in the first quarter)."""
    for month in (12, 9, 6, 3):
        end = datetime.date(on.year, month, calendar.monthrange(on.year, month)[1])
        if end <= on:
            return end
    return None


def due_by(required: Decimal, on: datetime.date) -> Decimal:
    """The hours due by ``on`` at an even pace through the year (unrounded: pages round for display)."""
    return required * year_fraction(on)


def standing(counted: Decimal, required: Decimal, trainings: int, trainings_required: int,
             on: datetime.date) -> str:
    """Done when the year's hours and trainings are in; on track while at or above the even pace."""
    if counted >= required and trainings >= trainings_required:
        return Standing.DONE
    return Standing.ON_TRACK if counted >= due_by(required, on) else Standing.BEHIND


def weeks_left(on: datetime.date) -> Decimal:
    end = datetime.date(on.year, 12, 31)
    return Decimal((end - on).days) / 7


def cannot_make_year(counted: Decimal, required: Decimal, on: datetime.date, per_week: Decimal) -> bool:
    """Even at the most a member can study per week, the year's requirement is out of reach."""
    return required - counted > weeks_left(on) * per_week


def months_between(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months
