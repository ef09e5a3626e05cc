"""Issue 12, fifth pass: the open complaints' deadlines as an index (bounded refresh), a real end for a
complaint left "not resolved", a third party's erasure that leaves another customer's complaint
workable, and the major deadline from when the complaint became major."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest

from kiosk.complaints import dueindex, service
from kiosk.core import dbcheck, erasure
from kiosk.core.audit import Actor
from kiosk.core.clock import utc_iso
from kiosk.core.db import write
from kiosk.reports import duties
from tests.complaints.common import SH, STAFF, TZ, set_local, taker

MANAGER = Actor("Wang Jun", None, "manager")


take = taker(kind="complaint", category="noise", responsibility="not_company", what="楼上装修太吵", place="3号楼")


def never_closing(db, clock, n: int) -> list[int]:
    """n complaints resolved "not resolved" with no callback owed (they never close by themselves)."""
    ids = []
    for i in range(n):
        cid = take(db, clock, customer_name=f"住户{i}", what=f"第{i}号投诉 😀 ＡＢＣ" + "长" * 200)
        service.resolve(db, clock, STAFF, TZ, cid, "not_resolved", "不归物业管")
        ids.append(cid)
    return ids


# --- 1. bounded refresh ------------------------------------------------------------------------------------
def _query_count(db, fn):
    """How many rows SQLite stepped through for fn() (a progress handler every 100 VM steps)."""
    steps = [0]

    def tick():
        steps[0] += 1
        return 0
    db.conn.set_progress_handler(tick, 100)
    try:
        fn()
    finally:
        db.conn.set_progress_handler(None, 100)
    return steps[0]


def test_refresh_reads_do_not_grow_with_complaints_left_open(db, clock):
    """The open page, today's duties, the prompt check and the proposals cost about the same with 60 or
    600 never-closing complaints: they read index ranges, not every open complaint."""
    set_local(clock, 2026, 11, 2, 9)
    never_closing(db, clock, 60)
    set_local(clock, 2026, 11, 20, 10)
    fresh = take(db, clock, customer_name="新来的", what="电梯停了", category="facilities")

    def reads():
        page = service.open_page(db, limit=20)
        assert page[0].id != fresh or len(page) == 20
        duties.today(db, clock, limit=20)
        duties.prompts(db, clock)
        service.escalation_proposals(db, clock)
        service.open_count(db)
        service.month_old_count(db, clock)
    small = _query_count(db, reads)
    set_local(clock, 2026, 11, 3, 9)
    never_closing(db, clock, 540)
    set_local(clock, 2026, 11, 20, 10)
    big = _query_count(db, reads)
    assert service.open_count(db) == 601
    assert big < small * 2.5, (small, big)  # ten times the complaints, not ten times the work


def test_open_page_is_in_deadline_order_and_pages_cover_every_open_complaint(db, clock):
    set_local(clock, 2026, 11, 23, 9)
    ids = [take(db, clock, customer_name=f"客{i}", what=f"事{i}") for i in range(7)]
    clock.set(clock.now() + timedelta(minutes=1))
    service.start(db, clock, STAFF, ids[0])           # its next deadline is the 2-hour resolution
    service.resolve(db, clock, STAFF, TZ, ids[1], "not_resolved", "外部原因")  # still owes its resolution
    pages = [service.open_page(db, limit=3, offset=o) for o in (0, 3, 6)]
    seen = [c.id for page in pages for c in page]
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    dues = [row[0] for row in db.execute("SELECT next_due FROM complaints_open ORDER BY next_due, complaint_id")]
    assert dues == sorted(dues) and None not in dues
    assert seen[:5] == ids[2:]  # the unstarted ones' 10-minute starts first, then the two resolutions
    assert service.open_count(db) == 7


def test_index_matches_the_records_after_a_repair_and_an_old_database(db, clock):
    """A repair of the open table (or rows from before migration 0040) leaves next_due NULL: the next read
    fills it back from the events, the same as it was."""
    set_local(clock, 2026, 11, 23, 9)
    a = take(db, clock, customer_name="甲")
    b = take(db, clock, customer_name="乙")
    service.start(db, clock, STAFF, b)
    before = sorted(db.execute("SELECT complaint_id, kind, due FROM complaint_duties").fetchall())
    dbcheck.rebuild_summaries(db)
    assert db.execute("SELECT COUNT(*) FROM complaints_open WHERE next_due IS NULL").fetchone()[0] == 2
    assert [c.id for c in service.open_page(db)] == [a, b]
    assert sorted(db.execute("SELECT complaint_id, kind, due FROM complaint_duties").fetchall()) == before
    assert dbcheck.summary_problems(db) == []


def test_closing_removes_every_duty_and_the_prompt_finds_only_the_next_minutes(db, clock):
    set_local(clock, 2026, 11, 23, 9)
    cid = take(db, clock, responsibility="company", customer_name="丙")
    clock.set(clock.now() + timedelta(minutes=8))  # start due 09:10, warned 3 minutes before
    assert [(d.kind, d.record_id) for d in duties.prompts(db, clock)] == [("complaint_start", cid)]
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "已处理")
    assert [d.kind for d in duties.today(db, clock)] == ["complaint_callback"]
    service.record_callback(db, clock, STAFF, cid, "satisfied")
    assert db.execute("SELECT COUNT(*) FROM complaint_duties WHERE complaint_id = ?", (cid,)).fetchone()[0] == 0
    assert duties.today(db, clock) == [] and service.open_count(db) == 0


# --- 1b. an end for "not resolved" -------------------------------------------------------------------------
def test_not_resolved_is_an_attempt_the_real_resolution_can_follow(db, clock):
    """Outside finding (w5) 1: "not resolved" is not a resolution: not on time, no callback owed, a callback is
    refused, a real resolution can still be recorded, and the month rule still watches it."""
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, responsibility="company", category="facilities", what="电梯坏了", customer_name="丁",
               customer_contact="13800138000")
    clock.set(clock.now() + timedelta(minutes=5))
    service.resolve(db, clock, STAFF, TZ, cid, "not_resolved", "waiting for parts")
    c = service.get(db, cid)
    assert (c.status, c.outcome, c.resolved_at, c.callback_required) == ("started", "not_resolved", None, False)
    assert [d.kind for d in duties.today(db, clock) if d.record_id == cid] == ["complaint_resolve"]
    with pytest.raises(service.ComplaintError):
        service.record_callback(db, clock, STAFF, cid, "unsatisfied", "still broken")
    assert service.get(db, cid).status == "started"
    set_local(clock, 2026, 12, 12, 10)  # 40 days on: proposed as unresolved for a month
    assert [(p.reason, p.complaint_ids) for p in service.escalation_proposals(db, clock)] == [("unresolved_month", (cid,))]
    assert service.month_old_count(db, clock) == 1
    from kiosk.complaints import monthly
    report = monthly.build(db, clock, 2026, 11, TZ)
    assert report.resolve.on_time == 0 and report.by_outcome == {"not_resolved": 1}
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "fixed")  # the real fix, recorded
    c = service.get(db, cid)
    assert c.status == "resolved" and c.outcome == "resolved" and c.callback_required
    assert service.month_old_count(db, clock) == 0
    service.record_callback(db, clock, STAFF, cid, "satisfied")
    assert service.get(db, cid).status == "closed"


def test_a_manager_closes_a_not_resolved_complaint_as_unresolved(db, clock):
    set_local(clock, 2026, 10, 12, 10)
    cid = take(db, clock, customer_name="丁")
    service.resolve(db, clock, STAFF, TZ, cid, "not_resolved", "需要业委会决定")
    set_local(clock, 2026, 11, 12, 10)  # a month on
    [duty] = [d for d in duties.today(db, clock) if d.record_id == cid]
    assert duty.kind == "complaint_resolve" and duty.overdue
    with pytest.raises(service.ComplaintError):
        service.close(db, clock, STAFF, cid, "结案")  # staff cannot end an unresolved one
    service.close(db, clock, MANAGER, cid, "客户同意另行处理")
    c = service.get(db, cid)
    assert c.status == "closed" and c.outcome == "not_resolved" and c.resolved_at is None
    closed = db.execute("SELECT outcome FROM complaint_events WHERE complaint_id = ? AND kind = 'closed'", (cid,)).fetchone()
    assert closed[0] == "not_resolved"
    audit_row = db.execute("SELECT after FROM audit WHERE action = 'complaint.close' AND record_id = ?", (cid,)).fetchone()
    assert json.loads(audit_row[0]) == {"unresolved": True}
    assert service.open_count(db) == 0 and service.escalation_proposals(db, clock) == []


def test_a_month_unresolved_one_accepted_as_major_waits_for_the_managers_close(db, clock):
    set_local(clock, 2026, 10, 12, 10)
    cid = take(db, clock, customer_name="戊")
    service.resolve(db, clock, STAFF, TZ, cid, "not_resolved", "无法处理")
    set_local(clock, 2026, 11, 13, 10)
    service.escalate(db, clock, STAFF, cid, "unresolved_month")
    assert [d.kind for d in duties.today(db, clock) if d.record_id == cid] == ["complaint_decide"]
    service.decide_major(db, clock, MANAGER, TZ, cid, True)
    assert [d.kind for d in duties.today(db, clock) if d.record_id == cid] == ["complaint_resolve"]
    assert service.month_old_count(db, clock) == 0  # major now: the month rule no longer watches it
    service.resolve(db, clock, STAFF, TZ, cid, "referred", "交业委会")
    service.record_callback(db, clock, STAFF, cid, "unsatisfied")
    assert [d.kind for d in duties.today(db, clock) if d.record_id == cid] == ["complaint_close"]
    with pytest.raises(service.ComplaintError):
        service.close(db, clock, STAFF, cid)
    service.close(db, clock, MANAGER, cid)
    assert service.get(db, cid).status == "closed"


def test_a_declined_month_proposal_is_not_counted_again(db, clock):
    set_local(clock, 2026, 10, 12, 10)
    cid = take(db, clock, customer_name="己")
    set_local(clock, 2026, 11, 13, 10)
    service.escalate(db, clock, STAFF, cid, "unresolved_month")
    service.decide_major(db, clock, MANAGER, TZ, cid, False)
    assert service.month_old_count(db, clock) == 0
    assert service.escalation_proposals(db, clock) == []


# --- 2. erasing a third party ------------------------------------------------------------------------------
def test_erasing_a_person_named_in_anothers_open_complaint_cuts_only_their_words(db, clock):
    set_local(clock, 2026, 11, 23, 9)
    own = take(db, clock, customer_name="李娜", customer_contact="139 1111 2222", what="楼下狗叫")
    other = take(db, clock, customer_name="王先生", customer_contact="13800138000",
                 what="1201的李娜说楼下狗叫，ＬＩ ＮＡ也听见了😀", place="李娜家门口", topic="狗叫")
    service.start(db, clock, STAFF, other, "问了李娜的邻居")
    erasure.erase(db, clock, MANAGER, erasure.Person(phone="13911112222", name="李娜"))
    mine, theirs = service.get(db, own), service.get(db, other)
    assert mine.anonymised and mine.customer_name == mine.customer_contact == mine.what == ""
    assert not theirs.anonymised
    assert theirs.customer_name == "王先生" and theirs.customer_contact == "13800138000"
    assert "李娜" not in theirs.what and "楼下狗叫" in theirs.what and theirs.what.startswith("1201的")
    assert "李娜" not in theirs.place and "家门口" in theirs.place
    note = db.execute("SELECT note FROM complaint_events WHERE complaint_id = ? AND kind = 'started'", (other,)).fetchone()[0]
    assert "李娜" not in note and "邻居" in note
    # still workable: its duties stand, it can be resolved and the customer called back
    assert [d.record_id for d in duties.today(db, clock) if d.record_id == other]
    service.resolve(db, clock, STAFF, TZ, other, "resolved", "已协调")
    after = json.loads(db.execute("SELECT after FROM audit WHERE action = 'privacy.erase'").fetchone()[0])
    assert after["mention_cut"] == {"complaints": [other]}
    assert "李娜" not in json.dumps(after, ensure_ascii=False)


def test_retention_still_blanks_whole_rows(db, clock):
    set_local(clock, 2025, 1, 6, 9)
    cid = take(db, clock, customer_name="老客户", what="很久以前的事，提到张三")
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "已处理")  # closed (an open one keeps the customer)
    set_local(clock, 2026, 11, 23, 9)
    assert service.apply_retention(db, clock, days=365) >= 1
    c = service.get(db, cid)
    assert c.anonymised and c.what == "" and c.customer_name == ""


# --- 4. the major deadline from when it became major ---------------------------------------------------------
def test_major_deadline_runs_from_the_proposal_not_the_managers_acceptance(db, clock):
    set_local(clock, 2026, 11, 23, 10)  # Monday
    cid = take(db, clock, customer_name="庚", responsibility="company")
    set_local(clock, 2026, 11, 23, 11)
    service.escalate(db, clock, STAFF, cid, "serious_loss")
    [decide] = [d for d in duties.today(db, clock) if d.kind == "complaint_decide"]
    assert decide.due_at == utc_iso(datetime(2026, 11, 23, 13, 0, tzinfo=SH))  # 2 working hours from 11:00
    set_local(clock, 2026, 11, 26, 9)  # the manager gets round to it on Thursday
    assert [d for d in duties.today(db, clock) if d.kind == "complaint_decide"][0].overdue
    service.decide_major(db, clock, MANAGER, TZ, cid, True)
    c = service.get(db, cid)
    assert c.resolve_due == utc_iso(datetime(2026, 11, 25, 11, 0, tzinfo=SH))  # 2 working days from Monday 11:00
    [resolve] = [d for d in duties.today(db, clock) if d.record_id == cid and d.kind == "complaint_resolve"]
    assert resolve.overdue  # a late decision buys no time
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "赔偿")


def test_taken_as_major_runs_from_when_it_was_taken_across_a_weekend(db, clock):
    set_local(clock, 2026, 11, 27, 17)  # Friday 17:00
    cid = take(db, clock, customer_name="辛", responsibility="company", major_reason="authority_press")
    set_local(clock, 2026, 11, 30, 16)  # Monday afternoon
    service.decide_major(db, clock, MANAGER, TZ, cid, True)
    assert service.get(db, cid).resolve_due == utc_iso(datetime(2026, 12, 1, 17, 0, tzinfo=SH))  # Tue 17:00


# --- the bench's shape, short: 3,000 open, each read under a bound ---------------------------------------------
def test_three_thousand_never_closing_complaints_refresh_quickly(db, clock):
    set_local(clock, 2026, 9, 1, 9)
    with write(db):
        never_closing(db, clock, 3000)
    set_local(clock, 2026, 11, 23, 10)
    take(db, clock, customer_name="今天的", what="门禁坏了", category="facilities")
    started = time.perf_counter()
    service.open_page(db, limit=100)
    duties.today(db, clock, limit=200)
    duties.prompts(db, clock)
    service.escalation_proposals(db, clock)
    service.month_old_count(db, clock)
    service.open_count(db)
    assert time.perf_counter() - started < 1.0
    assert db.execute("SELECT COUNT(*) FROM complaints_open WHERE next_due IS NULL").fetchone()[0] == 0
    assert {k for (k,) in db.execute("SELECT DISTINCT kind FROM complaint_duties")} <= {
        dueindex.START, dueindex.RESOLVE, dueindex.DECIDE, dueindex.CALLBACK, dueindex.CLOSE}


def _scan_for(db, needles: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every text cell of every table holding one of the needles: (table, column)."""
    hits = []
    for table in db.table_names():
        if table.startswith("visits_fts"):
            continue
        for col in db[table].columns:
            if col.type.upper() != "TEXT":
                continue
            for (value,) in db.execute(f"SELECT {col.name} FROM {table} WHERE {col.name} IS NOT NULL"):
                if isinstance(value, str) and any(n in value for n in needles):
                    hits.append((table, col.name))
                    break
    return hits


