"""A staff answer carries who gave it: into the call's 'answered' row and the audit log; one given after
the call ended confirms that call's unknown outcome; one for another call marks nothing."""
from __future__ import annotations

import time

from hardware.phone.runtime import PhoneService
from kiosk.core import audit, auth
from kiosk.core.audit import SYSTEM
from kiosk.phone.tracker import CADENCES, DetectorEvent
from tests.waiting import wait_until


def _service(ctx):
    return PhoneService(ctx, "at", phone_config=ctx.config.section("phone") | {"detector": "at"}).start()


def _rows(db, kind):
    return db.execute("SELECT call_id, actor_id, actor, source, outcome FROM call_events WHERE kind = ? ORDER BY id",
                      (kind,)).fetchall()


def test_the_staff_answer_names_who_answered_in_the_log_and_the_audit(ctx, clock, db):
    user = auth.add_user(db, clock, SYSTEM, "王芳 Wang Fang", "staff", "2580")
    service = _service(ctx)
    try:
        for n in range(4):
            service.put(DetectorEvent("ring", clock.monotonic()))
            clock.advance(CADENCES["CN"].cycle if n < 3 else 0.5)
        wait_until(lambda: len(_rows(db, "prompt")) == 1, timeout=3)
        ctx.bus.publish("call.staff_answered", call_no=1, call_id=1, actor=user.name, actor_id=user.id,
                        actor_role="staff")
        wait_until(lambda: len(_rows(db, "answered")) == 1, timeout=3)
        clock.advance(10)
        wait_until(lambda: len(_rows(db, "ended")) == 1, timeout=3)
    finally:
        service.stop()
    assert _rows(db, "answered") == [(1, user.id, user.name, "staff", None)]
    assert _rows(db, "ended")[0][3:] == ("staff", "answered")
    [entry] = [e for e in audit.entries(db, table="calls") if e["action"] == "call.answered"]
    assert entry["actor"] == user.name and entry["record_id"] in (1, "1")


def test_a_pin_typed_after_the_call_ended_confirms_it_and_one_for_another_call_marks_nothing(ctx, clock, db):
    user = auth.add_user(db, clock, SYSTEM, "Li Na", "staff", "2580")
    service = _service(ctx)
    try:
        service.put(DetectorEvent("ring", clock.monotonic()))
        wait_until(lambda: db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 1, timeout=3)
        clock.advance(10)
        wait_until(lambda: len(_rows(db, "ended")) == 1, timeout=3)
        service.put(DetectorEvent("ring", clock.monotonic()))   # call 2 rings now
        wait_until(lambda: db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 2, timeout=3)
        # the PIN for call 1 arrives late: call 1 is confirmed, call 2 stays unanswered
        ctx.bus.publish("call.staff_answered", call_no=1, call_id=1, actor=user.name, actor_id=user.id)
        wait_until(lambda: len(_rows(db, "confirmed")) == 1, timeout=3)
        time.sleep(0.2)
        assert _rows(db, "answered") == [], "call 2 was not answered by a PIN meant for call 1"
        # a late PIN without a row to confirm (nobody knew the call's id) changes nothing
        ctx.bus.publish("call.staff_answered", call_no=1, call_id=None, actor=user.name, actor_id=user.id)
        time.sleep(0.2)
    finally:
        service.stop()
    assert _rows(db, "confirmed") == [(1, user.id, user.name, "staff", "answered")]
    assert [e["action"] for e in audit.entries(db, table="calls")] == ["call.confirm"]
