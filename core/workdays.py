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


def year_described(year: int) -> bool:
    """Whether the calendar knows the holidays of ``year``: the library covers it, or an administrator has
    entered any of its holidays. Otherwise its working days are plain Monday to Friday, which puts a
    deadline on New Year's Day or in the Spring Festival."""
    return library_covers(datetime.date(year, 1, 1)) or bool(_overrides(year))


def undescribed_years(first: datetime.date, last: datetime.date) -> list[int]:
    """The years from ``first`` to ``last`` whose holidays the calendar does not know."""
    return [year for year in range(first.year, last.year + 1) if not year_described(year)]


def missing_years(today: datetime.date) -> list[int]:
    """The years an administrator should enter now: this year's if unknown, and from November (when the
    State Council has published it) next year's."""
    last = today.year + 1 if today.month >= 11 else today.year
    return undescribed_years(datetime.date(today.year, 1, 1), datetime.date(last, 1, 1))


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
