"""The working-day calendar: Chinese public holidays and make-up working days (调休).

Order of authority: an administrator's ``Holiday`` entries, then the ``chinesecalendar`` library for
the years it covers, then plain Monday-to-Friday for years nobody has described yet.
"""

from __future__ import annotations

import datetime
import functools

import chinese_calendar


@functools.lru_cache(maxsize=64)
def _overrides(year: int) -> dict[datetime.date, bool]:
    from core.models import Holiday

    return dict(Holiday.objects.filter(date__year=year).values_list("date", "is_workday"))


def clear_cache() -> None:
    _overrides.cache_clear()


def library_covers(day: datetime.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: datetime.date) -> bool:
    overrides = _overrides(day.year)
    if day in overrides:
        return overrides[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (a deadline "within N working days")."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            days -= 1
    return day


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_workday(day)
    return count
