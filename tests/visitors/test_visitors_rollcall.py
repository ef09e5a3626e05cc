"""The roll call in a drill: per-head marks with undo as new rows, one roll call at a time, and the copy
the screen keeps (tally, missing list on paper) without the database."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.core.audit import Actor
from kiosk.printing.documents import layout
from kiosk.visitors import service as visitors
from kiosk.visitors.rollcall import RollCall, missing_list
from kiosk.visitors.service import Visitor, VisitorError

DESK = Actor("Li Na", None, "staff")
LONG = "欧阳" + "娜" * 18  # 20 characters, the longest a name may be... and wider than the paper's half


@pytest.fixture
def host(db, clock):
    visitors.seed_demo(db, clock)
    return visitors.find_hosts(db, "Li Na")[0]["id"]


def sign_in(db, clock, host, name, party=1, phone="13800138000"):
    return visitors.sign_in(db, clock, Visitor(name=name, phone=phone, host_id=host, purpose="meeting",
                                               party_size=party, privacy_accepted=True)).visit_id


def test_heads_are_counted_per_party_and_undo_is_a_new_row(db, clock, host):
    party = sign_in(db, clock, host, "张伟", party=3)
    alone = sign_in(db, clock, host, "Anna Lee", phone="13911112222")
    rc = visitors.start_rollcall(db, clock, DESK)
    assert {r["id"]: r["safe"] for r in visitors.rollcall_list(db, rc)} == {party: 0, alone: 0}, "nobody is safe yet"
    for heads in (1, 2, 3, 2):
        clock.advance(5)
        visitors.mark_safe(db, clock, DESK, rc, party, heads)
    visitors.mark_safe(db, clock, DESK, rc, alone, 1)
    visitors.mark_safe(db, clock, DESK, rc, alone, 0)  # undo
    assert {r["id"]: r["safe"] for r in visitors.rollcall_list(db, rc)} == {party: 2, alone: 0}
    marks = list(db.query("SELECT visit_id, heads, actor FROM rollcall_marks WHERE rollcall_id = ? ORDER BY id", (rc,)))
    assert [m["heads"] for m in marks] == [1, 2, 3, 2, 1, 0] and {m["actor"] for m in marks} == {"Li Na"}
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE rollcall_marks SET heads = 3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM rollcalls")


def test_a_new_roll_call_starts_with_everyone_missing(db, clock, host):
    visit = sign_in(db, clock, host, "张伟", party=2)
    first = visitors.start_rollcall(db, clock, DESK)
    visitors.mark_safe(db, clock, DESK, first, visit, 2)
    visitors.mark_located(db, clock, DESK, visit)  # the old whole-party mark counts for no roll call
    second = visitors.start_rollcall(db, clock, DESK)
    assert [r["safe"] for r in visitors.rollcall_list(db, second)] == [0]
    assert [r["safe"] for r in visitors.rollcall_list(db, first)] == [2]


def test_someone_who_signs_out_after_being_marked_stays_on_the_roll_call(db, clock, host):
    visit = sign_in(db, clock, host, "张伟")
    rc = visitors.start_rollcall(db, clock, DESK)
    visitors.mark_safe(db, clock, DESK, rc, visit, 1)
    visitors.sign_out(db, clock, DESK, visit)
    assert [(r["id"], r["safe"]) for r in visitors.rollcall_list(db, rc)] == [(visit, 1)]
    assert visitors.on_site(db) == []


@pytest.mark.parametrize("heads", [4, -1, True, 1.5, "2", None])
def test_impossible_counts_are_refused_and_nothing_is_written(db, clock, host, heads):
    visit = sign_in(db, clock, host, "张伟", party=3)
    rc = visitors.start_rollcall(db, clock, DESK)
    with pytest.raises(VisitorError) as refused:
        visitors.mark_safe(db, clock, DESK, rc, visit, heads)
    assert refused.value.field == "heads"
    assert db.execute("SELECT COUNT(*) FROM rollcall_marks").fetchone()[0] == 0


def test_no_such_visit_or_roll_call(db, clock, host):
    visit = sign_in(db, clock, host, "张伟")
    with pytest.raises(VisitorError, match="no such visit"):
        visitors.mark_safe(db, clock, DESK, 1, 999, 1)
    with pytest.raises(VisitorError, match="start the roll call first"):
        visitors.mark_safe(db, clock, DESK, 42, visit, 1)


# --- the screen's copy ------------------------------------------------------------------------------
ROWS = [{"id": 1, "name": "张伟", "party_size": 3, "host_name": "李娜", "organisation": "星河科技",
         "signed_in_at": "2026-11-20T01:00:00Z", "safe": 0},
        {"id": 2, "name": LONG + "🙂\x1b[2J", "party_size": 1, "host_name": "Emma Watson" * 3, "organisation": "",
         "signed_in_at": "2026-11-20T02:30:00Z", "safe": 0},
        {"id": 3, "name": "", "party_size": 999, "host_name": "Ｆｕｌｌｗｉｄｔｈ", "organisation": "x" * 60,
         "signed_in_at": "not a time", "safe": 0}]


def test_the_copy_counts_heads_within_each_party():
    call = RollCall()
    call.load(ROWS)
    assert call.tally() == (call.tally().__class__(0, 1003, 1003))
    for _ in range(5):
        call.step(1, +1)
    assert call.heads(1) == 3, "never more than the party"
    call.step(2, -1)
    assert call.heads(2) == 0, "never below zero"
    call.step(1, -1)
    assert (call.tally().accounted, call.tally().missing) == (2, 1001)
    assert call.pending == [(2, 0), (1, 2)], "one pending count per visit, the newest"
    call.load([{**r, "safe": 0} for r in ROWS])  # the database has not had them yet
    assert call.heads(1) == 2
    call.stored(1, 2)
    call.load([{**r, "safe": 3 if r["id"] == 1 else 0} for r in ROWS])
    assert call.heads(1) == 3
    assert [m["id"] for m in call.missing()] == [2, 3]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("columns", [32, 42, 48])
def test_the_missing_list_needs_no_database_and_fits_the_paper(lang, columns):
    from datetime import datetime, timezone
    call = RollCall()
    call.load(ROWS)
    call.step(1, +1)
    paper = missing_list(call, lang, site_name="示例高尔夫球会" * 4, tz="Asia/Shanghai",
                         now=datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc), from_memory=True)
    from kiosk.printing.documents import char_width
    lines = [line for line, _ in layout(paper, columns)]
    assert all(sum(char_width(c) for c in line) <= columns for line in lines)
    text = "\n".join(lines)
    assert ("未到" if lang == "zh_CN" else "Still missing") in text
    assert ("数据库不可用" if lang == "zh_CN" else "database was not available") in " ".join(lines)
    assert "\x1b" not in text and "(2/3)" in text and "09:00" in text and "10:30" in text
    assert "1 / 1003" in text