@pytest.mark.parametrize("how", ["erase", "retention"])
def test_erasure_and_retention_cut_the_complainant_from_place_and_topic(db, clock, how):
    """Outside finding (w5) 2: the place "欧阳娜娜家 5-1201" and topic "欧阳娜娜 13911112222 投诉" lose the
    person; the privacy search finds them there first."""
    set_local(clock, 2025, 3, 3, 10)
    cid = take(db, clock, customer_name="欧阳娜娜", customer_contact="139 1111 2222", what="家里漏水",
               place="欧阳娜娜家 5-1201", topic="欧阳娜娜 13911112222 投诉")
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "已联系欧阳娜娜")
    assert [r["id"] for r in service.find_person(db, "欧阳娜娜家")] == [cid]  # found in the place
    set_local(clock, 2026, 11, 23, 9)
    if how == "erase":
        service.erase(db, clock, MANAGER, cid)
    else:
        assert service.apply_retention(db, clock, days=365) == 1
    c = service.get(db, cid)
    assert "欧阳娜娜" not in c.place and "5-1201" in c.place
    assert "欧阳娜娜" not in c.topic and "13911112222" not in c.topic and "投诉" in c.topic
    assert [t for t in _scan_for(db, ("欧阳娜娜", "13911112222", "139 1111 2222")) if t[0] != "audit"] == []
    assert service.find_person(db, "欧阳娜娜") == []


