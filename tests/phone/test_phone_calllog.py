"""The call log service, and the whole phone path: pty → detector → tracker → bus and database."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from hardware.devices import start_phone
from hardware.phone.simulator import ModemResponder, PtyLine
from kiosk.core import audit
from kiosk.phone import calllog
from kiosk.core import config
from kiosk.core.audit import Actor
from kiosk.phone.tracker import CallEvent
from kiosk.core.context import Context

STAFF = Actor("Li Na", None, "staff")


def log_call(db, clock, *events: CallEvent) -> int:
    call_id = calllog.start_call(db, clock, "simulated")  # detector is an enumerated column (0011)
    for event in events:
        calllog.record_event(db, clock, call_id, event)
    return call_id


def test_figures_share_within_three_rings_missed_average_and_callbacks(db, clock):
    start, end = calllog.day_bounds(clock, "Asia/Shanghai")
    log_call(db, clock, CallEvent("answered", 0, 1, rings=2, source="offhook", seconds_to_answer=6.5),
             CallEvent("ended", 0, 1, rings=2, outcome="answered", source="offhook"))
    log_call(db, clock, CallEvent("prompt", 0, 2, rings=4), CallEvent("answered", 0, 2, rings=5, source="offhook"),
             CallEvent("ended", 0, 2, rings=5, outcome="answered", source="offhook"))
    log_call(db, clock, CallEvent("ended", 0, 3, rings=6, outcome="missed", source="offhook"))
    unknown = log_call(db, clock, CallEvent("ended", 0, 4, rings=3, outcome="unknown", source="heuristic"))
    f = calllog.figures(db, clock, start, end)
    assert (f.calls, f.answered, f.missed, f.unknown, f.within_three) == (4, 2, 1, 1, 1)
    assert f.share_within_three == pytest.approx(1 / 3, abs=1e-4)
    assert f.average_rings_to_answer == 3.5

    calllog.confirm_outcome(db, clock, STAFF, unknown, "answered")
    f = calllog.figures(db, clock, start, end)
    assert (f.answered, f.unknown, f.within_three) == (3, 0, 2)
    [entry] = audit.entries(db, table="calls")
    assert entry["before"] == '{"outcome": "unknown"}' and entry["actor"] == "Li Na"


def test_notes_callbacks_due_half_a_working_day_and_overdue(db, clock):
    call_id = log_call(db, clock, CallEvent("ended", 0, 1, rings=2, outcome="answered", source="offhook"))
    note = calllog.add_note(db, clock, STAFF, call_id=call_id, category="repair", what="Water leak in 12-301",
                            caller_name="Zhao Lei", caller_number="139 1234 5678", place="Building 12",
                            why="pipe burst", how="send plumber", needs_callback=True)
    [open_cb] = calllog.open_callbacks(db)
    assert open_cb["id"] == note
    assert open_cb["callback_due"] == (clock.now() + timedelta(minutes=240)).isoformat(timespec="microseconds")
    assert calllog.overdue_callbacks(db, clock) == []
    clock.advance(241 * 60)
    assert [r["id"] for r in calllog.overdue_callbacks(db, clock)] == [note]
    calllog.complete_callback(db, clock, STAFF, note, "plumber booked for 14:00")
    assert calllog.open_callbacks(db) == []
    with pytest.raises(calllog.CallLogError, match="already done"):
        calllog.complete_callback(db, clock, STAFF, note)
    assert calllog.known_caller(db, "139 1234 5678") == "Zhao Lei"


@pytest.mark.parametrize("fields,message", [
    ({"what": "  "}, "what is required"),
    ({"category": "spam"}, "category must be one of"),
    ({"caller_number": "13800abc"}, "number may only have digits"),
    ({"needs_callback": True}, "a callback needs the caller's number"),
    ({"what": "x" * 501}, "too long"),
    ({"what": "bell\x07"}, "control characters"),
])
def test_bad_notes_are_refused_and_nothing_is_stored(db, clock, fields, message):
    args = {"call_id": None, "category": "inquiry", "what": "Opening hours?"} | fields
    with pytest.raises(calllog.CallLogError, match=message):
        calllog.add_note(db, clock, STAFF, **args)
    assert db.execute("SELECT COUNT(*) FROM call_notes").fetchone()[0] == 0


def test_sql_looking_text_is_stored_as_text(db, clock):
    calllog.add_note(db, clock, STAFF, call_id=None, category="other", what="'); DROP TABLE calls; --")
    assert db.execute("SELECT what FROM call_notes").fetchone()[0] == "'); DROP TABLE calls; --"
    assert db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 0


# --- the whole path through a pty ------------------------------------------------------------------
class Bus:
    def __init__(self, ctx) -> None:
        self.events, self.lock = [], threading.Lock()
        ctx.bus.subscribe("*", self._on)

    def _on(self, event) -> None:
        with self.lock:
            self.events.append(event)

    def kinds(self, prefix: str = "call.") -> list[str]:
        with self.lock:
            return [e.kind for e in self.events if e.kind.startswith(prefix)]

    def wait(self, kind: str, count: int = 1, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [e for e in self.events if e.kind == kind]
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.01)
        raise AssertionError(f"no {kind} (saw {self.kinds('')})")


def test_line_detector_to_prompt_answer_and_log(tmp_path, db_path, clock):
    line = PtyLine(tmp_path / "by-id")
    board = ModemResponder(line).start()   # answers PING and HOOK (ONHOOK): a board that answers nothing is deaf
    cfg = config.validate({"phone": {"detector": "line", "port": line.path, "cadence": "CN", "grace_seconds": 1.0}})
    ctx = Context(config=cfg, db_path=db_path, clock=clock)
    bus = Bus(ctx)
    service = start_phone(ctx)
    try:
        bus.wait("phone.state")
        line.write(b"CID 13800138000 WANG\n")
        for ring in range(3):
            line.write(b"RING_ON\n")
            bus.wait("call.ring", ring + 1)
            clock.advance(1.0)
            line.write(b"RING_OFF\n")
            time.sleep(0.1)
            clock.advance(4.0 if ring < 2 else 0.5)
        assert "call.prompt" not in bus.kinds()
        clock.advance(0.6)  # end of ring 3 + 1 s grace, still on-hook
        prompt = bus.wait("call.prompt")
        assert (prompt.data["rings"], prompt.data["number"], prompt.data["name"]) == (3, "13800138000", "WANG")
        line.write(b"OFFHOOK\n")
        answered = bus.wait("call.answered")
        assert answered.data["rings"] == 3 and answered.data["source"] == "offhook"
        clock.advance(95)
        line.write(b"ONHOOK\n")
        ended = bus.wait("call.ended")
        assert ended.data["outcome"] == "answered"
        line.unplug()
        state = bus.wait("phone.state", 2)
        assert state.data["state"] == "reconnecting"
    finally:
        service.stop()
        board.stop()
        line.close()
    start, end = calllog.day_bounds(clock, "Asia/Shanghai")
    [call] = calllog.calls_between(ctx.db, start, end)
    assert (call.rings, call.outcome, call.source, call.prompted, call.number) == (3, "answered", "offhook", True, "13800138000")
    assert call.rings_to_answer == 3
