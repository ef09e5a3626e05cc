"""Deadline arithmetic in Chinese working days: weekends, National Day and its make-up days, Spring
Festival, the eve of a holiday at 17:59, configured hours, and a year the package does not cover."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.complaints.workdays import (FALLBACK, PACKAGE, WorkCalendar, WorkingHours, add_working_days,
                                       add_working_minutes, working_minutes_between)

TZ = "Asia/Shanghai"
SH = ZoneInfo(TZ)
CAL = WorkCalendar()
HOURS = WorkingHours()  # 09:00-18:00


def at(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def local(moment: datetime) -> datetime:
    return moment.astimezone(SH)


def test_package_knows_national_day_and_its_makeup_days():
    assert not CAL.is_workday(date(2026, 10, 1)) and not CAL.is_workday(date(2026, 10, 7))
    assert CAL.is_workday(date(2026, 10, 10))           # Saturday, make-up working day (调休)
    assert CAL.is_workday(date(2026, 9, 20))            # Sunday, make-up working day
    assert not CAL.is_workday(date(2026, 9, 25))        # Mid-Autumn Festival, a Friday
    assert CAL.source(date(2026, 10, 1)) == PACKAGE


def test_taken_1759_on_the_eve_of_national_day():
    taken = at(2026, 9, 30, 17, 59)
    assert local(add_working_minutes(taken, 10, CAL, HOURS, TZ)) == at(2026, 10, 8, 9, 9)
    assert local(add_working_minutes(taken, 120, CAL, HOURS, TZ)) == at(2026, 10, 8, 10, 59)
    # callback 2 working days after a resolution at 17:59 on the eve: 1 min + 8 h 59 on the 8th, all of the 9th
    assert local(add_working_days(taken, 2, CAL, HOURS, TZ)) == at(2026, 10, 9, 17, 59)


def test_major_deadline_runs_through_the_makeup_saturday():
    # Fri 9 Oct 10:00: 8 h that day, 9 h on the make-up Saturday, 1 h on Monday
    assert local(add_working_days(at(2026, 10, 9, 10), 2, CAL, HOURS, TZ)) == at(2026, 10, 12, 10)


def test_ordinary_weekend_is_skipped():
    # Fri 13 Nov 2026 17:00 + 2 h: 1 h Friday, 1 h on Monday
    assert local(add_working_minutes(at(2026, 11, 13, 17), 120, CAL, HOURS, TZ)) == at(2026, 11, 16, 10)


def test_spring_festival_2026():
    # Fri 13 Feb 17:00 + 2 working days: 1 h Fri, 9 h on make-up Sat 14th, then off until Tue 24th
    assert local(add_working_days(at(2026, 2, 13, 17), 2, CAL, HOURS, TZ)) == at(2026, 2, 24, 17)
    assert local(add_working_minutes(at(2026, 2, 15, 12), 10, CAL, HOURS, TZ)) == at(2026, 2, 24, 9, 10)


def test_taken_out_of_hours_starts_at_next_opening():
    assert local(add_working_minutes(at(2026, 11, 17, 22, 30), 10, CAL, HOURS, TZ)) == at(2026, 11, 18, 9, 10)
    assert local(add_working_minutes(at(2026, 11, 18, 6), 0, CAL, HOURS, TZ)) == at(2026, 11, 18, 9)


def test_working_hours_from_configuration():
    morning = WorkingHours.parse("08:30", "12:00")
    assert morning.minutes == 210
    assert local(add_working_minutes(at(2026, 11, 17, 11, 55), 10, CAL, morning, TZ)) == at(2026, 11, 18, 8, 35)
    assert local(add_working_days(at(2026, 11, 17, 8, 30), 2, CAL, morning, TZ)) == at(2026, 11, 18, 12)
    with pytest.raises(ValueError):
        WorkingHours.parse("18:00", "09:00")


def test_year_not_covered_falls_back_to_weekends_and_the_managers_list():
    assert not CAL.covered(2027) and CAL.source(date(2027, 1, 1)) == FALLBACK
    eve = at(2026, 12, 31, 17, 59)
    # no list: New Year's Day 2027 (a Friday) counts as a working day, and the screen says so
    assert local(add_working_minutes(eve, 10, CAL, HOURS, TZ)) == at(2027, 1, 1, 9, 9)
    listed = WorkCalendar(holidays=frozenset({date(2027, 1, 1)}))
    assert local(add_working_minutes(eve, 10, listed, HOURS, TZ)) == at(2027, 1, 4, 9, 9)
    # a make-up Saturday in the manager's list works
    makeup = WorkCalendar(holidays=frozenset({date(2027, 1, 1)}), makeup_days=frozenset({date(2027, 1, 2)}))
    assert local(add_working_minutes(eve, 10, makeup, HOURS, TZ)) == at(2027, 1, 2, 9, 9)
    # fallback weekends
    assert local(add_working_minutes(at(2027, 3, 5, 17, 30), 60, CAL, HOURS, TZ)) == at(2027, 3, 8, 9, 30)


def test_no_package_at_all_uses_the_fallback_everywhere():
    bare = WorkCalendar(use_package=False)
    assert bare.source(date(2026, 10, 1)) == FALLBACK and bare.is_workday(date(2026, 10, 1))


def test_a_calendar_without_working_days_is_refused_not_looped():
    every_day = frozenset(date(2026, 1, 1) + timedelta(days=i) for i in range(4000))
    with pytest.raises(ValueError):
        add_working_minutes(at(2026, 1, 1, 9), 10, WorkCalendar(holidays=every_day), HOURS, TZ)


def test_naive_and_negative_refused():
    with pytest.raises(ValueError):
        add_working_minutes(datetime(2026, 1, 5, 9), 1, CAL, HOURS, TZ)
    with pytest.raises(ValueError):
        add_working_minutes(at(2026, 1, 5, 9), -1, CAL, HOURS, TZ)


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.just(timezone.utc)).map(lambda d: d.replace(second=0, microsecond=0))


@settings(max_examples=200, deadline=1000)
@given(start=moments, minutes=st.integers(0, 3 * 540), more=st.integers(0, 600))
def test_property_deadlines_are_working_time_and_monotonic(start, minutes, more):
    due = add_working_minutes(start, minutes, CAL, HOURS, TZ)
    later = add_working_minutes(start, minutes + more, CAL, HOURS, TZ)
    assert start <= due <= later
    assert working_minutes_between(start, due, CAL, HOURS, TZ) == minutes
    when = local(due)
    if minutes:  # a deadline of some working time falls inside a working day's hours
        assert CAL.is_workday(when.date()) and time(9) < when.time() <= time(18)
