"""A roll call that outlives its screen (issue 13): found open after a sign-out or a restart, resumed
(audited) or ended (a record with the count), its marks written with the time they were tapped; the
journal that keeps taps the database could not take."""
from __future__ import annotations

import json
import sqlite3

import pytest

from kiosk.core.audit import Actor
from kiosk.core.clock import utc_iso
from kiosk.visitors import rollcall as copy
from kiosk.visitors import service as visitors
from kiosk.visitors.service import Visitor, VisitorError

DESK = Actor("Li Na", None, "staff")
NEXT = Actor("王" * 20 + "🙂", None, "staff")


@pytest.fixture
def host(db, clock):
    visitors.seed_demo(db, clock)
    return visitors.find_hosts(db, "Li Na")[0]["id"]


def _in(db, clock, host, name, party=1, phone="13800138000"):
    return visitors.sign_in(db, clock, Visitor(name=name, phone=phone, host_id=host, purpose="meeting",
                                               party_size=party, privacy_accepted=True)).visit_id


def test_an_open_roll_call_is_found_resumed_and_ended_as_a_record(db, clock, host):
    assert visitors.open_rollcall(db) is None
    party = _in(db, clock, host, "张伟", party=3)
    alone = _in(db, clock, host, "Anna Lee", phone="13911112222")
    rc = visitors.start_rollcall(db, clock, DESK)
    visitors.mark_safe(db, clock, DESK, rc, party, 2)
    found = visitors.open_rollcall(db)
    assert (found.id, found.started_by, found.accounted, found.missing, found.total) == (rc, "Li Na", 2, 2, 4)
    clock.advance(600)
    rows = visitors.resume_rollcall(db, clock, NEXT, rc)
    assert {r["id"]: r["safe"] for r in rows} == {party: 2, alone: 0}
    visitors.mark_safe(db, clock, NEXT, rc, alone, 1)
    ended = visitors.end_rollcall(db, clock, NEXT, rc)
    assert (ended.accounted, ended.missing, ended.total) == (3, 1, 4)
    [row] = db.query("SELECT * FROM rollcall_ends")
    assert (row["rollcall_id"], row["accounted"], row["missing"], row["total"], row["actor"]) == (rc, 3, 1, 4, NEXT.name)
    actions = [a for (a,) in db.execute("SELECT action FROM audit WHERE record_table = 'rollcalls' ORDER BY id")]
    assert actions == ["visitors.rollcall_start", "visitors.rollcall_resume", "visitors.rollcall_end"]
    assert visitors.open_rollcall(db) is None, "an ended roll call is not offered again"
    # Ended is ended: no more marks, no second end, no resume; the record cannot be changed
    for call in (lambda: visitors.mark_safe(db, clock, DESK, rc, alone, 0),
                 lambda: visitors.end_rollcall(db, clock, DESK, rc),
                 lambda: visitors.resume_rollcall(db, clock, DESK, rc)):
        with pytest.raises(VisitorError, match="already ended"):
            call()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE rollcall_ends SET missing = 0")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM rollcall_ends")
    with pytest.raises(VisitorError, match="start the roll call first"):
        visitors.end_rollcall(db, clock, DESK, 999)


def test_the_newest_open_roll_call_is_the_one_offered(db, clock, host):
    _in(db, clock, host, "张伟")
    first = visitors.start_rollcall(db, clock, DESK)
    second = visitors.start_rollcall(db, clock, DESK)
    assert visitors.open_rollcall(db).id == second
    visitors.end_rollcall(db, clock, DESK, second)
    assert visitors.open_rollcall(db).id == first


@pytest.mark.parametrize("tapped, kept", [
    ("start+60", True), ("now", True),
    ("before-start", False), ("future", False), ("2026-13-45T99:00:00+00:00", False), ("", False),
    ("2026-11-23T01:01:00", False),          # no offset: not a stored moment
    ("x" * 5000, False), (12345, False), (None, False), ("\x00\x1b[2J", False)])
def test_a_late_mark_keeps_its_tap_time_only_when_it_is_believable(db, clock, host, tapped, kept):
    visit = _in(db, clock, host, "张伟", party=2)
    started = clock.now()
    rc = visitors.start_rollcall(db, clock, DESK)
    clock.advance(300)
    from datetime import timedelta
    when = {"start+60": utc_iso(started + timedelta(seconds=60)), "now": utc_iso(clock.now()),
            "before-start": utc_iso(started - timedelta(seconds=1)),
            "future": utc_iso(clock.now() + timedelta(seconds=1))}.get(tapped, tapped)
    visitors.mark_safe(db, clock, DESK, rc, visit, 1, tapped_at=when)
    [(at,)] = db.execute("SELECT at FROM rollcall_marks").fetchall()
    assert at == (when if kept else utc_iso(clock.now()))


def test_the_journal_keeps_pending_taps_and_ignores_a_damaged_file(tmp_path):
    path = tmp_path / copy.JOURNAL_NAME
    call = copy.RollCall(rollcall_id=7, rows=[{"id": 1, "party_size": 3}, {"id": 2, "party_size": 1}])
    call.step(1, +1, at="2026-11-23T01:00:00.000000+00:00")
    call.step(1, +1, at="2026-11-23T01:00:05.000000+00:00")
    call.step(2, +1)
    copy.save_journal(path, call)
    assert copy.read_journal(path) == (7, [(1, 2, "2026-11-23T01:00:05.000000+00:00"), (2, 1, "")])
    assert "张" not in path.read_text() and not list(tmp_path.glob("*.partial"))
    call.stored(1, 2)
    call.stored(2, 1)
    assert call.tapped == {}
    copy.save_journal(path, call)  # nothing pending: the file goes
    assert not path.exists() and copy.read_journal(path) is None
    for damaged in ("", "{", "[]", json.dumps({"rollcall_id": "x", "marks": []}),
                    json.dumps({"rollcall_id": 1, "marks": [[1]]}), "\x00" * 100):
        path.write_text(damaged)
        assert copy.read_journal(path) is None, damaged
    path.write_bytes(b"{" + b" " * 2_100_000 + b"}")
    assert copy.read_journal(path) is None, "an absurdly large journal is not read"
    copy.clear_journal(path)
    copy.clear_journal(path)  # twice: fine
