"""Known callers: a name from earlier notes, visitors' records or the hosts' directory, whatever way
the number was typed there (+86, spaces, dashes, full width)."""
from __future__ import annotations

from kiosk.core.audit import SYSTEM, Actor
from kiosk.phone import calllog

STAFF = Actor("Li Na", None, "staff")


def test_a_host_is_known_by_the_digits_of_their_phone(db, clock):
    from kiosk.visitors.service import add_host
    add_host(db, clock, SYSTEM, "张敏 (财务部)", "财务部", phone="+86 139-1234-5678")
    assert calllog.known_caller(db, "13912345678") == "张敏 (财务部)"
    assert calllog.known_caller(db, "008613912345678") == "张敏 (财务部)"
    assert calllog.known_caller(db, "13912345679") == ""
    assert calllog.known_caller(db, "private") == "" and calllog.known_caller(db, "") == ""


def test_a_note_beats_a_host_and_a_plus86_caller_id_finds_a_plain_note(db, clock):
    from kiosk.visitors.service import add_host
    add_host(db, clock, SYSTEM, "Host Name", "", phone="13800138000")
    calllog.add_note(db, clock, STAFF, call_id=None, category="inquiry", what="parking",
                     caller_name="王小明 🙂", caller_number="13800138000")
    assert calllog.known_caller(db, "+8613800138000") == "王小明 🙂"


# --- issue 15 re-test: numbers compared by digits on both sides, by the index ---------------------
import pytest  # noqa: E402

from kiosk.phone.tracker import CallEvent  # noqa: E402

TYPED = ["138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000", "008613800138000",
         "13800138000", "+86-138-0013-8000", "１３８ ００１３ ８０００"]


@pytest.mark.parametrize("typed", TYPED)
@pytest.mark.parametrize("sent", ["13800138000", "+8613800138000", "008613800138000"])
def test_a_note_typed_any_way_is_found_by_any_caller_id_form(db, clock, typed, sent):
    calllog.add_note(db, clock, Actor("王芳", None, "staff"), call_id=None, category="inquiry", what="停车",
                     caller_name="张伟", caller_number=typed)
    assert calllog.known_caller(db, sent) == "张伟"


def test_another_number_is_not_matched(db, clock):
    calllog.add_note(db, clock, Actor("王芳", None, "staff"), call_id=None, category="inquiry", what="停车",
                     caller_name="张伟", caller_number="138 0013 8000")
    assert calllog.known_caller(db, "13800138001") == ""
    assert calllog.known_caller(db, "38001380") == ""


@pytest.mark.parametrize("query", ["13800138000", "+8613800138000", "008613800138000", "138 0013 8000"])
def test_caller_history_counts_every_form_by_the_index(db, clock, query):
    for num in ("13800138000", "13800138000", "+8613800138000", "+86 138 0013 8000", "13911112222"):
        call_id = calllog.start_call(db, clock, "at")
        calllog.record_event(db, clock, call_id, CallEvent("callerid", 0.0, 1, rings=1, number=num))
    assert calllog.caller_history(db, query)[0] == 4
    forms = calllog.phone_forms(query)
    db.execute("ANALYZE")
    plan = " | ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + calllog.history_sql(len(forms)),
                                                (*forms, None, None)))
    assert "call_events_number" in plan and "SCAN e" not in plan, plan
    notes_plan = " | ".join(r[3] for r in db.execute(
        f"EXPLAIN QUERY PLAN SELECT caller_name FROM call_notes WHERE caller_number IN ({', '.join('?' * len(forms))})",
        forms))
    assert "call_notes_number" in notes_plan, notes_plan
