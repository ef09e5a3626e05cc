"""The register: taking (at the counter and from a call note), the life of a complaint as new rows,
major complaints and their manager, proposals, the 30 % callback sample, privacy, today's duties."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

from kiosk.complaints import housekeeping, service, slips
from kiosk.complaints.service import ComplaintError
from kiosk.core.audit import Actor
from kiosk.core.clock import parse_iso
from kiosk.phone import calllog
from kiosk.printing import queue as printqueue
from kiosk.reports import duties
from kiosk.reports.logs import COMPLAINTS, fetch
from tests.complaints.common import SH, STAFF, TZ, set_local, taker

MANAGER = Actor("Zhou Min", None, "manager")


def local(iso: str) -> datetime:
    return parse_iso(iso).astimezone(SH)


take = taker(kind="complaint", category="noise", responsibility="company", what="楼上装修噪音", place="3号楼")


def test_a_complaint_from_a_call_note_is_linked_both_ways(db, clock):
    set_local(clock, 2026, 11, 17, 10)
    note = calllog.add_note(db, clock, STAFF, call_id=None, category="repair", what="厨房水管漏水",
                            caller_name="王小明", caller_number="13800138000", place="5-302")
    prefill = service.from_call_note(db, note)
    assert prefill["kind"] == "request" and prefill["customer_contact"] == "13800138000"
    cid = service.take(db, clock, STAFF, TZ, responsibility="company", **prefill)
    c = service.get(db, cid)
    assert c.call_note_id == note and service.for_call_note(db, note) == cid
    assert local(c.start_due) == datetime(2026, 11, 17, 10, 30, tzinfo=SH)  # a request's own deadline
    with pytest.raises(ComplaintError) as twice:
        service.take(db, clock, STAFF, TZ, responsibility="company", **prefill)
    assert twice.value.field == "call_note_id"
    inquiry = calllog.add_note(db, clock, STAFF, call_id=None, category="inquiry", what="营业时间")
    with pytest.raises(ComplaintError):
        service.from_call_note(db, inquiry)


def test_life_of_a_general_complaint_is_new_rows_only(db, clock):
    set_local(clock, 2026, 9, 30, 17, 59)  # the eve of National Day
    cid = take(db, clock, customer_name="李四", customer_contact="021-5555 0000")
    c = service.get(db, cid)
    assert (local(c.start_due), local(c.resolve_due)) == (datetime(2026, 10, 8, 9, 9, tzinfo=SH),
                                                          datetime(2026, 10, 8, 10, 59, tzinfo=SH))
    assert c.status == "open" and c.ref.startswith("TS2609-")
    set_local(clock, 2026, 10, 8, 9, 5)
    service.start(db, clock, STAFF, cid)
    with pytest.raises(ComplaintError):
        service.start(db, clock, STAFF, cid)
    set_local(clock, 2026, 10, 8, 10)
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "已联系施工方，限时施工")
    c = service.get(db, cid)
    assert c.status == "resolved" and c.callback_required
    # 8 h on Thu, 9 h on Fri, the last hour on the make-up Saturday
    assert local(c.callback_due) == datetime(2026, 10, 10, 10, 0, tzinfo=SH)
    service.record_callback(db, clock, STAFF, cid, "satisfied", "满意")
    assert service.get(db, cid).status == "closed"
    with pytest.raises(ComplaintError):
        service.record_callback(db, clock, STAFF, cid, "satisfied")
    for sql in ("UPDATE complaints SET what = 'x'", "DELETE FROM complaints", "UPDATE complaint_events SET note = ''",
                "DELETE FROM complaint_events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(sql)
    kinds = [r[0] for r in db.execute("SELECT action FROM audit WHERE record_table = 'complaints' ORDER BY id")]
    assert kinds == ["complaint.take", "complaint.start", "complaint.resolve", "complaint.callback"]


def test_major_needs_a_manager_to_accept_and_to_close(db, clock):
    set_local(clock, 2026, 10, 9, 10)
    cid = take(db, clock, major_reason="authority_press")
    assert service.get(db, cid).major_proposed
    with pytest.raises(ComplaintError):
        service.decide_major(db, clock, STAFF, TZ, cid, True)
    with pytest.raises(ComplaintError):
        service.resolve(db, clock, STAFF, TZ, cid, "resolved", "x")  # not before a manager decides
    service.decide_major(db, clock, MANAGER, TZ, cid, True)
    c = service.get(db, cid)
    assert c.major and local(c.resolve_due) == datetime(2026, 10, 12, 10, tzinfo=SH)  # through the make-up Saturday
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "赔偿并道歉")
    service.record_callback(db, clock, STAFF, cid, "satisfied")
    assert service.get(db, cid).status == "resolved"  # a major one stays open for the manager
    with pytest.raises(ComplaintError):
        service.close(db, clock, STAFF, cid)
    service.close(db, clock, MANAGER, cid)
    assert service.get(db, cid).status == "closed"


def test_proposals_five_on_one_topic_within_a_day_and_a_month_old(db, clock):
    set_local(clock, 2026, 11, 17, 9)
    ids = []
    # spaces (全角 too), traditional characters, English and a state word fold to one matter (topics.topic_key);
    # a power cut is another matter
    for topic in ("电梯故障", "电梯 故障", "電梯故障", "电梯故障　", "停电了"):
        ids.append(take(db, clock, topic=topic))
        clock.advance(3600)
    proposals = service.escalation_proposals(db, clock)
    assert [p.reason for p in proposals] == []  # four on the elevator, one on the power
    ids.append(take(db, clock, topic="ｌｉｆｔ"))
    [p] = service.escalation_proposals(db, clock)
    assert p.reason == "five_customers" and set(p.complaint_ids) == set(ids) - {ids[4]}
    ids.append(take(db, clock, topic="Elevator"))
    [p] = service.escalation_proposals(db, clock)
    assert len(p.complaint_ids) == 6
    clock.advance(31 * 86400)
    reasons = sorted(p.reason for p in service.escalation_proposals(db, clock))
    assert reasons.count("unresolved_month") == len(ids)


def test_assisted_callback_sample_keeps_thirty_percent(db, clock):
    set_local(clock, 2026, 11, 2, 9)
    required = []
    for i in range(10):
        cid = take(db, clock, responsibility="assisted", category="other", what=f"燃气公司抄表 {i}")
        service.resolve(db, clock, STAFF, TZ, cid, "referred", "已转燃气公司")
        required.append(service.get(db, cid).callback_required)
        clock.advance(600)
    assert sum(required) == 3 and required[0]
    assert all(sum(required[:n]) >= 0.3 * n for n in range(1, 11))
    not_ours = take(db, clock, responsibility="not_company")
    service.resolve(db, clock, STAFF, TZ, not_ours, "referred", "告知业主")
    assert not service.get(db, not_ours).callback_required


@pytest.mark.parametrize("field,value", [("what", "a\x07b"), ("what", "x" * 1001), ("customer_name", "名" * 61),
                                         ("what", "  "), ("place", "\u202e左右"), ("category", "nope"),
                                         ("responsibility", "mine")])
def test_hostile_input_is_refused_with_its_field(db, clock, field, value):
    with pytest.raises(ComplaintError) as refused:
        take(db, clock, **{field: value})
    assert refused.value.field == field
    assert db.execute("SELECT COUNT(*) FROM complaints").fetchone()[0] == 0


def test_longest_values_and_emoji_are_kept(db, clock):
    what = ("😀漏水ｆｕｌｌ" * 200)[:1000]
    cid = take(db, clock, what=what, customer_name="名" * 60, place="地" * 120, topic="题" * 60)
    assert service.get(db, cid).what == what
    job = slips.print_slip(db, clock, STAFF, "T1", cid, "zh_CN")
    assert printqueue.get(db, job).receipt_no == "T1-Q-000001"
    receipt = printqueue.get(db, job).receipt
    texts = [getattr(b, "right", "") for b in receipt.blocks]
    assert "名" + "*" * 58 + "名" in texts and "名" * 60 not in texts  # the slip masks the customer
    # a second press while the slip waits queues nothing new (one complaint, one slip number: attack 12)
    assert slips.print_slip(db, clock, STAFF, "T1", cid, "en") == job
    second = slips.print_slip(db, clock, STAFF, "T1", take(db, clock, what="又一件"), "en")
    assert printqueue.get(db, second).receipt_no == "T1-Q-000002"  # its own gapless series


def test_retention_and_erasure_blank_name_contact_and_the_free_text(db, clock):
    set_local(clock, 2026, 1, 5, 10)
    old = take(db, clock, customer_name="张三", customer_contact="13900000000")
    service.resolve(db, clock, STAFF, TZ, old, "resolved", "已处理")  # closed: its period runs from the close
    service.record_callback(db, clock, STAFF, old, "satisfied")
    clock.advance(400 * 86400)
    new = take(db, clock, customer_name="赵六", customer_contact="13700000000")
    assert [r["id"] for r in service.find_person(db, "139")] == [old]
    assert housekeeping.run_due(db, clock, TZ) == 1
    assert housekeeping.run_due(db, clock, TZ) is None  # once a day
    gone = service.get(db, old)
    # The free text names people as often as not: it goes with them; the counts' columns stay.
    assert (gone.customer_name, gone.customer_contact, gone.anonymised, gone.what) == ("", "", True, "")
    assert (gone.category, gone.responsibility, gone.kind, gone.start_due) == ("noise", "company", "complaint",
                                                                              service.get(db, old).start_due)
    assert service.find_person(db, "张三") == []
    with pytest.raises(ComplaintError):
        service.erase(db, clock, STAFF, new)
    service.erase(db, clock, MANAGER, new)
    assert (service.get(db, new).customer_name, service.get(db, new).what) == ("", "")
    with pytest.raises(ComplaintError):
        service.erase(db, clock, MANAGER, new)
    with pytest.raises(sqlite3.IntegrityError):  # a second anonymisation is not the exception
        db.execute("UPDATE complaints SET anonymised_at = 'again' WHERE id = ?", (new,))
    with pytest.raises(sqlite3.IntegrityError):  # nor blanking with another change
        db.execute("UPDATE complaints SET customer_name = '', customer_contact = '', what = 'x',"
                   " anonymised_at = 'now' WHERE id = ?", (old,))
    keep = take(db, clock, customer_name="钱七")
    with pytest.raises(sqlite3.IntegrityError):  # nor blanking name and contact but keeping the text
        db.execute("UPDATE complaints SET customer_name = '', customer_contact = '', anonymised_at = 'now'"
                   " WHERE id = ?", (keep,))
    with pytest.raises(sqlite3.IntegrityError):  # nor changing the category while blanking
        db.execute("UPDATE complaints SET customer_name = '', customer_contact = '', what = '', category = 'other',"
                   " anonymised_at = 'now' WHERE id = ?", (keep,))


def test_migration_0021_blanks_the_text_of_complaints_anonymised_before_it(tmp_path):
    """A complaint anonymised under the old rule (name and contact only) loses its text at the upgrade,
    once; one not yet anonymised keeps it until its own retention."""
    from kiosk.core.clock import FakeClock
    from kiosk.core.db import apply_migrations, connect
    db = connect(tmp_path / "old.db", migrate=False)
    apply_migrations(db, upto=20)
    clock = FakeClock()
    from kiosk.core import auth
    from kiosk.core.audit import SYSTEM
    auth.add_user(db, clock, SYSTEM, "员工", "staff", "1234")
    staff = auth.users(db, role="staff")[0].actor()

    def old_take(ref: str, what: str, name: str, contact: str = "") -> int:
        # as the service of that schema wrote it (today's service writes columns added since, 0030)
        return db.execute(
            "INSERT INTO complaints (ref, taken_at, channel, kind, category, responsibility, customer_name,"
            " customer_contact, what, place, topic, major, start_due, resolve_due, calendar_source, actor_id, actor)"
            " VALUES (?, '2026-01-05T01:00:00+00:00', 'counter', 'complaint', 'noise', 'company', ?, ?, ?, '', '',"
            " 0, '2026-01-05T01:10:00+00:00', '2026-01-05T03:00:00+00:00', 'package', ?, ?)",
            (ref, name, contact, what, staff.id, staff.name)).lastrowid
    a = old_take("TS2601-00001", "王先生说 1201 的李女士半夜装修", "王先生", "13900000000")
    b = old_take("TS2601-00002", "电梯异响", "赵六")
    db.execute("UPDATE complaints SET customer_name = '', customer_contact = '', anonymised_at = 'then'"
               " WHERE id = ?", (a,))  # the pre-0021 guard allowed exactly this
    apply_migrations(db)
    assert (service.get(db, a).what, service.get(db, b).what) == ("", "电梯异响")
    from kiosk.core.db import append_only_problems
    assert append_only_problems(db) == []


def test_fallback_year_is_marked_and_the_managers_list_counts(db, clock):
    set_local(clock, 2026, 12, 31, 17, 59)
    with pytest.raises(ComplaintError):
        service.set_calendar(db, clock, STAFF, ["2027-01-01"], [])
    with pytest.raises(ComplaintError) as bad:
        service.set_calendar(db, clock, MANAGER, ["2027-13-01"], [])
    assert bad.value.field == "holidays"
    service.set_calendar(db, clock, MANAGER, ["2027-01-01"], [])
    cid = take(db, clock)
    assert local(service.get(db, cid).start_due) == datetime(2027, 1, 4, 9, 9, tzinfo=SH)
    set_local(clock, 2027, 1, 4, 9)
    assert service.get(db, take(db, clock)).calendar_source == "fallback"


def test_todays_duties_in_deadline_order_and_the_quiet_prompt(db, clock):
    set_local(clock, 2026, 11, 17, 10)
    first = take(db, clock)
    clock.advance(120)
    second = take(db, clock, what="第二件")
    calllog.add_note(db, clock, STAFF, call_id=None, category="inquiry", what="回电", caller_number="138",
                     needs_callback=True)
    listed = duties.today(db, clock)
    assert [(d.kind, d.record_id) for d in listed[:2]] == [("complaint_start", first), ("complaint_start", second)]
    assert "call_callback" in {d.kind for d in listed}
    assert duties.prompts(db, clock) == []
    clock.advance(6 * 60)  # 2 minutes left on the first one's 10
    assert [d.record_id for d in duties.prompts(db, clock)] == [first]
    clock.advance(5 * 60)
    listed = duties.today(db, clock)
    assert listed[0].overdue and listed[0].record_id == first
    service.start(db, clock, STAFF, first)
    clock.advance(100 * 60)  # 2-hour resolution of the first within 15 minutes
    assert ("complaint_resolve", first) in [(d.kind, d.record_id) for d in duties.prompts(db, clock)]


def test_the_daily_log_carries_the_deadlines(db, clock):
    set_local(clock, 2026, 11, 17, 10)
    cid = take(db, clock, customer_name="=HYPERLINK(\"x\")")
    service.start(db, clock, STAFF, cid)
    rows = list(fetch(db, COMPLAINTS, "2026-11-17T00:00:00", "2026-11-18T00:00:00"))
    keys = [c.key for c in COMPLAINTS.columns]
    row = dict(zip(keys, rows[0]))
    assert row["start_due"] and row["resolve_due"] and row["started_at"] and row["ref"].startswith("TS")


def test_a_managers_erasure_request_blanks_a_complainant_through_the_tables_own_guard(db, clock):
    """kiosk privacy erase reaches complaints too: name and contact go together, the complaint stays."""
    from kiosk.core import erasure
    from kiosk.core.audit import Actor
    staff, manager = Actor("Desk", None, "staff"), Actor("Boss", None, "manager")
    cid = service.take(db, clock, staff, "Asia/Shanghai", kind="complaint", category="noise",
                       responsibility="company", what="楼上装修太吵", customer_name="欧阳娜娜",
                       customer_contact="139 2222 3333", place="3 号楼")
    found = erasure.find(db, erasure.Person(phone="13922223333", name="欧阳娜娜"))
    assert ("complaints", "customer_name") in found.hits and ("complaints", "customer_contact") in found.hits
    erasure.erase(db, clock, manager, erasure.Person(phone="13922223333", name="欧阳娜娜"))
    row = db.execute("SELECT customer_name, customer_contact, anonymised_at, what FROM complaints WHERE id = ?",
                     (cid,)).fetchone()
    assert row[0] == "" and row[1] == "" and row[2] and row[3] == ""  # the text goes with them (0021)
    assert not erasure.find(db, erasure.Person(phone="13922223333", name="欧阳娜娜")).hits
    erasure.erase(db, clock, manager, erasure.Person(name="欧阳娜娜"))  # again: nothing left, no refusal


def test_the_phone_log_finds_the_complaints_of_many_calls_and_the_complaint_finds_its_call(db, clock):
    """1,200 calls (past the 500-id chunk), every 7th with a complaint note; a note of a call with two
    notes; a counter complaint and a note without a call have no call to name."""
    set_local(clock, 2026, 11, 17, 10)
    calls = [calllog.start_call(db, clock, "at") for _ in range(1200)]
    linked = {}
    for i, call_id in enumerate(calls):
        if i % 7 == 0:
            calllog.add_note(db, clock, STAFF, call_id=call_id, category="inquiry", what="先问营业时间")
            note = calllog.add_note(db, clock, STAFF, call_id=call_id, category="complaint",
                                    what="噪音😠" + "投诉" * 100, caller_number="13800138000")
            prefill = service.from_call_note(db, note)
            linked[call_id] = service.take(db, clock, STAFF, TZ, responsibility="company", **prefill)
    found = service.for_calls(db, calls + [10**9, -1])
    assert {k: v[0] for k, v in found.items()} == linked
    assert all(ref.startswith("TS2611-") for _, ref in found.values())
    first = calls[0]
    call = service.call_of(db, service.get(db, linked[first]).call_note_id)
    assert call["call_id"] == first and call["caller_number"] == "13800138000"
    assert service.call_of(db, None) is None and service.call_of(db, 10**9) is None
    loose = calllog.add_note(db, clock, STAFF, call_id=None, category="complaint", what="另一条线打来的")
    assert service.call_of(db, loose)["call_id"] is None
    assert service.for_calls(db, []) == {}
