"""The customer's name and phone leave a complaint's follow-up notes and printed slip with the complaint:
by its retention and by an erasure request (outside tester, issue 12 fix)."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.complaints import service, slips
from kiosk.core import erasure
from kiosk.core.audit import Actor
from kiosk.core.clock import utc_iso
from kiosk.reports.logs import COMPLAINTS, fetch

STAFF, MANAGER = Actor("Li Na", None, "staff"), Actor("Zhou Min", None, "manager")
TZ = "Asia/Shanghai"
NAME, PHONE = "王小明\U0001F600", "13800138000"


def _at(clock, *args):
    clock.set(datetime(*args, tzinfo=ZoneInfo(TZ)).astimezone(timezone.utc))


def _complaint(db, clock):
    cid = service.take(db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility="company",
                       what=f"{NAME} {PHONE} 说楼上1201装修", customer_name=NAME, customer_contact=PHONE,
                       place="3号楼1201")
    slips.print_slip(db, clock, STAFF, "T1", cid)
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", f"已电话联系{NAME}（{PHONE}），协调1201停工")
    service.record_callback(db, clock, STAFF, cid, "satisfied", f"{NAME}满意 １３８００１３８０００ {PHONE}")
    return cid


def _everything(db) -> str:
    notes = " ".join(n or "" for (n,) in db.execute("SELECT note FROM complaint_events"))
    docs = " ".join(d or "" for (d,) in db.execute("SELECT document FROM print_jobs WHERE record_table = 'complaints'"))
    return notes + docs


def _what_was_done(db):
    cols = [c.key for c in COMPLAINTS.columns]
    rows = list(fetch(db, COMPLAINTS, "2000-01-01T00:00:00", "2100-01-01T00:00:00"))
    return [dict(zip(cols, r))["what_was_done"] for r in rows]


def test_retention_blanks_notes_and_slip(db, clock):
    _at(clock, 2025, 1, 6, 10)
    cid = _complaint(db, clock)
    assert PHONE in _everything(db) and NAME in _everything(db)  # the attack's premise holds
    clock.set(clock.now() + timedelta(days=400))
    assert service.apply_retention(db, clock) == 1
    assert PHONE not in _everything(db) and "王小明" not in _everything(db)
    assert _everything(db).strip() == ""
    assert _what_was_done(db) == [""]
    # the events stay for the counts: kinds and outcomes untouched
    kinds = [k for (k,) in db.execute("SELECT kind FROM complaint_events WHERE complaint_id = ?", (cid,))]
    assert "resolved" in kinds and "callback" in kinds
    assert db.execute("SELECT outcome FROM complaint_events WHERE kind = 'callback'").fetchone()[0] == "satisfied"
    assert not erasure.find(db, erasure.Person(name=NAME, phone=PHONE)).hits
    # a second run changes nothing and still refuses ordinary edits of the events
    assert service.apply_retention(db, clock) == 0
    with pytest.raises(Exception, match="append-only"):
        db.execute("UPDATE complaint_events SET note = 'x'")


def test_erasure_blanks_notes_and_slip(db, clock):
    _at(clock, 2026, 11, 6, 10)
    _complaint(db, clock)
    other = service.take(db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility="company",
                         what="电梯异响", customer_name="李四", customer_contact="13900139000")
    service.resolve(db, clock, STAFF, TZ, other, "resolved", "已联系李四，电梯已修")
    person = erasure.Person(name=NAME, phone=PHONE)
    found = erasure.find(db, person).tables()
    assert "complaint_events" in found and "print_jobs" in found
    erasure.erase(db, clock, MANAGER, person)
    assert PHONE not in _everything(db) and "王小明" not in _everything(db)
    assert "李四" in _everything(db)  # someone else's complaint keeps its notes
    done = _what_was_done(db)
    assert "已联系李四，电梯已修" in done
    mine = [w for w in done if w != "已联系李四，电梯已修"]
    assert len(mine) == 1 and PHONE not in mine[0] and "王小明" not in mine[0]
    assert not erasure.find(db, person).hits


def test_migration_guard_outside_privacy(db, clock):
    _at(clock, 2026, 11, 6, 10)
    _complaint(db, clock)
    with pytest.raises(Exception, match="append-only"):
        db.execute("UPDATE print_jobs SET document = '' WHERE record_table = 'complaints'")
    assert utc_iso(clock.now())
