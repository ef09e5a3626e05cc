"""Hostile cases around the outside attack on issue 12's deadline findings: elapsed time across summer-time
changes and midnight, a year the holiday package lacks, deadlines of a complaint opened from an old call
note, and retention of complaints that still owe something."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.complaints import monthly, rules, service
from kiosk.complaints.workdays import (BASIS_ESTIMATED, WorkCalendar, WorkingHours, add_working_minutes,
                                      working_minutes_between)
from kiosk.core import erasure
from kiosk.core.audit import Actor
from kiosk.core.clock import parse_iso
from tests.complaints.common import SH, STAFF, TZ, set_local, taker

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
ROUND_THE_CLOCK = WorkingHours(0, 24 * 60)
MANAGER = Actor("Wang Jun", None, "manager")
take = taker(kind="complaint", category="facilities", responsibility="company", what="电梯坏了", place="3号楼")


def _every_day_desk(db, clock) -> None:
    assert rules.save_rules(db, clock, MANAGER, {**rules.rule_texts(db), "work_start": "00:00", "work_end": "24:00",
                                                 "complaint_days": "calendar"})


# --- elapsed minutes, local windows -------------------------------------------------------------------------
@pytest.mark.parametrize("local", [
    datetime(2026, 10, 25, 2, 55, tzinfo=BERLIN),            # the first 02:55 (CEST), the hour repeats at 03:00
    datetime(2026, 10, 25, 2, 55, fold=1, tzinfo=BERLIN),    # the second 02:55 (CET)
    datetime(2026, 3, 29, 1, 55, tzinfo=BERLIN),             # five minutes before the clocks skip 02:00-03:00
    datetime(2026, 12, 31, 23, 59, 30, tzinfo=SH),           # across midnight and the year
])
def test_ten_minutes_round_the_clock_are_ten_elapsed_minutes(local):
    zone = "Asia/Shanghai" if local.tzinfo is SH else "Europe/Berlin"
    due = add_working_minutes(local, 10, WorkCalendar(every_day=True), ROUND_THE_CLOCK, zone)
    assert due - local.astimezone(UTC) == timedelta(minutes=10)


def test_a_summer_time_day_has_its_own_length_of_working_minutes():
    every_day = WorkCalendar(every_day=True)
    for day, hours in ((datetime(2026, 3, 29), 23), (datetime(2026, 10, 25), 25), (datetime(2026, 6, 1), 24)):
        start = day.replace(tzinfo=BERLIN)
        end = (day + timedelta(days=1)).replace(tzinfo=BERLIN)
        assert working_minutes_between(start, end, every_day, ROUND_THE_CLOCK, "Europe/Berlin") == hours * 60


def test_office_hours_across_the_spring_change_open_at_nine_local():
    """Friday 17:00 CET, 2 working hours on a 09:00-18:00 desk: one hour Friday, one Monday from 09:00 CEST."""
    start = datetime(2026, 3, 27, 17, 0, tzinfo=BERLIN)
    due = add_working_minutes(start, 120, WorkCalendar(use_package=False), WorkingHours(), "Europe/Berlin")
    assert due.astimezone(BERLIN) == datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)


def test_a_desk_deadline_in_a_year_the_package_lacks_is_estimated_or_follows_the_managers_list(db, clock):
    """New Year's Eve 17:55 on a 09:00-18:00 desk: 5 minutes that evening; 2027 is not in the package, so
    New Year's Day is a weekday (estimated) unless the manager listed it as a holiday."""
    set_local(clock, 2026, 12, 31, 17, 55)
    c = service.get(db, take(db, clock))
    assert parse_iso(c.start_due).astimezone(SH) == datetime(2027, 1, 1, 9, 5, tzinfo=SH)
    assert c.deadline_basis == BASIS_ESTIMATED
    listed = WorkCalendar(holidays=frozenset({datetime(2027, 1, 1).date()}))
    due = add_working_minutes(datetime(2026, 12, 31, 17, 55, tzinfo=SH), 10, listed, WorkingHours(), TZ)
    assert due.astimezone(SH) == datetime(2027, 1, 4, 9, 5, tzinfo=SH)


# --- a complaint opened from a call note ----------------------------------------------------------------------
def _note(db, clock) -> int:
    from kiosk.phone import calllog
    return calllog.add_note(db, clock, STAFF, call_id=None, category="complaint", what="楼道灯坏了",
                            caller_name="王小明", caller_number="13800138000", place="5-302")


def test_a_note_taken_before_closing_counts_its_working_minutes_from_the_call(db, clock):
    """Rung at 17:55, opened next morning at 09:30 and started at once: the start was due at 09:05 and the
    month's report counts it late."""
    set_local(clock, 2026, 11, 16, 17, 55)
    note = _note(db, clock)
    set_local(clock, 2026, 11, 17, 9, 30)
    cid = service.take(db, clock, STAFF, TZ, responsibility="company", **service.from_call_note(db, note))
    service.start(db, clock, STAFF, cid)
    c = service.get(db, cid)
    assert parse_iso(c.start_due).astimezone(SH) == datetime(2026, 11, 17, 9, 5, tzinfo=SH)
    report = monthly.build(db, clock, 2026, 11, TZ)
    assert (report.start.on_time, report.start.due) == (0, 1)


def test_a_note_stamped_after_the_desks_clock_does_not_push_the_deadlines_later(db, clock):
    """A note stamped later than now (a clock stepped back in between): the deadlines run from now."""
    set_local(clock, 2026, 11, 17, 11)
    note = _note(db, clock)
    set_local(clock, 2026, 11, 17, 10)
    cid = service.take(db, clock, STAFF, TZ, responsibility="company", **service.from_call_note(db, note))
    assert parse_iso(service.get(db, cid).start_due).astimezone(SH) == datetime(2026, 11, 17, 10, 10, tzinfo=SH)


# --- retention counts from the close --------------------------------------------------------------------------
def test_retention_counts_from_the_close_and_keeps_what_is_still_open(db, clock, tmp_path):
    set_local(clock, 2024, 6, 3, 10)
    closed_long_ago = take(db, clock, customer_name="甲", customer_contact="13800000001")
    service.resolve(db, clock, STAFF, TZ, closed_long_ago, "resolved", "done")
    service.record_callback(db, clock, STAFF, closed_long_ago, "satisfied")
    never_resolved = take(db, clock, customer_name="乙", customer_contact="13800000002")
    attempted = take(db, clock, customer_name="丙", customer_contact="13800000003")
    service.resolve(db, clock, STAFF, TZ, attempted, "not_resolved", "waiting for parts")
    closed_lately = take(db, clock, customer_name="丁", customer_contact="13800000004")
    service.resolve(db, clock, STAFF, TZ, closed_lately, "resolved", "done")
    set_local(clock, 2026, 11, 1, 10)
    service.record_callback(db, clock, STAFF, closed_lately, "satisfied")  # closed 10 days before the run
    set_local(clock, 2026, 11, 11, 10)
    # the copy of a backup is brought to the same rule by the inventory alone
    due = {item.table: ids for item, ids in erasure.retention_due(db, clock) if item.table == "complaints"}
    assert due == {"complaints": [closed_long_ago]}
    assert service.apply_retention(db, clock) == 1
    assert [service.get(db, c).anonymised for c in (closed_long_ago, never_resolved, attempted, closed_lately)] \
        == [True, False, False, False]
