"""Deadlines judged from every day they span (the year-end case, 2027 beyond the holiday package), the
manager's list filling the gap, and desks that count calendar days or work round the clock (migration 0030)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from kiosk.complaints import rules, service
from kiosk.complaints.workdays import (BASIS_CALENDAR, BASIS_ESTIMATED, BASIS_MANUAL, BASIS_PACKAGE, WorkCalendar, 
                                       WorkingHours, add_working_days, add_working_minutes, worst_basis)
from kiosk.core import settings
from kiosk.core.audit import Actor
from kiosk.core.clock import parse_iso
from kiosk.core.settings import SettingError
from kiosk.reports import codes
from kiosk.reports.logs import COMPLAINTS, fetch
from tests.complaints.common import SH, STAFF, TZ, set_local, taker

MANAGER = Actor("Zhou Min", None, "manager")


def local(iso: str) -> datetime:
    return parse_iso(iso).astimezone(SH)


take = taker(kind="complaint", category="noise", responsibility="company", what="楼上装修噪音", place="3号楼")


def export_basis(db, day: str) -> list[str]:
    keys = [c.key for c in COMPLAINTS.columns]
    start = datetime.fromisoformat(day).replace(tzinfo=SH).astimezone(timezone.utc)
    rows = fetch(db, COMPLAINTS, start.isoformat(), (start + timedelta(days=1)).isoformat())
    return [dict(zip(keys, row))["calendar_source"] for row in rows]


def save(db, clock, **changes):
    texts = rules.rule_texts(db)
    texts.update(changes)
    return rules.save_rules(db, clock, MANAGER, texts)


def test_a_complaint_taken_on_new_years_eve_is_estimated_not_package(db, clock):
    """31 Dec 2026 17:59: the 2-hour resolution lands in 2027, which chinese-calendar does not have."""
    assert WorkCalendar().covered(2026) and not WorkCalendar().covered(2027)
    set_local(clock, 2026, 12, 31, 17, 59)
    c = service.get(db, take(db, clock))
    assert local(c.resolve_due).year == 2027
    assert c.deadline_basis == BASIS_ESTIMATED and c.estimated and c.calendar_source == "fallback"
    # 1 Jan 2027 is a Friday: weekends-only counts it as a working day (the estimate the screen owns up to)
    assert local(c.resolve_due) == datetime(2027, 1, 1, 10, 59, tzinfo=SH)
    assert export_basis(db, "2026-12-31") == ["estimated"]
    zh = codes.vocabulary("calendar_source")["estimated"]
    assert zh == "Estimated: weekends only (no holiday data)"


def test_a_deadline_inside_the_package_year_stays_package(db, clock):
    set_local(clock, 2026, 12, 30, 10)
    c = service.get(db, take(db, clock))
    assert c.deadline_basis == BASIS_PACKAGE and not c.estimated and c.calendar_source == "package"
    assert export_basis(db, "2026-12-30") == ["package"]


def test_a_callback_due_in_2027_makes_a_december_complaint_estimated(db, clock):
    set_local(clock, 2026, 12, 29, 10)
    cid = take(db, clock)
    assert service.get(db, cid).deadline_basis == BASIS_PACKAGE
    set_local(clock, 2026, 12, 31, 16)
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "已协调施工时间")
    c = service.get(db, cid)
    assert local(c.callback_due).year == 2027 and c.deadline_basis == BASIS_ESTIMATED
    assert export_basis(db, "2026-12-29") == ["estimated"]


def test_the_managers_list_fills_2027_and_says_so(db, clock):
    # The manager types 2027's New Year holiday (1-3 Jan), Spring Festival, National Day and a make-up Sunday
    # (a list with New Year only is partial: still estimated, test_complaints_w5).
    service.set_calendar(db, clock, MANAGER, ["2027-01-01", "2027-01-02", "2027-01-03"]
                         + [f"2027-02-{d:02d}" for d in range(6, 13)] + [f"2027-10-{d:02d}" for d in range(1, 8)],
                         ["2027-01-10"])
    set_local(clock, 2026, 12, 31, 17, 59)
    c = service.get(db, take(db, clock))
    assert c.deadline_basis == BASIS_MANUAL and not c.estimated and c.calendar_source == "fallback"
    assert local(c.resolve_due) == datetime(2027, 1, 4, 10, 59, tzinfo=SH)  # Monday after the listed days
    assert export_basis(db, "2026-12-31") == ["manual"]
    # a request of 2 working days from Friday 8 Jan: the listed make-up Sunday 10 Jan counts
    save(db, clock, request_resolve_days="2")
    set_local(clock, 2027, 1, 8, 9)
    r = service.get(db, take(db, clock, kind="request", category="repair"))
    assert local(r.resolve_due) == datetime(2027, 1, 10, 18, 0, tzinfo=SH)  # Friday, then the make-up Sunday
    assert r.deadline_basis == BASIS_MANUAL


def test_2027_dates_without_a_list_skip_weekends_only(db, clock):
    set_local(clock, 2027, 2, 5, 17, 0)  # a Friday of what will be Spring Festival: no data, weekends only
    c = service.get(db, take(db, clock))
    assert local(c.resolve_due) == datetime(2027, 2, 8, 10, 0, tzinfo=SH)  # Monday
    assert c.estimated


def test_a_seven_day_desk_counts_calendar_days_through_national_day(db, clock):
    assert save(db, clock, complaint_days="calendar")
    set_local(clock, 2026, 10, 3, 17, 0)  # Saturday in the National Day week
    c = service.get(db, take(db, clock))
    assert local(c.start_due) == datetime(2026, 10, 3, 17, 10, tzinfo=SH)
    assert local(c.resolve_due) == datetime(2026, 10, 4, 10, 0, tzinfo=SH)  # 1 h that evening, 1 h on Sunday
    assert c.deadline_basis == BASIS_CALENDAR and not c.estimated
    assert export_basis(db, "2026-10-03") == ["calendar"]
    # requests keep working days (each type has its own setting):
    # 2026-10-08 (Thursday) is the first working day after the holiday
    r = service.get(db, take(db, clock, kind="request", category="repair"))
    assert local(r.start_due) == datetime(2026, 10, 8, 9, 30, tzinfo=SH)
    # and calendar days also ignore beyond-the-package years: never estimated
    set_local(clock, 2026, 12, 31, 17, 59)
    assert service.get(db, take(db, clock)).deadline_basis == BASIS_CALENDAR


def test_a_round_the_clock_desk_runs_deadlines_through_midnight(db, clock):
    assert save(db, clock, work_start="00:00", work_end="24:00", complaint_days="calendar",
                general_resolve_minutes="120")
    set_local(clock, 2026, 10, 1, 23, 55)  # National Day itself, just before midnight
    c = service.get(db, take(db, clock))
    assert local(c.start_due) == datetime(2026, 10, 2, 0, 5, tzinfo=SH)
    assert local(c.resolve_due) == datetime(2026, 10, 2, 1, 55, tzinfo=SH)
    # a major one, accepted now, has 2 days of 24 hours: exactly 48 hours
    service.escalate(db, clock, STAFF, c.id, "serious_loss")
    service.decide_major(db, clock, MANAGER, TZ, c.id, True)
    assert parse_iso(service.get(db, c.id).resolve_due) - clock.now() == timedelta(hours=48)


@pytest.mark.parametrize("key, bad", [
    ("work_start", "24:00"), ("work_end", "24:01"), ("work_end", "２４:00"), ("work_end", "25:00"),
    ("work_start", "0９:00"), ("complaint_days", "weekdays"), ("complaint_days", ""),
    ("request_days", "calendar\x00"), ("request_days", "日历"),
])
def test_the_day_mode_and_hours_are_refused_beside_their_field(db, clock, key, bad):
    before = settings.get(db, "complaint_rules")
    with pytest.raises(SettingError) as refused:
        save(db, clock, **{key: bad})
    assert refused.value.field == f"complaint_rules.{key}"
    assert settings.get(db, "complaint_rules") == before


def test_only_a_manager_changes_the_day_mode(db, clock):
    with pytest.raises(SettingError):
        rules.save_rules(db, clock, STAFF, {**rules.rule_texts(db), "complaint_days": "calendar"})
    assert rules.load(db)["complaint_days"] == "working"


def test_basis_arithmetic_is_bounded_and_ordered():
    cal = WorkCalendar()
    start = datetime(2026, 12, 31, 17, tzinfo=SH)
    assert cal.basis(start) == BASIS_PACKAGE
    assert cal.basis(start, None, start + timedelta(days=2)) == BASIS_ESTIMATED
    assert cal.basis(datetime(2027, 3, 1, tzinfo=SH), datetime(2027, 3, 3, tzinfo=SH)) == BASIS_ESTIMATED
    every = WorkCalendar(every_day=True)
    assert every.basis(start, start + timedelta(days=400)) == BASIS_CALENDAR
    assert worst_basis("calendar", "package", "manual") == BASIS_MANUAL
    assert worst_basis(None, "nonsense") == BASIS_PACKAGE
    hours = WorkingHours.parse("00:00", "24:00")
    assert hours.minutes == 1440
    # a 24-hour, every-day desk: 2 days is 2880 minutes and ends at the same wall-clock time
    end = add_working_days(start, 2, every, hours, TZ)
    assert end.astimezone(SH) == start + timedelta(days=2)
    assert add_working_minutes(start, 0, every, hours, TZ).astimezone(SH) == start
    with pytest.raises(ValueError):
        WorkingHours.parse("18:00", "09:00")
    with pytest.raises(ValueError):
        WorkingHours.parse("00:00", "24:30")
    assert date(2027, 1, 1) not in cal.holidays
