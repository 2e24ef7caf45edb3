import datetime

import pytest

from core import workdays
from core.models import Holiday


@pytest.fixture(autouse=True)
def _fresh_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.mark.django_db
def test_national_day_is_a_holiday_and_the_make_up_sunday_is_a_working_day():
    assert workdays.is_workday(datetime.date(2024, 10, 1)) is False
    assert workdays.is_workday(datetime.date(2024, 9, 29)) is True  # a Sunday worked for 国庆 (调休)
    assert workdays.is_workday(datetime.date(2024, 10, 8)) is True


@pytest.mark.django_db
def test_fifteen_working_days_skip_the_national_day_week():
    # A 函询 letter received on 2024-09-27 (Friday): Sunday 9-29 and Saturday 10-12 are make-up working
    # days and count; 10-1 to 10-7 do not. Counted by hand against the State Council notice.
    assert workdays.add_workdays(datetime.date(2024, 9, 27), 15) == datetime.date(2024, 10, 23)
    assert workdays.workdays_between(datetime.date(2024, 9, 27), datetime.date(2024, 10, 23)) == 15


@pytest.mark.django_db
def test_an_administrators_entry_overrides_the_library():
    day = datetime.date(2024, 10, 1)
    Holiday.objects.create(date=day, is_workday=True, name="test")
    workdays.clear_cache()
    assert workdays.is_workday(day) is True


@pytest.mark.django_db
def test_a_year_the_library_does_not_know_falls_back_to_weekdays_until_an_administrator_adds_it():
    day = datetime.date(2099, 1, 1)  # a Thursday
    assert workdays.library_covers(day) is False
    assert workdays.is_workday(day) is True
    Holiday.objects.create(date=day, is_workday=False, name="元旦")
    workdays.clear_cache()
    assert workdays.is_workday(day) is False


@pytest.mark.django_db
def test_years_without_holidays_are_named_until_an_administrator_enters_them():
    assert workdays.year_described(2024) is True
    assert workdays.missing_years(datetime.date(2099, 6, 1)) == [2099]
    assert workdays.missing_years(datetime.date(2099, 11, 22)) == [2099, 2100]  # next year's is out in autumn
    Holiday.objects.create(date=datetime.date(2099, 1, 1), is_workday=False, name="元旦")
    workdays.clear_cache()
    assert workdays.missing_years(datetime.date(2099, 11, 22)) == [2100]
    assert workdays.undescribed_years(datetime.date(2024, 5, 1), datetime.date(2100, 2, 1))[-2:] == [2098, 2100]