def test_one_listed_day_is_not_a_manual_calendar_for_the_year():
    """Outside finding (w5) 4: one holiday listed for 2027 leaves its deadlines estimated; New Year, a Spring
    Festival day and National Day make it the manager's list."""
    from datetime import date
    from kiosk.complaints.workdays import WorkCalendar
    partial = WorkCalendar(holidays=frozenset({date(2027, 1, 1)}))
    assert partial.year_basis(2027) == "estimated"
    full = WorkCalendar(holidays=frozenset({date(2027, 1, 1), date(2027, 2, 6), date(2027, 10, 1)}))
    assert full.year_basis(2027) == "manual"
    assert WorkCalendar(holidays=frozenset({date(2027, 1, 1), date(2027, 10, 1)})).year_basis(2027) == "estimated"


def test_five_customers_on_one_typed_topic_across_categories_and_requests(db, clock):
    """Outside finding (w5) 3: "停水" filed under facilities, safety, repair and as a request by five
    customers is one matter; five different things at one place still are not."""
    set_local(clock, 2026, 11, 23, 9)
    ids = []
    for i, (kind, category) in enumerate((("complaint", "facilities"), ("complaint", "safety"), ("request", "repair"),
                                          ("complaint", "facilities"), ("complaint", "other"))):
        ids.append(take(db, clock, kind=kind, category=category, responsibility="company", what="家里停水了",
                        topic="停水！" if i % 2 else " 停水", place=f"{i}号楼", customer_contact=f"1380013800{i}"))
        clock.set(clock.now() + timedelta(minutes=3))
    [proposal] = [p for p in service.escalation_proposals(db, clock) if p.reason == "five_customers"]
    assert sorted(proposal.complaint_ids) == sorted(ids)
    # the same lobby, five different things, no topic typed: not one matter
    for category in ("noise", "cleanliness", "staff", "billing", "facilities"):
        take(db, clock, category=category, responsibility="company", what="各种问题", place="大堂",
             customer_contact=f"1390000{category[:2].encode().hex()}")
    assert len([p for p in service.escalation_proposals(db, clock) if p.reason == "five_customers"]) == 1


def test_the_home_screen_count_keeps_missed_deadlines_until_seen_to_and_stops_at_its_cap(db, clock):
    """Outside tester (issue 12): the signed-out notice went dark the minute a start was missed."""
    set_local(clock, 2026, 11, 23, 9)  # a Monday morning, working hours
    first = take(db, clock)
    assert duties.waiting(db, clock) == 0, "nothing due within the warning yet"
    clock.advance(8 * 60)
    assert duties.waiting(db, clock) == 1, "the start is about to be missed"
    clock.advance(30 * 60)
    assert duties.waiting(db, clock) == 1, "missed: still needs staff"
    service.start(db, clock, STAFF, first)
    assert duties.waiting(db, clock) == 0, "started, and its resolution not due yet"
    for _ in range(120):
        take(db, clock, what="停水")
    clock.advance(11 * 60)
    assert duties.waiting(db, clock) == duties.WAITING_CAP, "a number, not a report"
    check = duties.check(db, clock)
    assert check.waiting == duties.WAITING_CAP and check.prompts == duties.prompts(db, clock)
